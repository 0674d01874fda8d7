"""Forms of the cases area.  Cross-field rules come from the services' ``*_validate``
functions, so a form shows the same German message at the field that the service would raise."""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from teilhabe.core.forms import KernFormMixin
from teilhabe.offers.selectors import categories

from .models import (
    Case,
    CaseStatus,
    Contact,
    ContactProof,
    EducationEpisode,
    Goal,
    GoalStatus,
    OutcomeKind,
)
from .services_cases import (
    CONTACT_FIELDS,
    EPISODE_FIELDS,
    GOAL_FIELDS,
    case_validate,
    closing_validate,
    contact_validate,
    episode_validate,
    goal_validate,
    outcome_validate,
    review_validate,
)

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _add_errors(form: forms.BaseForm, errors: dict[str, str]) -> None:
    for name, message in errors.items():
        target = name if name in form.fields else None
        if target is None or target not in form.errors:
            form.add_error(target, message)


def _user_label(user: Any) -> str:
    return str(user.get_full_name() or user.get_username())


class CaseForm(KernFormMixin, forms.Form):
    responsible = forms.ChoiceField(label=_("Responsible"))
    programme = forms.CharField(label=_("Programme"), max_length=60)
    module = forms.ChoiceField(
        label=_("Funding module"), choices=list(Case._meta.get_field("module").choices or [])
    )
    intake_date = forms.DateField(label=_("Intake"), widget=DATE_WIDGET)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, case: Case, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.case = case
        users = {str(u.public_id): u for u in candidates}
        users.setdefault(str(case.responsible.public_id), case.responsible)
        self.users = users
        cast(forms.ChoiceField, self.fields["responsible"]).choices = [
            (key, _user_label(u)) for key, u in users.items()
        ]
        if not self.is_bound:
            self.initial.update(
                responsible=str(case.responsible.public_id),
                programme=case.programme,
                module=case.module,
                intake_date=case.intake_date,
                version=case.version,
            )

    def clean_responsible(self) -> Any:
        return self.users[self.cleaned_data["responsible"]]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        checked: dict[str, Any] = {
            k: data[k] for k in ("responsible", "programme", "intake_date") if k in data
        }
        _add_errors(self, case_validate(self.case, checked))
        return data


class CaseStatusForm(KernFormMixin, forms.Form):
    status = forms.ChoiceField(label=_("New status"), widget=forms.RadioSelect)
    closed_on = forms.DateField(
        label=_("Closed on"),
        required=False,
        widget=DATE_WIDGET,
        help_text=_("Only when closing; empty means today."),
    )
    closing_reason = forms.CharField(
        label=_("Closing reason"), required=False, max_length=200, help_text=_("Only when closing.")
    )
    outcome_kind = forms.ChoiceField(
        label=_("Outcome at closure"),
        required=False,
        choices=[("", "–"), *OutcomeKind.choices],
        help_text=_("Only when closing."),
    )
    outcome_note = forms.CharField(label=_("Note on the outcome"), required=False, max_length=300)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, case: Case, transitions: list[tuple[str, str]], **kw: Any):
        super().__init__(*args, **kw)
        self.case = case
        cast(forms.ChoiceField, self.fields["status"]).choices = transitions
        if not self.is_bound:
            self.initial["version"] = case.version

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") == CaseStatus.CLOSED:
            _add_errors(self, closing_validate(self.case, data))
        return data


class TeamAddForm(KernFormMixin, forms.Form):
    user = forms.ChoiceField(label=_("Case worker"))

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.users = {str(u.public_id): u for u in candidates}
        cast(forms.ChoiceField, self.fields["user"]).choices = [("", "–")] + [
            (key, _user_label(u)) for key, u in self.users.items()
        ]

    def clean_user(self) -> Any:
        return self.users[self.cleaned_data["user"]]


class GoalForm(KernFormMixin, forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Goal
        fields = GOAL_FIELDS
        widgets = {
            "target_date": DATE_WIDGET,
            "text": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.case = case
        cast("forms.ModelChoiceField[Any]", self.fields["category"]).queryset = categories()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _add_errors(self, goal_validate(self.case, data))
        return data


class GoalReviewForm(KernFormMixin, forms.Form):
    reviewed_on = forms.DateField(label=_("Reviewed on"), widget=DATE_WIDGET)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}))
    status_after = forms.ChoiceField(label=_("Status after the review"), choices=GoalStatus.choices)

    def __init__(self, *args: Any, case: Case, goal: Goal, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.case = case
        if not self.is_bound:
            self.initial.update(reviewed_on=timezone.localdate(), status_after=goal.status)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _add_errors(self, review_validate(self.case, data))
        return data


class ContactForm(KernFormMixin, forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Contact
        fields = CONTACT_FIELDS
        widgets = {
            "happened_on": DATE_WIDGET,
            "note": forms.Textarea(attrs={"rows": 3}),
            "proof": forms.RadioSelect,
        }
        help_texts = {
            "proof_by": _("Required for a second staff member: his or her name."),
        }

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.case = case
        proof = cast(forms.ChoiceField, self.fields["proof"])
        proof.choices = list(ContactProof.choices)
        if not self.is_bound:
            self.initial.setdefault("happened_on", timezone.localdate())
            self.initial.setdefault("proof", ContactProof.PARTICIPANT)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _add_errors(self, contact_validate(self.case, data))
        return data


class EpisodeForm(KernFormMixin, forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = EducationEpisode
        fields = EPISODE_FIELDS
        widgets = {"started_on": DATE_WIDGET, "ended_on": DATE_WIDGET}
        help_texts = {
            "ended_on": _("Empty while the episode goes on."),
            "hours_per_week": _("For work, training and measures."),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _add_errors(self, episode_validate(data))
        return data


class FollowUpForm(KernFormMixin, forms.Form):
    moment = forms.ChoiceField(label=_("Follow-up"))
    kind = forms.ChoiceField(label=_("Outcome"), choices=OutcomeKind.choices)
    recorded_on = forms.DateField(label=_("Recorded on"), widget=DATE_WIDGET)
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def __init__(
        self, *args: Any, case: Case, moments: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.case = case
        cast(forms.ChoiceField, self.fields["moment"]).choices = moments
        if not self.is_bound:
            self.initial["recorded_on"] = timezone.localdate()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "moment" in data:
            _add_errors(self, outcome_validate(self.case, data["moment"], data))
        return data


class ExportForm(KernFormMixin, forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=DATE_WIDGET)
    end = forms.DateField(label=_("Until"), required=False, widget=DATE_WIDGET)
    format = forms.ChoiceField(
        label=_("Format"), choices=[("xlsx", "Excel (XLSX)"), ("csv", "CSV")], required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if isinstance(start, date) and isinstance(end, date) and end < start:
            self.add_error("end", _("The end lies before the start."))
        return data

"""Forms of the referrals area (referrals, provider answers, volunteers, documents)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from teilhabe.core.forms import KernFormMixin
from teilhabe.offers.models import LANGUAGE_CHOICES

from .models import REFERRAL_REASON_NEEDED, ReferralStatus

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _(text: str) -> Any:
    return pgettext_lazy("referrals", text)


def releasable_choices() -> list[tuple[str, Any]]:
    return [
        ("name", _("Name")),
        ("birth_date", _("Date of birth")),
        ("phone", _("Phone")),
        ("email", _("E-mail")),
        ("languages", _("Languages spoken")),
        ("german_level", _("German level")),
        ("note", _("Note to the provider")),
    ]


class ReferralFilterForm(KernFormMixin, forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["status"]).choices = [
            ("", _("all")),
            ("open", _("open (not finished)")),
            *ReferralStatus.choices,
        ]


class ReferralCreateForm(KernFormMixin, forms.Form):
    note_to_provider = forms.CharField(
        label=_("Note to the provider"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only sent if you release it when sending the referral."),
    )
    confirm_ineligible = forms.BooleanField(
        label=_("I have checked the conditions and refer the person anyway."), required=False
    )

    def __init__(self, *args: Any, needs_confirmation: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.needs_confirmation = needs_confirmation
        if not needs_confirmation:
            del self.fields["confirm_ineligible"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.needs_confirmation and not data.get("confirm_ineligible"):
            self.add_error(
                "confirm_ineligible",
                _("The person does not meet all conditions of the offer; confirm the check."),
            )
        return data


class ReferralSendForm(KernFormMixin, forms.Form):
    released_fields = forms.MultipleChoiceField(
        label=_("Data released to the provider"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least the data the provider needs.")},
    )
    note_to_provider = forms.CharField(
        label=_("Note to the provider"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(
            forms.MultipleChoiceField, self.fields["released_fields"]
        ).choices = releasable_choices()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            "note" in (data.get("released_fields") or [])
            and not (data.get("note_to_provider") or "").strip()
        ):
            self.add_error("note_to_provider", _("Write the note or do not release it."))
        return data


class ReferralWithdrawForm(KernFormMixin, forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=300)
    expected_status = forms.CharField(widget=forms.HiddenInput)


class ProviderAnswerForm(KernFormMixin, forms.Form):
    status = forms.ChoiceField(
        label=_("Answer or next step"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Please choose the answer.")},
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=300,
        help_text=_("Needed when you decline or the person drops out."),
    )
    happened_on = forms.DateField(label=_("Date"), widget=DATE)
    expected_status = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, steps: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["happened_on"].initial = timezone.localdate()
        cast(forms.ChoiceField, self.fields["status"]).choices = [
            (s, ReferralStatus(s).label) for s in steps
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") in REFERRAL_REASON_NEEDED and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Please give a reason."))
        on = data.get("happened_on")
        if on and on > timezone.localdate():
            self.add_error("happened_on", _("The date lies in the future."))
        return data


class VolunteerProfileForm(KernFormMixin, forms.Form):
    user = forms.ChoiceField(label=_("Volunteer"))
    availability = forms.CharField(
        label=_("Availability"),
        required=False,
        max_length=200,
        help_text=_("For example: Tuesday afternoons, Saturdays."),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        required=False,
        choices=LANGUAGE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )
    police_clearance_on = forms.DateField(
        label=_("Date of the police clearance certificate"),
        required=False,
        widget=DATE,
        help_text=_("A certificate older than five years counts as missing."),
    )

    def __init__(self, *args: Any, candidates: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if candidates is None:
            del self.fields["user"]
        else:
            cast(forms.ChoiceField, self.fields["user"]).choices = [("", "–")] + [
                (str(u.public_id), u.get_full_name() or u.username) for u in candidates
            ]

    def clean_police_clearance_on(self) -> Any:
        value = self.cleaned_data.get("police_clearance_on")
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("The date lies in the future."))
        return value


class VolunteerAssignForm(KernFormMixin, forms.Form):
    participant = forms.ChoiceField(
        label=_("Person"),
        error_messages={"required": _("Please choose the person.")},
    )
    started_on = forms.DateField(label=_("From"), widget=DATE)

    def __init__(self, *args: Any, participants: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["started_on"].initial = timezone.localdate()
        cast(forms.ChoiceField, self.fields["participant"]).choices = [("", "–")] + [
            (str(p.public_id), f"{p.last_name}, {p.first_name}") for p in participants
        ]

    def clean_started_on(self) -> Any:
        value = self.cleaned_data.get("started_on")
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("The assignment cannot start in the future."))
        return value


class VolunteerEndForm(KernFormMixin, forms.Form):
    last_day = forms.DateField(
        label=_("Last day of the support"),
        required=False,
        widget=DATE,
        help_text=_("Leave empty to end the assignment at once."),
    )


class VolunteerMeetingForm(KernFormMixin, forms.Form):
    happened_on = forms.DateField(label=_("Date"), widget=DATE)
    minutes = forms.IntegerField(
        label=_("Duration (minutes)"),
        min_value=1,
        max_value=720,
        error_messages={
            "min_value": _("The duration must be between 1 and 720 minutes."),
            "max_value": _("The duration must be between 1 and 720 minutes."),
        },
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What you did together; no health or residence details."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["happened_on"].initial = timezone.localdate()

    def clean_happened_on(self) -> Any:
        value = self.cleaned_data.get("happened_on")
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("The date lies in the future."))
        return value


class DocumentUploadForm(KernFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    file = forms.FileField(
        label=_("File (PDF, JPEG or PNG)"),
        error_messages={
            "required": _("Please choose a file."),
            "empty": _("The file is empty."),
        },
    )

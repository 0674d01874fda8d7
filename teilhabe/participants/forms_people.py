"""Forms of the people area.  Field names equal the keys of the services' error dicts, so
that a :class:`~teilhabe.participants.services_people.ValidationFailed` lands at its field."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from teilhabe.core.forms import KernFormMixin
from teilhabe.offers.forms_matching import residence_status_choices
from teilhabe.offers.models import CEFR_CHOICES, LANGUAGE_CHOICES

from .models import ConsentForm, ConsentPurpose, Sex
from .services_people import (
    CONSENT_LANGUAGES,
    TRANSFER_SECTIONS,
    normalise_nationalities,
    participant_validate,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TRI_STATE = [("", _("not known")), ("yes", _("yes")), ("no", _("no"))]
MODULE_CHOICES = [
    ("f1", _("F1 coaching")),
    ("f6", _("F6 participation management")),
    ("kim", _("KIM case management")),
    ("other", _("other")),
]
BENEFIT_CHOICES = [
    ("asylblg", "AsylbLG"),
    ("sgb2", "SGB II"),
    ("sgb12", "SGB XII"),
    ("none", _("none")),
]
# The languages of the printable consent form.
CONSENT_FORM_LANGUAGES = [("de", "Deutsch"), ("en", "English"), ("ar", "العربية")]
SECTION_LABELS = {
    "contact": _("contact data (phone, e-mail)"),
    "family": _("interpreter, children and childcare"),
    "benefits": _("benefit history"),
    "education": _("school, certificates, German level, work experience, interests"),
}


def _tri(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


def tri_initial(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


class PersonForm(KernFormMixin, forms.Form):
    """The core data of a person (registration and edit)."""

    first_name = forms.CharField(label=_("First name"), max_length=120)
    last_name = forms.CharField(label=_("Last name"), max_length=120)
    name_transliteration = forms.CharField(
        label=_("Name as in documents"),
        max_length=240,
        required=False,
        help_text=_("Latin spelling as in the passport or the residence document."),
    )
    birth_date = forms.DateField(label=_("Date of birth"), widget=DATE)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, initial=Sex.UNKNOWN)
    nationalities = forms.CharField(
        label=_("Nationalities"),
        required=False,
        max_length=60,
        help_text=_("ISO country codes, separated by commas, e.g. SY, AF, ER."),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages spoken"),
        choices=LANGUAGE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    street = forms.CharField(label=_("Street and number"), max_length=120, required=False)
    postcode = forms.RegexField(
        label=_("Postcode"),
        regex=r"^\d{5}$",
        required=False,
        error_messages={"invalid": _("Five digits.")},
    )
    gemeinde = forms.ChoiceField(
        label=_("Municipality of residence"),
        required=False,
        error_messages={
            "invalid_choice": _(
                "Unknown municipality “%(value)s”: choose a municipality of the tenant's area."
            )
        },
    )
    interpreter_needed = forms.BooleanField(label=_("Interpreter needed"), required=False)
    interpreter_language = forms.CharField(
        label=_("Interpreter language"), max_length=40, required=False
    )
    children = forms.IntegerField(label=_("Children"), min_value=0, max_value=20, initial=0)
    childcare_needed = forms.BooleanField(label=_("Childcare needed"), required=False)
    entry_date = forms.DateField(label=_("Date of entry"), required=False, widget=DATE)
    first_asylum_request = forms.DateField(
        label=_("First asylum request"), required=False, widget=DATE
    )

    def __init__(self, *args: Any, tenant: Any, gemeinden: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tenant = tenant
        self._gemeinden = {g.ags: g for g in gemeinden}
        cast(forms.ChoiceField, self.fields["gemeinde"]).choices = [("", _("not known"))] + [
            (ags, g.name) for ags, g in self._gemeinden.items()
        ]

    def clean_nationalities(self) -> list[str]:
        return normalise_nationalities(self.cleaned_data.get("nationalities") or "")

    def clean_gemeinde(self) -> Any:
        value = self.cleaned_data.get("gemeinde")
        return self._gemeinden.get(value) if value else None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        present = {k: v for k, v in data.items() if k in self.fields and k not in self.errors}
        if "birth_date" not in present and "birth_date" in self.errors:
            present["birth_date"] = None
        for field, message in participant_validate(present, tenant=self.tenant).items():
            if field in self.fields and field not in self.errors and field in present:
                self.add_error(field, message)
        return data

    def person_data(self) -> dict[str, Any]:
        return {k: self.cleaned_data[k] for k in PersonForm.base_fields if k in self.cleaned_data}


class ParticipantEditForm(PersonForm):
    """Correction of the whole record (Art. 16 GDPR), with the version for the conflict check."""

    asylum_decision = forms.ChoiceField(
        label=_("Asylum decision"),
        required=False,
        choices=[
            ("", _("not known")),
            ("pending", _("pending")),
            ("rejected", _("rejected")),
            ("recognised", _("recognised")),
            ("withdrawn", _("withdrawn")),
        ],
    )
    work_permission = forms.ChoiceField(
        label=_("Work permission"),
        required=False,
        choices=[
            ("", _("not known")),
            ("permitted", _("permitted")),
            ("needs_approval", _("needs approval")),
            ("banned", _("statutory ban")),
        ],
    )
    integration_course_access = forms.ChoiceField(
        label=_("Access to an integration course"), required=False, choices=TRI_STATE
    )
    lives_in_state_facility = forms.ChoiceField(
        label=_("Lives in a state facility"), required=False, choices=TRI_STATE
    )
    security_exclusion = forms.ChoiceField(
        label=_("Security exclusion"), required=False, choices=TRI_STATE
    )
    school_years = forms.IntegerField(
        label=_("Years of school"), required=False, min_value=0, max_value=20
    )
    certificates = forms.CharField(
        label=_("Certificates and recognition"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    german_reading = forms.ChoiceField(
        label=_("German: reading"), required=False, choices=[("", "–"), *CEFR_CHOICES]
    )
    german_writing = forms.ChoiceField(
        label=_("German: writing"), required=False, choices=[("", "–"), *CEFR_CHOICES]
    )
    german_listening = forms.ChoiceField(
        label=_("German: listening"), required=False, choices=[("", "–"), *CEFR_CHOICES]
    )
    german_speaking = forms.ChoiceField(
        label=_("German: speaking"), required=False, choices=[("", "–"), *CEFR_CHOICES]
    )
    other_languages = forms.CharField(label=_("Other languages"), max_length=200, required=False)
    work_experience = forms.CharField(
        label=_("Work experience"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    interests = forms.CharField(
        label=_("Interests"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    TRI_FIELDS = ("integration_course_access", "lives_in_state_facility", "security_exclusion")

    @classmethod
    def initial_for(cls, participant: Any) -> dict[str, Any]:
        from .services_people import PARTICIPANT_FIELDS

        initial = {k: getattr(participant, k) for k in PARTICIPANT_FIELDS}
        initial["nationalities"] = ", ".join(participant.nationalities or [])
        initial["gemeinde"] = participant.gemeinde.ags if participant.gemeinde_id else ""
        for name in cls.TRI_FIELDS:
            initial[name] = tri_initial(getattr(participant, name))
        initial["version"] = participant.version
        return initial

    def record_data(self) -> dict[str, Any]:
        from .services_people import PARTICIPANT_FIELDS

        data = {k: self.cleaned_data[k] for k in PARTICIPANT_FIELDS if k in self.cleaned_data}
        for name in self.TRI_FIELDS:
            data[name] = _tri(self.cleaned_data.get(name) or "")
        if data.get("school_years") == "":
            data["school_years"] = None
        return data


class RegisterForm(PersonForm):
    """Registration: the person, the first case and optionally the case-work consent."""

    case_module = forms.ChoiceField(label=_("Funding module"), choices=MODULE_CHOICES, initial="f1")
    case_intake_date = forms.DateField(label=_("Intake"), widget=DATE)
    with_consent = forms.BooleanField(
        label=_("The person has given the consent to case work"), required=False
    )
    consent_given_on = forms.DateField(label=_("Consent given on"), required=False, widget=DATE)
    consent_form = forms.ChoiceField(
        label=_("Form of the consent"),
        required=False,
        choices=[("", "–"), *ConsentForm.choices],
    )
    consent_language = forms.ChoiceField(
        label=_("Language of the consent text"),
        required=False,
        choices=[(code, label) for code, label in LANGUAGE_CHOICES if code in CONSENT_LANGUAGES],
        initial="de",
    )
    consent_witness = forms.CharField(
        label=_("Witness (for a verbal consent)"), max_length=120, required=False
    )
    consent_expires_on = forms.DateField(label=_("Consent expires on"), required=False, widget=DATE)
    confirm_duplicate = forms.BooleanField(
        label=_("I have checked the list: this is a different person"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["case_intake_date"].initial = today
        self.fields["consent_given_on"].initial = today

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("with_consent"):
            if not data.get("consent_given_on") and "consent_given_on" not in self.errors:
                self.add_error("consent_given_on", _("This field is required."))
            if not data.get("consent_form") and "consent_form" not in self.errors:
                self.add_error("consent_form", _("This field is required."))
        return data

    def case_data(self) -> dict[str, Any]:
        return {
            "module": self.cleaned_data["case_module"],
            "intake_date": self.cleaned_data["case_intake_date"],
        }

    def consent_data(self) -> dict[str, Any] | None:
        d = self.cleaned_data
        if not d.get("with_consent"):
            return None
        return {
            "given_on": d.get("consent_given_on"),
            "form": d.get("consent_form"),
            "language": d.get("consent_language") or "de",
            "witness": d.get("consent_witness") or "",
            "expires_on": d.get("consent_expires_on"),
        }


class SearchForm(KernFormMixin, forms.Form):
    q = forms.CharField(label=_("Name"), required=False, max_length=100)
    gesperrt = forms.BooleanField(label=_("also show restricted records"), required=False)


class StatusForm(KernFormMixin, forms.Form):
    status = forms.ChoiceField(label=_("Residence status"))
    valid_from = forms.DateField(label=_("Valid from"), widget=DATE)
    valid_until = forms.DateField(label=_("Valid until"), required=False, widget=DATE)
    issuing_office = forms.CharField(
        label=_("Issuing immigration office"), max_length=120, required=False
    )
    work_permitted = forms.ChoiceField(
        label=_("Employment permitted"), required=False, choices=TRI_STATE
    )
    residence_obligation = forms.CharField(
        label=_("Residence obligation (Wohnsitzauflage)"), max_length=120, required=False
    )
    conditions = forms.CharField(
        label=_("Further conditions"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    end_previous = forms.BooleanField(
        label=_("End the current open entry on the day before"), required=False, initial=True
    )

    def __init__(self, *args: Any, adding: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = residence_status_choices()
        cast(forms.ChoiceField, self.fields["status"]).choices = [("", "–"), *choices[1:]]
        if not adding:
            del self.fields["end_previous"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", _("The end of validity lies before its start."))
        return data

    def entry_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        kind, _sep, paragraph = d["status"].partition(":")
        return {
            "kind": kind,
            "paragraph": paragraph,
            "valid_from": d["valid_from"],
            "valid_until": d.get("valid_until"),
            "issuing_office": d.get("issuing_office", ""),
            "work_permitted": _tri(d.get("work_permitted") or ""),
            "residence_obligation": d.get("residence_obligation", ""),
            "conditions": d.get("conditions", ""),
        }

    @staticmethod
    def initial_for(entry: Any) -> dict[str, Any]:
        return {
            "status": f"{entry.kind}:{entry.paragraph}" if entry.paragraph else entry.kind,
            "valid_from": entry.valid_from,
            "valid_until": entry.valid_until,
            "issuing_office": entry.issuing_office,
            "work_permitted": tri_initial(entry.work_permitted),
            "residence_obligation": entry.residence_obligation,
            "conditions": entry.conditions,
        }


class BenefitForm(KernFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Benefit system"), choices=BENEFIT_CHOICES)
    valid_from = forms.DateField(label=_("From"), widget=DATE)
    valid_until = forms.DateField(label=_("Until"), required=False, widget=DATE)
    end_previous = forms.BooleanField(
        label=_("End the current open entry on the day before"), required=False, initial=True
    )

    def __init__(self, *args: Any, adding: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not adding:
            del self.fields["end_previous"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", _("The end of validity lies before its start."))
        return data

    def entry_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "kind": d["kind"],
            "valid_from": d["valid_from"],
            "valid_until": d.get("valid_until"),
        }


class EndForm(KernFormMixin, forms.Form):
    until = forms.DateField(label=_("Valid until"), widget=DATE)


class ConsentRecordForm(KernFormMixin, forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=ConsentPurpose.choices)
    provider = forms.ChoiceField(
        label=_("Provider (only for sharing with a provider)"), required=False
    )
    given_on = forms.DateField(label=_("Given on"), widget=DATE)
    form = forms.ChoiceField(label=_("Form"), choices=ConsentForm.choices, widget=forms.RadioSelect)
    witness = forms.CharField(
        label=_("Witness (for a verbal consent)"), max_length=120, required=False
    )
    language = forms.ChoiceField(
        label=_("Language of the consent text"),
        choices=[(code, label) for code, label in LANGUAGE_CHOICES if code in CONSENT_LANGUAGES],
        initial="de",
    )
    expires_on = forms.DateField(label=_("Expires on"), required=False, widget=DATE)

    def __init__(self, *args: Any, providers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._providers = {str(p.public_id): p for p in providers}
        cast(forms.ChoiceField, self.fields["provider"]).choices = [("", "–")] + [
            (pid, p.name) for pid, p in self._providers.items()
        ]
        self.fields["given_on"].initial = timezone.localdate()

    def clean_provider(self) -> Any:
        value = self.cleaned_data.get("provider")
        return self._providers.get(value) if value else None


class WithdrawForm(KernFormMixin, forms.Form):
    withdrawn_on = forms.DateField(label=_("Withdrawn on"), widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["withdrawn_on"].initial = timezone.localdate()


class ReasonForm(KernFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )
    confirmed = forms.BooleanField(label=_("I have checked this and want to go ahead"))


class RestrictForm(KernFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MergeForm(KernFormMixin, forms.Form):
    confirmed = forms.BooleanField(label=_("Both records describe the same person; merge them"))


class TransferForm(KernFormMixin, forms.Form):
    to_tenant = forms.ChoiceField(label=_("New responsible tenant"))
    sections = forms.MultipleChoiceField(
        label=_("Hand over as well"),
        required=False,
        choices=list(SECTION_LABELS.items()),
        widget=forms.CheckboxSelectMultiple,
    )
    confirmed = forms.BooleanField(
        label=_("The person has agreed to the handover of the data listed"), required=False
    )

    def __init__(self, *args: Any, tenants: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._tenants = {str(t.public_id): t for t in tenants}
        cast(forms.ChoiceField, self.fields["to_tenant"]).choices = [("", "–")] + [
            (tid, t.name) for tid, t in self._tenants.items()
        ]
        assert set(SECTION_LABELS) == set(TRANSFER_SECTIONS)

    def clean_to_tenant(self) -> Any:
        return self._tenants.get(self.cleaned_data.get("to_tenant") or "")


class TransferAcceptForm(KernFormMixin, forms.Form):
    module = forms.ChoiceField(label=_("Funding module"), choices=MODULE_CHOICES, initial="f1")
    intake_date = forms.DateField(label=_("Intake"), widget=DATE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["intake_date"].initial = timezone.localdate()

"""The facts form of the "passende Angebote" page (nothing is stored)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from teilhabe.core.forms import KernFormMixin
from teilhabe.eligibility import Facts, FactsError, load_residence_status_catalogue
from teilhabe.territory.models import ags8

from .models import CEFR_CHOICES
from .selectors import categories

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
YES_NO_UNKNOWN = [("", _("not known")), ("yes", _("yes")), ("no", _("no"))]


def residence_status_choices() -> list[tuple[str, str]]:
    """``kind`` or ``kind:paragraph`` for every entry of the editable status catalogue."""
    lang = "de" if (get_language() or "de").startswith("de") else "en"
    choices: list[tuple[str, str]] = [("", str(_("not known")))]
    for code in load_residence_status_catalogue().codes():
        info = load_residence_status_catalogue().get(code)
        if info is None or info.unknown:
            continue
        if not info.paragraphs:
            choices.append((code, info.label(None, lang)))
        for p in info.paragraphs:
            choices.append((f"{code}:{p.code}", info.label(p.code, lang)))
    return choices


def _tri(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class MatchingForm(KernFormMixin, forms.Form):
    reference_date = forms.DateField(label=_("Reference date"), widget=DATE)
    birth_date = forms.DateField(label=_("Date of birth"), required=False, widget=DATE)
    sex = forms.ChoiceField(
        label=_("Sex"),
        required=False,
        choices=[
            ("", _("not known")),
            ("female", _("female")),
            ("male", _("male")),
            ("diverse", _("diverse")),
        ],
    )
    nationality = forms.RegexField(
        label=_("Nationality (ISO code, e.g. SY)"),
        regex=r"^[A-Za-z]{2}$",
        required=False,
        error_messages={"invalid": _("Two letters, e.g. SY, AF, ER.")},
    )
    residence_status = forms.ChoiceField(label=_("Residence status"), required=False)
    status_until = forms.DateField(label=_("Status valid until"), required=False, widget=DATE)
    first_asylum_request = forms.DateField(
        label=_("First asylum request"), required=False, widget=DATE
    )
    benefits = forms.ChoiceField(
        label=_("Benefits"),
        required=False,
        choices=[
            ("", _("not known")),
            ("asylblg", "AsylbLG"),
            ("sgb2", "SGB II"),
            ("sgb12", "SGB XII"),
            ("none", _("none")),
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
        label=_("Access to an integration course"), required=False, choices=YES_NO_UNKNOWN
    )
    lives_in_state_facility = forms.ChoiceField(
        label=_("Lives in a state facility"), required=False, choices=YES_NO_UNKNOWN
    )
    security_exclusion = forms.ChoiceField(
        label=_("Security exclusion"), required=False, choices=YES_NO_UNKNOWN
    )
    german_level = forms.ChoiceField(
        label=_("German level"), required=False, choices=[("", _("not known")), *CEFR_CHOICES]
    )
    gemeinde = forms.ChoiceField(label=_("Municipality of residence"), required=False)
    wanted = forms.MultipleChoiceField(
        label=_("Looking for"), required=False, widget=forms.CheckboxSelectMultiple
    )
    age_exception_reason = forms.CharField(
        label=_("Reason for an age exception"), required=False, max_length=300
    )
    show_ineligible = forms.BooleanField(
        label=_("also show offers not open to the person"), required=False
    )

    def __init__(self, *args: Any, gemeinden: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reference_date"].initial = timezone.localdate()
        cast(
            forms.ChoiceField, self.fields["residence_status"]
        ).choices = residence_status_choices()
        cast(forms.ChoiceField, self.fields["gemeinde"]).choices = [("", _("not known"))] + [
            (g.ags, g.name) for g in gemeinden
        ]
        cast(forms.ChoiceField, self.fields["wanted"]).choices = [
            (c.code, c.name) for c in categories()
        ]

    def facts(self) -> Facts:
        """The engine's facts from the cleaned data; errors are added to the form."""
        d = self.cleaned_data
        person: dict[str, Any] = {}
        for name in ("birth_date", "first_asylum_request"):
            if d.get(name):
                person[name] = d[name].isoformat()
        for name in ("sex", "benefits", "work_permission", "german_level", "age_exception_reason"):
            if d.get(name):
                person[name] = d[name]
        if d.get("nationality"):
            person["nationality"] = d["nationality"].upper()
        if d.get("gemeinde"):
            person["municipality_ags"] = ags8(d["gemeinde"])
        for name in ("integration_course_access", "lives_in_state_facility", "security_exclusion"):
            value = _tri(d.get(name) or "")
            if value is not None:
                person[name] = value
        if d.get("residence_status"):
            kind, _sep, paragraph = d["residence_status"].partition(":")
            status: dict[str, Any] = {"kind": kind}
            if paragraph:
                status["paragraph"] = paragraph
            if d.get("status_until"):
                status["until"] = d["status_until"].isoformat()
            person["residence_status"] = status
        return Facts.from_dict(person)


__all__ = ["FactsError", "MatchingForm"]

"""A structured form for a tenant's participation rules (no JSON for coordinators).

The form builds the engine's rule-set definition; existing definitions with criteria the
form does not know are kept as they are (they show on the detail page).
"""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from teilhabe.core.forms import KernFormMixin

from .forms_matching import DATE, residence_status_choices
from .models import CEFR_CHOICES

FORM_KINDS = {
    "age_range",
    "residence_status",
    "no_statutory_work_ban",
    "not_in_state_facility",
    "no_security_exclusion",
    "min_language_level",
    "residence_in_area",
}
SOURCE = "Regel des Mandanten (Teilnahmeregeln eines Angebots)"


class RuleSetForm(KernFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    code = forms.RegexField(
        label=_("Code"),
        max_length=80,
        regex=r"^[a-z0-9][a-z0-9._-]*$",
        help_text=_("Small letters, digits, dot, - and _; unique."),
        error_messages={"invalid": _("Only small letters, digits, dot, - and _.")},
    )
    valid_from = forms.DateField(label=_("valid from"), widget=DATE)
    valid_until = forms.DateField(label=_("valid until"), required=False, widget=DATE)
    min_age = forms.IntegerField(label=_("minimum age"), required=False, min_value=0, max_value=99)
    max_age = forms.IntegerField(label=_("maximum age"), required=False, min_value=0, max_value=99)
    allow_age_exception = forms.BooleanField(
        label=_("exceptions to the age limits with a recorded reason"), required=False
    )
    statuses = forms.MultipleChoiceField(
        label=_("Allowed residence statuses (none ticked: every status)"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    no_work_ban = forms.BooleanField(
        label=_("not with a statutory work ban (§ 60a Abs. 6 AufenthG)"), required=False
    )
    not_in_state_facility = forms.BooleanField(
        label=_("not while living in a state facility"), required=False
    )
    no_security_exclusion = forms.BooleanField(
        label=_("not with a security exclusion"), required=False
    )
    min_level = forms.ChoiceField(
        label=_("German level at least"),
        required=False,
        choices=[("", _("no requirement")), *CEFR_CHOICES],
    )
    residence_in_area = forms.BooleanField(
        label=_("only people living in the tenant's area"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["statuses"]).choices = residence_status_choices()[1:]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lo, hi = data.get("min_age"), data.get("max_age")
        if lo is not None and hi is not None and hi < lo:
            self.add_error("max_age", _("The maximum age lies below the minimum age."))
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", _("The end lies before the start."))
        return data

    def definition(self) -> dict[str, Any]:
        d = self.cleaned_data
        criteria: list[dict[str, Any]] = []
        if d.get("min_age") is not None or d.get("max_age") is not None:
            params: dict[str, Any] = {"allow_exception": bool(d.get("allow_age_exception"))}
            if d.get("min_age") is not None:
                params["min_age"] = d["min_age"]
            if d.get("max_age") is not None:
                params["max_age"] = d["max_age"]
            criteria.append(_criterion("age", "age_range", params))
        if d.get("statuses"):
            criteria.append(
                _criterion("residence_status", "residence_status", {"allowed": d["statuses"]})
            )
        if d.get("no_work_ban"):
            criteria.append(_criterion("no_work_ban", "no_statutory_work_ban", {}))
        if d.get("not_in_state_facility"):
            criteria.append(_criterion("not_in_state_facility", "not_in_state_facility", {}))
        if d.get("no_security_exclusion"):
            criteria.append(_criterion("no_security_exclusion", "no_security_exclusion", {}))
        if d.get("min_level"):
            criteria.append(
                _criterion("language", "min_language_level", {"min_level": d["min_level"]})
            )
        if d.get("residence_in_area"):
            criteria.append(_criterion("residence_in_area", "residence_in_area", {}))
        valid_until: date | None = d.get("valid_until")
        return {
            "code": d["code"],
            "name_de": d["name"],
            "name_en": d["name"],
            "valid_from": d["valid_from"].isoformat(),
            "valid_until": valid_until.isoformat() if valid_until else None,
            "criteria": criteria,
        }


def _criterion(code: str, kind: str, params: dict[str, Any]) -> dict[str, Any]:
    return {"code": code, "kind": kind, "required": True, "params": params, "source": SOURCE}


def initial_from_definition(name: str, definition: dict[str, Any]) -> dict[str, Any]:
    """Form values from a stored definition (criteria of other kinds are not shown)."""
    initial: dict[str, Any] = {
        "name": name,
        "code": definition.get("code", ""),
        "valid_from": definition.get("valid_from"),
        "valid_until": definition.get("valid_until"),
    }
    for c in definition.get("criteria", []):
        kind, params = c.get("kind"), c.get("params", {})
        if kind == "age_range":
            initial.update(
                min_age=params.get("min_age"),
                max_age=params.get("max_age"),
                allow_age_exception=params.get("allow_exception", False),
            )
        elif kind == "residence_status" and isinstance(params.get("allowed"), list):
            values = []
            for spec in params["allowed"]:
                if isinstance(spec, str):
                    values.append(spec)
                elif isinstance(spec, dict):
                    pars = spec.get("paragraphs")
                    if pars:
                        values.extend(f"{spec['kind']}:{p}" for p in pars)
                    else:
                        values.append(spec["kind"])
            initial["statuses"] = values
        elif kind == "no_statutory_work_ban":
            initial["no_work_ban"] = True
        elif kind == "not_in_state_facility":
            initial["not_in_state_facility"] = True
        elif kind == "no_security_exclusion":
            initial["no_security_exclusion"] = True
        elif kind == "min_language_level":
            initial["min_level"] = params.get("min_level", "")
        elif kind == "residence_in_area":
            initial["residence_in_area"] = True
    return initial


def unknown_criteria(definition: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for c in definition.get("criteria", []) if c.get("kind") not in FORM_KINDS]

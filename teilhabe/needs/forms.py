"""Forms of the needs area (KERN markup through KernFormMixin; choices set after __init__)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from teilhabe.core.forms import KernFormMixin
from teilhabe.offers.models import Category, FundingSource, Offer, Provider

from . import services
from .models import MeasureStatus, NeedSourceKind, PlannedMeasure
from .standard import AgeBand, StatusGroup

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _grid_name(group: str, band: str) -> str:
    return f"n_{group}_{band}"


class FiguresForm(KernFormMixin, forms.Form):
    """Target-group figures entered by hand: a total and the grid status group × age band
    (sex, nationality and benefit system "not stated"); the grid must add up to the total."""

    reference_date = forms.DateField(label=_("Reference date"), widget=DATE_WIDGET)
    gemeinde = forms.ChoiceField(label=_("Municipality"), required=False)
    source = forms.CharField(label=pgettext_lazy("needs", "Source"), max_length=200)
    total = forms.IntegerField(label=pgettext_lazy("needs", "Total number of people"))
    replace = forms.BooleanField(
        label=pgettext_lazy("needs", "Replace existing figures of this reference date"),
        required=False,
    )

    def __init__(self, *args: Any, gemeinden: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.gemeinden = {str(g.pk): g for g in gemeinden}
        cast(forms.ChoiceField, self.fields["gemeinde"]).choices = [
            ("", pgettext_lazy("needs", "whole tenant (no municipality)"))
        ] + [(k, g.name) for k, g in self.gemeinden.items()]
        for group, glabel in StatusGroup.choices:
            for band, blabel in AgeBand.choices:
                self.fields[_grid_name(group, band)] = forms.IntegerField(
                    label=f"{glabel}, {blabel}",
                    required=False,
                    widget=forms.NumberInput(
                        attrs={"class": "kern-form-input__input", "inputmode": "numeric"}
                    ),
                )

    def grid(self) -> list[tuple[str, list[Any]]]:
        return [
            (str(glabel), [self[_grid_name(group, band)] for band, _b in AgeBand.choices])
            for group, glabel in StatusGroup.choices
        ]

    def clean_reference_date(self) -> Any:
        on = self.cleaned_data["reference_date"]
        error = services.reference_date_error(on)
        if error:
            raise forms.ValidationError(error)
        return on

    def clean_total(self) -> int:
        total = self.cleaned_data["total"]
        if total < 0:
            raise forms.ValidationError(_("Counts cannot be negative."))
        return int(total)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        grid_sum = 0
        for group, _g in StatusGroup.choices:
            for band, _b in AgeBand.choices:
                name = _grid_name(group, band)
                value = data.get(name)
                if value is not None and value < 0:
                    self.add_error(name, _("Counts cannot be negative."))
                elif value:
                    grid_sum += value
        total = data.get("total")
        if total is not None and not self.errors and grid_sum != total:
            self.add_error(
                "total",
                _("The figures add up to %(sum)s, not to the total %(total)s.")
                % {"sum": grid_sum, "total": total},
            )
        return data

    def rows(self) -> list[services.FigureRow]:
        gem = self.gemeinden.get(self.cleaned_data.get("gemeinde") or "")
        result = []
        for group, _g in StatusGroup.choices:
            for band, _b in AgeBand.choices:
                n = self.cleaned_data.get(_grid_name(group, band)) or 0
                if n:
                    result.append(
                        services.FigureRow(
                            gem.pk if gem else None, group, band, "unknown", "unknown", "unknown", n
                        )
                    )
        return result


class FiguresImportForm(KernFormMixin, forms.Form):
    file = forms.FileField(
        label=pgettext_lazy("needs", "File (XLSX or CSV)"),
        help_text=pgettext_lazy(
            "needs", "One reference date per file, columns as in the template."
        ),
    )
    source = forms.CharField(label=pgettext_lazy("needs", "Source"), max_length=200, required=False)
    replace = forms.BooleanField(
        label=pgettext_lazy("needs", "Replace existing figures of this reference date"),
        required=False,
    )


class EstimateForm(KernFormMixin, forms.Form):
    reference_date = forms.DateField(label=_("Reference date"), widget=DATE_WIDGET)
    category = forms.ChoiceField(label=_("Category"))
    status_group = forms.ChoiceField(
        label=pgettext_lazy("needs", "Status group"), choices=StatusGroup.choices
    )
    age_band = forms.ChoiceField(
        label=pgettext_lazy("needs", "Age band"),
        required=False,
        choices=[("", pgettext_lazy("needs", "all ages")), *list(AgeBand.choices)],
    )
    gemeinde = forms.ChoiceField(label=_("Municipality"), required=False)
    count = forms.IntegerField(label=pgettext_lazy("needs", "Number of people"))
    source_kind = forms.ChoiceField(
        label=pgettext_lazy("needs", "Kind of source"), choices=NeedSourceKind.choices
    )
    source = forms.CharField(label=pgettext_lazy("needs", "Source"), max_length=200)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self, *args: Any, categories: list[Category], gemeinden: list[Any], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.categories = {str(c.pk): c for c in categories}
        self.gemeinden = {str(g.pk): g for g in gemeinden}
        cast(forms.ChoiceField, self.fields["category"]).choices = [
            (k, c.name) for k, c in self.categories.items()
        ]
        cast(forms.ChoiceField, self.fields["gemeinde"]).choices = [
            ("", pgettext_lazy("needs", "whole tenant (no municipality)"))
        ] + [(k, g.name) for k, g in self.gemeinden.items()]

    def clean_reference_date(self) -> Any:
        on = self.cleaned_data["reference_date"]
        error = services.reference_date_error(on)
        if error:
            raise forms.ValidationError(error)
        return on

    def clean_count(self) -> int:
        n = self.cleaned_data["count"]
        if n < 0:
            raise forms.ValidationError(_("Counts cannot be negative."))
        return int(n)

    def data_for_service(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "reference_date": d["reference_date"],
            "category": self.categories[d["category"]],
            "status_group": d["status_group"],
            "age_band": d.get("age_band") or "",
            "gemeinde": self.gemeinden.get(d.get("gemeinde") or ""),
            "count": d["count"],
            "source_kind": d["source_kind"],
            "source": d["source"],
            "note": d.get("note") or "",
        }


class GapForm(KernFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class MeasureForm(KernFormMixin, forms.Form):
    title = forms.CharField(label=pgettext_lazy("needs", "What"), max_length=200)
    target_group = forms.CharField(label=pgettext_lazy("needs", "For whom"), max_length=300)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    category = forms.ChoiceField(label=_("Category"), required=False)
    provider = forms.ChoiceField(label=_("Provider"), required=False)
    funding = forms.ChoiceField(
        label=pgettext_lazy("needs", "Funding module or other funding"), required=False
    )
    funding_note = forms.CharField(
        label=pgettext_lazy("needs", "Other funding"), max_length=200, required=False
    )
    capacity = forms.IntegerField(label=_("Seats"), required=False)
    start = forms.DateField(label=_("Start"), required=False, widget=DATE_WIDGET)
    responsible_organisation = forms.CharField(
        label=pgettext_lazy("needs", "Responsible organisation"), max_length=200
    )
    status = forms.ChoiceField(label=_("Status"), choices=MeasureStatus.choices)
    offer = forms.ChoiceField(label=pgettext_lazy("needs", "Became the offer"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args: Any,
        categories: list[Category],
        providers: list[Provider],
        fundings: list[FundingSource],
        offers: list[Offer],
        measure: PlannedMeasure | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.options: dict[str, dict[str, Any]] = {
            "category": {str(c.public_id): c for c in categories},
            "provider": {str(p.public_id): p for p in providers},
            "funding": {str(f.public_id): f for f in fundings},
            "offer": {str(o.public_id): o for o in offers},
        }
        for name, objs in self.options.items():
            cast(forms.ChoiceField, self.fields[name]).choices = [("", "–")] + [
                (k, str(o)) for k, o in objs.items()
            ]
        if measure is not None and not self.is_bound:
            self.initial.update(
                {
                    "title": measure.title,
                    "target_group": measure.target_group,
                    "description": measure.description,
                    "category": str(measure.category.public_id) if measure.category else "",
                    "provider": str(measure.provider.public_id) if measure.provider else "",
                    "funding": str(measure.funding.public_id) if measure.funding else "",
                    "funding_note": measure.funding_note,
                    "capacity": measure.capacity,
                    "start": measure.start,
                    "responsible_organisation": measure.responsible_organisation,
                    "status": measure.status,
                    "offer": str(measure.offer.public_id) if measure.offer else "",
                    "version": measure.version,
                }
            )

    def clean_capacity(self) -> int | None:
        n = self.cleaned_data.get("capacity")
        if n is not None and n < 1:
            raise forms.ValidationError(_("The capacity must be at least 1."))
        return n

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("funding") and not (data.get("funding_note") or "").strip():
            self.add_error(
                "funding",
                _("Please choose a funding module or describe the other funding."),
            )
        return data

    def data_for_service(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "title": d["title"],
            "target_group": d["target_group"],
            "description": d.get("description") or "",
            "category": self.options["category"].get(d.get("category") or ""),
            "provider": self.options["provider"].get(d.get("provider") or ""),
            "funding": self.options["funding"].get(d.get("funding") or ""),
            "funding_note": d.get("funding_note") or "",
            "capacity": d.get("capacity"),
            "start": d.get("start"),
            "responsible_organisation": d["responsible_organisation"],
            "status": d["status"],
            "offer": self.options["offer"].get(d.get("offer") or ""),
        }


URGENCY_CHOICES = [
    ("", pgettext_lazy("needs", "no need")),
    ("1", _("high")),
    ("2", _("medium")),
    ("3", _("low")),
]


class SurveyForm(KernFormMixin, forms.Form):
    """One urgency choice per category (a few minutes with the participant)."""

    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def __init__(
        self, *args: Any, categories: list[Category], open_needs: dict[int, Any], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.categories = categories
        for c in categories:
            existing = open_needs.get(c.pk)
            self.fields[f"c_{c.pk}"] = forms.ChoiceField(
                label=c.name,
                required=False,
                choices=URGENCY_CHOICES,
                widget=forms.RadioSelect,
                initial=str(existing.urgency) if existing else "",
            )

    def needs(self) -> dict[int, int]:
        return {
            c.pk: int(self.cleaned_data[f"c_{c.pk}"])
            for c in self.categories
            if self.cleaned_data.get(f"c_{c.pk}")
        }

    def cleared(self) -> list[int]:
        return [c.pk for c in self.categories if not self.cleaned_data.get(f"c_{c.pk}")]

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from teilhabe.accounts.models import User
from teilhabe.core.forms import KernFormMixin
from teilhabe.territory.models import Territory

from .models import (
    LANGUAGE_CHOICES,
    Category,
    FundingSource,
    Offer,
    OfferStatus,
    Provider,
    ProviderKind,
    RuleSetRecord,
    Weekday,
)
from .selectors import categories, funding_sources

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OfferFilterForm(KernFormMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    category = forms.ChoiceField(label=_("Category"), required=False)
    provider = forms.ChoiceField(label=_("Provider"), required=False)
    gemeinde = forms.ChoiceField(label=_("Municipality"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("all")), *OfferStatus.choices]
    )
    funding = forms.ChoiceField(label=_("Funding"), required=False)
    language = forms.ChoiceField(
        label=_("Language"), required=False, choices=[("", _("all")), *LANGUAGE_CHOICES]
    )
    free_seats = forms.BooleanField(label=_("only with free seats"), required=False)

    def __init__(self, *args: Any, providers: Any, gemeinden: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["category"]).choices = [("", _("all"))] + [
            (c.code, c.name) for c in categories()
        ]
        cast(forms.ChoiceField, self.fields["provider"]).choices = [("", _("all"))] + [
            (str(public_id), name) for public_id, name in providers
        ]
        cast(forms.ChoiceField, self.fields["gemeinde"]).choices = [("", _("all"))] + [
            (g.ags, g.name) for g in gemeinden
        ]
        cast(forms.ChoiceField, self.fields["funding"]).choices = [("", _("all"))] + [
            (code, name) for code, name in funding_sources().values_list("code", "name")
        ]


class OfferForm(KernFormMixin, forms.ModelForm):  # type: ignore[type-arg]
    languages = forms.MultipleChoiceField(
        label=_("Languages of instruction"),
        choices=LANGUAGE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Offer
        fields = [
            "key",
            "title",
            "title_plain",
            "description",
            "description_plain",
            "category",
            "funding",
            "provider",
            "status",
            "start_date",
            "end_date",
            "teaching_hours",
            "schedule_note",
            "capacity",
            "seats_taken",
            "waiting_list",
            "languages",
            "language_level_required",
            "language_level_target",
            "min_age",
            "max_age",
            "cost",
            "cost_note",
            "travel_costs_reimbursed",
            "childcare_reimbursed",
            "women_only",
            "childcare_on_site",
            "wheelchair_accessible",
            "accessibility_note",
            "contact_name",
            "contact_email",
            "contact_phone",
            "rule_set",
            "eligibility_note",
        ]
        widgets = {
            "start_date": DATE_WIDGET,
            "end_date": DATE_WIDGET,
            "description": forms.Textarea(attrs={"rows": 5}),
            "description_plain": forms.Textarea(attrs={"rows": 4}),
            "eligibility_note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, tenant: Any, providers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Any]", self.fields["provider"]).queryset = providers
        cast("forms.ModelChoiceField[Any]", self.fields["category"]).queryset = categories()
        funding = cast("forms.ModelChoiceField[Any]", self.fields["funding"])
        funding.queryset = FundingSource.objects.order_by("sort_order")
        cast("forms.ModelChoiceField[Any]", self.fields["rule_set"]).queryset = (
            RuleSetRecord.objects.filter(tenant__isnull=True)
            | RuleSetRecord.objects.filter(tenant=tenant)
        )
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def clean(self) -> dict[str, Any]:
        from .services import offer_validate

        data = super().clean() or {}
        for field, message in offer_validate(data).items():
            if field in self.fields and field not in self.errors:
                self.add_error(field, message)
        return data


class LocationForm(KernFormMixin, forms.Form):
    name = forms.CharField(label=_("Place"), max_length=120, required=False)
    street = forms.CharField(label=_("Street"), max_length=120)
    postcode = forms.RegexField(
        label=_("Postcode"), regex=r"^\d{5}$", error_messages={"invalid": _("Five digits.")}
    )
    city = forms.CharField(label=_("City"), max_length=80)
    gemeinde = forms.ModelChoiceField(label=_("Municipality"), queryset=Territory.objects.none())
    latitude = forms.DecimalField(
        label=_("Latitude"),
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=-90,
        max_value=90,
    )
    longitude = forms.DecimalField(
        label=_("Longitude"),
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=-180,
        max_value=180,
    )

    def __init__(self, *args: Any, gemeinden: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if gemeinden is not None:
            cast("forms.ModelChoiceField[Any]", self.fields["gemeinde"]).queryset = gemeinden


class ScheduleForm(KernFormMixin, forms.Form):
    # An empty first choice keeps the extra (blank) row of the formset unchanged.
    weekday = forms.TypedChoiceField(
        label=_("Weekday"), choices=[("", "---------"), *Weekday.choices], coerce=int
    )
    opens_at = forms.TimeField(label=_("from"), widget=forms.TimeInput(attrs={"type": "time"}))
    closes_at = forms.TimeField(label=_("until"), widget=forms.TimeInput(attrs={"type": "time"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("opens_at") and data.get("closes_at") and data["closes_at"] <= data["opens_at"]:
            self.add_error("closes_at", _("The end lies before the start."))
        return data


LocationFormSet = formset_factory(LocationForm, extra=1, can_delete=True, max_num=10)
ScheduleFormSet = formset_factory(ScheduleForm, extra=1, can_delete=True, max_num=14)


class DuplicateForm(KernFormMixin, forms.Form):
    key = forms.SlugField(label=_("Offer number of the new run"), max_length=60)
    start_date = forms.DateField(label=_("Start"), required=False, widget=DATE_WIDGET)
    end_date = forms.DateField(label=_("End"), required=False, widget=DATE_WIDGET)


class ProviderForm(KernFormMixin, forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Provider
        fields = [
            "name",
            "kind",
            "description",
            "website",
            "email",
            "phone",
            "street",
            "postcode",
            "city",
            "contact_name",
            "is_active",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    website = forms.URLField(label=_("website"), required=False, assume_scheme="https")
    staff = forms.ModelMultipleChoiceField(
        label=_("Staff accounts (provider role)"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, staff_candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Any]", self.fields["staff"]).queryset = staff_candidates
        cast(forms.ChoiceField, self.fields["kind"]).choices = ProviderKind.choices
        if self.instance.pk:
            self.fields["staff"].initial = list(self.instance.staff.all())


__all__ = ["Category", "DuplicateForm", "OfferFilterForm", "OfferForm", "ProviderForm"]

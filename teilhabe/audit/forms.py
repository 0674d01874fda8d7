from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from teilhabe.core.forms import KernFormMixin


class AuditFilterForm(KernFormMixin, forms.Form):
    q = forms.CharField(label=_("Person or record"), required=False, max_length=100)
    action = forms.ChoiceField(
        label=_("Action"),
        required=False,
        choices=[
            ("", _("all")),
            ("read", _("read")),
            ("auth.", _("sign-in and security")),
            ("security.", _("refused access")),
            ("user.", _("users")),
            ("membership.", _("roles")),
        ],
    )
    ip = forms.GenericIPAddressField(label=_("Address"), required=False)
    date_from = forms.DateField(
        label=_("from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("The start date lies after the end date."))
        return data

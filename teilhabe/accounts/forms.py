from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from teilhabe.core.forms import KernFormMixin
from teilhabe.territory.models import Territory

from .roles import TENANT_ROLES

username_validator = RegexValidator(
    r"^[a-zA-Z0-9.@+_-]{3,150}$",
    _("3 to 150 characters: letters, digits and . @ + - _ only."),
)


class LoginForm(KernFormMixin, AuthenticationForm):
    """Django's form: the same message for an unknown user and a wrong password."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs["autocomplete"] = "username"
        self.fields["password"].widget.attrs["autocomplete"] = "current-password"


class TokenForm(KernFormMixin, forms.Form):
    token = forms.CharField(
        label=_("Code"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text=_("The six-digit code from your authenticator app, or a recovery code."),
    )

    def clean_token(self) -> str:
        token: str = self.cleaned_data["token"]
        return token.replace(" ", "").replace("-", "")


ROLE_CHOICES = [(r.value, r.label) for r in TENANT_ROLES]


class InviteForm(KernFormMixin, forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(label=_("E-mail address"))
    username = forms.CharField(label=_("User name"), validators=[username_validator])
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=ROLE_CHOICES, widget=forms.CheckboxSelectMultiple
    )


class RolesForm(KernFormMixin, forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=ROLE_CHOICES, widget=forms.CheckboxSelectMultiple
    )


class TenantCreateForm(KernFormMixin, forms.Form):
    territory = forms.ModelChoiceField(
        label=_("Territory"),
        queryset=Territory.objects.tenant_candidates().order_by("name"),
        help_text=_("Kreis, StädteRegion, district-free city or municipality."),
    )
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    admin_email = forms.EmailField(label=_("E-mail of the first administrator"), required=False)
    admin_username = forms.CharField(
        label=_("User name of the first administrator"),
        required=False,
        validators=[username_validator],
    )


class LandUserForm(KernFormMixin, forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(label=_("E-mail address"))
    username = forms.CharField(label=_("User name"), validators=[username_validator])

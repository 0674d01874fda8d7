"""Platform administration of shared directory data: the programme's rule sets (as JSON,
validated by the engine) and the offer taxonomy."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from teilhabe.accounts import policy
from teilhabe.accounts.roles import Cap
from teilhabe.core.errors import DomainError
from teilhabe.core.forms import KernFormMixin

from . import services
from .models import Category, RuleSetRecord

LANGS = ["en", "ar", "fa", "uk", "tr"]


class RuleSetJsonForm(KernFormMixin, forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    definition = forms.CharField(
        label=gettext_lazy("Definition (JSON)"),
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false"}),
    )

    def clean_definition(self) -> dict[str, Any]:
        try:
            value = json.loads(self.cleaned_data["definition"])
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(
                _("Not valid JSON (line %(line)s, column %(col)s).")
                % {"line": exc.lineno, "col": exc.colno}
            ) from exc
        if not isinstance(value, dict):
            raise forms.ValidationError(_("The definition must be a JSON object."))
        return value


class CategoryForm(KernFormMixin, forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Category
        fields = ["code", "name", "name_plain", "description", "sort_order", "is_active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for lang in LANGS:
            self.fields[f"name_{lang}"] = forms.CharField(
                label=_("Name (%(lang)s)") % {"lang": lang}, required=False, max_length=160
            )
            if self.instance.pk:
                self.fields[f"name_{lang}"].initial = self.instance.translations.get(lang, "")

    def translations(self) -> dict[str, str]:
        return {
            lang: self.cleaned_data[f"name_{lang}"]
            for lang in LANGS
            if self.cleaned_data.get(f"name_{lang}")
        }


@login_required
def rule_sets(request: HttpRequest) -> HttpResponse:
    policy.require(request.user, Cap.PLATFORM_MANAGE)
    records = RuleSetRecord.objects.filter(tenant__isnull=True).order_by("code")
    return render(request, "offers/platform_rule_sets.html", {"records": records})


@login_required
@require_http_methods(["GET", "POST"])
def rule_set_edit(request: HttpRequest, rule_set_id: Any) -> HttpResponse:
    policy.require(request.user, Cap.PLATFORM_MANAGE)
    record = RuleSetRecord.objects.filter(tenant__isnull=True, public_id=rule_set_id).first()
    if record is None:
        raise Http404
    form = RuleSetJsonForm(
        request.POST or None,
        initial={
            "name": record.name,
            "definition": json.dumps(record.definition, indent=2, ensure_ascii=False),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.programme_rule_set_update(
                actor=request.user,
                record=record,
                name=form.cleaned_data["name"],
                definition=form.cleaned_data["definition"],
            )
        except DomainError as exc:
            form.add_error("definition", str(exc))
        else:
            messages.success(request, _("The rules were saved."))
            return redirect("offers:platform_rule_sets")
    return render(request, "offers/platform_rule_set_form.html", {"form": form, "record": record})


@login_required
@require_http_methods(["GET", "POST"])
def categories(request: HttpRequest, category_id: Any = None) -> HttpResponse:
    policy.require(request.user, Cap.PLATFORM_MANAGE)
    category = None
    if category_id is not None:
        category = Category.objects.filter(public_id=category_id).first()
        if category is None:
            raise Http404
    form = CategoryForm(request.POST or None, instance=category)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if not k.startswith("name_")}
        data["name_plain"] = form.cleaned_data["name_plain"]
        data["translations"] = form.translations()
        services.category_save(actor=request.user, category=category, data=data)
        messages.success(request, _("The category was saved."))
        return redirect("offers:platform_categories")
    return render(
        request,
        "offers/platform_categories.html",
        {"form": form, "category": category, "categories": Category.objects.all()},
    )

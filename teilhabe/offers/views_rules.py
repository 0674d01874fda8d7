"""Participation rules (Teilnahmeregeln): the programme's rule sets and the tenant's own."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from teilhabe.accounts import policy
from teilhabe.accounts.roles import Cap
from teilhabe.core.errors import DomainError
from teilhabe.eligibility import rule_set_from_dict

from . import selectors, services
from .rules_form import RuleSetForm, initial_from_definition, unknown_criteria


def rule_set_list(request: HttpRequest) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    records = selectors.rule_set_list_for(actor=request.user, tenant=tenant)
    return render(
        request,
        "offers/rule_set_list.html",
        {
            "records": records,
            "may_manage": policy.can(request.user, Cap.RULES_MANAGE, tenant),
        },
    )


def rule_set_detail(request: HttpRequest, rule_set_id: Any) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    record = selectors.rule_set_get_for(actor=request.user, tenant=tenant, public_id=rule_set_id)
    if record is None:
        raise Http404
    parsed = rule_set_from_dict(record.definition)
    return render(
        request,
        "offers/rule_set_detail.html",
        {
            "record": record,
            "parsed": parsed,
            "criteria": record.definition.get("criteria", []),
            "may_edit": record.tenant_id == tenant.pk
            and policy.can(request.user, Cap.RULES_MANAGE, tenant),
        },
    )


@require_http_methods(["GET", "POST"])
def rule_set_edit(request: HttpRequest, rule_set_id: Any = None) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    policy.require(request.user, Cap.RULES_MANAGE, tenant)
    record = None
    initial: dict[str, Any] = {"valid_from": "2026-01-01"}
    if rule_set_id is not None:
        record = selectors.rule_set_get_for(
            actor=request.user, tenant=tenant, public_id=rule_set_id
        )
        if record is None or record.tenant_id != tenant.pk:
            raise Http404
        initial = initial_from_definition(record.name, record.definition)
    form = RuleSetForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            record = services.rule_set_save(
                actor=request.user,
                tenant=tenant,
                name=form.cleaned_data["name"],
                definition=form.definition(),
                record=record,
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The rules were saved."))
            return redirect("offers:rule_set_detail", tenant.public_id, record.public_id)
    return render(
        request,
        "offers/rule_set_form.html",
        {
            "form": form,
            "record": record,
            "kept": unknown_criteria(record.definition) if record else [],
        },
    )

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from teilhabe.accounts import policy
from teilhabe.accounts.roles import Role

from .selectors import statewide_summary, tenant_summary


def dashboard(request: HttpRequest) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    summary = tenant_summary(actor=request.user, tenant=tenant)
    roles = sorted(Role(r).label for r in policy.roles_in(request.user, tenant))
    return render(request, "reporting/dashboard.html", {"summary": summary, "roles": roles})


@login_required
def statewide(request: HttpRequest) -> HttpResponse:
    rows = statewide_summary(actor=request.user)
    totals = (sum(r.top_level_bodies for r in rows), sum(r.participating for r in rows))
    return render(request, "reporting/statewide.html", {"rows": rows, "totals": totals})

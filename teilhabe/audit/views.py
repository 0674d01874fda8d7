from __future__ import annotations

import csv
from collections.abc import Iterator

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format

from teilhabe.accounts import policy
from teilhabe.accounts.roles import Cap
from teilhabe.core.exports import safe_cell

from .forms import AuditFilterForm
from .labels import attach_live_labels
from .selectors import AuditFilter, audit_list_for_tenant, audit_list_own
from .services import audit_record

PAGE_SIZE = 50


def _filters(form: AuditFilterForm) -> AuditFilter:
    if not form.is_valid():
        return AuditFilter()
    d = form.cleaned_data
    return AuditFilter(
        query=d.get("q") or "",
        action=d.get("action") or "",
        ip_address=d.get("ip") or "",
        date_from=d.get("date_from"),
        date_to=d.get("date_to"),
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A forged or missing CSRF token: German message, audited, nothing changed."""
    user = getattr(request, "user", None)
    audit_record(actor=user, action="security.csrf_failed", details={"path": request.path})
    return render(request, "errors/csrf.html", status=403)


@login_required
def own_log(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    events = audit_list_own(actor=request.user, filters=_filters(form))
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = attach_live_labels(request.user, page.object_list)
    return render(request, "audit/own_log.html", {"form": form, "page": page})


def tenant_log(request: HttpRequest) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    form = AuditFilterForm(request.GET or None)
    events = audit_list_for_tenant(actor=request.user, tenant=tenant, filters=_filters(form))
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = attach_live_labels(request.user, page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/tenant_log.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "may_export": policy.can(request.user, Cap.AUDIT_EXPORT, tenant),
        },
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


def tenant_log_export(request: HttpRequest) -> StreamingHttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    policy.require(request.user, Cap.AUDIT_EXPORT, tenant)
    form = AuditFilterForm(request.GET or None)
    events = audit_list_for_tenant(actor=request.user, tenant=tenant, filters=_filters(form))
    audit_record(
        actor=request.user, action="audit.export", tenant=tenant, details=request.GET.dict()
    )
    writer = csv.writer(_Echo(), delimiter=";")
    header = [
        "Zeitpunkt",
        "Person",
        "Aktion",
        "Objekttyp",
        "Objekt-ID",
        "Objekt",
        "Adresse",
        "Änderungen",
    ]

    def rows() -> Iterator[str]:
        yield "\ufeff" + writer.writerow(header)
        for e in events.iterator(chunk_size=2000):
            yield writer.writerow(
                [
                    safe_cell(v)
                    for v in (
                        date_format(timezone.localtime(e.created_at), "d.m.Y H:i:s"),
                        e.actor_label,
                        e.action,
                        e.object_type,
                        e.object_id,
                        e.object_repr,
                        e.ip_address or "",
                        str(e.changes) if e.changes else "",
                    )
                ]
            )

    stamp = timezone.localdate().strftime("%Y-%m-%d")
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="protokoll-{stamp}.csv"'
    return response

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from teilhabe.accounts import policy
from teilhabe.accounts.roles import Cap

from .models import AuditEvent


@dataclass(frozen=True)
class AuditFilter:
    query: str = ""
    action: str = ""
    ip_address: str = ""
    date_from: date | None = None
    date_to: date | None = None


def _apply(qs: QuerySet[AuditEvent], f: AuditFilter) -> QuerySet[AuditEvent]:
    if f.query:
        qs = qs.filter(
            Q(actor_label__icontains=f.query)
            | Q(object_repr__icontains=f.query)
            | Q(object_id__iexact=f.query)
            | Q(object_type__icontains=f.query)
        )
    if f.action:
        qs = qs.filter(action__startswith=f.action)
    if f.ip_address:
        qs = qs.filter(ip_address=f.ip_address)
    tz = timezone.get_current_timezone()
    if f.date_from:
        qs = qs.filter(created_at__gte=datetime.combine(f.date_from, time.min, tzinfo=tz))
    if f.date_to:
        qs = qs.filter(created_at__lte=datetime.combine(f.date_to, time.max, tzinfo=tz))
    return qs


def audit_list_for_tenant(*, actor: Any, tenant: Any, filters: AuditFilter) -> QuerySet[AuditEvent]:
    policy.require(actor, Cap.AUDIT_VIEW_TENANT, tenant)
    qs = AuditEvent.objects.filter(tenant=tenant).select_related("actor")
    return _apply(qs, filters)


def audit_list_own(*, actor: Any, filters: AuditFilter | None = None) -> QuerySet[AuditEvent]:
    policy.require(actor, Cap.AUDIT_VIEW_OWN)
    qs = AuditEvent.objects.filter(actor=actor).select_related("tenant")
    return _apply(qs, filters or AuditFilter())

"""Read-only figures.  Nothing here names a person."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q

from teilhabe.accounts import policy
from teilhabe.accounts.models import Membership, Tenant
from teilhabe.accounts.roles import Cap
from teilhabe.audit.models import AuditEvent
from teilhabe.territory.models import Territory, TerritoryKind


@dataclass(frozen=True)
class TenantSummary:
    active_users: int
    recent_events: list[AuditEvent]


def tenant_summary(*, actor: Any, tenant: Tenant) -> TenantSummary:
    policy.require(actor, Cap.DASHBOARD_VIEW, tenant)
    users = 0
    events: list[AuditEvent] = []
    if policy.can(actor, Cap.USERS_VIEW, tenant):
        users = (
            Membership.objects.filter(tenant=tenant, is_active=True, user__is_active=True)
            .values("user")
            .distinct()
            .count()
        )
    if policy.can(actor, Cap.AUDIT_VIEW_TENANT, tenant):
        events = list(AuditEvent.objects.filter(tenant=tenant).order_by("-created_at", "-id")[:8])
    return TenantSummary(active_users=users, recent_events=events)


@dataclass(frozen=True)
class StatewideRow:
    regierungsbezirk: str
    top_level_bodies: int
    participating: int


def statewide_summary(*, actor: Any) -> list[StatewideRow]:
    """Participation per Regierungsbezirk: aggregates only."""
    policy.require(actor, Cap.STATEWIDE_VIEW)
    rbs = Territory.objects.filter(kind=TerritoryKind.REGIERUNGSBEZIRK).annotate(
        bodies=Count(
            "children", filter=Q(children__kind__in=["kreis", "staedteregion", "kreisfreie_stadt"])
        )
    )
    active = Tenant.objects.filter(is_active=True).select_related("territory__parent__parent")
    counts: dict[int, int] = {}
    for t in active:
        node: Territory | None = t.territory
        while node is not None and node.kind != TerritoryKind.REGIERUNGSBEZIRK:
            node = node.parent
        if node is not None:
            counts[node.pk] = counts.get(node.pk, 0) + 1
    return [StatewideRow(rb.name, rb.bodies, counts.get(rb.pk, 0)) for rb in rbs]  # type: ignore[attr-defined]

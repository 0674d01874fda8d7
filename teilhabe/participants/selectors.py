"""Reads of case-work data.  Every list is scoped through the policy; every read of a
participant's record writes an audit event."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from teilhabe.accounts import policy
from teilhabe.accounts.models import Tenant
from teilhabe.accounts.roles import Cap, Role
from teilhabe.audit.services import audit_record

from .models import Case, Participant, VolunteerAssignment


def case_worker_participant_ids(user: Any, tenant_id: int) -> QuerySet[Case, int]:
    """Participants of cases the user is responsible for or on the team of (two indexed
    subqueries instead of one OR over the team join)."""
    team = Case.team.through.objects.filter(user_id=user.pk, case__tenant_id=tenant_id).values_list(
        "case__participant_id", flat=True
    )
    return (
        Case.objects.filter(tenant_id=tenant_id)
        .filter(Q(responsible=user) | Q(participant_id__in=team))
        .values_list("participant_id", flat=True)
    )


def volunteer_participant_ids(user: Any, tenant_id: int) -> QuerySet[VolunteerAssignment, int]:
    today = timezone.localdate()
    return (
        VolunteerAssignment.objects.filter(tenant_id=tenant_id, volunteer=user)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today))
        .values_list("participant_id", flat=True)
    )


def participants_visible_to(*, actor: Any, tenant: Tenant) -> QuerySet[Participant]:
    """All participants the actor may open (no audit: use for lists)."""
    roles = policy.roles_in(actor, tenant)
    base = Participant.objects.filter(tenant=tenant, merged_into__isnull=True)
    allowed = Q(pk__in=[])
    if Role.CASE_WORKER in roles:
        allowed |= Q(pk__in=case_worker_participant_ids(actor, tenant.pk))
    if Role.VOLUNTEER in roles:
        allowed |= Q(pk__in=volunteer_participant_ids(actor, tenant.pk))
    return base.filter(allowed)


def participant_list_for(
    *, actor: Any, tenant: Tenant, query: str = "", include_restricted: bool = False
) -> QuerySet[Participant]:
    """The actor's participants, searchable by name (also transliteration variants)."""
    policy.require(actor, Cap.PARTICIPANT_VIEW, tenant)
    qs = participants_visible_to(actor=actor, tenant=tenant).filter(anonymised_at__isnull=True)
    if not include_restricted:
        qs = qs.filter(restricted=False)
    if query:
        from .phonetics import name_key

        key = name_key(query, "")
        words = query.split()
        text = Q()
        for word in words[:4]:
            text &= (
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(name_transliteration__icontains=word)
            )
        if key:
            text |= Q(name_key__contains=key)
        qs = qs.filter(text)
    return qs.select_related("gemeinde").order_by("last_name", "first_name", "id")


def participant_get_for(
    *,
    actor: Any,
    tenant: Tenant,
    public_id: Any,
    purpose: str = "read",
    capability: str = Cap.PARTICIPANT_VIEW,
) -> Participant | None:
    """One participant, or None (the view answers 404) — the read or the refused attempt is
    audited either way.  ``capability``: what the page needs (the full record needs
    ``participant.edit``, so an assigned volunteer guessing its URL gets 404 like anybody
    else, and no read is recorded)."""
    participant = (
        Participant.objects.filter(tenant=tenant, public_id=public_id)
        .select_related("gemeinde")
        .first()
    )
    if participant is None or not policy.can(actor, capability, participant):
        audit_record(
            actor=actor,
            action="security.participant_denied",
            tenant=tenant,
            details={"participant": str(public_id)},
        )
        return None
    audit_record(actor=actor, action=purpose, obj=participant, tenant=tenant)
    return participant


def current_status(participant: Participant, on: date | None = None) -> Any:
    """The residence-status entry valid on ``on`` (default today), else the latest."""
    on = on or timezone.localdate()
    entries = list(participant.statuses.all())
    for entry in entries:
        if entry.valid_from <= on and (entry.valid_until is None or entry.valid_until >= on):
            return entry
    return entries[0] if entries else None

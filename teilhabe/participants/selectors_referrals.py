"""Reads of the referrals area: referrals (case worker and provider side), the matching of a
participant against the tenant's offers, volunteers and documents.

Every function is scoped through the policy.  Functions returning one object return ``None``
when the actor may not see it (the view answers 404) and audit the refused attempt.

``overdue_referrals_for(actor, tenant, *, on=None)`` is used by the caseload dashboard of the
cases area: the referrals of the actor's cases that were sent and are still unanswered after
their ``answer_due`` date (oldest first), or an empty queryset for an actor who does not
manage cases in the tenant.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from teilhabe.accounts import policy
from teilhabe.accounts.models import Membership, Tenant
from teilhabe.accounts.roles import Cap, Role
from teilhabe.audit.services import audit_record
from teilhabe.eligibility import Facts

from .consent import valid_consent
from .models import (
    Case,
    CaseStatus,
    Consent,
    ConsentPurpose,
    Document,
    Participant,
    Referral,
    ReferralEvent,
    ReferralStatus,
    VolunteerAssignment,
    VolunteerMeeting,
    VolunteerProfile,
)
from .selectors import case_worker_participant_ids

# Statuses a provider sees: the referral was sent (a withdrawn referral only if it was sent).
PROVIDER_VISIBLE = [s for s in ReferralStatus if s is not ReferralStatus.SUGGESTED]
# Referrals that still need something from somebody.
OPEN_STATUSES = [
    ReferralStatus.SUGGESTED,
    ReferralStatus.SENT,
    ReferralStatus.WAITING_LIST,
    ReferralStatus.ACCEPTED,
    ReferralStatus.STARTED,
]
# A police clearance certificate older than this is treated as missing (warning only).
CLEARANCE_VALID_YEARS = 5


# --- Cases and participants -----------------------------------------------------------------------


def case_get_for(
    *, actor: Any, tenant: Tenant, public_id: Any, purpose: str = "referral.case_read"
) -> Case | None:
    """A case the actor manages (CASE_MANAGE), with its participant; the read or the refused
    attempt is audited."""
    case = (
        Case.objects.filter(tenant=tenant, public_id=public_id)
        .select_related("participant", "participant__gemeinde", "responsible")
        .first()
    )
    if case is None or not policy.can(actor, Cap.CASE_MANAGE, case):
        audit_record(
            actor=actor,
            action="security.case_denied",
            tenant=tenant,
            details={"case": str(public_id)},
        )
        return None
    audit_record(
        actor=actor,
        action=purpose,
        obj=case.participant,
        tenant=tenant,
        details={"case": str(case.public_id)},
    )
    return case


def participant_facts_for_matching(participant: Participant, on: date | None = None) -> Facts:
    """The participant's facts for the eligibility engine (the people area's
    ``facts.participant_facts``: status and benefit valid on ``on``)."""
    from .facts import participant_facts

    return participant_facts(participant, on or timezone.localdate())


@dataclass
class Suggestions:
    facts: Facts
    eligible: list[Any]
    unknown: list[Any]
    not_eligible: list[Any]


def referral_suggestions_for(*, actor: Any, case: Case, on: date | None = None) -> Suggestions:
    """The tenant's offers ranked for the case's participant: eligible first, with reasons.
    Offers the case already has an open referral to are left out."""
    from teilhabe.offers.matching import rank_offers
    from teilhabe.offers.selectors import offers_for_matching
    from teilhabe.territory.models import gemeinden_in

    policy.require(actor, Cap.CASE_MANAGE, case)
    on = on or timezone.localdate()
    participant = case.participant
    facts = participant_facts_for_matching(participant, on)
    wanted = list(
        case.goals.filter(status__in=["offen", "in_arbeit"])
        .values_list("category__code", flat=True)
        .distinct()
    )
    taken = Referral.objects.filter(
        tenant_id=case.tenant_id, case=case, status__in=OPEN_STATUSES
    ).values("offer_id")
    offers = offers_for_matching(tenant=case.tenant).exclude(pk__in=taken)
    area = [g.ags for g in gemeinden_in(case.tenant.territory)]
    matches = rank_offers(
        offers,
        facts,
        on=on,
        categories=wanted,
        gemeinde_ags=participant.gemeinde.ags if participant.gemeinde is not None else None,
        area_ags=area,
    )
    return Suggestions(
        facts=facts,
        eligible=[m for m in matches if m.status == "eligible"],
        unknown=[m for m in matches if m.status == "unknown"],
        not_eligible=[m for m in matches if m.status == "not_eligible"],
    )


def referral_offer_match(
    *, actor: Any, case: Case, offer_public_id: Any, on: date | None = None
) -> Any:
    """The eligibility decision for one offer of the tenant (shown again when creating a
    referral), or ``None`` if the offer is not open to referrals."""
    from teilhabe.offers.matching import rank_offers
    from teilhabe.offers.selectors import offers_for_matching

    policy.require(actor, Cap.CASE_MANAGE, case)
    on = on or timezone.localdate()
    offer = offers_for_matching(tenant=case.tenant).filter(public_id=offer_public_id).first()
    if offer is None:
        return None
    participant = case.participant
    facts = participant_facts_for_matching(participant, on)
    return rank_offers(
        [offer],
        facts,
        on=on,
        gemeinde_ags=participant.gemeinde.ags if participant.gemeinde is not None else None,
    )[0]


# --- Referrals: case worker side ------------------------------------------------------------------


def _with_events(qs: QuerySet[Referral]) -> QuerySet[Referral]:
    return qs.prefetch_related(
        Prefetch(
            "events",
            queryset=ReferralEvent.objects.select_related("actor").order_by("happened_on", "id"),
        )
    )


def _case_worker_referrals(actor: Any, tenant: Tenant) -> QuerySet[Referral]:
    """Referrals of the cases the actor is responsible for or on the team of."""
    return (
        Referral.objects.filter(tenant=tenant, case_id__in=my_case_ids(actor, tenant))
        .filter(case__participant__merged_into__isnull=True)
        .select_related("case__participant", "offer__provider", "offer__category")
    )


def my_case_ids(actor: Any, tenant: Tenant) -> list[int]:
    """Ids of the cases the actor is responsible for or on the team of: one query over two
    indexes (a caseload is small; an OR over the team join would scan every case and keep
    the referral index on (tenant, case) unused)."""
    responsible = (
        Case.objects.filter(tenant=tenant, responsible=actor)
        .order_by()
        .values_list("pk", flat=True)
    )
    team = (
        Case.team.through.objects.filter(user=actor, case__tenant=tenant)
        .order_by()
        .values_list("case_id", flat=True)
    )
    return sorted(set(responsible.union(team)))


def referral_list_for(*, actor: Any, tenant: Tenant, status: str = "") -> QuerySet[Referral]:
    """Referrals of the actor's cases (responsible or on the team), newest first."""
    policy.require(actor, Cap.CASE_MANAGE, tenant)
    qs = _case_worker_referrals(actor, tenant)
    if status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif status in ReferralStatus.values:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def referrals_of_case(*, actor: Any, case: Case) -> QuerySet[Referral]:
    """The referral history of one case (every step with date and actor)."""
    policy.require(actor, Cap.CASE_MANAGE, case)
    return _with_events(
        Referral.objects.filter(tenant_id=case.tenant_id, case=case).select_related(
            "offer__provider", "offer__category"
        )
    ).order_by("-created_at", "-id")


def referral_get_for(
    *, actor: Any, tenant: Tenant, public_id: Any, purpose: str = "referral.read"
) -> Referral | None:
    """One referral of a case the actor manages; the read or the refused attempt is audited."""
    referral = (
        _with_events(
            Referral.objects.filter(tenant=tenant, public_id=public_id).select_related(
                "case__participant",
                "case__participant__gemeinde",
                "offer__provider",
                "offer__category",
            )
        )
        .filter(case__participant__merged_into__isnull=True)
        .first()
    )
    if referral is None or not policy.can(actor, Cap.CASE_MANAGE, referral.case):
        audit_record(
            actor=actor,
            action="security.referral_denied",
            tenant=tenant,
            details={"referral": str(public_id)},
        )
        return None
    audit_record(
        actor=actor,
        action=purpose,
        obj=referral.case.participant,
        tenant=tenant,
        details={"referral": str(referral.public_id)},
    )
    return referral


def overdue_referrals_for(
    actor: Any, tenant: Tenant, *, on: date | None = None
) -> QuerySet[Referral]:
    """Sent referrals of the actor's cases without an answer after their ``answer_due`` date,
    oldest due date first, with case, participant, offer and provider loaded.

    Empty for an actor who does not manage cases in the tenant (safe on any dashboard)."""
    if not policy.can(actor, Cap.CASE_MANAGE, tenant):
        return Referral.objects.none()
    on = on or timezone.localdate()
    return (
        _case_worker_referrals(actor, tenant)
        .filter(status=ReferralStatus.SENT, answer_due__lt=on)
        .exclude(case__status=CaseStatus.CLOSED)
        .order_by("answer_due", "id")
    )


# --- Referrals: provider side ---------------------------------------------------------------------


def _provider_referrals(actor: Any, tenant: Tenant) -> QuerySet[Referral]:
    return Referral.objects.filter(
        tenant=tenant,
        offer__provider_id__in=list(policy.provider_ids(actor)),
        status__in=PROVIDER_VISIBLE,
        sent_on__isnull=False,
    ).select_related("case__participant", "offer__provider", "offer__category")


def sharing_consent_pairs(
    referrals: list[Referral], on: date | None = None
) -> set[tuple[int, int]]:
    """(participant id, provider id) pairs with a valid sharing consent, in one query."""
    on = on or timezone.localdate()
    participants = {r.case.participant_id for r in referrals}
    providers = {r.offer.provider_id for r in referrals}
    if not participants:
        return set()
    rows = Consent.objects.filter(
        tenant_id=referrals[0].tenant_id,
        purpose=ConsentPurpose.SHARE_PROVIDER,
        participant_id__in=participants,
        provider_id__in=providers,
        given_on__lte=on,
        withdrawn_on__isnull=True,
    ).filter(Q(expires_on__isnull=True) | Q(expires_on__gte=on))
    return set(rows.values_list("participant_id", "provider_id"))


def provider_referral_list_for(
    *, actor: Any, tenant: Tenant, status: str = ""
) -> QuerySet[Referral]:
    """Referrals sent to offers of the actor's providers (REFERRAL_ANSWER)."""
    policy.require(actor, Cap.REFERRAL_ANSWER, tenant)
    qs = _provider_referrals(actor, tenant)
    if status == "open":
        qs = qs.filter(
            status__in=[
                ReferralStatus.SENT,
                ReferralStatus.WAITING_LIST,
                ReferralStatus.ACCEPTED,
                ReferralStatus.STARTED,
            ]
        )
    elif status in ReferralStatus.values:
        qs = qs.filter(status=status)
    return qs.order_by("-sent_on", "-id")


def provider_referral_get_for(*, actor: Any, tenant: Tenant, public_id: Any) -> Referral | None:
    """One referral addressed to the actor's provider; another provider's referral (or one
    not sent yet) is ``None`` and the attempt is audited."""
    policy.require(actor, Cap.REFERRAL_ANSWER, tenant)
    referral = _with_events(_provider_referrals(actor, tenant)).filter(public_id=public_id).first()
    if referral is None or not policy.can(actor, Cap.REFERRAL_ANSWER, referral):
        audit_record(
            actor=actor,
            action="security.referral_denied",
            tenant=tenant,
            details={"referral": str(public_id), "side": "provider"},
        )
        return None
    return referral


def provider_may_see_data(referral: Referral, on: date | None = None) -> bool:
    """The participant's sharing consent for the referral's provider is still valid."""
    return (
        valid_consent(
            referral.case.participant,
            ConsentPurpose.SHARE_PROVIDER,
            provider=referral.offer.provider,
            on=on,
        )
        is not None
    )


# --- Volunteers -----------------------------------------------------------------------------------


def clearance_warning(profile: VolunteerProfile, on: date | None = None) -> bool:
    """Missing or older than five years: a warning (where the tenant requires one)."""
    on = on or timezone.localdate()
    cleared = profile.police_clearance_on
    if cleared is None:
        return True
    try:
        limit = cleared.replace(year=cleared.year + CLEARANCE_VALID_YEARS)
    except ValueError:  # 29 February
        limit = cleared.replace(year=cleared.year + CLEARANCE_VALID_YEARS, day=28)
    return limit < on


def volunteer_profile_list_for(*, actor: Any, tenant: Tenant) -> QuerySet[VolunteerProfile]:
    policy.require(actor, Cap.VOLUNTEERS_MANAGE, tenant)
    return (
        VolunteerProfile.objects.filter(tenant=tenant)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "id")
    )


def volunteer_profile_get_for(
    *, actor: Any, tenant: Tenant, public_id: Any
) -> VolunteerProfile | None:
    policy.require(actor, Cap.VOLUNTEERS_MANAGE, tenant)
    return (
        VolunteerProfile.objects.filter(tenant=tenant, public_id=public_id)
        .select_related("user")
        .first()
    )


def volunteer_profile_get_for_user(
    *, actor: Any, tenant: Tenant, user_id: int
) -> VolunteerProfile | None:
    policy.require(actor, Cap.VOLUNTEERS_MANAGE, tenant)
    return VolunteerProfile.objects.filter(tenant=tenant, user_id=user_id).first()


def volunteer_candidates_for(*, actor: Any, tenant: Tenant) -> QuerySet[Any]:
    """Active volunteer members of the tenant who have no profile yet."""
    from teilhabe.accounts.models import User

    policy.require(actor, Cap.VOLUNTEERS_MANAGE, tenant)
    with_profile = VolunteerProfile.objects.filter(tenant=tenant).values("user_id")
    members = Membership.objects.filter(tenant=tenant, role=Role.VOLUNTEER, is_active=True).values(
        "user_id"
    )
    return (
        User.objects.filter(pk__in=members, is_active=True)
        .exclude(pk__in=with_profile)
        .order_by("last_name", "first_name", "username")
    )


def volunteer_assignments_of(*, actor: Any, profile: VolunteerProfile) -> list[VolunteerAssignment]:
    """The profile's assignments (current first).  ``shown_name`` is the participant's name
    where the actor may see the participant, else the pseudonym."""
    policy.require(actor, Cap.VOLUNTEERS_MANAGE, profile)
    today = timezone.localdate()
    rows = list(
        VolunteerAssignment.objects.filter(
            tenant_id=profile.tenant_id, volunteer_id=profile.user_id
        )
        .select_related("participant")
        .order_by("-started_on", "-id")
    )
    own = policy.assigned_participant_ids(actor, int(profile.tenant_id))["case"]
    for a in rows:
        a.active = a.ended_on is None or a.ended_on >= today  # type: ignore[attr-defined]
        a.visible = a.participant_id in own  # type: ignore[attr-defined]
        a.shown_name = (  # type: ignore[attr-defined]
            str(a.participant) if a.participant_id in own else a.participant.pseudonym or "–"
        )
    rows.sort(key=lambda a: (not a.active,))  # type: ignore[attr-defined]
    return rows


def volunteer_assignment_get_for(
    *, actor: Any, tenant: Tenant, public_id: Any
) -> VolunteerAssignment | None:
    policy.require(actor, Cap.VOLUNTEERS_MANAGE, tenant)
    return (
        VolunteerAssignment.objects.filter(tenant=tenant, public_id=public_id)
        .select_related("participant", "volunteer")
        .first()
    )


def assignable_participants_for(*, actor: Any, tenant: Tenant) -> QuerySet[Participant]:
    """Participants the actor may assign a volunteer to: those of the actor's own cases."""
    return Participant.objects.filter(
        tenant=tenant,
        pk__in=case_worker_participant_ids(actor, tenant.pk),
        merged_into__isnull=True,
        anonymised_at__isnull=True,
        restricted=False,
    ).order_by("last_name", "first_name", "id")


def _active(today: date) -> Q:
    return Q(ended_on__isnull=True) | Q(ended_on__gte=today)


def volunteer_own_assignments(*, actor: Any, tenant: Tenant) -> QuerySet[VolunteerAssignment]:
    """The volunteer's current assignments (their participants, names only)."""
    policy.require(actor, Cap.VOLUNTEER_LOG, tenant)
    today = timezone.localdate()
    return (
        VolunteerAssignment.objects.filter(tenant=tenant, volunteer=actor, started_on__lte=today)
        .filter(_active(today))
        .filter(participant__merged_into__isnull=True, participant__anonymised_at__isnull=True)
        .select_related("participant")
        .order_by("participant__last_name", "participant__first_name", "id")
    )


def volunteer_participant_get_for(
    *, actor: Any, tenant: Tenant, public_id: Any
) -> tuple[Participant, VolunteerAssignment] | None:
    """The volunteer's view of one assigned participant (the read is audited; a participant
    not assigned to the volunteer is ``None`` and the attempt is audited)."""
    from .selectors import participant_get_for

    policy.require(actor, Cap.VOLUNTEER_LOG, tenant)
    today = timezone.localdate()
    assignment = (
        VolunteerAssignment.objects.filter(
            tenant=tenant, volunteer=actor, participant__public_id=public_id, started_on__lte=today
        )
        .filter(_active(today))
        .select_related("participant")
        .order_by("-started_on")
        .first()
    )
    if assignment is None or not policy.can(actor, Cap.VOLUNTEER_LOG, assignment.participant):
        audit_record(
            actor=actor,
            action="security.participant_denied",
            tenant=tenant,
            details={"participant": str(public_id), "side": "volunteer"},
        )
        return None
    participant = participant_get_for(
        actor=actor, tenant=tenant, public_id=public_id, purpose="volunteer.read"
    )
    if participant is None:
        return None
    return participant, assignment


def volunteer_meetings_of(
    *, actor: Any, assignment: VolunteerAssignment
) -> QuerySet[VolunteerMeeting]:
    policy.require(actor, Cap.VOLUNTEER_LOG, assignment.participant)
    return VolunteerMeeting.objects.filter(
        tenant_id=assignment.tenant_id, assignment=assignment
    ).order_by("-happened_on", "-id")


# --- Documents ------------------------------------------------------------------------------------


def may_handle_documents(actor: Any, participant: Participant) -> bool:
    """Documents are for the participant's case workers only, never for volunteers."""
    if Role.CASE_WORKER not in policy.roles_in(actor, participant.tenant):
        return False
    if not policy.can(actor, Cap.PARTICIPANT_VIEW, participant):
        return False
    case_ids = policy.assigned_participant_ids(actor, int(participant.tenant_id))["case"]
    return participant.pk in case_ids


def document_participant_get_for(
    *, actor: Any, tenant: Tenant, public_id: Any
) -> Participant | None:
    """The participant whose documents are shown; 403 for roles without PARTICIPANT_VIEW,
    ``None`` (404, audited) for a participant the actor is not the case worker of."""
    policy.require(actor, Cap.PARTICIPANT_VIEW, tenant)
    participant = (
        Participant.objects.filter(tenant=tenant, public_id=public_id, merged_into__isnull=True)
        .select_related("tenant")
        .first()
    )
    if participant is None or not may_handle_documents(actor, participant):
        audit_record(
            actor=actor,
            action="security.participant_denied",
            tenant=tenant,
            details={"participant": str(public_id), "side": "documents"},
        )
        return None
    audit_record(actor=actor, action="document.list", obj=participant, tenant=tenant)
    return participant


def document_list_for(*, actor: Any, participant: Participant) -> QuerySet[Document]:
    if not may_handle_documents(actor, participant):
        return Document.objects.none()
    return (
        Document.objects.filter(tenant_id=participant.tenant_id, participant=participant)
        .select_related("uploaded_by")
        .order_by("-created_at", "-id")
    )


def document_get_for(*, actor: Any, tenant: Tenant, public_id: Any) -> Document | None:
    """One document of a participant the actor is the case worker of (else ``None``, audited)."""
    policy.require(actor, Cap.PARTICIPANT_VIEW, tenant)
    document = (
        Document.objects.filter(tenant=tenant, public_id=public_id)
        .select_related("participant", "participant__tenant")
        .first()
    )
    if document is None or not may_handle_documents(actor, document.participant):
        audit_record(
            actor=actor,
            action="security.document_denied",
            tenant=tenant,
            details={"document": str(public_id)},
        )
        return None
    return document


def answer_due_default(sent_on: date) -> date:
    from django.conf import settings

    return sent_on + timedelta(days=int(settings.TEILHABE_REFERRAL_ANSWER_DAYS))

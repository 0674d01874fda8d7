"""Writes of the referrals area: referrals with their closed-loop status flow, volunteers
(profiles, assignments, meetings).  Documents: ``documents.py``.

Every service is keyword-only with the acting user first; it checks the policy, validates,
writes, audits, all in one transaction.  Errors are ``DomainError`` with a German message
(through the translation catalogue).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import pgettext

from teilhabe.accounts import policy
from teilhabe.accounts.models import Membership, Tenant
from teilhabe.accounts.roles import Cap, Role
from teilhabe.audit.services import audit_record, changed_fields
from teilhabe.core.errors import ConflictError, DomainError
from teilhabe.offers.models import Offer, OfferStatus

from .consent import consent_require
from .models import (
    REFERRAL_PROVIDER_STEPS,
    REFERRAL_REASON_NEEDED,
    REFERRAL_TRANSITIONS,
    Case,
    CaseStatus,
    ConsentPurpose,
    Participant,
    Referral,
    ReferralEvent,
    ReferralStatus,
    VolunteerAssignment,
    VolunteerMeeting,
    VolunteerProfile,
)
from .selectors_referrals import answer_due_default
from .services_cases import episode_from_referral
from .services_people import participant_ensure_writable


def _(text: str) -> str:
    return pgettext("referrals", text)


# The participant's data a case worker may release to a provider (never residence status,
# benefits, health or documents).
RELEASABLE_FIELDS = ("name", "birth_date", "phone", "email", "languages", "german_level", "note")
# Steps the case worker makes (the provider makes REFERRAL_PROVIDER_STEPS).
CASE_WORKER_STEPS = {ReferralStatus.SENT, ReferralStatus.WITHDRAWN}
OPEN_FOR_REFERRALS = (OfferStatus.ACTIVE, OfferStatus.PLANNED)


def allowed_steps(status: str, *, provider: bool) -> list[str]:
    """The statuses the provider (or the case worker) may set next, in flow order."""
    steps = REFERRAL_PROVIDER_STEPS if provider else CASE_WORKER_STEPS
    order = list(ReferralStatus.values)
    return sorted(
        (s for s in REFERRAL_TRANSITIONS.get(status, set()) if s in steps), key=order.index
    )


def _check_date(on: date, *, not_before: date | None, label_before: str = "") -> None:
    today = timezone.localdate()
    if on > today:
        raise DomainError(_("The date lies in the future."))
    if not_before is not None and on < not_before:
        raise DomainError(
            label_before
            or _("The date lies before the previous step (%(date)s).")
            % {"date": not_before.strftime("%d.%m.%Y")}
        )


def _last_event_date(referral: Referral) -> date | None:
    last = (
        ReferralEvent.objects.filter(tenant_id=referral.tenant_id, referral=referral)
        .order_by("-happened_on", "-id")
        .values_list("happened_on", flat=True)
        .first()
    )
    return last


def _event(referral: Referral, status: str, actor: Any, on: date, reason: str = "") -> None:
    ReferralEvent.objects.create(
        tenant_id=referral.tenant_id,
        referral=referral,
        status=status,
        happened_on=on,
        actor=actor,
        reason=reason,
    )


def _locked(referral: Referral) -> Referral:
    return (
        Referral.objects.select_for_update()
        .select_related("case__participant", "offer__provider")
        .get(pk=referral.pk)
    )


# --- Referrals: the case worker -------------------------------------------------------------------


@transaction.atomic
def referral_create(
    *,
    actor: Any,
    case: Case,
    offer: Offer,
    note_to_provider: str = "",
    on: date | None = None,
    eligibility: str = "",
) -> Referral:
    """A suggested referral of the case's participant to an offer of the tenant."""
    policy.require(actor, Cap.CASE_MANAGE, case)
    on = on or timezone.localdate()
    if offer.tenant_id != case.tenant_id:
        raise DomainError(_("The offer does not belong to this tenant."))
    if case.status == CaseStatus.CLOSED:
        raise DomainError(_("The case is closed; reopen it before referring."))
    if offer.status not in OPEN_FOR_REFERRALS:
        raise DomainError(
            _("The offer is not open (status: %(status)s).")
            % {"status": offer.get_status_display()}
        )
    participant = case.participant
    participant_ensure_writable(participant)
    consent_require(participant, ConsentPurpose.CASE_WORK, on=on)
    open_statuses = [
        ReferralStatus.SUGGESTED,
        ReferralStatus.SENT,
        ReferralStatus.WAITING_LIST,
        ReferralStatus.ACCEPTED,
        ReferralStatus.STARTED,
    ]
    if Referral.objects.filter(
        tenant_id=case.tenant_id, case=case, offer=offer, status__in=open_statuses
    ).exists():
        raise DomainError(_("There already is an open referral of this case to this offer."))
    referral = Referral.objects.create(
        tenant_id=case.tenant_id,
        case=case,
        offer=offer,
        status=ReferralStatus.SUGGESTED,
        note_to_provider=note_to_provider.strip(),
    )
    _event(referral, ReferralStatus.SUGGESTED, actor, on)
    audit_record(
        actor=actor,
        action="referral.create",
        obj=referral,
        details={
            "participant": str(participant.public_id),
            "case": str(case.public_id),
            "offer": str(offer.public_id),
            "eligibility": eligibility,
        },
    )
    return referral


@transaction.atomic
def referral_send(
    *,
    actor: Any,
    referral: Referral,
    released_fields: list[str],
    note_to_provider: str = "",
    on: date | None = None,
) -> Referral:
    """Send a suggested referral to the provider.  Needs the participant's consent to share
    with exactly this provider; releases only the chosen fields."""
    policy.require(actor, Cap.CASE_MANAGE, referral.case)
    on = on or timezone.localdate()
    locked = _locked(referral)
    if locked.status != ReferralStatus.SUGGESTED:
        raise ConflictError(
            _("Somebody else has changed the referral in the meantime (now: %(status)s).")
            % {"status": locked.get_status_display()}
        )
    if locked.case.status == CaseStatus.CLOSED:
        raise DomainError(_("The case is closed; reopen it before referring."))
    unknown = [f for f in released_fields if f not in RELEASABLE_FIELDS]
    if unknown:
        raise DomainError(
            _("These data cannot be released to a provider: %(fields)s.")
            % {"fields": ", ".join(unknown)}
        )
    if not released_fields:
        raise DomainError(_("Choose at least the data the provider needs (e.g. the name)."))
    note = note_to_provider.strip()
    if "note" in released_fields and not note:
        raise DomainError(_("Write the note or do not release it."))
    participant = locked.case.participant
    participant_ensure_writable(participant)
    consent_require(participant, ConsentPurpose.CASE_WORK, on=on)
    consent_require(
        participant, ConsentPurpose.SHARE_PROVIDER, provider=locked.offer.provider, on=on
    )
    _check_date(on, not_before=_last_event_date(locked))
    ordered = [f for f in RELEASABLE_FIELDS if f in released_fields]
    changes = changed_fields(
        locked,
        {
            "status": ReferralStatus.SENT,
            "sent_on": on,
            "answer_due": answer_due_default(on),
            "released_fields": ordered,
            "note_to_provider": note,
        },
    )
    locked.save()
    _event(locked, ReferralStatus.SENT, actor, on)
    audit_record(
        actor=actor,
        action="referral.send",
        obj=locked,
        changes=changes,
        details={
            "participant": str(participant.public_id),
            "provider": str(locked.offer.provider.public_id),
        },
    )
    return locked


@transaction.atomic
def referral_withdraw(
    *, actor: Any, referral: Referral, reason: str = "", expected_status: str | None = None
) -> Referral:
    """The case worker withdraws a referral (before it started)."""
    policy.require(actor, Cap.CASE_MANAGE, referral.case)
    locked = _locked(referral)
    if expected_status is not None and locked.status != expected_status:
        raise ConflictError(
            _("Somebody else has changed the referral in the meantime (now: %(status)s).")
            % {"status": locked.get_status_display()}
        )
    if ReferralStatus.WITHDRAWN not in REFERRAL_TRANSITIONS.get(locked.status, set()):
        raise DomainError(
            _("A referral with the status “%(status)s” cannot be withdrawn.")
            % {"status": locked.get_status_display()}
        )
    on = timezone.localdate()
    old = locked.status
    locked.status = ReferralStatus.WITHDRAWN
    locked.reason = reason.strip()[:300]
    locked.save(update_fields=["status", "reason", "updated_at"])
    _event(locked, ReferralStatus.WITHDRAWN, actor, on, locked.reason)
    _waiting_list_change(actor, locked, old, ReferralStatus.WITHDRAWN)
    audit_record(
        actor=actor,
        action="referral.withdraw",
        obj=locked,
        changes={"status": [old, ReferralStatus.WITHDRAWN]},
        details={"participant": str(locked.case.participant.public_id), "reason": locked.reason},
    )
    return locked


# --- Referrals: the provider ----------------------------------------------------------------------


@transaction.atomic
def referral_answer(
    *,
    actor: Any,
    referral: Referral,
    status: str,
    reason: str = "",
    on: date | None = None,
    expected_status: str | None = None,
) -> Referral:
    """The provider's answer or next step (accepted, waiting list, declined, started,
    completed, dropped out).  Needs a still-valid sharing consent.

    Seats: "started" takes a seat of the offer (``Offer.seats_taken`` + 1, refused when the
    offer is full), "dropped out" frees it again, "completed" keeps the count (the run's
    statistics).  The waiting list counter follows entering and leaving the waiting list.
    "completed" and "dropped out" add an episode to the education history
    (``services_cases.episode_from_referral``)."""
    policy.require(actor, Cap.REFERRAL_ANSWER, referral)
    on = on or timezone.localdate()
    locked = _locked(referral)
    if expected_status is not None and locked.status != expected_status:
        raise ConflictError(
            _("Somebody else has changed the referral in the meantime (now: %(status)s).")
            % {"status": locked.get_status_display()}
        )
    if locked.sent_on is None or locked.status == ReferralStatus.SUGGESTED:
        raise DomainError(_("The referral has not been sent yet."))
    if status not in REFERRAL_PROVIDER_STEPS or status not in REFERRAL_TRANSITIONS.get(
        locked.status, set()
    ):
        raise DomainError(
            _("From “%(old)s” the referral cannot go to “%(new)s”.")
            % {
                "old": locked.get_status_display(),
                "new": ReferralStatus(status).label if status in ReferralStatus.values else status,
            }
        )
    reason = reason.strip()
    if status in REFERRAL_REASON_NEEDED and not reason:
        raise DomainError(_("Please give a reason."))
    participant = locked.case.participant
    participant_ensure_writable(participant)
    consent_require(
        participant, ConsentPurpose.SHARE_PROVIDER, provider=locked.offer.provider, on=on
    )
    _check_date(on, not_before=_last_event_date(locked))
    old = locked.status
    if status == ReferralStatus.STARTED:
        _take_seat(actor, locked.offer)
    elif status == ReferralStatus.DROPPED_OUT:
        _free_seat(actor, locked.offer)
    _waiting_list_change(actor, locked, old, status)
    locked.status = status
    if reason:
        locked.reason = reason[:300]
    locked.save(update_fields=["status", "reason", "updated_at"])
    _event(locked, status, actor, on, reason[:300])
    audit_record(
        actor=actor,
        action="referral.answer",
        obj=locked,
        changes={"status": [old, status]},
        details={"participant": str(participant.public_id), "reason": reason[:300]},
    )
    if status in (ReferralStatus.COMPLETED, ReferralStatus.DROPPED_OUT):
        # the education history (cases area) adds the episode and audits it
        episode_from_referral(locked, actor=actor)
    return locked


def _offer_counter(actor: Any, offer: Offer, field: str, delta: int) -> None:
    """A documented direct update of an offer counter (the offers service has no call for
    it): locked, bumps ``version`` so that an open edit form of the offer sees a conflict."""
    row = Offer.objects.select_for_update().get(pk=offer.pk)
    old = getattr(row, field)
    new = max(old + delta, 0)
    if field == "seats_taken" and delta > 0 and row.capacity is not None and old >= row.capacity:
        raise DomainError(
            _(
                "All %(n)s seats of the offer are taken. Change the number of seats of the "
                "offer first, or put the person on the waiting list."
            )
            % {"n": row.capacity}
        )
    if new == old:
        return
    Offer.objects.filter(pk=row.pk).update(**{field: new, "version": F("version") + 1})
    audit_record(actor=actor, action="offer.counter", obj=row, changes={field: [old, new]})


def _take_seat(actor: Any, offer: Offer) -> None:
    _offer_counter(actor, offer, "seats_taken", +1)


def _free_seat(actor: Any, offer: Offer) -> None:
    _offer_counter(actor, offer, "seats_taken", -1)


def _waiting_list_change(actor: Any, referral: Referral, old: str, new: str) -> None:
    if new == ReferralStatus.WAITING_LIST and old != new:
        _offer_counter(actor, referral.offer, "waiting_list", +1)
    elif old == ReferralStatus.WAITING_LIST and new != old:
        _offer_counter(actor, referral.offer, "waiting_list", -1)


# --- Volunteers -----------------------------------------------------------------------------------


def _is_volunteer_member(tenant: Tenant, user: Any) -> bool:
    return Membership.objects.filter(
        tenant=tenant, user=user, role=Role.VOLUNTEER, is_active=True
    ).exists()


@transaction.atomic
def volunteer_profile_save(
    *,
    actor: Any,
    tenant: Tenant,
    data: dict[str, Any],
    profile: VolunteerProfile | None = None,
    user: Any = None,
) -> VolunteerProfile:
    """Create (``user`` given) or change a volunteer's record: availability, languages, date
    of the police clearance certificate."""
    policy.require(actor, Cap.VOLUNTEERS_MANAGE, tenant)
    cleared = data.get("police_clearance_on")
    if cleared is not None and cleared > timezone.localdate():
        raise DomainError(_("The date of the police clearance certificate lies in the future."))
    values = {
        "availability": (data.get("availability") or "").strip(),
        "languages": list(data.get("languages") or []),
        "police_clearance_on": cleared,
    }
    if profile is None:
        if user is None or not _is_volunteer_member(tenant, user):
            raise DomainError(_("The person is not a volunteer of this tenant."))
        if VolunteerProfile.objects.filter(tenant=tenant, user=user).exists():
            raise DomainError(_("This volunteer already has a record."))
        profile = VolunteerProfile.objects.create(tenant=tenant, user=user, **values)
        audit_record(actor=actor, action="volunteer.create", obj=profile, details=values)
        return profile
    if profile.tenant_id != tenant.pk:
        raise DomainError(_("The record does not belong to this tenant."))
    changes = changed_fields(profile, values)
    if changes:
        profile.save()
        audit_record(actor=actor, action="volunteer.update", obj=profile, changes=changes)
    return profile


@transaction.atomic
def volunteer_assign(
    *,
    actor: Any,
    profile: VolunteerProfile,
    participant: Participant,
    started_on: date | None = None,
) -> VolunteerAssignment:
    """Assign a volunteer to a participant of one of the actor's cases.  Needs the
    participant's consent to volunteer support."""
    policy.require(actor, Cap.VOLUNTEERS_MANAGE, profile)
    policy.require(actor, Cap.CASE_MANAGE, participant)
    if participant.tenant_id != profile.tenant_id:
        raise DomainError(_("The person does not belong to this tenant."))
    participant_ensure_writable(participant)
    today = timezone.localdate()
    started_on = started_on or today
    if started_on > today:
        raise DomainError(_("The assignment cannot start in the future."))
    if not _is_volunteer_member(profile.tenant, profile.user):
        raise DomainError(_("The person is no longer a volunteer of this tenant."))
    consent_require(participant, ConsentPurpose.VOLUNTEER, on=today)
    duplicate = VolunteerAssignment.objects.filter(
        tenant_id=profile.tenant_id, volunteer_id=profile.user_id, participant=participant
    ).exclude(ended_on__lt=today)
    if duplicate.exists():
        raise DomainError(_("The volunteer is already assigned to this person."))
    assignment = VolunteerAssignment.objects.create(
        tenant_id=profile.tenant_id,
        volunteer_id=profile.user_id,
        participant=participant,
        started_on=started_on,
    )
    audit_record(
        actor=actor,
        action="volunteer.assign",
        obj=participant,
        details={"volunteer": profile.user.get_username(), "from": started_on},
    )
    return assignment


@transaction.atomic
def volunteer_assignment_end(
    *, actor: Any, assignment: VolunteerAssignment, last_day: date | None = None
) -> VolunteerAssignment:
    """End an assignment.  ``last_day`` is the last day of the support (inclusive); without
    it the assignment ends at once (last day yesterday: the volunteer loses access now)."""
    policy.require(actor, Cap.VOLUNTEERS_MANAGE, assignment)
    today = timezone.localdate()
    locked = VolunteerAssignment.objects.select_for_update().get(pk=assignment.pk)
    if locked.ended_on is not None and locked.ended_on < today:
        raise DomainError(_("The assignment has already ended."))
    end = last_day if last_day is not None else today - timedelta(days=1)
    if end < locked.started_on - timedelta(days=1):
        raise DomainError(_("The end lies before the start of the assignment."))
    old = locked.ended_on
    locked.ended_on = end
    locked.save(update_fields=["ended_on", "updated_at"])
    audit_record(
        actor=actor,
        action="volunteer.assignment_end",
        obj=locked.participant,
        changes={"ended_on": [old, end]},
        details={"volunteer": locked.volunteer.get_username()},
    )
    return locked


@transaction.atomic
def volunteer_meeting_log(
    *,
    actor: Any,
    assignment: VolunteerAssignment,
    happened_on: date,
    minutes: int,
    note: str = "",
) -> VolunteerMeeting:
    """The volunteer records a meeting with an assigned participant."""
    policy.require(actor, Cap.VOLUNTEER_LOG, assignment.participant)
    if assignment.volunteer_id != actor.pk:
        raise DomainError(_("Only the assigned volunteer records meetings."))
    participant_ensure_writable(assignment.participant)
    today = timezone.localdate()
    if happened_on > today:
        raise DomainError(_("The date lies in the future."))
    if happened_on < assignment.started_on:
        raise DomainError(
            _("The date lies before the start of the assignment (%(date)s).")
            % {"date": assignment.started_on.strftime("%d.%m.%Y")}
        )
    if assignment.ended_on is not None and happened_on > assignment.ended_on:
        raise DomainError(_("The date lies after the end of the assignment."))
    if minutes <= 0 or minutes > 720:
        raise DomainError(_("The duration must be between 1 and 720 minutes."))
    meeting = VolunteerMeeting.objects.create(
        tenant_id=assignment.tenant_id,
        assignment=assignment,
        happened_on=happened_on,
        minutes=minutes,
        note=note.strip(),
    )
    audit_record(
        actor=actor,
        action="volunteer.meeting",
        obj=assignment.participant,
        details={"date": happened_on, "minutes": minutes},
    )
    return meeting

"""Every write of the cases area: case data and status, team, plan (goals and reviews),
contacts, education history, outcomes and notices.

Each service is keyword-only with the acting user first and runs in one transaction: check
the policy, validate (German messages), write, ``audit_record``.  Processing beyond first
contact needs the participant's "case_work" consent (``consent_require``); a restricted or
anonymised record is read-only.  ``*_validate`` functions return ``{field: message}`` so that
forms can show the same messages at the fields.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from teilhabe.accounts import policy
from teilhabe.accounts.roles import Cap, Role
from teilhabe.audit.services import audit_record, changed_fields
from teilhabe.core.errors import ConflictError, DomainError

from .consent import consent_require
from .models import (
    CASE_TRANSITIONS,
    Case,
    CaseStatus,
    ConsentPurpose,
    Contact,
    ContactProof,
    EducationEpisode,
    EpisodeKind,
    Goal,
    GoalReview,
    Notice,
    Outcome,
    OutcomeKind,
    Referral,
    ReferralStatus,
)
from .selectors_cases import FOLLOW_UPS, follow_up_due
from .services_people import participant_ensure_writable

MAX_CONTACT_MINUTES = 720
MAX_HOURS_PER_WEEK = 60
# How early a follow-up may be recorded before it is due.
FOLLOW_UP_EARLY_DAYS = 28

CASE_FIELDS = ["responsible", "programme", "module", "intake_date"]
GOAL_FIELDS = ["category", "text", "target_date", "status", "urgency", "agreed_with_participant"]
CONTACT_FIELDS = ["happened_on", "minutes", "kind", "topic", "note", "proof", "proof_by"]
EPISODE_FIELDS = [
    "kind",
    "title",
    "organisation",
    "started_on",
    "ended_on",
    "hours_per_week",
    "marginal",
    "result",
    "progress",
]


def _d(value: date) -> str:
    return str(formats.date_format(value, "d.m.Y"))


def _today(today: date | None) -> date:
    return today or timezone.localdate()


def _fail(errors: dict[str, str]) -> None:
    if errors:
        raise DomainError(" ".join(dict.fromkeys(errors.values())))


def _conflict() -> ConflictError:
    return ConflictError(
        _(
            "Somebody else has changed this case in the meantime. Your input is kept below; "
            "please check the current state and save again."
        )
    )


def _check(actor: Any, case: Case, *, consent: bool = True, open_case: bool = True) -> None:
    """The common preconditions of writes to a case."""
    policy.require(actor, Cap.CASE_MANAGE, case)
    participant_ensure_writable(case.participant)  # Art. 18 restriction, anonymised, merged
    if open_case and case.status == CaseStatus.CLOSED:
        raise DomainError(_("The case is closed. Reopen it first."))
    if consent:
        consent_require(case.participant, ConsentPurpose.CASE_WORK)


def _is_case_worker(user: Any, tenant: Any) -> bool:
    return bool(
        user is not None
        and user.is_active
        and user.memberships.filter(tenant=tenant, role=Role.CASE_WORKER, is_active=True).exists()
    )


# --- The case itself ---------------------------------------------------------------------------


def case_validate(case: Case, data: dict[str, Any], *, today: date | None = None) -> dict[str, str]:
    today = _today(today)
    errors: dict[str, str] = {}
    intake = data.get("intake_date")
    if isinstance(intake, date):
        if intake > today:
            errors["intake_date"] = _("The intake date lies in the future.")
        else:
            first = (
                Contact.objects.filter(tenant_id=case.tenant_id, case=case)
                .order_by("happened_on")
                .values_list("happened_on", flat=True)
                .first()
            )
            if first is not None and first < intake:
                errors["intake_date"] = _(
                    "There are contacts before this intake date (the first on %(date)s)."
                ) % {"date": _d(first)}
            elif case.closed_on is not None and case.closed_on < intake:
                errors["intake_date"] = _("The intake date lies after the closure of the case.")
    responsible = data.get("responsible")
    if "responsible" in data and not _is_case_worker(responsible, case.tenant):
        errors["responsible"] = _("Only case workers of this tenant can be responsible.")
    if "programme" in data and not str(data.get("programme") or "").strip():
        errors["programme"] = _("Please name the programme.")
    return errors


@transaction.atomic
def case_update(
    *,
    actor: Any,
    case: Case,
    data: dict[str, Any],
    version: int | None,
    today: date | None = None,
) -> Case:
    """Responsible person, programme, funding module and intake date (version-checked)."""
    _check(actor, case, consent=False, open_case=False)
    locked = Case.objects.select_for_update().select_related("participant").get(pk=case.pk)
    if version is not None and locked.version != version:
        raise _conflict()
    values = {k: v for k, v in data.items() if k in CASE_FIELDS}
    _fail(case_validate(locked, values, today=today))
    changes = changed_fields(locked, values)
    if changes:
        locked.version += 1
        locked.save()
        audit_record(actor=actor, action="case.update", obj=locked, changes=changes)
    return locked


def closing_validate(
    case: Case, data: dict[str, Any], *, today: date | None = None
) -> dict[str, str]:
    today = _today(today)
    errors: dict[str, str] = {}
    closed_on = data.get("closed_on") or today
    if closed_on > today:
        errors["closed_on"] = _("The closing date lies in the future.")
    elif closed_on < case.intake_date:
        errors["closed_on"] = _("The case cannot be closed before its intake (%(date)s).") % {
            "date": _d(case.intake_date)
        }
    else:
        last = (
            Contact.objects.filter(tenant_id=case.tenant_id, case=case)
            .order_by("-happened_on")
            .values_list("happened_on", flat=True)
            .first()
        )
        if last is not None and last > closed_on:
            errors["closed_on"] = _(
                "There are contacts after this closing date (the last on %(date)s)."
            ) % {"date": _d(last)}
    if not str(data.get("closing_reason") or "").strip():
        errors["closing_reason"] = _("Please give a reason for closing the case.")
    if data.get("outcome_kind") not in OutcomeKind.values:
        errors["outcome_kind"] = _("Please record the outcome at closure.")
    return errors


@transaction.atomic
def case_set_status(
    *,
    actor: Any,
    case: Case,
    status: str,
    version: int | None,
    closed_on: date | None = None,
    closing_reason: str = "",
    outcome_kind: str = "",
    outcome_note: str = "",
    today: date | None = None,
) -> Case:
    """Move the case along ``CASE_TRANSITIONS``.

    Active or dormant (processing beyond first contact) needs the case-work consent.  Closing
    needs a reason and the outcome at closure (written as ``Outcome(moment="closure")``).
    Reopening clears the closure; the outcomes of the earlier closure are removed from the
    case and kept in the audit event.
    """
    today = _today(today)
    _check(actor, case, consent=False, open_case=False)
    locked = Case.objects.select_for_update().select_related("participant").get(pk=case.pk)
    if version is not None and locked.version != version:
        raise _conflict()
    old = locked.status
    if status not in CASE_TRANSITIONS.get(old, set()):
        labels = dict(CaseStatus.choices)
        raise DomainError(
            _("A case cannot go from “%(from)s” to “%(to)s”.")
            % {"from": labels.get(old, old), "to": labels.get(status, status)}
        )
    if status in (CaseStatus.ACTIVE, CaseStatus.DORMANT):
        consent_require(locked.participant, ConsentPurpose.CASE_WORK, on=today)
    changes: dict[str, list[Any]] = {"status": [old, status]}
    details: dict[str, Any] = {}
    if status == CaseStatus.CLOSED:
        data = {
            "closed_on": closed_on,
            "closing_reason": closing_reason,
            "outcome_kind": outcome_kind,
        }
        _fail(closing_validate(locked, data, today=today))
        closed_on = closed_on or today
        changes["closed_on"] = [locked.closed_on, closed_on]
        changes["closing_reason"] = [locked.closing_reason, closing_reason.strip()]
        locked.closed_on, locked.closing_reason = closed_on, closing_reason.strip()
        Outcome.objects.create(
            tenant=locked.tenant,
            case=locked,
            moment="closure",
            kind=outcome_kind,
            recorded_on=closed_on,
            note=outcome_note.strip(),
        )
        changes["outcome_closure"] = [None, outcome_kind]
    elif old == CaseStatus.CLOSED:
        removed = list(locked.outcomes.values("moment", "kind", "recorded_on"))
        if removed:
            # without the notes: free texts never go into the audit log
            details["removed_outcomes"] = [
                f"{o['moment']}: {o['kind']} ({o['recorded_on']})" for o in removed
            ]
            locked.outcomes.all().delete()
        changes["closed_on"] = [locked.closed_on, None]
        changes["closing_reason"] = [locked.closing_reason, ""]
        locked.closed_on, locked.closing_reason = None, ""
    locked.status = status
    locked.version += 1
    locked.save()
    audit_record(
        actor=actor, action="case.status", obj=locked, changes=changes, details=details or None
    )
    return locked


@transaction.atomic
def case_team_add(*, actor: Any, case: Case, user: Any) -> Case:
    _check(actor, case, consent=False, open_case=False)
    if not _is_case_worker(user, case.tenant):
        raise DomainError(_("Only case workers of this tenant can join the team."))
    if user.pk == case.responsible_id:
        raise DomainError(_("The responsible person is already part of the case."))
    if case.team.filter(pk=user.pk).exists():
        raise DomainError(_("%(name)s is already on the team.") % {"name": _name(user)})
    case.team.add(user)
    audit_record(
        actor=actor, action="case.team_add", obj=case, changes={"team": [None, _name(user)]}
    )
    return case


@transaction.atomic
def case_team_remove(*, actor: Any, case: Case, user: Any) -> Case:
    _check(actor, case, consent=False, open_case=False)
    if not case.team.filter(pk=user.pk).exists():
        raise DomainError(_("%(name)s is not on the team.") % {"name": _name(user)})
    case.team.remove(user)
    audit_record(
        actor=actor, action="case.team_remove", obj=case, changes={"team": [_name(user), None]}
    )
    return case


def _name(user: Any) -> str:
    return str(user.get_full_name() or user.get_username())


# --- The plan ------------------------------------------------------------------------------------


def goal_validate(case: Case, data: dict[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    target = data.get("target_date")
    if isinstance(target, date) and target < case.intake_date:
        errors["target_date"] = _(
            "The target date lies before the intake of the case (%(date)s)."
        ) % {"date": _d(case.intake_date)}
    if "text" in data and not str(data.get("text") or "").strip():
        errors["text"] = _("Please describe the goal.")
    return errors


@transaction.atomic
def goal_create(*, actor: Any, case: Case, data: dict[str, Any]) -> Goal:
    _check(actor, case)
    values = {k: v for k, v in data.items() if k in GOAL_FIELDS}
    _fail(goal_validate(case, values))
    goal = Goal.objects.create(tenant=case.tenant, case=case, **values)
    audit_record(
        actor=actor,
        action="goal.create",
        obj=goal,
        changes={
            k: [None, getattr(goal, k)] for k in ("text", "category", "status", "target_date")
        },
        details={"case": str(case.public_id)},
    )
    return goal


@transaction.atomic
def goal_update(*, actor: Any, case: Case, goal: Goal, data: dict[str, Any]) -> Goal:
    _check(actor, case)
    if goal.case_id != case.pk:
        raise DomainError(_("The goal does not belong to this case."))
    locked = Goal.objects.select_for_update().get(pk=goal.pk)
    values = {k: v for k, v in data.items() if k in GOAL_FIELDS}
    _fail(goal_validate(case, values))
    changes = changed_fields(locked, values)
    if changes:
        locked.save()
        audit_record(
            actor=actor,
            action="goal.update",
            obj=locked,
            changes=changes,
            details={"case": str(case.public_id)},
        )
    return locked


def review_validate(
    case: Case, data: dict[str, Any], *, today: date | None = None
) -> dict[str, str]:
    today = _today(today)
    errors: dict[str, str] = {}
    reviewed = data.get("reviewed_on")
    if isinstance(reviewed, date):
        if reviewed > today:
            errors["reviewed_on"] = _("The date lies in the future.")
        elif reviewed < case.intake_date:
            errors["reviewed_on"] = _(
                "The review lies before the intake of the case (%(date)s)."
            ) % {"date": _d(case.intake_date)}
    if not str(data.get("note") or "").strip():
        errors["note"] = _("Please note what was reviewed.")
    return errors


@transaction.atomic
def goal_review_add(
    *,
    actor: Any,
    case: Case,
    goal: Goal,
    reviewed_on: date,
    note: str,
    status_after: str,
    today: date | None = None,
) -> GoalReview:
    """A dated review of a goal; the goal takes the status after the review."""
    _check(actor, case)
    if goal.case_id != case.pk:
        raise DomainError(_("The goal does not belong to this case."))
    _fail(review_validate(case, {"reviewed_on": reviewed_on, "note": note}, today=today))
    review = GoalReview.objects.create(
        tenant=case.tenant,
        goal=goal,
        reviewed_on=reviewed_on,
        note=note.strip(),
        status_after=status_after,
    )
    changes = changed_fields(goal, {"status": status_after})
    if changes:
        goal.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action="goal.review",
        obj=goal,
        changes={"review": [None, f"{reviewed_on}: {status_after}"], **changes},
        details={"case": str(case.public_id)},
    )
    return review


# --- Contacts ------------------------------------------------------------------------------------


def contact_validate(
    case: Case, data: dict[str, Any], *, today: date | None = None
) -> dict[str, str]:
    today = _today(today)
    errors: dict[str, str] = {}
    day = data.get("happened_on")
    if isinstance(day, date):
        if day > today:
            errors["happened_on"] = _("The contact date lies in the future.")
        elif day < case.intake_date:
            errors["happened_on"] = _(
                "The contact lies before the intake of the case (%(date)s)."
            ) % {"date": _d(case.intake_date)}
    minutes = data.get("minutes")
    if minutes is not None and not 1 <= minutes <= MAX_CONTACT_MINUTES:
        errors["minutes"] = _("Please enter a duration between 1 and %(max)s minutes.") % {
            "max": MAX_CONTACT_MINUTES
        }
    if (
        data.get("proof") == ContactProof.SECOND_STAFF
        and not str(data.get("proof_by") or "").strip()
    ):
        errors["proof_by"] = _("Please name the second staff member who confirms the contact.")
    if "topic" in data and not str(data.get("topic") or "").strip():
        errors["topic"] = _("Please give the topic of the contact.")
    return errors


@transaction.atomic
def contact_create(
    *, actor: Any, case: Case, data: dict[str, Any], today: date | None = None
) -> Contact:
    _check(actor, case)
    values = {k: v for k, v in data.items() if k in CONTACT_FIELDS}
    _fail(contact_validate(case, values, today=today))
    for key in ("topic", "note", "proof_by"):
        if key in values:
            values[key] = str(values[key] or "").strip()
    contact = Contact.objects.create(tenant=case.tenant, case=case, staff=actor, **values)
    audit_record(
        actor=actor,
        action="contact.create",
        obj=contact,
        changes={
            k: [None, getattr(contact, k)] for k in ("happened_on", "minutes", "kind", "proof")
        },
        details={"case": str(case.public_id)},
    )
    return contact


# --- Education history ---------------------------------------------------------------------------


def episode_validate(data: dict[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    start, end = data.get("started_on"), data.get("ended_on")
    if isinstance(start, date) and isinstance(end, date) and end < start:
        errors["ended_on"] = _("The end lies before the start.")
    per_week = data.get("hours_per_week")
    if per_week is not None and not 1 <= per_week <= MAX_HOURS_PER_WEEK:
        errors["hours_per_week"] = _("Please enter between 1 and %(max)s hours per week.") % {
            "max": MAX_HOURS_PER_WEEK
        }
    if data.get("marginal") and data.get("kind") != EpisodeKind.WORK:
        errors["marginal"] = _("Only work can be marginal employment.")
    if "title" in data and not str(data.get("title") or "").strip():
        errors["title"] = _("Please say what the episode was.")
    return errors


@transaction.atomic
def episode_create(*, actor: Any, case: Case, data: dict[str, Any]) -> EducationEpisode:
    """An episode of the participant's education history (recorded through one of the cases)."""
    _check(actor, case, open_case=False)
    values = {k: v for k, v in data.items() if k in EPISODE_FIELDS}
    _fail(episode_validate(values))
    episode = EducationEpisode.objects.create(
        tenant=case.tenant, participant=case.participant, **values
    )
    audit_record(
        actor=actor,
        action="episode.create",
        obj=case.participant,
        changes={k: [None, getattr(episode, k)] for k in ("kind", "title", "started_on")},
        details={"episode": str(episode.public_id)},
    )
    return episode


@transaction.atomic
def episode_update(
    *, actor: Any, case: Case, episode: EducationEpisode, data: dict[str, Any]
) -> EducationEpisode:
    _check(actor, case, open_case=False)
    if episode.participant_id != case.participant_id:
        raise DomainError(_("The episode does not belong to this person."))
    locked = EducationEpisode.objects.select_for_update().get(pk=episode.pk)
    values = {k: v for k, v in data.items() if k in EPISODE_FIELDS}
    merged = {k: getattr(locked, k) for k in EPISODE_FIELDS} | values
    _fail(episode_validate(merged))
    changes = changed_fields(locked, values)
    if changes:
        locked.save()
        audit_record(
            actor=actor,
            action="episode.update",
            obj=case.participant,
            changes=changes,
            details={"episode": str(locked.public_id)},
        )
    return locked


# Offer category -> episode kind (a completed referral adds its episode).
CATEGORY_EPISODE_KIND = {
    "sprache": EpisodeKind.COURSE,
    "schulabschluss": EpisodeKind.SCHOOL,
    "berufsorientierung": EpisodeKind.MEASURE,
    "ausbildung": EpisodeKind.TRAINING,
    "arbeit": EpisodeKind.MEASURE,
}
PROGRESS_CATEGORIES = {"schulabschluss", "ausbildung"}


@transaction.atomic
def episode_from_referral(referral: Referral, *, actor: Any = None) -> EducationEpisode:
    """The education episode of a completed (or dropped-out) referral.

    Called by the referral flow when a referral reaches "abgeschlossen" or "abgebrochen".
    Idempotent: a referral has at most one episode (returned if it exists).  The episode
    takes the offer's title and provider, the dates of the "begonnen" and final steps (or the
    offer's dates), a result and a progress flag (a completed school or training offer, or a
    completed course that leads to a language level).  It is the by-product of a referral that
    was sent under its own consent, so no case-work consent is checked here; with ``actor`` the
    policy is checked (the case worker of the case or the provider answering the referral).
    """
    if actor is not None and not (
        policy.can(actor, Cap.CASE_MANAGE, referral.case)
        or policy.can(actor, Cap.REFERRAL_ANSWER, referral)
    ):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(Cap.CASE_MANAGE)
    existing = EducationEpisode.objects.filter(referral=referral).first()
    if existing is not None:
        return existing
    participant_ensure_writable(referral.case.participant)
    if referral.status not in (ReferralStatus.COMPLETED, ReferralStatus.DROPPED_OUT):
        raise DomainError(_("Only a completed or dropped-out referral adds an episode."))
    offer = referral.offer
    category = offer.category.code
    kind = CATEGORY_EPISODE_KIND.get(category)
    if kind is None:
        funding = offer.funding
        kind = (
            EpisodeKind.MEASURE
            if funding is not None and funding.kind == "module"
            else EpisodeKind.COURSE
        )
    events = {e.status: e for e in referral.events.order_by("happened_on", "id")}
    completed = referral.status == ReferralStatus.COMPLETED
    final = events.get(referral.status)
    ended_on = final.happened_on if final else (offer.end_date or timezone.localdate())
    begun = events.get(ReferralStatus.STARTED)
    started_on = (
        begun.happened_on
        if begun
        else offer.start_date or referral.sent_on or referral.created_at.date()
    )
    started_on = min(started_on, ended_on)
    if completed:
        result = pgettext("education episode result", "completed")
        if offer.language_level_target:
            result = _("completed (target level %(level)s)") % {
                "level": offer.language_level_target
            }
    else:
        reason = (final.reason if final else "") or referral.reason
        result = pgettext("education episode result", "dropped out") + (
            f": {reason}" if reason else ""
        )
    episode = EducationEpisode.objects.create(
        tenant=referral.tenant,
        participant_id=referral.case.participant_id,
        kind=kind,
        title=offer.title[:200],
        organisation=offer.provider.name[:200],
        started_on=started_on,
        ended_on=ended_on,
        result=result[:200],
        progress=completed
        and (category in PROGRESS_CATEGORIES or bool(offer.language_level_target)),
        referral=referral,
    )
    audit_record(
        actor=actor,
        actor_label=None if actor is not None else "system",
        action="episode.from_referral",
        obj=referral.case.participant,
        tenant=referral.tenant,
        changes={"episode": [None, f"{episode.get_kind_display()}: {episode.title}"]},
        details={"referral": str(referral.public_id), "episode": str(episode.public_id)},
    )
    return episode


# --- Outcomes ------------------------------------------------------------------------------------


def outcome_validate(
    case: Case, moment: str, data: dict[str, Any], *, today: date | None = None
) -> dict[str, str]:
    today = _today(today)
    errors: dict[str, str] = {}
    labels = dict(Outcome._meta.get_field("moment").choices or [])
    if moment not in FOLLOW_UPS:
        errors["moment"] = _("The outcome at closure is recorded when the case is closed.")
        return errors
    if case.status != CaseStatus.CLOSED or case.closed_on is None:
        errors["moment"] = _("Follow-ups are recorded after the case has been closed.")
        return errors
    if case.outcomes.filter(moment=moment).exists():
        errors["moment"] = _("The outcome “%(moment)s” has already been recorded.") % {
            "moment": labels[moment]
        }
    recorded = data.get("recorded_on")
    if isinstance(recorded, date):
        due = follow_up_due(case.closed_on, moment)
        if recorded > today:
            errors["recorded_on"] = _("The date lies in the future.")
        elif recorded < due - timedelta(days=FOLLOW_UP_EARLY_DAYS):
            errors["recorded_on"] = _(
                "The follow-up “%(moment)s” is due on %(date)s; it can be recorded at the "
                "earliest four weeks before."
            ) % {"moment": labels[moment], "date": _d(due)}
    if data.get("kind") not in OutcomeKind.values:
        errors["kind"] = _("Please choose the outcome.")
    return errors


@transaction.atomic
def outcome_record(
    *,
    actor: Any,
    case: Case,
    moment: str,
    kind: str,
    recorded_on: date,
    note: str = "",
    today: date | None = None,
) -> Outcome:
    """A follow-up 6 or 12 months after closure (once per moment)."""
    _check(actor, case, open_case=False)
    Case.objects.select_for_update().filter(pk=case.pk).first()  # one recorder at a time
    _fail(outcome_validate(case, moment, {"kind": kind, "recorded_on": recorded_on}, today=today))
    outcome = Outcome.objects.create(
        tenant=case.tenant,
        case=case,
        moment=moment,
        kind=kind,
        recorded_on=recorded_on,
        note=note.strip(),
    )
    audit_record(
        actor=actor,
        action="outcome.create",
        obj=case,
        changes={f"outcome_{moment}": [None, kind]},
    )
    return outcome


# --- Notices -------------------------------------------------------------------------------------


@transaction.atomic
def notice_mark_read(*, actor: Any, notice: Notice) -> Notice:
    policy.require(actor, Cap.CASE_MANAGE, notice.tenant)
    if notice.user_id != actor.pk:
        raise DomainError(_("This notice is addressed to somebody else."))
    if notice.read_at is None:
        notice.read_at = timezone.now()
        notice.save(update_fields=["read_at", "updated_at"])
        audit_record(actor=actor, action="notice.read", obj=notice, tenant=notice.tenant)
    return notice

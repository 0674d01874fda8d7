"""Reads of the cases area: case pages, plan, contacts, education history, outcomes, the case
worker's caseload and the coordination's aggregates.

Every read of a case page goes through ``case_get_for``: it checks ``case.manage`` on the case
(object rule: responsible or team member of a case of the participant) and writes an audit
event — ``read`` of the participant, or ``security.participant_denied`` for a refused attempt,
after which the view answers 404.  Lists are scoped to the actor's own cases and run a fixed
number of queries whatever the size of the caseload.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import TruncMonth
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext

from teilhabe.accounts import policy
from teilhabe.accounts.models import Tenant, User
from teilhabe.accounts.roles import Cap, Role
from teilhabe.audit.services import audit_record
from teilhabe.core.fasturls import fast_reverse

from .consent import ConsentMissing, consent_require
from .models import (
    CASE_TRANSITIONS,
    Case,
    CaseStatus,
    Consent,
    ConsentPurpose,
    Contact,
    ContactProof,
    EducationEpisode,
    Goal,
    GoalReview,
    GoalStatus,
    Notice,
    Outcome,
    OutcomeKind,
    Participant,
    Referral,
    ReferralStatus,
    ResidenceStatusEntry,
    StatusKind,
)
from .selectors import current_status, prepared_rows

OPEN_GOAL_STATUSES = (GoalStatus.OPEN, GoalStatus.IN_PROGRESS)
# Cases in which contacts are expected (dormant cases are paused on purpose).
WORKING_STATUSES = (CaseStatus.FIRST_CONTACT, CaseStatus.ACTIVE)
NOT_CLOSED = (CaseStatus.FIRST_CONTACT, CaseStatus.ACTIVE, CaseStatus.DORMANT)
# The follow-ups after closure: moment -> months after ``closed_on``.
FOLLOW_UPS: dict[str, int] = {"m6": 6, "m12": 12}
TARGET_GROUP_AGE_LIMIT = 27
DASHBOARD_LIMIT = 50
SMALL_NUMBER = 5


# --- Date arithmetic (pure) ------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """``day`` shifted by whole months; the 31st becomes the last day of a shorter month."""
    years, month0 = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month0 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def birthday(birth_date: date, age: int) -> date:
    """The day a person turns ``age`` (29 February: 28 February in common years)."""
    return add_months(birth_date, 12 * age)


def age_on(birth_date: date, on: date) -> int:
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def follow_up_due(closed_on: date, moment: str) -> date:
    return add_months(closed_on, FOLLOW_UPS[moment])


def hours(minutes: int | None) -> Decimal:
    return (Decimal(minutes or 0) / 60).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def coarse(n: int) -> str:
    """Disclosure control: counts from 1 to 4 are shown as "< 5", never exactly."""
    if 0 < n < SMALL_NUMBER:
        return f"< {SMALL_NUMBER}"
    return str(number_format(n, force_grouping=True))


def status_label(kind: str) -> str:
    """The label of a residence-status kind (the catalogue may hold kinds beyond the enum)."""
    try:
        return str(StatusKind(kind).label)
    except ValueError:
        return kind


def participant_url(tenant: Tenant, participant: Participant) -> str | None:
    """The participant's record page of the people area, if it exists."""
    try:
        return reverse(
            "participants:participant_detail", args=[tenant.public_id, participant.public_id]
        )
    except NoReverseMatch:
        return None


# --- Scope and the audited read ----------------------------------------------------------------


def cases_of(actor: Any, tenant: Tenant) -> QuerySet[Case]:
    """Cases the actor works on: responsible for, or on the team of (no audit; for lists)."""
    return _cases_of_ids(tenant.pk, actor.pk)


def _cases_of_ids(tenant_id: int, actor_id: int) -> QuerySet[Case]:
    """``cases_of`` by ids (for prepared reads, which are built with placeholder ids)."""
    team = Case.team.through.objects.filter(user_id=actor_id).values("case_id")
    # the tenant in both branches: SQLite then answers each from its index (multi-index OR)
    # instead of reading every case of the tenant
    return Case.objects.filter(
        Q(tenant_id=tenant_id, responsible_id=actor_id) | Q(tenant_id=tenant_id, pk__in=team)
    )


def _listed(qs: QuerySet[Case]) -> QuerySet[Case]:
    """Without merged, anonymised or restricted records (Art. 18: hidden from lists)."""
    return qs.filter(
        participant__merged_into__isnull=True,
        participant__anonymised_at__isnull=True,
        participant__restricted=False,
    )


def case_get_for(
    *, actor: Any, tenant: Tenant, public_id: Any, purpose: str = "read"
) -> Case | None:
    """One case with its participant, or None (the view answers 404).

    The read of the participant's record — or the refused attempt — is audited either way.
    """
    case = (
        Case.objects.filter(tenant=tenant, public_id=public_id)
        .select_related("participant", "participant__gemeinde", "responsible")
        .first()
    )
    if (
        case is None
        or case.participant.merged_into_id is not None
        or not policy.can(actor, Cap.CASE_MANAGE, case)
    ):
        audit_record(
            actor=actor,
            action="security.participant_denied",
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


# --- The case pages ------------------------------------------------------------------------------


@dataclass
class CaseHeader:
    """What every case page shows above its content."""

    case: Case
    participant: Participant
    age: int
    status_entry: ResidenceStatusEntry | None
    status_text: str
    next_steps: list[Goal]
    consent: Consent | None
    consent_message: str
    birthday_27: date
    birthday_27_soon: bool
    follow_ups_due: list[tuple[str, date]]
    read_only_message: str
    participant_url: str | None

    @property
    def may_process(self) -> bool:
        """Case work beyond first contact: needs the consent and a writable record."""
        return self.consent is not None and not self.read_only_message

    @property
    def closed(self) -> bool:
        return self.case.status == CaseStatus.CLOSED


def read_only_message(participant: Participant) -> str:
    from django.utils.translation import gettext as _

    if participant.anonymised_at is not None:
        return _("This record has been anonymised; it can no longer be changed.")
    if participant.restricted:
        return _(
            "Processing of this person's data is restricted (Art. 18 GDPR); "
            "the record is read-only."
        )
    return ""


def follow_ups_due(case: Case, recorded: Iterable[str], today: date) -> list[tuple[str, date]]:
    """Follow-ups of a closed case that are due and not recorded: (moment, due date)."""
    if case.status != CaseStatus.CLOSED or case.closed_on is None:
        return []
    done = set(recorded)
    due = []
    for moment in FOLLOW_UPS:
        when = follow_up_due(case.closed_on, moment)
        if when <= today and moment not in done:
            due.append((moment, when))
    return due


def case_header(case: Case, *, today: date | None = None) -> CaseHeader:
    today = today or timezone.localdate()
    participant = case.participant
    entry = current_status(participant, today)
    status_text = ""
    if entry is not None:
        status_text = f"{status_label(entry.kind)} {entry.paragraph}".strip()
    try:
        consent: Consent | None = consent_require(participant, ConsentPurpose.CASE_WORK, on=today)
        message = ""
    except ConsentMissing as exc:
        consent, message = None, str(exc)
    next_steps = list(
        case.goals.filter(status__in=OPEN_GOAL_STATUSES)
        .select_related("category")
        .order_by("urgency", F("target_date").asc(nulls_last=True), "id")[:3]
    )
    recorded = (
        list(case.outcomes.values_list("moment", flat=True))
        if case.status == CaseStatus.CLOSED
        else []
    )
    b27 = birthday(participant.birth_date, TARGET_GROUP_AGE_LIMIT)
    return CaseHeader(
        case=case,
        participant=participant,
        age=age_on(participant.birth_date, today),
        status_entry=entry,
        status_text=status_text,
        next_steps=next_steps,
        consent=consent,
        consent_message=message,
        birthday_27=b27,
        birthday_27_soon=today <= b27 <= add_months(today, 6),
        follow_ups_due=follow_ups_due(case, recorded, today),
        read_only_message=read_only_message(participant),
        participant_url=participant_url(case.tenant, participant),
    )


def allowed_transitions(case: Case) -> list[tuple[str, str]]:
    """The statuses the case may move to now, in the order of the status list."""
    allowed = CASE_TRANSITIONS.get(case.status, set())
    return [(value, str(label)) for value, label in CaseStatus.choices if value in allowed]


def case_team(case: Case) -> list[User]:
    return list(case.team.order_by("last_name", "first_name", "username"))


def case_worker_candidates(tenant: Tenant) -> QuerySet[User]:
    """Users with an active case-worker role in the tenant (responsible or team member)."""
    return (
        User.objects.filter(
            is_active=True,
            memberships__tenant=tenant,
            memberships__role=Role.CASE_WORKER,
            memberships__is_active=True,
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def case_outcomes(case: Case) -> list[Outcome]:
    order = {"closure": 0, "m6": 1, "m12": 2}
    return sorted(case.outcomes.all(), key=lambda o: order.get(o.moment, 9))


def goals_of(case: Case, *, today: date | None = None) -> list[Goal]:
    """The plan: goals with their reviews (two queries); ``overdue`` set on each goal."""
    from django.db.models import Prefetch

    today = today or timezone.localdate()
    goals = list(
        case.goals.select_related("category")
        .prefetch_related(
            Prefetch("reviews", queryset=GoalReview.objects.order_by("-reviewed_on", "-id"))
        )
        .order_by(F("target_date").asc(nulls_last=True), "id")
    )
    for goal in goals:
        goal.overdue = (  # type: ignore[attr-defined]
            goal.status in OPEN_GOAL_STATUSES
            and goal.target_date is not None
            and goal.target_date < today
        )
    return goals


def goal_get(case: Case, public_id: Any) -> Goal | None:
    return case.goals.select_related("category").filter(public_id=public_id).first()


def contacts_of(case: Case) -> QuerySet[Contact]:
    return (
        Contact.objects.filter(tenant_id=case.tenant_id, case=case)
        .select_related("staff")
        .order_by("-happened_on", "-id")
    )


@dataclass
class HoursRow:
    month: date
    by_proof: list[Decimal]
    total: Decimal
    contacts: int


@dataclass
class HoursSummary:
    """Coaching hours per month and per proof of contact (for the funding report)."""

    proofs: list[tuple[str, str]]
    rows: list[HoursRow] = field(default_factory=list)
    totals: list[Decimal] = field(default_factory=list)
    total: Decimal = Decimal("0.00")
    contacts: int = 0


def contact_hours(case: Case) -> HoursSummary:
    """One query: minutes grouped by month and proof."""
    grouped = (
        Contact.objects.filter(tenant_id=case.tenant_id, case=case)
        .annotate(month=TruncMonth("happened_on"))
        .values("month", "proof")
        .annotate(minutes=Sum("minutes"), n=Count("id"))
        .order_by("-month")
    )
    proofs = [(str(v), str(label)) for v, label in ContactProof.choices]
    index = {v: i for i, (v, _label) in enumerate(proofs)}
    months: dict[date, list[int]] = {}
    counts: dict[date, int] = {}
    for row in grouped:
        month = row["month"]
        if hasattr(month, "date"):
            month = month.date()
        months.setdefault(month, [0] * len(proofs))[index[row["proof"]]] += row["minutes"] or 0
        counts[month] = counts.get(month, 0) + row["n"]
    summary = HoursSummary(proofs=proofs)
    column_minutes = [0] * len(proofs)
    for month in sorted(months, reverse=True):
        minutes = months[month]
        summary.rows.append(
            HoursRow(
                month=month,
                by_proof=[hours(m) for m in minutes],
                total=hours(sum(minutes)),
                contacts=counts[month],
            )
        )
        column_minutes = [a + b for a, b in zip(column_minutes, minutes, strict=True)]
    summary.totals = [hours(m) for m in column_minutes]
    summary.total = hours(sum(column_minutes))
    summary.contacts = sum(counts.values())
    return summary


def episodes_of(participant: Participant) -> list[EducationEpisode]:
    """The education history in chronological order (oldest first)."""
    return list(
        EducationEpisode.objects.filter(
            tenant_id=participant.tenant_id, participant=participant
        ).order_by("started_on", "id")
    )


def episode_get(case: Case, public_id: Any) -> EducationEpisode | None:
    return EducationEpisode.objects.filter(
        tenant_id=case.tenant_id, participant_id=case.participant_id, public_id=public_id
    ).first()


def open_follow_up_moments(case: Case) -> list[tuple[str, str]]:
    """Follow-up moments (m6, m12) not recorded yet."""
    recorded = set(case.outcomes.values_list("moment", flat=True))
    labels = dict(Outcome._meta.get_field("moment").choices or [])
    return [(m, str(labels[m])) for m in FOLLOW_UPS if m not in recorded]


def notice_get_for(*, actor: Any, tenant: Tenant, public_id: Any) -> Notice | None:
    """A notice addressed to the actor (anybody else's: None)."""
    policy.require(actor, Cap.CASE_MANAGE, tenant)
    return Notice.objects.filter(tenant=tenant, user_id=actor.pk, public_id=public_id).first()


def contacts_for_export(
    *,
    actor: Any,
    tenant: Tenant,
    case: Case | None = None,
    start: date | None = None,
    end: date | None = None,
) -> QuerySet[Contact]:
    """Contacts of one case, or of all the actor's cases, in a period (for the
    Verwendungsnachweis)."""
    policy.require(actor, Cap.CASE_MANAGE, case if case is not None else tenant)
    qs = Contact.objects.filter(tenant=tenant)
    if case is not None:
        qs = qs.filter(case=case)
    else:
        qs = qs.filter(case__in=_listed(cases_of(actor, tenant)).values("pk"))
    if start is not None:
        qs = qs.filter(happened_on__gte=start)
    if end is not None:
        qs = qs.filter(happened_on__lte=end)
    return qs.select_related("case", "case__participant", "staff").order_by(
        "case__participant__last_name", "case__participant__first_name", "case_id", "happened_on"
    )


# --- The caseload dashboard --------------------------------------------------------------------


@dataclass(slots=True)
class OpenCaseRow:
    """One open case of the table "My participants", ready to print."""

    url: str
    name: str  # "Last, First"
    status: str
    module: str
    next_step: str  # the next open goal with its date, "" without open goals
    last_contact: str  # "–" without any contact


@dataclass(slots=True)
class DueRow:
    """One line of a dashboard list: whose, the link, and what is due (ready to print)."""

    first_name: str
    name: str
    url: str
    detail: str


@dataclass(slots=True)
class BirthdayRow(DueRow):
    birthday_27: date


@dataclass(slots=True)
class GoalRow(DueRow):
    text: str


@dataclass(slots=True)
class FollowUpRow(DueRow):
    moment: str


@dataclass(slots=True)
class NoticeRow:
    name: str
    url: str  # "" if the participant has no case of the actor
    read_url: str
    created: str
    text: str


@dataclass
class Caseload:
    """The dashboard: every list holds at most ``limit + 1`` rows (the extra one says "more")."""

    cases: list[OpenCaseRow]
    overdue_contacts: list[DueRow]
    expiring_documents: list[DueRow]
    birthdays: list[BirthdayRow]
    waiting_referrals: list[DueRow]
    overdue_goals: list[GoalRow]
    follow_ups: list[FollowUpRow]
    notices: list[NoticeRow]
    overdue_days: int
    answer_days: int
    limit: int = DASHBOARD_LIMIT


def _dmy(day: date | None, empty: str = "") -> str:
    """The German date (as ``|dmy``), or ``empty``."""
    if day is None:
        return empty
    return f"{day.day:02d}.{day.month:02d}.{day.year:04d}"


# The dashboard's reads depend on the tenant and the actor only (dates are compared here), so
# each is built once per process as a prepared read (``selectors.prepared_rows``).


def _open_cases_of(tenant_id: int, actor_id: int) -> QuerySet[Case]:
    return _listed(_cases_of_ids(tenant_id, actor_id)).filter(status__in=NOT_CLOSED)


def _caseload_cases(tenant_id: int, actor_id: int) -> QuerySet[Case, Any]:
    """All listed cases of the actor with the participant, last contact and the follow-ups
    recorded, by name."""
    last_contact = Subquery(
        Contact.objects.filter(tenant_id=OuterRef("tenant_id"), case_id=OuterRef("pk"))
        .order_by("-happened_on")
        .values("happened_on")[:1]
    )

    def recorded(moment: str) -> Subquery:
        # the id of the recorded follow-up or NULL: a scalar subquery with LIMIT is looked up
        # per case in the (tenant, case, moment) index; PostgreSQL would answer an EXISTS
        # here by hashing every outcome of that moment of all tenants
        return Subquery(
            Outcome.objects.filter(
                tenant_id=OuterRef("tenant_id"), case_id=OuterRef("pk"), moment=moment
            ).values("pk")[:1]
        )

    return (
        _listed(_cases_of_ids(tenant_id, actor_id))
        .annotate(last_contact=last_contact, has_m6=recorded("m6"), has_m12=recorded("m12"))
        .order_by("participant__last_name", "participant__first_name", "id")
        .values(
            "id",
            "public_id",
            "participant_id",
            "status",
            "module",
            "intake_date",
            "closed_on",
            "participant__first_name",
            "participant__last_name",
            "participant__birth_date",
            "last_contact",
            "has_m6",
            "has_m12",
        )
    )


def _caseload_goals(tenant_id: int, actor_id: int) -> QuerySet[Goal, Any]:
    """The open goals of the actor's open cases."""
    return (
        Goal.objects.filter(
            tenant_id=tenant_id,
            case__in=_open_cases_of(tenant_id, actor_id).values("pk"),
            status__in=OPEN_GOAL_STATUSES,
        )
        .order_by()
        .values("id", "case_id", "public_id", "text", "target_date", "urgency")
    )


def _caseload_statuses(tenant_id: int, actor_id: int) -> QuerySet[ResidenceStatusEntry, Any]:
    """The latest residence status of each participant with an open case."""
    later_entry = ResidenceStatusEntry.objects.filter(
        tenant_id=OuterRef("tenant_id"),
        participant_id=OuterRef("participant_id"),
        valid_from__gt=OuterRef("valid_from"),
    )
    return (
        ResidenceStatusEntry.objects.filter(
            tenant_id=tenant_id,
            participant__in=_open_cases_of(tenant_id, actor_id).values("participant_id"),
        )
        .filter(~Exists(later_entry))
        .order_by()
        .values("id", "participant_id", "kind", "paragraph", "valid_until")
    )


def _caseload_referrals(tenant_id: int, actor_id: int) -> QuerySet[Referral, Any]:
    """Sent referrals of the actor's open cases with the offer and its provider."""
    return (
        Referral.objects.filter(
            tenant_id=tenant_id,
            case__in=_open_cases_of(tenant_id, actor_id).values("pk"),
            status=ReferralStatus.SENT,
        )
        .order_by()
        .values("id", "case_id", "offer__title", "offer__provider__name", "sent_on", "answer_due")
    )


def _caseload_notices(tenant_id: int, actor_id: int) -> QuerySet[Notice, Any]:
    """The actor's newest unread notices (one more than shown)."""
    return (
        Notice.objects.filter(tenant_id=tenant_id, user_id=actor_id, read_at__isnull=True)
        .order_by("-created_at", "-id")
        .values(
            "public_id",
            "participant_id",
            "created_at",
            "text",
            "participant__first_name",
            "participant__last_name",
        )[: DASHBOARD_LIMIT + 1]
    )


def _first_cases(rows: Iterable[dict[str, Any]]) -> dict[int, Any]:
    """participant id -> public id of the preferred case among ``rows``: open (no closing
    date) first, then the latest closing, then the latest intake."""
    best: dict[int, tuple[tuple[bool, int, int], Any]] = {}
    for r in rows:
        closed_on = r["closed_on"]
        key = (
            closed_on is not None,
            -closed_on.toordinal() if closed_on else 0,
            -r["intake_date"].toordinal(),
        )
        pid = r["participant_id"]
        if pid not in best or key < best[pid][0]:
            best[pid] = (key, r["public_id"])
    return {pid: public_id for pid, (_key, public_id) in best.items()}


def _link(viewname: str, tenant_public_id: Any) -> Any:
    """``fast_reverse(viewname, (tenant, public_id, …))`` for many rows: the address is
    reversed once with a placeholder and afterwards only joined."""
    marker = "00000000-0000-4000-8000-0000000c1a5e"
    before, _, after = fast_reverse(viewname, (tenant_public_id, marker)).partition(marker)
    return lambda public_id: f"{before}{public_id}{after}"


def caseload_for(*, actor: Any, tenant: Tenant, today: date | None = None) -> Caseload:
    """Everything the case worker should see today; five queries whatever the caseload.

    The actor's cases are read once as plain rows (participant's name and birth date, last
    contact, follow-ups recorded); goals, residence statuses, referrals and notices are read
    with the columns printed.  Dates are compared here, links and dates are finished strings,
    so the template only prints.
    """
    policy.require(actor, Cap.CASE_MANAGE, tenant)
    today = today or timezone.localdate()
    overdue_days = int(settings.TEILHABE_CONTACT_OVERDUE_DAYS)
    answer_days = int(settings.TEILHABE_REFERRAL_ANSWER_DAYS)
    limit = DASHBOARD_LIMIT
    tid, aid, t = tenant.pk, actor.pk, tenant.public_id
    rows = prepared_rows("caseload.cases", _caseload_cases, tid, aid)
    by_pk = {r["id"]: r for r in rows}
    open_rows = [r for r in rows if r["status"] in NOT_CLOSED]
    open_case_of = _first_cases(open_rows)
    case_url = _link("participants:case_detail", t)

    goals = prepared_rows("caseload.goals", _caseload_goals, tid, aid)
    # the table: every open case with its next goal (most urgent, then earliest) and last contact
    next_goal: dict[int, dict[str, Any]] = {}
    for g in sorted(
        goals,
        key=lambda g: (g["urgency"], g["target_date"] is None, g["target_date"] or today, g["id"]),
    ):
        next_goal.setdefault(g["case_id"], g)
    by = gettext("by")
    statuses = {k: str(v) for k, v in CaseStatus.choices}
    modules = {k: str(v) for k, v in Case._meta.get_field("module").choices or []}
    cases = []
    for r in open_rows:
        goal = next_goal.get(r["id"])
        cases.append(
            OpenCaseRow(
                url=case_url(r["public_id"]),
                name=f"{r['participant__last_name']}, {r['participant__first_name']}",
                status=statuses.get(r["status"], r["status"]),
                module=modules.get(r["module"], r["module"]),
                next_step=(
                    (
                        f"{goal['text']} ({by} {_dmy(goal['target_date'])})"
                        if goal["target_date"]
                        else goal["text"]
                    )
                    if goal
                    else ""
                ),
                last_contact=_dmy(r["last_contact"], "–"),
            )
        )

    def first_name(r: dict[str, Any]) -> str:
        return str(r["participant__first_name"])

    def full_name(r: dict[str, Any]) -> str:
        return f"{r['participant__first_name']} {r['participant__last_name']}"

    # working cases without a contact for ``overdue_days`` (or none since an older intake)
    cutoff = today - timedelta(days=overdue_days)
    overdue = [
        r
        for r in open_rows
        if r["status"] in WORKING_STATUSES and (r["last_contact"] or r["intake_date"]) < cutoff
    ]
    overdue.sort(
        key=lambda r: (
            r["last_contact"] is not None,
            r["last_contact"] or today,
            r["intake_date"],
            r["id"],
        )
    )
    contacts_url = _link("participants:case_contacts", t)
    last_contact, no_contact = gettext("last contact"), gettext("no contact since the intake")
    overdue_contacts = [
        DueRow(
            first_name=first_name(r),
            name=full_name(r),
            url=contacts_url(r["public_id"]),
            detail=f"{last_contact} {_dmy(r['last_contact'])}"
            if r["last_contact"]
            else f"{no_contact} ({_dmy(r['intake_date'])})",
        )
        for r in overdue[: limit + 1]
    ]

    # (the reads below run a moment after the cases: a case opened in between is left out)
    person = {r["participant_id"]: r for r in open_rows}
    soon = today + timedelta(days=30)
    expiring = sorted(
        (e["valid_until"], e["id"], e)
        for e in prepared_rows("caseload.statuses", _caseload_statuses, tid, aid)
        if e["valid_until"] is not None
        and today <= e["valid_until"] <= soon
        and e["participant_id"] in person
    )
    valid_until = gettext("valid until")
    expiring_documents = [
        DueRow(
            first_name=first_name(person[e["participant_id"]]),
            name=full_name(person[e["participant_id"]]),
            url=case_url(open_case_of[e["participant_id"]]),
            detail=f"{status_label(e['kind'])} {e['paragraph']} {valid_until} "
            f"{_dmy(e['valid_until'])}",
        )
        for _until, _id, e in expiring[: limit + 1]
    ]

    # turning 27 between today and six months from today
    born_from = birthday(today, -TARGET_GROUP_AGE_LIMIT)
    born_until = birthday(add_months(today, 6), -TARGET_GROUP_AGE_LIMIT)
    born = sorted(
        {
            (r["participant__birth_date"], r["participant_id"])
            for r in open_rows
            if born_from <= r["participant__birth_date"] <= born_until
        }
    )
    birthday_on = gettext("27th birthday on")
    birthdays = []
    for birth, pid in born[: limit + 1]:
        turns = birthday(birth, TARGET_GROUP_AGE_LIMIT)
        birthdays.append(
            BirthdayRow(
                first_name=first_name(person[pid]),
                name=full_name(person[pid]),
                url=case_url(open_case_of[pid]),
                detail=f"{birthday_on} {_dmy(turns)}",
                birthday_27=turns,
            )
        )

    # sent more than ``answer_days`` ago, or the answer is overdue; never sent: last
    sent_before = today - timedelta(days=answer_days)
    waiting = sorted(
        (
            (r["sent_on"] is None, r["sent_on"] or today, r["id"], r)
            for r in prepared_rows("caseload.referrals", _caseload_referrals, tid, aid)
            if r["case_id"] in by_pk
            and (
                (r["sent_on"] is not None and r["sent_on"] < sent_before)
                or (r["answer_due"] is not None and r["answer_due"] < today)
            )
        ),
        key=lambda w: w[:3],
    )
    sent_on, answer_due = gettext("sent on"), gettext("answer due")
    waiting_referrals = [
        DueRow(
            first_name=first_name(by_pk[r["case_id"]]),
            name=full_name(by_pk[r["case_id"]]),
            url=case_url(by_pk[r["case_id"]]["public_id"]),
            detail=f"{r['offer__title']} ({r['offer__provider__name']}), "
            f"{sent_on} {_dmy(r['sent_on'], '–')}"
            + (f", {answer_due} {_dmy(r['answer_due'])}" if r["answer_due"] else ""),
        )
        for _unsent, _sent, _id, r in waiting[: limit + 1]
    ]

    late = sorted(
        (g["target_date"], g["id"], g)
        for g in goals
        if g["target_date"] is not None and g["target_date"] < today and g["case_id"] in by_pk
    )
    target_date = gettext("target date")
    overdue_goals = [
        GoalRow(
            first_name=first_name(by_pk[g["case_id"]]),
            name=full_name(by_pk[g["case_id"]]),
            url=fast_reverse(
                "participants:goal_detail", (t, by_pk[g["case_id"]]["public_id"], g["public_id"])
            ),
            detail=f"{target_date} {_dmy(g['target_date'])}",
            text=g["text"],
        )
        for _date, _id, g in late[: limit + 1]
    ]

    # closed cases whose follow-up (6 and 12 months after closure) is due and not recorded
    six_ago, twelve_ago = add_months(today, -6), add_months(today, -12)
    closed = sorted(
        (
            r
            for r in rows
            if r["status"] == CaseStatus.CLOSED
            and r["closed_on"] is not None
            and r["closed_on"] <= six_ago
            and (not r["has_m6"] or (r["closed_on"] <= twelve_ago and not r["has_m12"]))
        ),
        key=lambda r: (r["closed_on"], r["id"]),
    )
    labels = {k: str(v) for k, v in Outcome._meta.get_field("moment").choices or []}
    outcomes_url = _link("participants:case_outcomes", t)
    due_on = gettext("due on")
    follow_ups: list[FollowUpRow] = []
    for r in closed[: limit + 1]:
        for moment in FOLLOW_UPS:
            due = follow_up_due(r["closed_on"], moment)
            if due <= today and not r[f"has_{moment}"]:
                follow_ups.append(
                    FollowUpRow(
                        first_name=first_name(r),
                        name=full_name(r),
                        url=outcomes_url(r["public_id"]),
                        detail=f"{labels[moment]}, {due_on} {_dmy(due)}",
                        moment=moment,
                    )
                )

    any_case_of = _first_cases(rows)
    read_url = _link("participants:notice_read", t)
    notices = [
        NoticeRow(
            name=full_name(n),
            url=case_url(any_case_of[n["participant_id"]])
            if n["participant_id"] in any_case_of
            else "",
            read_url=read_url(n["public_id"]),
            created=_dmy(timezone.localdate(n["created_at"])),
            text=n["text"],
        )
        for n in prepared_rows("caseload.notices", _caseload_notices, tid, aid)
    ]
    return Caseload(
        cases=cases,
        overdue_contacts=overdue_contacts,
        expiring_documents=expiring_documents,
        birthdays=birthdays,
        waiting_referrals=waiting_referrals,
        overdue_goals=overdue_goals,
        follow_ups=follow_ups,
        notices=notices,
        overdue_days=overdue_days,
        answer_days=answer_days,
    )


# --- Aggregates for the coordination -------------------------------------------------------------


@dataclass
class CountCell:
    label: str
    values: list[str]
    total: str


@dataclass
class MonthRow:
    month: date
    contacts: str
    people: str
    hours: str


@dataclass
class Overview:
    """Counts only; numbers below five are coarsened, names never appear."""

    modules: list[tuple[str, str]]
    open_cases: list[CountCell]
    open_total: str
    months: list[MonthRow]
    outcome_moments: list[tuple[str, str]]
    outcomes: list[CountCell]


def casework_overview(*, actor: Any, tenant: Tenant, today: date | None = None) -> Overview:
    policy.require(actor, Cap.CASEWORK_AGGREGATES, tenant)
    today = today or timezone.localdate()
    modules = [(str(v), str(label)) for v, label in Case._meta.get_field("module").choices or []]
    by_status: dict[tuple[str, str], int] = {
        (row["status"], row["module"]): row["n"]
        for row in Case.objects.filter(tenant=tenant, status__in=NOT_CLOSED)
        .values("status", "module")
        .annotate(n=Count("id"))
        .order_by()
    }
    open_cases = []
    for status in NOT_CLOSED:
        values = [by_status.get((status, m), 0) for m, _label in modules]
        open_cases.append(
            CountCell(
                str(CaseStatus(status).label), [coarse(v) for v in values], coarse(sum(values))
            )
        )
    open_total = coarse(sum(by_status.values()))

    start = add_months(today.replace(day=1), -11)
    months = []
    for row in (
        Contact.objects.filter(tenant=tenant, happened_on__gte=start, happened_on__lte=today)
        .annotate(month=TruncMonth("happened_on"))
        .values("month")
        .annotate(
            n=Count("id"),
            minutes=Sum("minutes"),
            people=Count("case__participant", distinct=True),
        )
        .order_by("-month")
    ):
        month = row["month"].date() if hasattr(row["month"], "date") else row["month"]
        n = row["n"]
        shown_hours = (
            str(number_format(hours(row["minutes"]), decimal_pos=1, force_grouping=True))
            if n >= SMALL_NUMBER
            else "–"
        )
        months.append(MonthRow(month, coarse(n), coarse(row["people"]), shown_hours))

    moments = [(str(v), str(label)) for v, label in Outcome._meta.get_field("moment").choices or []]
    by_kind: dict[tuple[str, str], int] = {
        (row["kind"], row["moment"]): row["n"]
        for row in Outcome.objects.filter(tenant=tenant)
        .values("kind", "moment")
        .annotate(n=Count("id"))
        .order_by()
    }
    outcomes = []
    for kind, label in OutcomeKind.choices:
        values = [by_kind.get((kind, m), 0) for m, _label in moments]
        outcomes.append(CountCell(str(label), [coarse(v) for v in values], coarse(sum(values))))
    return Overview(
        modules=modules,
        open_cases=open_cases,
        open_total=open_total,
        months=months,
        outcome_moments=moments,
        outcomes=outcomes,
    )

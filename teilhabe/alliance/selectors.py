"""Reads of the alliance, already scoped to what the actor may see (``alliance.view`` in the
tenant).  Nothing here touches participants' data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from teilhabe.accounts import policy
from teilhabe.accounts.roles import Cap

from .models import (
    OPEN_TASK_STATUSES,
    AgendaItem,
    Attendance,
    Attendee,
    CalendarFeed,
    Decision,
    DecisionStatus,
    Group,
    GroupMembership,
    Meeting,
    MeetingDocument,
    MeetingStatus,
    Member,
    Organisation,
    Task,
)

_ORGS_ATTR = "_teilhabe_alliance_orgs"


def organisation_ids_of(user: Any, tenant_id: int) -> frozenset[int]:
    """Organisations the user represents in a tenant (active member rows linked to the
    account); cached on the user object (``policy.forget`` drops it)."""
    cache: dict[int, frozenset[int]] | None = getattr(user, _ORGS_ATTR, None)
    if cache is None:
        cache = {}
        setattr(user, _ORGS_ATTR, cache)
    if tenant_id not in cache:
        cache[tenant_id] = frozenset(
            Member.objects.filter(tenant_id=tenant_id, user=user, is_active=True).values_list(
                "organisation_id", flat=True
            )
        )
    return cache[tenant_id]


def _view(actor: Any, tenant: Any) -> None:
    policy.require(actor, Cap.ALLIANCE_VIEW, tenant)


# --- organisations and people ------------------------------------------------------------------


def organisation_list_for(*, actor: Any, tenant: Any) -> QuerySet[Organisation]:
    _view(actor, tenant)
    return Organisation.objects.filter(tenant=tenant).annotate(
        member_count=Count("members", filter=Q(members__is_active=True), distinct=True),
        open_tasks=Count("tasks", filter=Q(tasks__status__in=OPEN_TASK_STATUSES), distinct=True),
    )


def organisation_get_for(*, actor: Any, tenant: Any, public_id: Any) -> Organisation | None:
    _view(actor, tenant)
    return Organisation.objects.filter(tenant=tenant, public_id=public_id).first()


def member_list_for(*, actor: Any, tenant: Any, active_only: bool = True) -> QuerySet[Member]:
    _view(actor, tenant)
    qs = Member.objects.filter(tenant=tenant).select_related("organisation")
    if active_only:
        qs = qs.filter(is_active=True)
    return qs.order_by("organisation__name", "last_name", "first_name")


def member_get_for(*, actor: Any, tenant: Any, public_id: Any) -> Member | None:
    _view(actor, tenant)
    return (
        Member.objects.filter(tenant=tenant, public_id=public_id)
        .select_related("organisation", "user")
        .first()
    )


# --- bodies ------------------------------------------------------------------------------------


def group_list_for(*, actor: Any, tenant: Any) -> QuerySet[Group]:
    _view(actor, tenant)
    return (
        Group.objects.filter(tenant=tenant)
        .select_related("lead_organisation", "board_lead")
        .annotate(
            current_members=Count("memberships", filter=Q(memberships__ended_on__isnull=True))
        )
    )


def group_get_for(*, actor: Any, tenant: Any, public_id: Any) -> Group | None:
    _view(actor, tenant)
    return (
        Group.objects.filter(tenant=tenant, public_id=public_id)
        .select_related("lead_organisation", "board_lead__organisation")
        .first()
    )


def group_memberships(group: Group) -> QuerySet[GroupMembership]:
    return group.memberships.select_related("member__organisation").order_by(
        "ended_on", "member__organisation__name", "member__last_name"
    )


def membership_get_for(*, actor: Any, group: Group, public_id: Any) -> GroupMembership | None:
    _view(actor, group.tenant)
    return group.memberships.filter(public_id=public_id).select_related("member").first()


# --- meetings ----------------------------------------------------------------------------------


def meeting_list_for(
    *, actor: Any, tenant: Any, when: str = "", kind: str = "", group: Group | None = None
) -> QuerySet[Meeting]:
    _view(actor, tenant)
    qs = Meeting.objects.filter(tenant=tenant).select_related("group")
    now = timezone.now()
    if when == "upcoming":
        qs = qs.filter(ends_at__gte=now).order_by("starts_at")
    elif when == "past":
        qs = qs.filter(ends_at__lt=now).order_by("-starts_at")
    else:
        qs = qs.order_by("-starts_at")
    if kind:
        qs = qs.filter(kind=kind)
    if group is not None:
        qs = qs.filter(group=group)
    return qs.annotate(
        item_count=Count("agenda_items", distinct=True),
        invited=Count("attendees", distinct=True),
    )


def meeting_get_for(*, actor: Any, tenant: Any, public_id: Any) -> Meeting | None:
    _view(actor, tenant)
    return (
        Meeting.objects.filter(tenant=tenant, public_id=public_id)
        .select_related("group", "created_by")
        .first()
    )


def meeting_attendees(meeting: Meeting) -> QuerySet[Attendee]:
    return meeting.attendees.select_related(
        "member__organisation", "represented_by__organisation"
    ).order_by("member__organisation__name", "member__last_name")


def meeting_agenda(meeting: Meeting) -> QuerySet[AgendaItem]:
    return (
        meeting.agenda_items.select_related("presenter__organisation", "gap", "measure")
        .prefetch_related(
            Prefetch("documents", queryset=MeetingDocument.objects.order_by("pk")),
            Prefetch("decisions", queryset=Decision.objects.order_by("number")),
            Prefetch(
                "tasks",
                queryset=Task.objects.select_related("organisation").order_by("due_on"),
            ),
        )
        .order_by("position")
    )


def agenda_item_get_for(*, actor: Any, meeting: Meeting, public_id: Any) -> AgendaItem | None:
    _view(actor, meeting.tenant)
    return meeting.agenda_items.filter(public_id=public_id).first()


def agenda_item_get_in_tenant(*, actor: Any, tenant: Any, public_id: Any) -> AgendaItem | None:
    _view(actor, tenant)
    return (
        AgendaItem.objects.filter(tenant=tenant, public_id=public_id)
        .select_related("meeting")
        .first()
    )


def later_meetings(meeting: Meeting) -> QuerySet[Meeting]:
    """Meetings in which the minutes of ``meeting`` can be approved (the following ones)."""
    return Meeting.objects.filter(
        tenant_id=meeting.tenant_id, starts_at__gt=meeting.starts_at
    ).order_by("starts_at")


def agenda_choices(tenant: Any) -> QuerySet[AgendaItem]:
    """Agenda items of the tenant for link fields (newest meetings first)."""
    return (
        AgendaItem.objects.filter(tenant=tenant)
        .select_related("meeting")
        .order_by("-meeting__starts_at", "position")
    )


def document_get_for(*, actor: Any, tenant: Any, public_id: Any) -> MeetingDocument | None:
    _view(actor, tenant)
    return (
        MeetingDocument.objects.filter(tenant=tenant, public_id=public_id)
        .select_related("meeting", "agenda_item")
        .first()
    )


# --- decisions and tasks -----------------------------------------------------------------------


def decision_list_for(
    *, actor: Any, tenant: Any, q: str = "", year: int | None = None, status: str = ""
) -> QuerySet[Decision]:
    _view(actor, tenant)
    qs = Decision.objects.filter(tenant=tenant).select_related(
        "meeting", "agenda_item", "gap", "measure"
    )
    if q:
        words = q.split()
        for word in words[:6]:
            qs = qs.filter(Q(title__icontains=word) | Q(text__icontains=word))
    if year:
        qs = qs.filter(year=year)
    if status:
        qs = qs.filter(status=status)
    return qs.annotate(task_count=Count("tasks")).order_by("-year", "-number")


def decision_get_for(*, actor: Any, tenant: Any, public_id: Any) -> Decision | None:
    _view(actor, tenant)
    return (
        Decision.objects.filter(tenant=tenant, public_id=public_id)
        .select_related("meeting", "agenda_item__meeting", "created_by", "gap", "measure")
        .first()
    )


def decision_years(tenant: Any) -> list[int]:
    return list(
        Decision.objects.filter(tenant=tenant).order_by("-year").values_list("year", flat=True)
    )


def decision_choices(tenant: Any) -> QuerySet[Decision]:
    return Decision.objects.filter(tenant=tenant).order_by("-year", "-number")


def task_list_for(
    *,
    actor: Any,
    tenant: Any,
    organisation: Organisation | None = None,
    status: str = "",
    overdue: bool = False,
    today: dt.date | None = None,
) -> QuerySet[Task]:
    _view(actor, tenant)
    today = today or timezone.localdate()
    qs = Task.objects.filter(tenant=tenant).select_related(
        "organisation", "responsible", "decision", "agenda_item__meeting", "gap", "measure"
    )
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    if status == "open":
        qs = qs.filter(status__in=OPEN_TASK_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    if overdue:
        qs = qs.filter(status__in=OPEN_TASK_STATUSES, due_on__lt=today)
    return qs.order_by("due_on", "pk")


def task_get_for(*, actor: Any, tenant: Any, public_id: Any) -> Task | None:
    _view(actor, tenant)
    return (
        Task.objects.filter(tenant=tenant, public_id=public_id)
        .select_related(
            "organisation",
            "responsible",
            "decision",
            "agenda_item__meeting",
            "created_by",
            "gap",
            "measure",
        )
        .first()
    )


def task_comments(task: Task) -> QuerySet[Any]:
    return task.comments.select_related("author").order_by("created_at", "pk")


# --- dashboard ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttendanceRow:
    organisation: str
    invited: int
    present: int
    represented: int
    excused: int
    absent: int

    @property
    def rate(self) -> int | None:
        """Share of the meetings the organisation was invited to and took part in (%)."""
        if not self.invited:
            return None
        return round(100 * (self.present + self.represented) / self.invited)


def attendance_by_organisation(tenant: Any, year: int) -> list[AttendanceRow]:
    """Per organisation: invitations to held meetings of the year and how they attended.
    One query."""
    rows = (
        Attendee.objects.filter(
            tenant=tenant,
            meeting__starts_at__year=year,
            meeting__status=MeetingStatus.HELD,
        )
        .values("member__organisation__name")
        .annotate(
            invited=Count("pk"),
            present=Count("pk", filter=Q(attendance=Attendance.PRESENT)),
            represented=Count("pk", filter=Q(attendance=Attendance.REPRESENTED)),
            excused=Count("pk", filter=Q(attendance=Attendance.EXCUSED)),
            absent=Count("pk", filter=Q(attendance__in=[Attendance.ABSENT, Attendance.UNKNOWN])),
        )
        .order_by("member__organisation__name")
    )
    return [
        AttendanceRow(
            organisation=r["member__organisation__name"],
            invited=r["invited"],
            present=r["present"],
            represented=r["represented"],
            excused=r["excused"],
            absent=r["absent"],
        )
        for r in rows
    ]


@dataclass(frozen=True)
class AllianceSummary:
    next_meetings: list[Meeting]
    open_tasks: int
    overdue_tasks: list[Task]
    decisions_without_follow_up: list[Decision]
    attendance: list[AttendanceRow]
    minutes_to_approve: list[Meeting]
    participation_formats: list[Meeting]
    year: int
    organisations: int
    groups: int


def alliance_summary(*, actor: Any, tenant: Any, today: dt.date | None = None) -> AllianceSummary:
    """The coordination's overview; a fixed number of queries however large the alliance."""
    _view(actor, tenant)
    today = today or timezone.localdate()
    now = timezone.now()
    tasks = Task.objects.filter(tenant=tenant, status__in=OPEN_TASK_STATUSES)
    overdue = list(
        tasks.filter(due_on__lt=today).select_related("organisation", "responsible")[:20]
    )
    without = list(
        Decision.objects.filter(tenant=tenant, status=DecisionStatus.TAKEN)
        .filter(~Exists(Task.objects.filter(decision=OuterRef("pk"))))
        .select_related("meeting")
        .order_by("-year", "-number")[:20]
    )
    to_approve = list(
        Meeting.objects.filter(
            tenant=tenant, status=MeetingStatus.HELD, minutes_status="entwurf"
        ).order_by("-starts_at")[:10]
    )
    participation = list(
        Meeting.objects.filter(tenant=tenant, kind="beteiligung", starts_at__year=today.year)
        .exclude(status=MeetingStatus.CANCELLED)
        .order_by("-starts_at")[:10]
    )
    return AllianceSummary(
        next_meetings=list(
            Meeting.objects.filter(tenant=tenant, ends_at__gte=now)
            .exclude(status=MeetingStatus.CANCELLED)
            .select_related("group")
            .order_by("starts_at")[:5]
        ),
        open_tasks=tasks.count(),
        overdue_tasks=overdue,
        decisions_without_follow_up=without,
        attendance=attendance_by_organisation(tenant, today.year),
        minutes_to_approve=to_approve,
        participation_formats=participation,
        year=today.year,
        organisations=Organisation.objects.filter(tenant=tenant, is_active=True).count(),
        groups=Group.objects.filter(tenant=tenant, is_active=True).count(),
    )


@dataclass(frozen=True)
class AllianceCard:
    next_meeting: Meeting | None
    open_tasks: int
    overdue_tasks: int


def alliance_card(*, actor: Any, tenant: Any, today: dt.date | None = None) -> AllianceCard | None:
    """The small section on the tenant dashboard (None without ``alliance.view``)."""
    if not policy.can(actor, Cap.ALLIANCE_VIEW, tenant):
        return None
    today = today or timezone.localdate()
    counts = Task.objects.filter(tenant=tenant, status__in=OPEN_TASK_STATUSES).aggregate(
        open=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today))
    )
    upcoming = (
        Meeting.objects.filter(tenant=tenant, ends_at__gte=timezone.now())
        .exclude(status=MeetingStatus.CANCELLED)
        .order_by("starts_at")
        .first()
    )
    return AllianceCard(
        next_meeting=upcoming, open_tasks=counts["open"], overdue_tasks=counts["overdue"]
    )


# --- calendar feed -----------------------------------------------------------------------------


def feed_active(tenant: Any) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(tenant=tenant, revoked_at__isnull=True).first()


def feed_meetings(tenant: Any, *, since: dt.datetime) -> QuerySet[Meeting]:
    return (
        Meeting.objects.filter(tenant=tenant, ends_at__gte=since)
        .select_related("group")
        .prefetch_related(
            Prefetch("agenda_items", queryset=AgendaItem.objects.order_by("position"))
        )
        .order_by("starts_at")
    )


def overdue_tasks_for_reminder(today: dt.date) -> QuerySet[Task]:
    """Open overdue tasks of all tenants not yet reminded today (the scheduled command)."""
    return (
        Task.objects.filter(status__in=OPEN_TASK_STATUSES, due_on__lt=today)
        .exclude(reminded_on=today)
        .select_related("tenant", "organisation", "responsible")
        .order_by("tenant_id", "due_on", "pk")
    )

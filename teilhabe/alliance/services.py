"""Every write of the alliance: check the policy, validate, write, audit (one transaction).

Alliance people are contact data of organisation staff, not participants' data; changes to
them are audited all the same.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from teilhabe.accounts import policy
from teilhabe.accounts.roles import Cap
from teilhabe.audit.services import audit_record, changed_fields
from teilhabe.core.errors import ConflictError, DomainError

from . import calendar, links, selectors
from .models import (
    AgendaItem,
    Attendance,
    Attendee,
    CalendarFeed,
    Decision,
    DecisionCounter,
    DecisionStatus,
    Group,
    GroupMembership,
    Meeting,
    MeetingStatus,
    Member,
    MinutesStatus,
    MinutesVersion,
    Organisation,
    Task,
    TaskComment,
    TaskStatus,
)


def _manage(actor: Any, tenant: Any) -> None:
    policy.require(actor, Cap.ALLIANCE_MANAGE, tenant)


def _same_tenant(tenant: Any, *objs: Any) -> None:
    for obj in objs:
        if obj is not None and obj.tenant_id != tenant.pk:
            raise DomainError(_("The selected entry belongs to another tenant."))


# --- organisations and people ------------------------------------------------------------------

ORGANISATION_FIELDS = (
    "name",
    "kind",
    "address",
    "email",
    "phone",
    "is_active",
    "joined_on",
    "note",
)


@transaction.atomic
def organisation_save(
    *, actor: Any, tenant: Any, data: Mapping[str, Any], organisation: Organisation | None = None
) -> Organisation:
    _manage(actor, tenant)
    values = {k: data[k] for k in ORGANISATION_FIELDS if k in data}
    name = " ".join(str(values.get("name", "")).split())
    if not name:
        raise DomainError(_("Please enter the organisation's name."))
    values["name"] = name
    duplicate = Organisation.objects.filter(tenant=tenant, name__iexact=name)
    if organisation is not None:
        duplicate = duplicate.exclude(pk=organisation.pk)
    if duplicate.exists():
        raise DomainError(_("An organisation of this name is already in the alliance."))
    if organisation is None:
        organisation = Organisation.objects.create(tenant=tenant, **values)
        audit_record(actor=actor, action="alliance.organisation.create", obj=organisation)
        return organisation
    changes = changed_fields(organisation, values)
    if changes:
        organisation.save()
        audit_record(
            actor=actor, action="alliance.organisation.update", obj=organisation, changes=changes
        )
    return organisation


MEMBER_FIELDS = ("first_name", "last_name", "function", "is_deputy", "email", "phone", "is_active")


@transaction.atomic
def member_save(
    *,
    actor: Any,
    organisation: Organisation,
    data: Mapping[str, Any],
    member: Member | None = None,
) -> Member:
    tenant = organisation.tenant
    _manage(actor, tenant)
    values = {k: data[k] for k in MEMBER_FIELDS if k in data}
    user = data.get("user")
    if user is not None and not policy.has_role(user, tenant, *_member_roles()):
        raise DomainError(
            _("The account must hold the role “Alliance member” or “Coordinating office” here.")
        )
    values["user"] = user
    if member is None:
        member = Member.objects.create(tenant=tenant, organisation=organisation, **values)
        audit_record(
            actor=actor,
            action="alliance.member.create",
            obj=member,
            details={"organisation": organisation.name},
        )
        return member
    changes = changed_fields(member, values)
    if changes:
        member.save()
        audit_record(actor=actor, action="alliance.member.update", obj=member, changes=changes)
    return member


def _member_roles() -> tuple[Any, ...]:
    from teilhabe.accounts.roles import Role

    return (Role.ALLIANCE_MEMBER, Role.COORDINATION)


# --- bodies ------------------------------------------------------------------------------------

GROUP_FIELDS = (
    "kind",
    "name",
    "topic",
    "mandate",
    "lead_organisation",
    "board_lead",
    "founded_on",
    "is_active",
)


@transaction.atomic
def group_save(
    *, actor: Any, tenant: Any, data: Mapping[str, Any], group: Group | None = None
) -> Group:
    _manage(actor, tenant)
    values = {k: data[k] for k in GROUP_FIELDS if k in data}
    _same_tenant(tenant, values.get("lead_organisation"), values.get("board_lead"))
    if group is None:
        group = Group.objects.create(tenant=tenant, **values)
        audit_record(actor=actor, action="alliance.group.create", obj=group)
        return group
    changes = changed_fields(group, values)
    if changes:
        group.save()
        audit_record(actor=actor, action="alliance.group.update", obj=group, changes=changes)
    return group


@transaction.atomic
def group_member_add(
    *, actor: Any, group: Group, member: Member, role: str, started_on: dt.date
) -> GroupMembership:
    _manage(actor, group.tenant)
    _same_tenant(group.tenant, member)
    if group.memberships.filter(member=member, ended_on__isnull=True).exists():
        raise DomainError(
            _("%(name)s is already a member of this body.") % {"name": member.full_name}
        )
    membership = GroupMembership.objects.create(
        tenant=group.tenant, group=group, member=member, role=role, started_on=started_on
    )
    audit_record(
        actor=actor,
        action="alliance.group.member_add",
        obj=group,
        details={"member": member.full_name, "role": role, "from": started_on},
    )
    return membership


@transaction.atomic
def group_member_end(*, actor: Any, membership: GroupMembership, ended_on: dt.date) -> None:
    _manage(actor, membership.tenant)
    if membership.ended_on is not None:
        raise DomainError(_("This membership has already ended."))
    if ended_on < membership.started_on:
        raise DomainError(_("A membership cannot end before it began."))
    membership.ended_on = ended_on
    membership.save(update_fields=["ended_on", "updated_at"])
    audit_record(
        actor=actor,
        action="alliance.group.member_end",
        obj=membership.group,
        details={"member": str(membership.member), "until": ended_on},
    )


# --- meetings ----------------------------------------------------------------------------------

MEETING_FIELDS = (
    "group",
    "kind",
    "title",
    "starts_at",
    "ends_at",
    "place",
    "video_link",
    "status",
    "target_group_count",
    "participation_results",
)


def _check_meeting(values: Mapping[str, Any]) -> None:
    starts, ends = values.get("starts_at"), values.get("ends_at")
    if starts is None or ends is None:
        raise DomainError(_("Please enter when the meeting starts and ends."))
    if ends <= starts:
        raise DomainError(_("The meeting ends before it starts. Please check the times."))
    if not values.get("place") and not values.get("video_link"):
        raise DomainError(_("Please enter a place or a video link."))


@transaction.atomic
def meeting_schedule(
    *, actor: Any, tenant: Any, data: Mapping[str, Any], invite_group: bool = True
) -> Meeting:
    """Plan a meeting; the current members of its body form the invitation list."""
    _manage(actor, tenant)
    values = {k: data[k] for k in MEETING_FIELDS if k in data}
    values.setdefault("status", MeetingStatus.PLANNED)
    _same_tenant(tenant, values.get("group"))
    _check_meeting(values)
    meeting = Meeting.objects.create(tenant=tenant, created_by=actor, **values)
    added = 0
    if invite_group and meeting.group is not None:
        members = [
            m.member
            for m in meeting.group.memberships.filter(
                ended_on__isnull=True, member__is_active=True
            ).select_related("member")
        ]
        Attendee.objects.bulk_create(
            [Attendee(tenant=tenant, meeting=meeting, member=m) for m in members],
            ignore_conflicts=True,
        )
        added = len(members)
    audit_record(
        actor=actor,
        action="alliance.meeting.schedule",
        obj=meeting,
        details={"starts_at": meeting.starts_at, "invitation_list": added},
    )
    return meeting


@transaction.atomic
def meeting_update(*, actor: Any, meeting: Meeting, data: Mapping[str, Any]) -> Meeting:
    _manage(actor, meeting.tenant)
    values = {k: data[k] for k in MEETING_FIELDS if k in data}
    _same_tenant(meeting.tenant, values.get("group"))
    merged = {f: values.get(f, getattr(meeting, f)) for f in MEETING_FIELDS}
    _check_meeting(merged)
    changes = changed_fields(meeting, values)
    if not changes:
        return meeting
    if meeting.invitations_sent_at and set(changes) & {
        "starts_at",
        "ends_at",
        "place",
        "video_link",
        "status",
        "title",
    }:
        # calendar clients replace the event only when the sequence grows
        meeting.sequence += 1
    meeting.save()
    audit_record(actor=actor, action="alliance.meeting.update", obj=meeting, changes=changes)
    return meeting


@transaction.atomic
def attendees_add(*, actor: Any, meeting: Meeting, members: Iterable[Member]) -> int:
    _manage(actor, meeting.tenant)
    members = list(members)
    _same_tenant(meeting.tenant, *members)
    existing = set(meeting.attendees.values_list("member_id", flat=True))
    new = [m for m in members if m.pk not in existing]
    Attendee.objects.bulk_create(
        [Attendee(tenant_id=meeting.tenant_id, meeting=meeting, member=m) for m in new]
    )
    if new:
        audit_record(
            actor=actor,
            action="alliance.meeting.attendees_add",
            obj=meeting,
            details={"members": [m.full_name for m in new]},
        )
    return len(new)


@transaction.atomic
def attendee_remove(*, actor: Any, attendee: Attendee) -> None:
    _manage(actor, attendee.tenant)
    audit_record(
        actor=actor,
        action="alliance.meeting.attendee_remove",
        obj=attendee.meeting,
        details={"member": str(attendee.member)},
    )
    attendee.delete()


def meeting_invite(
    *, actor: Any, meeting: Meeting, message: str = "", only_new: bool = False
) -> int:
    """Send the invitation with its .ics to everybody on the list (or those not yet invited
    with the current version).  All or nothing: if somebody on the list has no e-mail
    address, nobody is sent anything and nothing is recorded."""
    _manage(actor, meeting.tenant)
    if meeting.status == MeetingStatus.HELD:
        raise DomainError(_("The meeting has already taken place."))
    attendees = list(selectors.meeting_attendees(meeting))
    if only_new:
        attendees = [a for a in attendees if a.invited_sequence != meeting.sequence]
    if not attendees:
        raise DomainError(_("Nobody on the invitation list needs an invitation."))
    missing = [a.member for a in attendees if not a.member.email]
    if missing:
        names = ", ".join(f"{m.full_name} ({m.organisation.name})" for m in missing)
        raise DomainError(
            _(
                "No invitation was sent: these people have no e-mail address: %(names)s. "
                "Please add their addresses or take them off the invitation list."
            )
            % {"names": names}
        )
    organizer = getattr(actor, "email", "") or settings.DEFAULT_FROM_EMAIL
    messages = []
    with override(settings.LANGUAGE_CODE):
        subject = _("Invitation: %(title)s on %(date)s") % {
            "title": meeting.title,
            "date": timezone.localtime(meeting.starts_at).strftime("%d.%m.%Y"),
        }
        if meeting.status == MeetingStatus.CANCELLED:
            subject = _("Cancelled: %(title)s") % {"title": meeting.title}
        agenda = list(meeting.agenda_items.order_by("position"))
        for attendee in attendees:
            body = render_to_string(
                "alliance/email/invitation.txt",
                {
                    "meeting": meeting,
                    "member": attendee.member,
                    "agenda": agenda,
                    "message": message,
                    "sender": actor,
                },
            )
            mail = EmailMultiAlternatives(
                subject=subject,
                body=body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[attendee.member.email],
                reply_to=[organizer],
            )
            mail.attach(
                "einladung.ics",
                calendar.invitation_ics(meeting, attendee, organizer_email=organizer),
                "text/calendar; method=REQUEST; charset=utf-8",
            )
            messages.append(mail)
    with transaction.atomic():
        now = timezone.now()
        Attendee.objects.filter(pk__in=[a.pk for a in attendees]).update(
            invited_at=now, invited_sequence=meeting.sequence
        )
        Meeting.objects.filter(pk=meeting.pk).update(invitations_sent_at=now)
        meeting.invitations_sent_at = now
        audit_record(
            actor=actor,
            action="alliance.meeting.invite",
            obj=meeting,
            details={"recipients": len(attendees), "sequence": meeting.sequence},
        )
        # sent inside the transaction: if the mail server refuses, nothing is recorded
        connection = get_connection()
        connection.send_messages(messages)
    return len(attendees)


@transaction.atomic
def attendance_record(
    *, actor: Any, meeting: Meeting, rows: Mapping[int, tuple[str, Member | None]]
) -> None:
    """``rows``: attendee pk -> (attendance, represented by).  Marks the meeting as held."""
    _manage(actor, meeting.tenant)
    if meeting.status == MeetingStatus.CANCELLED:
        raise DomainError(_("The meeting was cancelled; no attendance can be recorded."))
    if meeting.starts_at > timezone.now() + dt.timedelta(hours=1):
        raise DomainError(_("Attendance can be recorded once the meeting has begun."))
    attendees = {a.pk: a for a in meeting.attendees.select_related("member")}
    changes: dict[str, list[Any]] = {}
    for pk, (attendance, rep) in rows.items():
        attendee = attendees.get(pk)
        if attendee is None:
            continue
        if attendance == Attendance.REPRESENTED and rep is None:
            raise DomainError(
                _("Please choose who represented %(name)s.") % {"name": attendee.member.full_name}
            )
        if attendance != Attendance.REPRESENTED:
            rep = None
        if rep is not None:
            _same_tenant(meeting.tenant, rep)
        if attendee.attendance != attendance or attendee.represented_by_id != (
            rep.pk if rep else None
        ):
            changes[attendee.member.full_name] = [attendee.attendance, attendance]
            attendee.attendance = attendance
            attendee.represented_by = rep
            attendee.save(update_fields=["attendance", "represented_by", "updated_at"])
    if meeting.status == MeetingStatus.PLANNED:
        meeting.status = MeetingStatus.HELD
        meeting.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="alliance.meeting.attendance", obj=meeting, changes=changes)


# --- agenda and minutes ------------------------------------------------------------------------


def _ensure_minutes_open(meeting: Meeting) -> None:
    if meeting.minutes_status == MinutesStatus.APPROVED:
        raise DomainError(
            _(
                "The minutes were approved and can no longer be changed. To correct them, "
                "open an amendment: it becomes a new version, the approved one is kept."
            )
        )


AGENDA_FIELDS = ("topic", "presenter")


@transaction.atomic
def agenda_item_add(*, actor: Any, meeting: Meeting, data: Mapping[str, Any]) -> AgendaItem:
    _manage(actor, meeting.tenant)
    _ensure_minutes_open(meeting)
    values = {k: data[k] for k in AGENDA_FIELDS if k in data}
    _extra_links(meeting.tenant, data, values)
    _same_tenant(meeting.tenant, values.get("presenter"))
    last = meeting.agenda_items.order_by("-position").values_list("position", flat=True).first()
    item = AgendaItem.objects.create(
        tenant_id=meeting.tenant_id, meeting=meeting, position=(last or 0) + 1, **values
    )
    audit_record(
        actor=actor,
        action="alliance.agenda.add",
        obj=meeting,
        details={"item": item.position, "topic": item.topic},
    )
    return item


@transaction.atomic
def agenda_item_update(*, actor: Any, item: AgendaItem, data: Mapping[str, Any]) -> AgendaItem:
    _manage(actor, item.tenant)
    _ensure_minutes_open(item.meeting)
    values = {k: data[k] for k in AGENDA_FIELDS if k in data}
    _extra_links(item.tenant, data, values)
    _same_tenant(item.tenant, values.get("presenter"))
    changes = changed_fields(item, values)
    if changes:
        item.save()
        audit_record(
            actor=actor,
            action="alliance.agenda.update",
            obj=item.meeting,
            changes=changes,
            details={"item": item.position},
        )
    return item


@transaction.atomic
def minutes_save(
    *,
    actor: Any,
    meeting: Meeting,
    notes: str,
    items: Mapping[int, str],
    revision: int,
) -> Meeting:
    """Save the draft minutes (general notes and the text per agenda item).  Refused after
    approval; a stale ``revision`` (somebody else saved meanwhile) is a conflict."""
    _manage(actor, meeting.tenant)
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _ensure_minutes_open(locked)
    if locked.minutes_revision != revision:
        raise ConflictError(
            _(
                "Somebody else saved the minutes in the meantime. Your text is still in the "
                "form; please compare it with the current minutes and save again."
            )
        )
    changes: dict[str, list[Any]] = {}
    if locked.minutes_notes != notes:
        changes["notes"] = ["…", "…"]
        locked.minutes_notes = notes
    for item in locked.agenda_items.all():
        if item.pk in items and items[item.pk] != item.minutes:
            item.minutes = items[item.pk]
            item.save(update_fields=["minutes", "updated_at"])
            changes[f"TOP {item.position}"] = ["…", "…"]
    locked.minutes_revision = F("minutes_revision") + 1
    locked.save(update_fields=["minutes_notes", "minutes_revision", "updated_at"])
    locked.refresh_from_db()
    if changes:
        audit_record(
            actor=actor,
            action="alliance.minutes.save",
            obj=locked,
            details={"parts": sorted(changes), "version": locked.minutes_version},
        )
    return locked


def minutes_content(meeting: Meeting) -> dict[str, Any]:
    """The minutes as plain data (the frozen form of an approved version)."""
    attendees = selectors.meeting_attendees(meeting)
    return {
        "title": meeting.title,
        "starts_at": meeting.starts_at.isoformat(),
        "ends_at": meeting.ends_at.isoformat(),
        "place": meeting.place or meeting.video_link,
        "notes": meeting.minutes_notes,
        "attendance": [
            {
                "name": a.member.full_name,
                "organisation": a.member.organisation.name,
                "attendance": a.attendance,
                "represented_by": a.represented_by.full_name if a.represented_by else "",
            }
            for a in attendees
        ],
        "items": [
            {"position": i.position, "topic": i.topic, "minutes": i.minutes}
            for i in meeting.agenda_items.order_by("position")
        ],
        "decisions": [
            {"reference": d.reference, "title": d.title, "text": d.text}
            for d in meeting.decisions.order_by("number")
        ],
    }


@transaction.atomic
def minutes_approve(*, actor: Any, meeting: Meeting, approved_in: Meeting | None) -> MinutesVersion:
    """Approve the minutes (usually at the next meeting); the version is frozen."""
    _manage(actor, meeting.tenant)
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _ensure_minutes_open(locked)
    if locked.status != MeetingStatus.HELD:
        raise DomainError(_("Only the minutes of a meeting that took place can be approved."))
    if approved_in is not None:
        _same_tenant(locked.tenant, approved_in)
        if approved_in.starts_at <= locked.starts_at:
            raise DomainError(_("The minutes are approved in a later meeting."))
    version = MinutesVersion.objects.create(
        tenant_id=locked.tenant_id,
        meeting=locked,
        number=locked.minutes_version,
        content=minutes_content(locked),
        approved_at=timezone.now(),
        approved_by=actor,
        approved_in=approved_in,
    )
    locked.minutes_status = MinutesStatus.APPROVED
    locked.save(update_fields=["minutes_status", "updated_at"])
    audit_record(
        actor=actor,
        action="alliance.minutes.approve",
        obj=locked,
        details={
            "version": version.number,
            "approved_in": str(approved_in) if approved_in else "",
        },
    )
    meeting.refresh_from_db()
    return version


@transaction.atomic
def minutes_amend(*, actor: Any, meeting: Meeting, reason: str) -> Meeting:
    """Open a new draft version of approved minutes; the approved version stays as it is."""
    _manage(actor, meeting.tenant)
    reason = reason.strip()
    if not reason:
        raise DomainError(_("Please give the reason for the amendment."))
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if locked.minutes_status != MinutesStatus.APPROVED:
        raise DomainError(_("The minutes are still a draft; they can be edited directly."))
    MinutesVersion.objects.filter(meeting=locked, number=locked.minutes_version).update(
        amendment_reason=reason
    )
    locked.minutes_status = MinutesStatus.DRAFT
    locked.minutes_version += 1
    locked.save(update_fields=["minutes_status", "minutes_version", "updated_at"])
    audit_record(
        actor=actor,
        action="alliance.minutes.amend",
        obj=locked,
        details={"version": locked.minutes_version, "reason": reason},
    )
    meeting.refresh_from_db()
    return locked


# --- decisions ---------------------------------------------------------------------------------


def decision_number_next(tenant: Any, year: int) -> int:
    """Draw the next number of the tenant and year without gaps: the counter row is locked
    (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite serialises writing transactions) until the
    surrounding transaction ends, so a rolled-back decision gives its number back."""
    assert transaction.get_connection().in_atomic_block, "call inside a transaction"
    counter = DecisionCounter.objects.select_for_update().filter(tenant=tenant, year=year).first()
    if counter is None:
        try:
            with transaction.atomic():
                DecisionCounter.objects.create(tenant=tenant, year=year, last=0)
        except IntegrityError:
            pass  # created by a concurrent transaction meanwhile
        counter = DecisionCounter.objects.select_for_update().get(tenant=tenant, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


DECISION_FIELDS = ("title", "text", "decided_on", "agenda_item")


@transaction.atomic
def decision_record(*, actor: Any, tenant: Any, data: Mapping[str, Any]) -> Decision:
    _manage(actor, tenant)
    values = {k: data[k] for k in DECISION_FIELDS if k in data}
    _extra_links(tenant, data, values)
    item = values.get("agenda_item")
    _same_tenant(tenant, item)
    if item is not None and item.meeting.minutes_approved:
        raise DomainError(
            _(
                "The minutes of this meeting are approved, so no decision can be added to "
                "its agenda items. Open an amendment of the minutes first."
            )
        )
    if not str(values.get("title", "")).strip() or not str(values.get("text", "")).strip():
        raise DomainError(_("Please enter the title and the wording of the decision."))
    decided_on: dt.date = values["decided_on"]
    year = decided_on.year
    number = decision_number_next(tenant, year)
    decision = Decision.objects.create(
        tenant=tenant,
        year=year,
        number=number,
        meeting=item.meeting if item is not None else None,
        created_by=actor,
        **values,
    )
    audit_record(
        actor=actor,
        action="alliance.decision.record",
        obj=decision,
        details={"reference": decision.reference},
    )
    return decision


@transaction.atomic
def decision_set_status(*, actor: Any, decision: Decision, status: str, note: str) -> Decision:
    _manage(actor, decision.tenant)
    if status not in DecisionStatus.values:
        raise DomainError(_("Unknown status."))
    changes = changed_fields(decision, {"status": status, "status_note": note})
    if changes:
        decision.save()
        audit_record(actor=actor, action="alliance.decision.status", obj=decision, changes=changes)
    return decision


# --- tasks -------------------------------------------------------------------------------------

TASK_FIELDS = (
    "title",
    "description",
    "decision",
    "agenda_item",
    "organisation",
    "responsible",
    "due_on",
)


def _extra_links(tenant: Any, data: Mapping[str, Any], values: dict[str, Any]) -> None:
    """The optional links to the gap analysis (gap, planned measure): same tenant only."""
    for name in links.LINK_FIELDS:
        if name in data:
            values[name] = data[name]
            _same_tenant(tenant, data[name])


@transaction.atomic
def task_create(
    *, actor: Any, tenant: Any, data: Mapping[str, Any], today: dt.date | None = None
) -> Task:
    _manage(actor, tenant)
    today = today or timezone.localdate()
    values = {k: data[k] for k in TASK_FIELDS if k in data}
    _extra_links(tenant, data, values)
    if not str(values.get("title", "")).strip():
        raise DomainError(_("Please describe the task."))
    org = values.get("organisation")
    if org is None:
        raise DomainError(_("Please choose the responsible organisation."))
    _same_tenant(tenant, org, values.get("responsible"), values.get("decision"))
    _same_tenant(tenant, values.get("agenda_item"))
    person = values.get("responsible")
    if person is not None and person.organisation_id != org.pk:
        raise DomainError(_("The responsible person does not belong to the chosen organisation."))
    due = values.get("due_on")
    if due is None:
        raise DomainError(_("Please enter the due date."))
    if due < today:
        raise DomainError(
            _("The due date %(date)s is in the past. Please choose today or a later date.")
            % {"date": due.strftime("%d.%m.%Y")}
        )
    decision = values.get("decision")
    item = values.get("agenda_item")
    if item is None and decision is not None and decision.agenda_item_id:
        values["agenda_item"] = decision.agenda_item
    task = Task.objects.create(tenant=tenant, created_by=actor, **values)
    audit_record(
        actor=actor,
        action="alliance.task.create",
        obj=task,
        details={"organisation": org.name, "due_on": due},
    )
    return task


@transaction.atomic
def task_update(
    *,
    actor: Any,
    task: Task,
    status: str,
    comment: str = "",
    due_on: dt.date | None = None,
    today: dt.date | None = None,
) -> Task:
    """Change the status (and, for the coordination, the due date) and add a comment.
    Alliance members may do so for their own organisation's tasks."""
    policy.require(actor, Cap.ALLIANCE_TASK_UPDATE, task)
    today = today or timezone.localdate()
    if status not in TaskStatus.values:
        raise DomainError(_("Unknown status."))
    values: dict[str, Any] = {"status": status}
    if due_on is not None and due_on != task.due_on:
        if not policy.can(actor, Cap.ALLIANCE_MANAGE, task.tenant):
            raise DomainError(_("Only the coordinating office changes due dates."))
        if due_on < today:
            raise DomainError(_("The new due date is in the past."))
        values["due_on"] = due_on
    if status == TaskStatus.DONE and task.status != TaskStatus.DONE:
        values["completed_on"] = today
    elif status != TaskStatus.DONE:
        values["completed_on"] = None
    changes = changed_fields(task, values)
    comment = comment.strip()
    if not changes and not comment:
        raise DomainError(_("Nothing was changed: please change the status or write a comment."))
    if changes:
        task.save()
    if comment:
        TaskComment.objects.create(tenant_id=task.tenant_id, task=task, author=actor, text=comment)
    audit_record(
        actor=actor,
        action="alliance.task.update",
        obj=task,
        changes=changes,
        details={"comment": bool(comment)},
    )
    return task


@dataclass(frozen=True)
class ReminderRun:
    sent: int  # e-mails
    unreachable: list[Task]  # overdue tasks without any address to remind


def task_reminders_send(*, today: dt.date | None = None) -> ReminderRun:
    """One e-mail per recipient with their overdue open tasks; every task at most once a
    day (``reminded_on``), so the command can run as often as the timer likes.  Recipient:
    the responsible person, else the organisation's address.  Tasks with neither address are
    returned, so that the command can name them."""
    today = today or timezone.localdate()
    by_address: dict[str, list[Task]] = defaultdict(list)
    unreachable: list[Task] = []
    for task in selectors.overdue_tasks_for_reminder(today):
        address = (task.responsible.email if task.responsible else "") or task.organisation.email
        if address:
            by_address[address.lower()].append(task)
        else:
            unreachable.append(task)
    sent = 0
    connection = get_connection()
    for address, tasks in sorted(by_address.items()):
        with override(settings.LANGUAGE_CODE):
            body = render_to_string("alliance/email/reminder.txt", {"tasks": tasks, "today": today})
            subject = _("Overdue alliance tasks (%(count)s)") % {"count": len(tasks)}
        with transaction.atomic():
            updated = (
                Task.objects.filter(pk__in=[t.pk for t in tasks])
                .exclude(reminded_on=today)
                .update(reminded_on=today)
            )
            if not updated:
                continue  # another run was quicker
            for task in tasks:
                audit_record(
                    actor=None,
                    actor_label="send_task_reminders",
                    action="alliance.task.remind",
                    obj=task,
                    details={"recipient": address},
                )
            connection.send_messages(
                [
                    EmailMultiAlternatives(
                        subject=subject,
                        body=body,
                        from_email=settings.DEFAULT_FROM_EMAIL,
                        to=[address],
                    )
                ]
            )
        sent += 1
    return ReminderRun(sent=sent, unreachable=unreachable)


# --- calendar feed -----------------------------------------------------------------------------


def feed_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def feed_create(*, actor: Any, tenant: Any) -> str:
    """A new secret feed address (the previous one stops working).  Returns the token; only
    its hash is stored, so the address is shown once."""
    _manage(actor, tenant)
    now = timezone.now()
    CalendarFeed.objects.filter(tenant=tenant, revoked_at__isnull=True).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.create(
        tenant=tenant, token_hash=feed_token_hash(token), created_by=actor
    )
    audit_record(actor=actor, action="alliance.feed.create", obj=feed, tenant=tenant)
    return token


@transaction.atomic
def feed_revoke(*, actor: Any, tenant: Any) -> bool:
    _manage(actor, tenant)
    count = CalendarFeed.objects.filter(tenant=tenant, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if count:
        audit_record(actor=actor, action="alliance.feed.revoke", tenant=tenant)
    return bool(count)


def feed_lookup(tenant_public_id: Any, token: str) -> CalendarFeed | None:
    """The active feed with this token for the tenant, or None (no distinction why)."""
    if not token or len(token) > 100:
        return None
    feed = (
        CalendarFeed.objects.filter(
            token_hash=feed_token_hash(token),
            revoked_at__isnull=True,
            tenant__public_id=tenant_public_id,
            tenant__is_active=True,
        )
        .select_related("tenant")
        .first()
    )
    if feed is not None:
        today = timezone.now()
        if feed.last_used_at is None or today - feed.last_used_at > dt.timedelta(hours=1):
            CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=today)
    return feed

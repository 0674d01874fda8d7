"""Objects of the alliance for tests (unit, access matrix, e2e)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from teilhabe.alliance.models import (
    AgendaItem,
    Attendee,
    Decision,
    DecisionCounter,
    Group,
    GroupKind,
    GroupMembership,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Member,
    Organisation,
    OrganisationKind,
    Task,
)


@dataclass
class Alliance:
    ki: Organisation
    jobcenter: Organisation
    abh: Organisation
    lead: Member
    jc_rep: Member
    abh_rep: Member
    core: Group
    past: Meeting
    upcoming: Meeting
    item: AgendaItem
    decision: Decision
    jc_task: Task
    abh_task: Task


def make_alliance(tenant: Any, *, member_user: Any = None, coordinator: Any = None) -> Alliance:
    """A small alliance: three organisations, a core group, a held and a planned meeting,
    one decision and a task each for the Jobcenter (the alliance member's organisation when
    ``member_user`` is given) and the Ausländerbehörde."""
    today = timezone.localdate()
    ki = Organisation.objects.create(
        tenant=tenant, name="KI Testkreis", kind=OrganisationKind.MUNICIPALITY
    )
    jc = Organisation.objects.create(
        tenant=tenant, name="Jobcenter Testkreis", kind=OrganisationKind.JOBCENTER
    )
    abh = Organisation.objects.create(
        tenant=tenant, name="Ausländerbehörde Testkreis", kind=OrganisationKind.IMMIGRATION_OFFICE
    )
    lead = Member.objects.create(
        tenant=tenant,
        organisation=ki,
        first_name="Sabine",
        last_name="Kortmann",
        email="kortmann@example.org",
        user=coordinator,
    )
    jc_rep = Member.objects.create(
        tenant=tenant,
        organisation=jc,
        first_name="Thomas",
        last_name="Brüggemann",
        email="brueggemann@example.org",
        user=member_user,
    )
    abh_rep = Member.objects.create(
        tenant=tenant,
        organisation=abh,
        first_name="Michael",
        last_name="Wiesner",
        email="wiesner@example.org",
    )
    core = Group.objects.create(
        tenant=tenant,
        kind=GroupKind.CORE_GROUP,
        name="Bündniskerngruppe",
        lead_organisation=ki,
    )
    for m in (lead, jc_rep, abh_rep):
        GroupMembership.objects.create(
            tenant=tenant, group=core, member=m, started_on=today - dt.timedelta(days=100)
        )
    start = timezone.now().replace(microsecond=0) - dt.timedelta(days=20)
    past = Meeting.objects.create(
        tenant=tenant,
        group=core,
        kind=MeetingKind.CORE_GROUP,
        title="Kerngruppe Frühjahr",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        place="Kreishaus",
        status=MeetingStatus.HELD,
    )
    upcoming = Meeting.objects.create(
        tenant=tenant,
        group=core,
        kind=MeetingKind.CORE_GROUP,
        title="Kerngruppe Sommer",
        starts_at=start + dt.timedelta(days=40),
        ends_at=start + dt.timedelta(days=40, hours=2),
        place="Kreishaus",
    )
    for meeting in (past, upcoming):
        for m in (lead, jc_rep, abh_rep):
            Attendee.objects.create(tenant=tenant, meeting=meeting, member=m)
    item = AgendaItem.objects.create(
        tenant=tenant, meeting=past, position=1, topic="Lücken der Angebotsanalyse"
    )
    decision = Decision.objects.create(
        tenant=tenant,
        year=start.year,
        number=1,
        title="Sprachkurs beantragen",
        text="Die GS beantragt einen Sprachkurs.",
        decided_on=start.date(),
        meeting=past,
        agenda_item=item,
    )
    DecisionCounter.objects.create(tenant=tenant, year=start.year, last=1)
    jc_task = Task.objects.create(
        tenant=tenant,
        title="Fallzahlen liefern",
        decision=decision,
        organisation=jc,
        responsible=jc_rep,
        due_on=today - dt.timedelta(days=3),
    )
    abh_task = Task.objects.create(
        tenant=tenant,
        title="Flyer abstimmen",
        organisation=abh,
        responsible=abh_rep,
        due_on=today + dt.timedelta(days=10),
    )
    return Alliance(
        ki=ki,
        jobcenter=jc,
        abh=abh,
        lead=lead,
        jc_rep=jc_rep,
        abh_rep=abh_rep,
        core=core,
        past=past,
        upcoming=upcoming,
        item=item,
        decision=decision,
        jc_task=jc_task,
        abh_task=abh_task,
    )


def make_gap(tenant: Any, title: str = "Sprachkurs mit Kinderbetreuung fehlt") -> Any:
    from teilhabe.needs.models import Gap
    from teilhabe.offers.models import Category

    return Gap.objects.create(
        tenant=tenant,
        reference_date=timezone.localdate(),
        category=Category.objects.order_by("pk").first(),
        title=title,
    )


def make_measure(tenant: Any, gap: Any = None) -> Any:
    from teilhabe.needs.models import PlannedMeasure

    return PlannedMeasure.objects.create(
        tenant=tenant,
        gap=gap,
        title="Sprachkurs mit Kinderbetreuung",
        target_group="junge Eltern",
        responsible_organisation="VHS",
    )

"""The local alliance of the demo Kreis (``seed_alliance(seeder, tenant)``).

About fifteen member organisations with representatives and deputies, the plenary, the core
group (led by the Kommunales Integrationszentrum as Geschäftsführende Stelle and a named member
of the Verwaltungsvorstand) and two working groups, a year of meetings with attendance,
minutes (approved at the following meeting), numbered decisions and tasks (some done, some
open, some overdue), two participation formats with young people, and two meetings ahead.

The demo account ``koordination`` represents the KI; ``buendnis`` represents the Jobcenter,
so that the alliance member sees tasks of their own organisation.  Decisions and tasks link
to gaps and planned measures of the gap analysis where the tenant has any.

Deterministic for the seeder's ``rng`` and ``today``; written directly (no services, no
audit events, like the other seeds).  Idempotent: a tenant with organisations keeps them.
Only the demo Kreis gets an alliance; the NRW-scale seed stays cheap.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from teilhabe.accounts.models import Tenant, User
from teilhabe.alliance.models import (
    AgendaItem,
    Attendance,
    Attendee,
    Decision,
    DecisionCounter,
    DecisionStatus,
    Group,
    GroupKind,
    GroupMembership,
    GroupRole,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Member,
    MinutesStatus,
    MinutesVersion,
    Organisation,
    OrganisationKind,
    Task,
    TaskComment,
    TaskStatus,
)

K = OrganisationKind
TZ = ZoneInfo("Europe/Berlin")

# name, kind, representative (first, last, function), deputy or None; (no e-mail for deputies
# marked with "!": the invitation form then shows how a missing address is handled)
ORGANISATIONS: list[tuple[str, str, tuple[str, str, str], tuple[str, str, str] | None]] = [
    (
        "Kommunales Integrationszentrum Kreis Gütersloh",
        K.MUNICIPALITY,
        ("Sabine", "Kortmann", "Leitung KI, Geschäftsführende Stelle"),
        ("Jonas", "Petersen", "Koordination Gemeinsam klappt's"),
    ),
    (
        "Kreis Gütersloh – Verwaltungsvorstand",
        K.MUNICIPALITY,
        ("Dr. Martina", "Hellweg", "Kreisdirektorin, Dezernat Soziales und Integration"),
        None,
    ),
    (
        "Jobcenter Kreis Gütersloh",
        K.JOBCENTER,
        ("Thomas", "Brüggemann", "Bereichsleitung U25"),
        ("Aylin", "Demir", "Teamleitung Markt und Integration"),
    ),
    (
        "Agentur für Arbeit Bielefeld, Geschäftsstelle Gütersloh",
        K.EMPLOYMENT_AGENCY,
        ("Katrin", "Schulte", "Teamleitung Berufsberatung"),
        None,
    ),
    (
        "Ausländerbehörde Kreis Gütersloh",
        K.IMMIGRATION_OFFICE,
        ("Michael", "Wiesner", "Abteilungsleitung"),
        ("Elena", "Friesen", "Sachgebiet Aufenthalt!"),
    ),
    ("Jugendamt Kreis Gütersloh", K.YOUTH_OFFICE, ("Petra", "Lohmann", "Jugendhilfeplanung"), None),
    ("Sozialamt Kreis Gütersloh", K.SOCIAL_OFFICE, ("Frank", "Höner", "Leitung AsylbLG"), None),
    (
        "Schulamt für den Kreis Gütersloh",
        K.SCHOOL_AUTHORITY,
        ("Ursula", "Brinkmann", "Schulaufsicht Berufskollegs"),
        None,
    ),
    (
        "Flüchtlingsberatung Diakonie Gütersloh",
        K.REFUGEE_COUNSELLING,
        ("Samir", "Haddad", "Fachbereichsleitung Migration"),
        ("Lea", "Stratmann", "Beratung"),
    ),
    (
        "Jugendmigrationsdienst Caritas Gütersloh",
        K.YOUTH_MIGRATION_SERVICE,
        ("Nadia", "Rahimi", "JMD-Beratung"),
        None,
    ),
    (
        "Carl-Miele-Berufskolleg",
        K.VOCATIONAL_COLLEGE,
        ("Ralf", "Kemper", "Abteilungsleitung IFK"),
        None,
    ),
    (
        "VHS Gütersloh",
        K.ADULT_EDUCATION,
        ("Claudia", "Meyer zu Hartum", "Fachbereich Deutsch"),
        None,
    ),
    (
        "IHK Ostwestfalen zu Bielefeld",
        K.CHAMBER,
        ("Dirk", "Pahmeyer", "Ausbildungsberatung Zuwanderung"),
        None,
    ),
    (
        "Flüchtlingsrat Kreis Gütersloh e. V.",
        K.REFUGEE_COUNCIL,
        ("Gisela", "Wortmann", "Vorstand"),
        None,
    ),
    (
        "Migrantenselbstorganisation Brücke e. V.",
        K.MIGRANT_ORGANISATION,
        ("Mohammad", "Karimi", "Vorsitzender"),
        None,
    ),
]

CORE_KINDS = {
    K.MUNICIPALITY,
    K.JOBCENTER,
    K.EMPLOYMENT_AGENCY,
    K.IMMIGRATION_OFFICE,
    K.YOUTH_OFFICE,
    K.SOCIAL_OFFICE,
    K.SCHOOL_AUTHORITY,
    K.REFUGEE_COUNSELLING,
}

CORE_TOPICS = [
    "Bericht der Geschäftsführenden Stelle",
    "Datenlage: Zielgruppe zum Stichtag",
    "Bedarfs- und Angebotsanalyse: Lücken",
    "Berichte aus den Arbeitsgruppen",
    "Verschiedenes",
]
DECISIONS = [
    (
        "Arbeitsgruppe Übergang Schule–Beruf einrichten",
        "Die Kerngruppe richtet eine Unterarbeitsgruppe „Übergang Schule–Beruf“ ein. "
        "Federführung: Schulamt; Mitglieder: Berufskolleg, JMD, Agentur für Arbeit, Jobcenter.",
    ),
    (
        "Sprachkurs mit Kinderbetreuung beantragen",
        "Die Geschäftsführende Stelle beantragt für 2026 einen berufsbezogenen Sprachkurs mit "
        "Kinderbetreuung (Förderbaustein F2) in Rheda-Wiedenbrück.",
    ),
    (
        "Beteiligungsformat mit jungen Geflüchteten",
        "Zweimal im Jahr findet ein Beteiligungsformat mit jungen Geflüchteten statt; die "
        "Ergebnisse werden in der Kerngruppe beraten.",
    ),
    (
        "Gemeinsamer Infoflyer zu Ausbildungsduldung",
        "Ausländerbehörde und Flüchtlingsberatung erarbeiten einen Infoflyer zu §60c AufenthG "
        "in einfacher Sprache.",
    ),
    (
        "Datenabgleich zum Stichtag 30.06.",
        "Jobcenter, Sozialamt und Ausländerbehörde liefern zum Stichtag 30.06. "
        "Fallzahlen nach Status und Alter an die Geschäftsführende Stelle.",
    ),
    (
        "Lotsenprojekt Ehrenamt ausweiten",
        "Das Lotsenprojekt wird auf Verl und Harsewinkel ausgeweitet.",
    ),
]
TASKS = [
    "Mandat der Arbeitsgruppe entwerfen",
    "Kostenplan für den Sprachkurs erstellen",
    "Termin und Ort für das Beteiligungsformat klären",
    "Flyerentwurf abstimmen",
    "Fallzahlen zum Stichtag liefern",
    "Ehrenamtliche in Verl ansprechen",
    "Träger für Kinderbetreuung anfragen",
    "Ergebnisse der Befragung auswerten",
]


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


def _email(first: str, last: str, org: str) -> str:
    clean = (
        f"{first.split()[-1]}.{last}".lower()
        .replace("ü", "ue")
        .replace("ö", "oe")
        .replace("ä", "ae")
        .replace("ß", "ss")
        .replace(" ", "-")
    )
    return f"{clean}@buendnis.demo.teilhabe.invalid"


def seed_alliance(s: Any, tenant: Tenant, *, today: dt.date | None = None) -> None:
    if Organisation.objects.filter(tenant=tenant).exists():
        return
    today = today or timezone.localdate()
    rng = s.rng
    year_ago = today - dt.timedelta(days=350)

    orgs: dict[str, Organisation] = {}
    reps: dict[str, Member] = {}
    deputies: dict[str, Member] = {}
    for i, (name, kind, rep_spec, dep_spec) in enumerate(ORGANISATIONS):
        org = Organisation.objects.create(
            tenant=tenant,
            name=name,
            kind=kind,
            address=f"{['Herzebrocker Str.', 'Kirchstraße', 'Moltkestraße'][i % 3]} {i + 3}, "
            "33330 Gütersloh",
            email=f"kontakt{i + 1}@buendnis.demo.teilhabe.invalid",
            phone=f"05241 85-{1000 + i * 7}",
            joined_on=year_ago,
        )
        orgs[kind if kind != K.MUNICIPALITY else name] = org
        first, last, function = rep_spec
        reps[name] = Member.objects.create(
            tenant=tenant,
            organisation=org,
            first_name=first,
            last_name=last,
            function=function,
            email=_email(first, last, name),
            phone=org.phone,
        )
        if dep_spec is not None:
            first, last, function = dep_spec
            no_mail = function.endswith("!")
            deputies[name] = Member.objects.create(
                tenant=tenant,
                organisation=org,
                first_name=first,
                last_name=last,
                function=function.rstrip("!"),
                is_deputy=True,
                email="" if no_mail else _email(first, last, name),
            )
    ki = orgs[ORGANISATIONS[0][0]]
    ki_lead = reps[ki.name]
    board = reps[ORGANISATIONS[1][0]]
    jobcenter = orgs[K.JOBCENTER]
    for username, member in (("koordination", ki_lead), ("buendnis", reps[jobcenter.name])):
        user = User.objects.filter(username=username).first()
        if user is not None:
            member.user = user
            member.save(update_fields=["user"])

    founded = year_ago
    plenary = Group.objects.create(
        tenant=tenant,
        kind=GroupKind.ALLIANCE,
        name="Lokales Bündnis Gemeinsam klappt's",
        topic="Integrationschancen junger volljähriger Geflüchteter",
        mandate="Rechtskreisübergreifende Zusammenarbeit aller Partner im Kreis.",
        lead_organisation=ki,
        board_lead=board,
        founded_on=founded,
    )
    core = Group.objects.create(
        tenant=tenant,
        kind=GroupKind.CORE_GROUP,
        name="Bündniskerngruppe",
        topic="Steuerung: Arbeitsschritte, Unterarbeitsgruppen, Rückfluss der Informationen",
        mandate="Entscheidet über Arbeitsschritte im Kreis, über Unterarbeitsgruppen und ihre "
        "Mitglieder und darüber, wie Informationen in den Gesamtprozess zurückfließen.",
        lead_organisation=ki,
        board_lead=board,
        founded_on=founded,
    )
    ag_school = Group.objects.create(
        tenant=tenant,
        kind=GroupKind.WORKING_GROUP,
        name="AG Übergang Schule–Beruf",
        topic="Übergänge aus Berufskolleg und Sprachkurs in Ausbildung",
        mandate="Erarbeitet bis Jahresende Vorschläge für Angebote ohne Zugangshürden.",
        lead_organisation=orgs[K.SCHOOL_AUTHORITY],
        founded_on=founded + dt.timedelta(days=70),
    )
    ag_law = Group.objects.create(
        tenant=tenant,
        kind=GroupKind.WORKING_GROUP,
        name="AG Aufenthaltsrecht und Arbeitsmarktzugang",
        topic="Beschäftigungserlaubnis, Ausbildungsduldung, §25a AufenthG",
        mandate="Klärt Verfahren zwischen Ausländerbehörde, Beratung und Jobcenter.",
        lead_organisation=orgs[K.IMMIGRATION_OFFICE],
        founded_on=founded + dt.timedelta(days=70),
    )
    memberships = []
    for name, rep in reps.items():
        memberships.append((plenary, rep, GroupRole.MEMBER, founded))
        if rep.organisation.kind in CORE_KINDS:
            role = GroupRole.CHAIR if rep is ki_lead else GroupRole.MEMBER
            memberships.append((core, rep, role, founded))
        if name in deputies and rep.organisation.kind in CORE_KINDS:
            memberships.append((core, deputies[name], GroupRole.DEPUTY, founded))
    school_kinds = {K.SCHOOL_AUTHORITY, K.VOCATIONAL_COLLEGE, K.YOUTH_MIGRATION_SERVICE}
    school_kinds |= {K.EMPLOYMENT_AGENCY, K.JOBCENTER, K.ADULT_EDUCATION, K.CHAMBER}
    law_kinds = {K.IMMIGRATION_OFFICE, K.REFUGEE_COUNSELLING, K.JOBCENTER, K.REFUGEE_COUNCIL}
    for rep in reps.values():
        if rep.organisation.kind in school_kinds:
            memberships.append((ag_school, rep, GroupRole.MEMBER, founded + dt.timedelta(days=70)))
        if rep.organisation.kind in law_kinds:
            memberships.append((ag_law, rep, GroupRole.MEMBER, founded + dt.timedelta(days=70)))
    GroupMembership.objects.bulk_create(
        [
            GroupMembership(tenant=tenant, group=g, member=m, role=r, started_on=d)
            for g, m, r, d in memberships
        ]
    )
    # history: the Jobcenter's first representative left the core group after half a year
    former = Member.objects.create(
        tenant=tenant,
        organisation=jobcenter,
        first_name="Heinz",
        last_name="Overbeck",
        function="Bereichsleitung U25 (bis zum Ruhestand)",
        is_active=False,
    )
    GroupMembership.objects.create(
        tenant=tenant,
        group=core,
        member=former,
        started_on=founded,
        ended_on=founded + dt.timedelta(days=150),
    )

    gaps, measures = _gap_links(tenant)
    coordinator = User.objects.filter(username="koordination").first()
    members_of = {
        g.pk: [
            m.member for m in g.memberships.filter(ended_on__isnull=True).select_related("member")
        ]
        for g in (plenary, core, ag_school, ag_law)
    }

    # the year: starter workshop, core group every two months, working groups quarterly,
    # two participation formats; two meetings ahead
    plan: list[tuple[int, str, Group | None, str]] = [
        (-345, MeetingKind.STARTER, plenary, "Starter-Workshop Lokales Bündnis"),
    ]
    for offset in (-290, -230, -170, -110, -50):
        plan.append((offset, MeetingKind.CORE_GROUP, core, "Sitzung der Bündniskerngruppe"))
    for offset in (-250, -160, -70):
        plan.append((offset, MeetingKind.WORKING_GROUP, ag_school, "Sitzung AG Übergang"))
    for offset in (-240, -130, -40):
        plan.append((offset, MeetingKind.WORKING_GROUP, ag_law, "Sitzung AG Aufenthaltsrecht"))
    plan.append((-200, MeetingKind.PARTICIPATION, None, "Jugendforum: Was brauchst du?"))
    plan.append((-20, MeetingKind.PARTICIPATION, None, "Jugendforum: Ausbildung und Wohnen"))
    plan.append((14, MeetingKind.CORE_GROUP, core, "Sitzung der Bündniskerngruppe"))
    plan.append((35, MeetingKind.WORKING_GROUP, ag_school, "Sitzung AG Übergang"))
    plan.sort(key=lambda p: p[0])

    decision_no = 0
    task_no = 0
    last_held: dict[Any, Meeting] = {}
    by_year: dict[int, int] = {}
    now = timezone.now()
    for offset, kind, group, title in plan:
        day = today + dt.timedelta(days=offset)
        while day.weekday() >= 5:
            day += dt.timedelta(days=1)
        held = offset < 0
        starts = _at(day, 14 if kind != MeetingKind.PARTICIPATION else 16)
        meeting = Meeting.objects.create(
            tenant=tenant,
            group=group,
            kind=kind,
            title=title,
            starts_at=starts,
            ends_at=starts
            + dt.timedelta(hours=2, minutes=30 if kind == MeetingKind.STARTER else 0),
            place="Kreishaus Gütersloh, Herzebrocker Str. 140, Raum 2.101"
            if kind != MeetingKind.PARTICIPATION
            else "Jugendzentrum Die Weberei, Gütersloh",
            video_link="https://video.demo.teilhabe.invalid/buendnis"
            if kind == MeetingKind.WORKING_GROUP
            else "",
            status=MeetingStatus.HELD if held else MeetingStatus.PLANNED,
            invitations_sent_at=starts - dt.timedelta(days=21)
            if starts - dt.timedelta(days=21) < now
            else None,
            created_by=coordinator,
            target_group_count=rng.randint(12, 28) if kind == MeetingKind.PARTICIPATION else None,
            participation_results=(
                "Die jungen Menschen wünschen sich Beratung am Abend, Sprachkurse mit "
                "Praxisanteil und Hilfe bei der Wohnungssuche. Mehrere kannten die "
                "Ausbildungsduldung nicht."
                if offset < -100
                else "Wichtig sind ihnen feste Ansprechpersonen, Praktika in Betrieben und "
                "Informationen in ihrer Sprache; Wohnen bleibt das größte Hindernis."
            )
            if kind == MeetingKind.PARTICIPATION and held
            else "",
        )
        invitees = (
            members_of[group.pk] if group is not None else [ki_lead, reps[ORGANISATIONS[9][0]]]
        )
        attendees = []
        for m in invitees:
            if held:
                roll = rng.random()
                if roll < 0.72:
                    att, by = Attendance.PRESENT, None
                elif (
                    roll < 0.84
                    and m.organisation.name in deputies
                    and m is not deputies.get(m.organisation.name)
                ):
                    att, by = Attendance.REPRESENTED, deputies[m.organisation.name]
                elif roll < 0.95:
                    att, by = Attendance.EXCUSED, None
                else:
                    att, by = Attendance.ABSENT, None
            else:
                att, by = Attendance.UNKNOWN, None
            attendees.append(
                Attendee(
                    tenant=tenant,
                    meeting=meeting,
                    member=m,
                    attendance=att,
                    represented_by=by,
                    invited_at=meeting.invitations_sent_at,
                    invited_sequence=0 if meeting.invitations_sent_at else None,
                )
            )
        Attendee.objects.bulk_create(attendees)
        topics = (
            CORE_TOPICS
            if kind in (MeetingKind.CORE_GROUP, MeetingKind.STARTER)
            else [
                "Begrüßung und Protokoll",
                f"Schwerpunkt: {group.topic if group else title}",
                "Nächste Schritte",
            ]
        )
        items = []
        for pos, topic in enumerate(topics, start=1):
            item = AgendaItem.objects.create(
                tenant=tenant,
                meeting=meeting,
                position=pos,
                topic=topic,
                presenter=ki_lead if pos == 1 else rng.choice(invitees),
                minutes=(
                    f"{topic}: Die Teilnehmenden tauschen sich aus. "
                    + rng.choice(
                        [
                            "Es besteht Einigkeit über das weitere Vorgehen.",
                            "Offene Fragen werden bis zur nächsten Sitzung geklärt.",
                            "Die Vorlage wird zustimmend zur Kenntnis genommen.",
                        ]
                    )
                )
                if held
                else "",
                gap=gaps[pos % len(gaps)] if gaps and "Lücken" in topic else None,
            )
            items.append(item)
        if held and kind in (MeetingKind.CORE_GROUP, MeetingKind.STARTER):
            for item in items[1:2]:
                if decision_no >= len(DECISIONS):
                    break
                title_d, text = DECISIONS[decision_no]
                decision_no += 1
                year = starts.year
                by_year[year] = by_year.get(year, 0) + 1
                status = DecisionStatus.IMPLEMENTED if offset < -200 else DecisionStatus.TAKEN
                decision = Decision.objects.create(
                    tenant=tenant,
                    year=year,
                    number=by_year[year],
                    title=title_d,
                    text=text,
                    decided_on=starts.date(),
                    meeting=meeting,
                    agenda_item=item,
                    status=status,
                    created_by=coordinator,
                    gap=gaps[decision_no % len(gaps)] if gaps else None,
                    measure=measures[decision_no % len(measures)] if measures else None,
                )
                # the last decision stays without follow-up (shown on the dashboard)
                if decision_no == len(DECISIONS):
                    continue
                for _ in range(3 if decision_no % 2 else 2):
                    task_title = TASKS[task_no % len(TASKS)]
                    task_no += 1
                    org = rng.choice([r.organisation for r in invitees])
                    due = starts.date() + dt.timedelta(days=rng.choice([21, 42, 60, 90, 120]))
                    if decision_no >= 4:  # the recent decisions' tasks are still ahead
                        due = today + dt.timedelta(days=rng.choice([7, 14, 28, 45]))
                    if due < today - dt.timedelta(days=30):
                        status_t = rng.choice([TaskStatus.DONE, TaskStatus.DONE, TaskStatus.OPEN])
                    else:
                        status_t = rng.choice([TaskStatus.OPEN, TaskStatus.IN_PROGRESS])
                    responsible = next((r for r in invitees if r.organisation_id == org.pk), None)
                    task = Task.objects.create(
                        tenant=tenant,
                        title=task_title,
                        description=f"Aus Beschluss {decision.reference}.",
                        decision=decision,
                        agenda_item=item,
                        organisation=org,
                        responsible=responsible,
                        due_on=due,
                        status=status_t,
                        completed_on=due - dt.timedelta(days=3)
                        if status_t == TaskStatus.DONE
                        else None,
                        created_by=coordinator,
                        gap=decision.gap,
                        measure=decision.measure,
                    )
                    if status_t != TaskStatus.OPEN:
                        TaskComment.objects.create(
                            tenant=tenant,
                            task=task,
                            author=coordinator,
                            text="Stand in der Kerngruppe berichtet.",
                        )
        # minutes of the previous meeting of the body are approved in this one
        # (the starter workshop's in the first core group meeting)
        key = group.pk if group is not None else kind
        if kind == MeetingKind.STARTER:
            key = core.pk
        previous = last_held.get(key)
        if held and previous is not None:
            _approve(previous, meeting, coordinator)
        if held:
            last_held[key] = meeting
    for counted_year, last_number in by_year.items():
        DecisionCounter.objects.update_or_create(
            tenant=tenant, year=counted_year, defaults={"last": last_number}
        )
    # one task assigned to the demo alliance member's organisation is overdue
    Task.objects.create(
        tenant=tenant,
        title="Ansprechperson für junge Geflüchtete ohne SGB-II-Bezug benennen",
        organisation=jobcenter,
        responsible=reps[jobcenter.name],
        due_on=today - dt.timedelta(days=9),
        status=TaskStatus.OPEN,
        created_by=coordinator,
    )


def _approve(meeting: Meeting, approved_in: Meeting, user: User | None) -> None:
    from teilhabe.alliance.services import minutes_content

    MinutesVersion.objects.create(
        tenant_id=meeting.tenant_id,
        meeting=meeting,
        number=1,
        content=minutes_content(meeting),
        approved_at=approved_in.ends_at,
        approved_by=user,
        approved_in=approved_in,
    )
    meeting.minutes_status = MinutesStatus.APPROVED
    meeting.save(update_fields=["minutes_status"])


def _gap_links(tenant: Tenant) -> tuple[list[Any], list[Any]]:
    """Gaps and planned measures of the tenant (if the gap analysis seeded any)."""
    try:
        from teilhabe.needs.models import Gap, PlannedMeasure
    except ImportError:  # pragma: no cover - the gap analysis is part of the platform
        return [], []
    return (
        list(Gap.objects.filter(tenant=tenant).order_by("pk")[:6]),
        list(PlannedMeasure.objects.filter(tenant=tenant).order_by("pk")[:6]),
    )

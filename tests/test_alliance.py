"""The local alliance: meetings, invitations (.ics parsed back), attendance, minutes with
approval and amendments, decisions numbered without gaps, tasks, reminders, documents, the
calendar feed, the dashboard and what alliance members may (not) do."""

from __future__ import annotations

import datetime as dt
import io
import threading
import time
from typing import Any

import icalendar
import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import OperationalError, close_old_connections, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from teilhabe.alliance import services
from teilhabe.alliance.models import (
    AgendaItem,
    Attendance,
    Attendee,
    Decision,
    Meeting,
    MeetingDocument,
    MeetingStatus,
    Member,
    MinutesStatus,
    MinutesVersion,
    Task,
    TaskStatus,
)
from teilhabe.audit.models import AuditEvent
from teilhabe.core.errors import DomainError

from .alliance_factories import Alliance, make_alliance, make_gap, make_measure
from .conftest import World, login

pytestmark = pytest.mark.django_db


@pytest.fixture
def alliance(world: World) -> Alliance:
    return make_alliance(
        world.tenant,
        member_user=world.users["alliance_member"],
        coordinator=world.users["coordination"],
    )


def _client(world: World, persona: str = "coordination") -> Client:
    return login(Client(), world.users[persona])


def _url(world: World, name: str, *args: Any) -> str:
    return reverse(f"alliance:{name}", args=[world.tenant.public_id, *args])


def _text(response: Any) -> str:
    return str(response.content.decode())


# --- meetings ----------------------------------------------------------------------------------


def test_meeting_schedule_puts_the_body_on_the_invitation_list(world: World, alliance: Alliance):
    day = timezone.localdate() + dt.timedelta(days=30)
    response = _client(world).post(
        _url(world, "meeting_create"),
        {
            "group": alliance.core.pk,
            "kind": "kerngruppe",
            "title": "Kerngruppe Herbst",
            "date": day.isoformat(),
            "start_time": "14:00",
            "end_time": "16:00",
            "place": "Kreishaus",
        },
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get(title="Kerngruppe Herbst")
    assert timezone.localtime(meeting.starts_at).hour == 14
    assert set(meeting.attendees.values_list("member", flat=True)) == {
        alliance.lead.pk,
        alliance.jc_rep.pk,
        alliance.abh_rep.pk,
    }
    assert AuditEvent.objects.filter(action="alliance.meeting.schedule").count() == 1


def test_meeting_ending_before_it_starts_is_refused_and_nothing_written(
    world: World, alliance: Alliance
):
    before = Meeting.objects.count()
    day = timezone.localdate() + dt.timedelta(days=30)
    response = _client(world).post(
        _url(world, "meeting_create"),
        {
            "kind": "kerngruppe",
            "title": "Falsche Zeiten",
            "date": day.isoformat(),
            "start_time": "16:00",
            "end_time": "14:00",
            "place": "Kreishaus",
        },
    )
    assert response.status_code == 200
    assert "Die Sitzung endet vor ihrem Beginn" in _text(response)
    assert 'value="Falsche Zeiten"' in _text(response)  # the input is kept
    assert Meeting.objects.count() == before
    # the service refuses it as well (API, commands)
    start = timezone.now() + dt.timedelta(days=3)
    with pytest.raises(DomainError, match="endet vor"):
        services.meeting_schedule(
            actor=world.users["coordination"],
            tenant=world.tenant,
            data={
                "kind": "kerngruppe",
                "title": "x",
                "starts_at": start,
                "ends_at": start - dt.timedelta(hours=1),
                "place": "Kreishaus",
            },
        )
    assert Meeting.objects.count() == before


def test_moving_an_invited_meeting_raises_the_calendar_sequence(world: World, alliance: Alliance):
    meeting = alliance.upcoming
    meeting.invitations_sent_at = timezone.now()
    meeting.save()
    services.meeting_update(
        actor=world.users["coordination"],
        meeting=meeting,
        data={
            "starts_at": meeting.starts_at + dt.timedelta(hours=1),
            "ends_at": meeting.ends_at + dt.timedelta(hours=1),
        },
    )
    meeting.refresh_from_db()
    assert meeting.sequence == 1


# --- invitations and iCalendar -----------------------------------------------------------------


def _ics_attachment(message: Any) -> icalendar.Calendar:
    (name, content, mimetype) = message.attachments[0]
    assert name == "einladung.ics"
    assert mimetype.startswith("text/calendar")
    return icalendar.Calendar.from_ical(content)


def test_invitations_carry_an_ics_that_parses_back(world: World, alliance: Alliance):
    meeting = alliance.upcoming
    AgendaItem.objects.create(tenant=world.tenant, meeting=meeting, position=1, topic="Datenlage")
    response = _client(world).post(
        _url(world, "meeting_invitations", meeting.public_id),
        {"action": "send", "message": "Bitte Zahlen mitbringen."},
    )
    assert response.status_code == 302
    assert len(mail.outbox) == 3
    message = next(m for m in mail.outbox if m.to == ["brueggemann@example.org"])
    assert "Kerngruppe Sommer" in message.subject
    assert "TOP 1: Datenlage" in message.body
    assert "Bitte Zahlen mitbringen." in message.body
    assert message.body.startswith("Guten Tag Thomas Brüggemann,")
    assert message.subject.startswith("Einladung: Kerngruppe Sommer am ")
    cal = _ics_attachment(message)
    assert str(cal["METHOD"]) == "REQUEST"
    assert str(cal["VERSION"]) == "2.0"
    events = list(cal.walk("VEVENT"))
    assert len(events) == 1
    event = events[0]
    assert str(event["UID"]) == f"{meeting.public_id}@teilhabe"
    assert event.decoded("DTSTART") == meeting.starts_at
    assert event.decoded("DTEND") == meeting.ends_at
    assert str(event["SUMMARY"]) == "Kerngruppe Sommer"
    assert str(event["LOCATION"]) == "Kreishaus"
    assert str(event["ATTENDEE"]).lower() == "mailto:brueggemann@example.org"
    assert "TOP 1: Datenlage" in str(event["DESCRIPTION"])
    assert list(cal.walk("VTIMEZONE")), "the time zone is described for calendar clients"
    assert set(meeting.attendees.values_list("invited_sequence", flat=True)) == {0}
    meeting.refresh_from_db()
    assert meeting.invitations_sent_at is not None


def test_invitation_to_a_person_without_email_sends_nothing(world: World, alliance: Alliance):
    Member.objects.filter(pk=alliance.abh_rep.pk).update(email="")
    response = _client(world).post(
        _url(world, "meeting_invitations", alliance.upcoming.public_id), {"action": "send"}
    )
    assert response.status_code == 200
    text = _text(response)
    assert "Es wurde keine Einladung verschickt" in text
    assert "Michael Wiesner (Ausländerbehörde Testkreis)" in text
    assert mail.outbox == []
    assert not alliance.upcoming.attendees.filter(invited_at__isnull=False).exists()
    alliance.upcoming.refresh_from_db()
    assert alliance.upcoming.invitations_sent_at is None


def test_meeting_ics_download_parses_back(world: World, alliance: Alliance):
    response = _client(world, "alliance_member").get(
        _url(world, "meeting_ics", alliance.upcoming.public_id)
    )
    assert response.status_code == 200
    cal = icalendar.Calendar.from_ical(response.content)
    assert str(cal["METHOD"]) == "PUBLISH"
    (event,) = cal.walk("VEVENT")
    assert event.decoded("DTSTART") == alliance.upcoming.starts_at
    assert "ATTENDEE" not in event


# --- attendance and minutes ----------------------------------------------------------------------


def test_attendance_with_representation(world: World, alliance: Alliance):
    meeting = alliance.past
    a = {x.member_id: x for x in meeting.attendees.all()}
    deputy = Member.objects.create(
        tenant=world.tenant,
        organisation=alliance.abh,
        first_name="Elena",
        last_name="Friesen",
        is_deputy=True,
    )
    lead, jc, abh = a[alliance.lead.pk], a[alliance.jc_rep.pk], a[alliance.abh_rep.pk]
    url = _url(world, "meeting_attendance", meeting.public_id)
    client = _client(world)
    # represented without naming by whom: refused, nothing saved
    response = client.post(
        url,
        {f"att_{lead.pk}": "anwesend", f"att_{jc.pk}": "vertreten", f"att_{abh.pk}": "anwesend"},
    )
    assert response.status_code == 200
    assert "Bitte wählen Sie, wer Thomas Brüggemann vertreten hat" in _text(response)
    assert not Attendee.objects.filter(meeting=meeting).exclude(attendance="offen").exists()
    response = client.post(
        url,
        {
            f"att_{lead.pk}": "anwesend",
            f"att_{jc.pk}": "entschuldigt",
            f"att_{abh.pk}": "vertreten",
            f"rep_{abh.pk}": deputy.pk,
        },
    )
    assert response.status_code == 302
    abh.refresh_from_db()
    assert abh.attendance == Attendance.REPRESENTED and abh.represented_by == deputy


def test_minutes_are_locked_after_approval_and_amended_as_a_new_version(
    world: World, alliance: Alliance
):
    meeting = alliance.past
    item = alliance.item
    client = _client(world)
    url = _url(world, "meeting_minutes", meeting.public_id)
    response = client.post(
        url, {"revision": 0, "notes": "Begrüßung", f"item_{item.pk}": "Die Lücke wird benannt."}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.minutes == "Die Lücke wird benannt."
    response = client.post(
        _url(world, "minutes_approve", meeting.public_id),
        {"approved_in": alliance.upcoming.pk},
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.minutes_status == MinutesStatus.APPROVED
    v1 = MinutesVersion.objects.get(meeting=meeting, number=1)
    assert v1.approved_in == alliance.upcoming
    assert v1.content["items"][0]["minutes"] == "Die Lücke wird benannt."

    # editing after approval: blocked with a German message, nothing changed
    response = client.post(
        url, {"revision": 1, "notes": "geändert", f"item_{item.pk}": "Überschrieben!"}
    )
    assert response.status_code == 200
    assert "Das Protokoll ist genehmigt und kann nicht mehr geändert werden" in _text(response)
    item.refresh_from_db()
    meeting.refresh_from_db()
    assert item.minutes == "Die Lücke wird benannt."
    assert meeting.minutes_notes == "Begrüßung"
    with pytest.raises(DomainError):
        services.agenda_item_add(
            actor=world.users["coordination"], meeting=meeting, data={"topic": "Nachtrag"}
        )
    assert meeting.agenda_items.count() == 1
    response = client.post(
        _url(world, "decision_create"),
        {"title": "Nachträglich", "text": "…", "decided_on": "2026-01-10", "agenda_item": item.pk},
    )
    assert "Das Protokoll dieser Sitzung ist genehmigt" in _text(response)
    assert not Decision.objects.filter(title="Nachträglich").exists()

    # an amendment opens version 2; version 1 stays as approved
    response = client.post(
        _url(world, "minutes_amend", meeting.public_id), {"reason": "Tippfehler in TOP 1"}
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.minutes_version, meeting.minutes_status) == (2, MinutesStatus.DRAFT)
    response = client.post(
        url,
        {
            "revision": meeting.minutes_revision,
            "notes": "Begrüßung",
            f"item_{item.pk}": "Die Lücke wird klar benannt.",
        },
    )
    assert response.status_code == 302
    v1.refresh_from_db()
    assert v1.content["items"][0]["minutes"] == "Die Lücke wird benannt."
    assert v1.amendment_reason == "Tippfehler in TOP 1"
    services.minutes_approve(actor=world.users["coordination"], meeting=meeting, approved_in=None)
    assert list(meeting.minutes_versions.values_list("number", flat=True)) == [1, 2]


def test_concurrent_minutes_edit_is_a_conflict_not_an_overwrite(world: World, alliance: Alliance):
    meeting, item = alliance.past, alliance.item
    services.minutes_save(
        actor=world.users["coordination"],
        meeting=meeting,
        notes="",
        items={item.pk: "Fassung A"},
        revision=0,
    )
    response = _client(world).post(
        _url(world, "meeting_minutes", meeting.public_id),
        {"revision": 0, "notes": "", f"item_{item.pk}": "Fassung B"},
    )
    assert response.status_code == 200
    assert "in der Zwischenzeit" in _text(response)
    assert "Fassung B" in _text(response)  # the person's text is still in the form
    item.refresh_from_db()
    assert item.minutes == "Fassung A"


def test_minutes_pdf(world: World, alliance: Alliance):
    alliance.item.minutes = "Beratung über die Lücke."
    alliance.item.save()
    response = _client(world, "alliance_member").get(
        _url(world, "minutes_pdf", alliance.past.public_id)
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert "protokoll-" in response["Content-Disposition"]


# --- decisions ---------------------------------------------------------------------------------


def test_decisions_are_numbered_per_tenant_and_year(world: World, alliance: Alliance):
    actor = world.users["coordination"]
    year = alliance.decision.year
    d2 = services.decision_record(
        actor=actor,
        tenant=world.tenant,
        data={"title": "B", "text": "Text", "decided_on": dt.date(year, 6, 1)},
    )
    d3 = services.decision_record(
        actor=actor,
        tenant=world.tenant,
        data={"title": "C", "text": "Text", "decided_on": dt.date(year, 6, 2)},
    )
    next_year = services.decision_record(
        actor=actor,
        tenant=world.tenant,
        data={"title": "D", "text": "Text", "decided_on": dt.date(year + 1, 1, 5)},
    )
    assert (d2.number, d3.number, next_year.number) == (2, 3, 1)
    assert d3.reference == f"3/{year}"
    # another tenant counts on its own
    from teilhabe.accounts.models import Membership

    Membership.objects.create(tenant=world.other_tenant, user=actor, role="coordination")
    from teilhabe.accounts import policy

    policy.forget(actor)
    other = services.decision_record(
        actor=actor,
        tenant=world.other_tenant,
        data={"title": "E", "text": "Text", "decided_on": dt.date(year, 6, 3)},
    )
    assert other.number == 1


def test_decision_from_agenda_item_linked_to_a_gap(world: World, alliance: Alliance):
    gap = make_gap(world.tenant)
    measure = make_measure(world.tenant, gap)
    response = _client(world).post(
        _url(world, "decision_create"),
        {
            "title": "Kurs einrichten",
            "text": "Wortlaut",
            "decided_on": alliance.past.starts_at.date().isoformat(),
            "agenda_item": alliance.item.pk,
            "gap": gap.pk,
            "measure": measure.pk,
        },
    )
    assert response.status_code == 302
    decision = Decision.objects.get(title="Kurs einrichten")
    assert decision.number == 2 and decision.meeting == alliance.past
    assert decision.gap == gap and decision.measure == measure
    page = _text(
        _client(world, "alliance_member").get(_url(world, "decision_detail", decision.public_id))
    )
    assert gap.title in page
    assert reverse("needs:gap_detail", args=[world.tenant.public_id, gap.public_id]) in page


def test_a_gap_of_another_tenant_cannot_be_linked(world: World, alliance: Alliance):
    foreign = make_gap(world.other_tenant, "fremde Lücke")
    before = Decision.objects.count()
    response = _client(world).post(
        _url(world, "decision_create"),
        {"title": "X", "text": "Y", "decided_on": "2026-01-10", "gap": foreign.pk},
    )
    assert response.status_code == 200  # not a choice of this tenant
    assert Decision.objects.count() == before
    with pytest.raises(DomainError):
        services.decision_record(
            actor=world.users["coordination"],
            tenant=world.tenant,
            data={"title": "X", "text": "Y", "decided_on": dt.date(2026, 1, 10), "gap": foreign},
        )
    assert Decision.objects.count() == before


def test_decision_register_search(world: World, alliance: Alliance):
    services.decision_record(
        actor=world.users["coordination"],
        tenant=world.tenant,
        data={
            "title": "Flyer Ausbildungsduldung",
            "text": "in einfacher Sprache",
            "decided_on": timezone.localdate(),
        },
    )
    client = _client(world, "alliance_member")
    page = _text(client.get(_url(world, "decision_list"), {"q": "einfacher"}))
    assert "Flyer Ausbildungsduldung" in page and "Sprachkurs beantragen" not in page
    page = _text(client.get(_url(world, "decision_list"), {"status": "umgesetzt"}))
    assert "Keine Beschlüsse gefunden" in page


def test_a_rolled_back_decision_gives_its_number_back(world: World, alliance: Alliance):
    actor = world.users["coordination"]
    data = {"title": "B", "text": "Text", "decided_on": alliance.decision.decided_on}
    with pytest.raises(RuntimeError), transaction.atomic():
        services.decision_record(actor=actor, tenant=world.tenant, data=data)
        raise RuntimeError("the surrounding work failed")
    assert services.decision_record(actor=actor, tenant=world.tenant, data=data).number == 2


@pytest.mark.django_db(transaction=True)
def test_decision_numbers_have_no_gaps_under_concurrency(territories: None) -> None:
    from teilhabe.accounts.models import Membership, Tenant
    from teilhabe.territory.models import Territory

    from .conftest import make_user

    tenant = Tenant.objects.create(
        name="Kreis Gütersloh", territory=Territory.objects.get(ags="05754")
    )
    actor = make_user("koordination_parallel")
    Membership.objects.create(tenant=tenant, user=actor, role="coordination")
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def record(i: int) -> None:
        try:
            start.wait()
            for _attempt in range(200):
                try:
                    services.decision_record(
                        actor=actor,
                        tenant=tenant,
                        data={"title": f"B{i}", "text": "T", "decided_on": dt.date(2026, 3, 1)},
                    )
                    break
                except OperationalError as exc:
                    # the in-memory SQLite of the tests answers "table is locked" instead of
                    # waiting; the writer simply tries again (PostgreSQL waits for the lock)
                    if "locked" not in str(exc):
                        raise
                    time.sleep(0.01)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=record, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    numbers = sorted(
        Decision.objects.filter(tenant=tenant, year=2026).values_list("number", flat=True)
    )
    assert numbers == [1, 2, 3, 4, 5, 6]


# --- tasks -------------------------------------------------------------------------------------


def test_task_due_in_the_past_is_refused_and_nothing_written(world: World, alliance: Alliance):
    before = Task.objects.count()
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    response = _client(world).post(
        _url(world, "task_create"),
        {
            "title": "Zu spät",
            "organisation": alliance.jobcenter.pk,
            "due_on": yesterday.isoformat(),
        },
    )
    assert response.status_code == 200
    assert f"Das Fälligkeitsdatum {yesterday:%d.%m.%Y} liegt in der Vergangenheit" in _text(
        response
    )
    assert Task.objects.count() == before
    with pytest.raises(DomainError):
        services.task_create(
            actor=world.users["coordination"],
            tenant=world.tenant,
            data={"title": "Zu spät", "organisation": alliance.jobcenter, "due_on": yesterday},
        )
    assert Task.objects.count() == before


def test_task_from_a_decision_linked_to_a_gap(world: World, alliance: Alliance):
    gap = make_gap(world.tenant)
    due = timezone.localdate() + dt.timedelta(days=14)
    response = _client(world).post(
        _url(world, "task_create"),
        {
            "title": "Kostenplan",
            "organisation": alliance.jobcenter.pk,
            "responsible": alliance.jc_rep.pk,
            "due_on": due.isoformat(),
            "decision": alliance.decision.pk,
            "gap": gap.pk,
        },
    )
    assert response.status_code == 302
    task = Task.objects.get(title="Kostenplan")
    assert task.agenda_item == alliance.item  # taken over from the decision
    assert task.gap == gap


def test_alliance_member_updates_own_organisations_task_only(world: World, alliance: Alliance):
    client = _client(world, "alliance_member")
    response = client.post(
        _url(world, "task_detail", alliance.jc_task.public_id),
        {"status": "in_arbeit", "comment": "Zahlen kommen Freitag."},
    )
    assert response.status_code == 302
    alliance.jc_task.refresh_from_db()
    assert alliance.jc_task.status == TaskStatus.IN_PROGRESS
    assert alliance.jc_task.comments.get().text == "Zahlen kommen Freitag."
    # the task of another organisation: readable, but no form and no change
    page = client.get(_url(world, "task_detail", alliance.abh_task.public_id))
    assert page.status_code == 200 and "task-update-form" not in _text(page)
    response = client.post(
        _url(world, "task_detail", alliance.abh_task.public_id), {"status": "erledigt"}
    )
    assert response.status_code == 403
    alliance.abh_task.refresh_from_db()
    assert alliance.abh_task.status == TaskStatus.OPEN
    # an alliance member never changes due dates
    with pytest.raises(DomainError):
        services.task_update(
            actor=world.users["alliance_member"],
            task=alliance.jc_task,
            status="offen",
            due_on=timezone.localdate() + dt.timedelta(days=60),
        )


def test_alliance_member_sees_meetings_and_tasks_but_no_case_data(world: World, alliance: Alliance):
    client = _client(world, "alliance_member")
    assert client.get(_url(world, "meeting_detail", alliance.past.public_id)).status_code == 200
    page = _text(client.get(_url(world, "task_list")))
    assert "Fallzahlen liefern" in page
    for name in ("participants:participant_list", "participants:caseload"):
        assert client.get(reverse(name, args=[world.tenant.public_id])).status_code == 403
    # managing is the coordination's
    assert client.get(_url(world, "meeting_create")).status_code == 403
    assert client.get(_url(world, "meeting_minutes", alliance.past.public_id)).status_code == 403


def test_other_tenants_objects_are_404(world: World, alliance: Alliance):
    client = login(Client(), world.users["other_tenant"])
    url = reverse(
        "alliance:meeting_detail", args=[world.other_tenant.public_id, alliance.past.public_id]
    )
    assert client.get(url).status_code == 404
    url = reverse(
        "alliance:task_detail", args=[world.other_tenant.public_id, alliance.jc_task.public_id]
    )
    assert client.get(url).status_code == 404


def test_reminders_once_a_day(world: World, alliance: Alliance):
    call_command("send_task_reminders")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["brueggemann@example.org"]
    assert "Fallzahlen liefern" in message.body
    assert "Flyer abstimmen" not in message.body  # not overdue
    call_command("send_task_reminders")
    assert len(mail.outbox) == 1  # idempotent on the same day
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    call_command("send_task_reminders", date=tomorrow.isoformat())
    assert len(mail.outbox) == 2
    assert AuditEvent.objects.filter(action="alliance.task.remind").count() == 2


def test_reminder_names_tasks_without_any_address(world: World, alliance: Alliance):
    Member.objects.filter(pk=alliance.jc_rep.pk).update(email="")
    out, err = io.StringIO(), io.StringIO()
    call_command("send_task_reminders", stdout=out, stderr=err)
    assert mail.outbox == []
    assert "0 reminder" in out.getvalue()
    assert str(alliance.jc_task.public_id) in err.getvalue()


# --- documents ---------------------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def test_document_upload_checked_by_content_and_download_audited(world: World, alliance: Alliance):
    url = _url(world, "document_upload", alliance.past.public_id)
    client = _client(world)
    fake = SimpleUploadedFile(
        "einladung.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"
    )
    response = client.post(url, {"title": "Schadsoftware", "file": fake}, follow=True)
    assert "nur PDF-, JPEG- und PNG-Dateien" in _text(response)
    assert not MeetingDocument.objects.exists()
    good = SimpleUploadedFile("vorlage.pdf", PDF, content_type="application/pdf")
    response = client.post(
        url, {"title": "Vorlage Datenlage", "file": good, "agenda_item": alliance.item.pk}
    )
    assert response.status_code == 302
    document = MeetingDocument.objects.get()
    assert document.agenda_item == alliance.item
    assert document.storage_name.startswith(f"documents/{world.tenant.pk}/")
    member = _client(world, "alliance_member")
    response = member.get(_url(world, "document_download", document.public_id))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["X-Content-Type-Options"] == "nosniff"
    assert AuditEvent.objects.filter(
        action="alliance.document.download", actor=world.users["alliance_member"]
    ).exists()
    assert (
        _client(world, "case_worker")
        .get(_url(world, "document_download", document.public_id))
        .status_code
        == 403
    )


# --- calendar feed -----------------------------------------------------------------------------


def test_calendar_feed_with_secret_token_parses_back_and_can_be_revoked(
    world: World, alliance: Alliance
):
    client = _client(world)
    response = client.post(_url(world, "feed_manage"), {"action": "create"})
    assert response.status_code == 200
    feed_url = response.context["new_url"]
    assert feed_url.startswith("http://testserver/t/")
    path = feed_url.removeprefix("http://testserver")
    anonymous = Client()
    response = anonymous.get(path)
    assert response.status_code == 200
    cal = icalendar.Calendar.from_ical(response.content)
    uids = {str(e["UID"]) for e in cal.walk("VEVENT")}
    assert uids == {
        f"{alliance.past.public_id}@teilhabe",
        f"{alliance.upcoming.public_id}@teilhabe",
    }
    assert b"Wiesner" not in response.content  # no names of people in the feed
    # the token of one tenant does not open another tenant's feed
    token = path.split("/kalender/")[1].split("/")[0]
    wrong = reverse("alliance:calendar_feed", args=[world.other_tenant.public_id, token])
    assert anonymous.get(wrong).status_code == 404
    # a new address replaces the old one; revoking ends it
    response = client.post(_url(world, "feed_manage"), {"action": "create"})
    assert anonymous.get(path).status_code == 404
    new_path = response.context["new_url"].removeprefix("http://testserver")
    assert anonymous.get(new_path).status_code == 200
    client.post(_url(world, "feed_manage"), {"action": "revoke"})
    assert anonymous.get(new_path).status_code == 404
    assert AuditEvent.objects.filter(action="alliance.feed.revoke").count() == 1


# --- dashboard ---------------------------------------------------------------------------------


def test_overview_shows_what_the_coordination_needs(
    world: World, alliance: Alliance, django_assert_max_num_queries: Any
):
    Attendee.objects.filter(meeting=alliance.past, member=alliance.lead).update(
        attendance="anwesend"
    )
    Decision.objects.create(
        tenant=world.tenant,
        year=alliance.decision.year,
        number=2,
        title="Ohne Aufgabe",
        text="…",
        decided_on=alliance.decision.decided_on,
    )
    client = _client(world)
    url = _url(world, "overview")
    client.get(url)
    with django_assert_max_num_queries(25):
        response = client.get(url)
    text = _text(response)
    assert "Kerngruppe Sommer" in text  # next meeting
    assert "Fallzahlen liefern" in text  # overdue
    assert (
        "Ohne Aufgabe" in text
        and "Sprachkurs beantragen" not in text.split("h-follow")[1].split("</section>")[0]
    )
    assert "KI Testkreis" in text  # attendance table
    # the tenant dashboard has a small alliance section
    response = client.get(reverse("dashboard", args=[world.tenant.public_id]))
    assert 'id="card-alliance"' in _text(response)
    assert 'id="card-alliance"' not in _text(
        _client(world, "case_worker").get(reverse("dashboard", args=[world.tenant.public_id]))
    )


def test_list_pages_do_not_grow_queries_with_the_data(
    world: World, alliance: Alliance, django_assert_max_num_queries: Any
):
    for i in range(15):
        Task.objects.create(
            tenant=world.tenant,
            title=f"Aufgabe {i}",
            organisation=alliance.abh,
            responsible=alliance.abh_rep,
            decision=alliance.decision,
            agenda_item=alliance.item,
            due_on=timezone.localdate(),
        )
    client = _client(world)
    for name in ("task_list", "decision_list", "meeting_list", "organisation_list", "group_list"):
        client.get(_url(world, name))
        with django_assert_max_num_queries(15):
            assert client.get(_url(world, name)).status_code == 200
    with django_assert_max_num_queries(30):
        assert client.get(_url(world, "meeting_detail", alliance.past.public_id)).status_code == 200


# --- seed --------------------------------------------------------------------------------------


def test_seed_builds_a_year_of_alliance_work(world: World):
    from teilhabe.alliance.models import Group, Organisation
    from teilhabe.seeding.alliance import seed_alliance
    from teilhabe.seeding.builders import Seeder

    seed_alliance(Seeder(1), world.tenant)
    assert Organisation.objects.filter(tenant=world.tenant).count() == 15
    assert Group.objects.filter(tenant=world.tenant, kind="arbeitsgruppe").count() == 2
    core = Group.objects.get(tenant=world.tenant, kind="kerngruppe")
    assert core.lead_organisation.name.startswith("Kommunales Integrationszentrum")
    assert core.board_lead is not None and "Kreisdirektorin" in core.board_lead.function
    meetings = Meeting.objects.filter(tenant=world.tenant)
    assert meetings.filter(status=MeetingStatus.HELD).count() >= 12
    assert meetings.filter(status=MeetingStatus.PLANNED).count() == 2
    assert meetings.filter(minutes_status=MinutesStatus.APPROVED).exists()
    for year in set(Decision.objects.filter(tenant=world.tenant).values_list("year", flat=True)):
        numbers = list(
            Decision.objects.filter(tenant=world.tenant, year=year)
            .order_by("number")
            .values_list("number", flat=True)
        )
        assert numbers == list(range(1, len(numbers) + 1))
    assert Task.objects.filter(
        tenant=world.tenant, due_on__lt=timezone.localdate(), status__in=["offen", "in_arbeit"]
    ).exists()
    seed_alliance(Seeder(1), world.tenant)  # idempotent
    assert Organisation.objects.filter(tenant=world.tenant).count() == 15

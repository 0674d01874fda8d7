"""The alliance in the browser: the coordination sets up organisations and the core group,
schedules a meeting, sends the invitations (.ics parsed back), takes attendance and minutes,
records a decision and a task linked to a gap, approves the minutes and downloads the PDF;
the alliance member then sees the meeting and updates the task of their organisation, but no
case data — axe on every page."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import icalendar
import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page

from e2e.support import NewPage, check_page, follow, make_device, sign_in, submit
from teilhabe.alliance.models import Decision, Meeting, MinutesStatus, Task
from tests.alliance_factories import make_gap
from tests.conftest import World

pytestmark = pytest.mark.e2e


def _messages(page: Page) -> str:
    return str(page.locator(".th-messages").inner_text())


def _download(page: Page, name: str) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("link", name=name, exact=True).click()
    path: Any = info.value.path()
    return Path(path).read_bytes()


def test_coordination_runs_a_meeting_and_the_member_follows_up(
    page: Page, new_page: NewPage, world: World
) -> None:
    coordinator = world.users["coordination"]
    member_user = world.users["alliance_member"]
    gap = make_gap(world.tenant, "Sprachkurs mit Kinderbetreuung fehlt")
    tenant = world.tenant.public_id
    today = timezone.localdate()

    sign_in(page, coordinator.username, device=make_device(coordinator))
    page.goto(f"/t/{tenant}/")
    check_page(page)
    follow(page, "Bündnisübersicht", within=page.locator("#card-alliance"))

    # organisations and their representatives
    follow(page, "Organisationen")
    for name, kind, first, last, email, account in (
        ("KI Kreis Gütersloh", "Kommune", "Sabine", "Kortmann", "kortmann@example.org", None),
        ("Jobcenter Kreis Gütersloh", "Jobcenter", "Thomas", "Brüggemann", "tb@example.org", 1),
    ):
        follow(page, "Organisation hinzufügen")
        page.get_by_label("Name", exact=True).fill(name)
        page.get_by_label("Art", exact=True).select_option(label=kind)
        submit(page, "Speichern")
        assert "Die Organisation wurde hinzugefügt." in _messages(page)
        follow(page, "Person hinzufügen")
        page.get_by_label("Vorname").fill(first)
        page.get_by_label("Nachname").fill(last)
        page.get_by_label("E-Mail").fill(email)
        if account:
            page.get_by_label("Benutzerkonto (Bündnis-Mitglied)").select_option(
                label=f"{member_user.get_full_name()} ({member_user.username})"
            )
        submit(page, "Speichern")
        assert f"{first} {last}" in page.locator("#member-table").inner_text()
        follow(page, "Organisationen")

    # the core group, led by the KI, with both representatives
    follow(page, "Gremien")
    follow(page, "Gremium anlegen")
    page.get_by_label("Art", exact=True).select_option(label="Bündniskerngruppe")
    page.get_by_label("Name", exact=True).fill("Bündniskerngruppe")
    page.get_by_label("Geschäftsführende Stelle").select_option(label="KI Kreis Gütersloh")
    submit(page, "Speichern")
    for person in (
        "Sabine Kortmann (KI Kreis Gütersloh)",
        "Thomas Brüggemann (Jobcenter Kreis Gütersloh)",
    ):
        page.get_by_label("Person", exact=True).select_option(label=person)
        submit(page, "Hinzufügen")
    assert "Thomas Brüggemann" in page.locator("#current-members").inner_text()

    # a meeting today: the core group forms the invitation list
    follow(page, "Sitzungen")
    follow(page, "Sitzung planen")
    page.get_by_label("Gremium").select_option(label="Bündniskerngruppe")
    page.get_by_label("Art", exact=True).select_option(label="Sitzung der Kerngruppe")
    page.get_by_label("Titel").fill("Kerngruppe Dezember")
    page.get_by_label("Datum").fill(today.isoformat())
    # a meeting that ends before it starts is refused, nothing is lost
    page.get_by_label("Beginn", exact=True).fill("18:00")
    page.get_by_label("Ende", exact=True).fill("17:00")
    page.locator("#id_place").fill("Kreishaus, Raum 2.101")
    submit(page, "Speichern")
    assert "Die Sitzung endet vor ihrem Beginn" in page.locator("#main").inner_text()
    assert page.get_by_label("Titel").input_value() == "Kerngruppe Dezember"
    assert not Meeting.objects.exists()
    page.get_by_label("Beginn", exact=True).fill("00:05")
    page.get_by_label("Ende", exact=True).fill("23:55")
    submit(page, "Speichern")
    assert "Die Sitzung wurde geplant." in _messages(page)

    follow(page, "Tagesordnungspunkt hinzufügen")
    page.get_by_label("Thema").fill("Angebotslücken aus der Analyse")
    page.get_by_label("Verknüpfte Angebotslücke").select_option(label=gap.title)
    submit(page, "Speichern")
    assert "TOP 1: Angebotslücken aus der Analyse" in page.locator("#agenda").inner_text()

    # invitations with a calendar entry
    follow(page, "Einladungsliste und Einladungen")
    assert "Thomas Brüggemann" in page.locator("#invitation-list").inner_text()
    page.get_by_label("Persönliche Nachricht").fill("Bitte die Fallzahlen mitbringen.")
    submit(page, "Einladungen verschicken")
    assert "Die Einladung wurde an 2 Personen verschickt." in _messages(page)
    assert sorted(m.to[0] for m in mail.outbox) == ["kortmann@example.org", "tb@example.org"]
    cal = icalendar.Calendar.from_ical(mail.outbox[0].attachments[0][1])
    (event,) = cal.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Kerngruppe Dezember"
    ics = icalendar.Calendar.from_ical(_download(page, "In den Kalender übernehmen (.ics)"))
    assert str(next(iter(ics.walk("VEVENT")))["UID"]) == str(event["UID"])

    # attendance and minutes
    follow(page, "Anwesenheit erfassen")
    page.get_by_label("Anwesenheit von Sabine Kortmann").select_option(label="anwesend")
    page.get_by_label("Anwesenheit von Thomas Brüggemann").select_option(label="entschuldigt")
    submit(page, "Anwesenheit speichern")
    assert "entschuldigt" in page.locator("#attendee-table").inner_text()
    follow(page, "Protokoll schreiben")
    page.get_by_label("TOP 1: Angebotslücken aus der Analyse").fill(
        "Die Lücke bei Sprachkursen mit Kinderbetreuung wird bestätigt."
    )
    submit(page, "Protokoll speichern")

    # a decision and a task linked to the gap
    follow(page, "Beschluss erfassen (TOP 1)")
    page.get_by_label("Titel").fill("Sprachkurs mit Kinderbetreuung beantragen")
    page.get_by_label("Wortlaut").fill("Die Geschäftsführende Stelle beantragt den Kurs.")
    page.get_by_label("Verknüpfte Angebotslücke").select_option(label=gap.title)
    submit(page, "Speichern")
    decision = Decision.objects.get()
    assert f"Beschluss {decision.reference} wurde erfasst." in _messages(page)
    follow(page, "Aufgabe anlegen")
    page.get_by_label("Aufgabe", exact=True).fill("Kostenplan erstellen")
    page.get_by_label("Verantwortliche Organisation").select_option(
        label="Jobcenter Kreis Gütersloh"
    )
    page.get_by_label("Fällig am").fill((today - timedelta(days=1)).isoformat())
    page.get_by_label("Verknüpfte Angebotslücke").select_option(label=gap.title)
    submit(page, "Speichern")
    assert "liegt in der Vergangenheit" in page.locator("#main").inner_text()
    assert not Task.objects.exists()
    page.get_by_label("Fällig am").fill(today.isoformat())
    submit(page, "Speichern")
    task = Task.objects.get()
    assert task.decision == decision and task.gap == gap
    assert gap.title in page.locator("#task-facts").inner_text()

    # approve the minutes; editing is then closed, the PDF is there
    page.goto(f"/t/{tenant}/buendnis/sitzungen/{decision.meeting.public_id}/")
    check_page(page)
    follow(page, "Protokoll genehmigen")
    submit(page, "Protokoll genehmigen")
    assert "Fassung 1 des Protokolls wurde genehmigt." in _messages(page)
    assert Meeting.objects.get().minutes_status == MinutesStatus.APPROVED
    assert page.get_by_role("link", name="Protokoll schreiben", exact=True).count() == 0
    assert _download(page, "Protokoll als PDF").startswith(b"%PDF-")

    # the alliance member: sees the meeting and updates the Jobcenter's task; no case data
    other = new_page()
    sign_in(other, member_user.username)
    other.goto(f"/t/{tenant}/")
    check_page(other)
    follow(other, "Bündnisübersicht", within=other.locator("#card-alliance"))
    follow(other, "Sitzungen")
    follow(other, "Kerngruppe Dezember")
    assert "Die Lücke bei Sprachkursen" in other.locator("#agenda").inner_text()
    assert other.get_by_role("link", name="Sitzung bearbeiten", exact=True).count() == 0
    follow(other, "Aufgaben")
    follow(other, "Kostenplan erstellen")
    other.get_by_label("Status").select_option(label="in Arbeit")
    other.locator("#id_comment").fill("Zahlen kommen bis Freitag.")
    submit(other, "Speichern")
    assert "Die Aufgabe wurde gespeichert." in _messages(other)
    task.refresh_from_db()
    assert task.status == "in_arbeit"
    nav = other.get_by_role("navigation", name="Hauptnavigation").inner_text()
    assert "Teilnehmende" not in nav and "Meine Fälle" not in nav
    response = other.goto(f"/t/{tenant}/teilnehmende/")
    assert response is not None and response.status == 403


def test_register_amendment_and_calendar_address_pages(page: Page, world: World) -> None:
    """The remaining pages of the coordination pass axe: the decision register with a search,
    the end of a membership (history), an amendment of approved minutes (new version) and the
    calendar address shown once."""
    from teilhabe.alliance import services
    from tests.alliance_factories import make_alliance

    coordinator = world.users["coordination"]
    a = make_alliance(world.tenant, coordinator=coordinator)
    services.minutes_approve(actor=coordinator, meeting=a.past, approved_in=a.upcoming)
    tenant = world.tenant.public_id

    sign_in(page, coordinator.username, device=make_device(coordinator))
    page.goto(f"/t/{tenant}/buendnis/beschluesse/")
    check_page(page)
    page.get_by_label("Suche in Titel und Wortlaut").fill("Sprachkurs")
    submit(page, "Suche")
    assert "1 Beschluss" in page.locator("#decision-count").inner_text()

    follow(page, "Gremien")
    follow(page, "Bündniskerngruppe")
    follow(page, "Mitgliedschaft beenden Michael Wiesner")
    submit(page, "Mitgliedschaft beenden")
    assert "Michael Wiesner" in page.locator("#former-members").inner_text()

    page.goto(f"/t/{tenant}/buendnis/sitzungen/{a.past.public_id}/")
    check_page(page)
    follow(page, "Protokoll ändern (neue Fassung)")
    page.get_by_label("Grund der Änderung").fill("Anwesenheit korrigiert")
    submit(page, "Änderung anlegen")
    assert "Fassung 2 des Protokolls wurde angelegt" in _messages(page)

    follow(page, "Kalenderabo")
    submit(page, "Adresse erzeugen")
    feed_url = page.locator("#feed-url").inner_text()
    response = page.request.get(feed_url)
    assert response.status == 200
    cal = icalendar.Calendar.from_ical(response.body())
    assert {str(e["SUMMARY"]) for e in cal.walk("VEVENT")} == {
        "Kerngruppe Frühjahr",
        "Kerngruppe Sommer",
    }
    submit(page, "Adresse widerrufen")
    assert page.request.get(feed_url).status == 404

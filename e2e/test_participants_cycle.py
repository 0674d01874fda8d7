"""The whole case-work cycle in a real browser, with axe-core on every page.

A case worker takes up a young person (with the duplicate check), records the consents, the
residence status and a benefit entry, opens the case, agrees a goal, records contacts, uploads
a document, assigns a volunteer, refers the person to an offer the matching suggests and sends
the referral with chosen data; the provider signs in and answers on its own pages until the
course is completed; the case worker sees the answer and the episode it added, records
another education episode, closes the case with its outcome and records the 6-month
follow-up.  Then the volunteer and the provider check what they see: the volunteer only the
released fields (no residence status, benefits or documents), the provider only the data
released with the referral; guessed URLs of the record are 404 for both.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page

from e2e.support import NewPage, check_page, follow, make_device, sign_in, submit
from teilhabe.audit.models import AuditEvent
from teilhabe.participants.models import (
    Case,
    EducationEpisode,
    Outcome,
    Participant,
    Referral,
    VolunteerAssignment,
    VolunteerProfile,
)
from tests.casework_factories import make_participant
from tests.casework_referrals_factories import png_bytes
from tests.conftest import World
from tests.factories import make_offer, make_provider

pytestmark = pytest.mark.e2e

TODAY = timezone.localdate()
INTAKE = TODAY - timedelta(days=300)  # the case is closed 200 days ago: the 6-month follow-up
CONTACT = TODAY - timedelta(days=250)  # is due now
CLOSED = TODAY - timedelta(days=200)
BIRTH = TODAY.replace(year=TODAY.year - 22) - timedelta(days=40)


def _iso(day: Any) -> str:
    return str(day.isoformat())


def _sections(page: Page) -> Any:
    return page.get_by_role("navigation", name="Bereiche des Falls")


def _record_consent(page: Page, purpose: str, provider: str = "") -> None:
    follow(page, "Einwilligung erfassen")
    page.locator("#id_purpose").select_option(label=purpose)
    if provider:
        page.locator("#id_provider").select_option(label=provider)
    page.locator("#id_given_on").fill(_iso(TODAY))
    page.get_by_label("auf Papier unterschrieben (eingescannt)").check()
    submit(page, "Speichern")
    assert purpose in page.locator("#consent-table").inner_text()


def test_the_whole_case_work_cycle(
    new_page: NewPage, world: World, settings: Any, tmp_path: Path
) -> None:
    from teilhabe.offers.services import programme_rule_sets_load

    settings.MEDIA_ROOT = tmp_path / "private"
    programme_rule_sets_load()
    worker, provider_user = world.users["case_worker"], world.users["provider"]
    volunteer = world.users["volunteer"]
    volunteer.first_name, volunteer.last_name = "Erika", "Helfer"
    volunteer.save()
    provider = make_provider(world.tenant, "Bildungswerk Gütersloh", staff=[provider_user])
    make_offer(world.tenant, provider, key="bsk-b1", title="Berufssprachkurs B1")
    profile = VolunteerProfile.objects.create(
        tenant=world.tenant, user=volunteer, availability="samstags", languages=["ar"]
    )
    # a record of the same person under another spelling, kept by a colleague
    make_participant(world.tenant, "Jasmin", "Al-Chatib", BIRTH)
    t = f"/t/{world.tenant.public_id}"
    upload = tmp_path / "aufenthaltstitel.pdf"
    upload.write_bytes(png_bytes())

    # --- first contact: take the person up, with the duplicate check ----------------------
    page = new_page()
    sign_in(page, worker.username, device=make_device(worker))
    page.goto(f"{t}/teilnehmende/")
    check_page(page)
    follow(page, "Neue Person aufnehmen")
    page.get_by_label("Vorname").fill("Yasmin")
    page.get_by_label("Nachname").fill("Al-Khatib")
    page.locator("#id_birth_date").fill(_iso(BIRTH))
    page.get_by_label("Geschlecht").select_option(label="weiblich")
    page.get_by_label("Staatsangehörigkeiten").fill("SY")
    page.get_by_label("Arabisch").check()
    page.get_by_label("Telefon").fill("0151 7654321")
    page.locator("#id_gemeinde").select_option(label="Verl")
    page.locator("#id_entry_date").fill(_iso(TODAY.replace(year=TODAY.year - 4)))
    page.locator("#id_case_intake_date").fill(_iso(INTAKE))
    page.get_by_label("Die Person hat in die Fallarbeit eingewilligt").check()
    page.locator("#id_consent_given_on").fill(_iso(INTAKE))
    page.get_by_label("Form der Einwilligung").select_option(label="digital")
    submit(page, "Aufnehmen")
    assert "Al-Chatib" in page.locator("#duplicates").inner_text()
    assert not Participant.objects.filter(first_name="Yasmin").exists()
    page.get_by_label("Ich habe die Liste geprüft: Es ist eine andere Person").check()
    submit(page, "Aufnehmen")
    assert page.get_by_role("heading", name="Yasmin Al-Khatib").is_visible()
    person = Participant.objects.get(first_name="Yasmin")
    case = Case.objects.get(participant=person)

    # --- consents: sharing with the provider, volunteer support ----------------------------
    _record_consent(page, "Weitergabe an einen Träger", "Bildungswerk Gütersloh")
    _record_consent(page, "ehrenamtliche Begleitung")

    # --- residence status and benefits ------------------------------------------------------
    follow(page, "Aufenthaltsstatus eintragen")
    page.get_by_label("Aufenthaltsstatus").select_option(
        label="Duldung (§ 60c AufenthG (Ausbildungsduldung))"
    )
    page.get_by_label("Gültig ab").fill(_iso(INTAKE))
    submit(page, "Speichern")
    assert "Duldung (§ 60c" in page.locator("#status-table").inner_text()
    follow(page, "Leistungsbezug eintragen")
    page.get_by_label("Leistungssystem").select_option(label="AsylbLG")
    page.get_by_label("Von").fill(_iso(INTAKE))
    submit(page, "Speichern")
    assert "AsylbLG" in page.locator("#benefit-table").inner_text()

    # --- a document -------------------------------------------------------------------------
    follow(page, "Dokumente", within=page.locator("#record-actions"))
    page.get_by_label("Titel").fill("Duldungsbescheinigung")
    page.get_by_label("Datei (PDF, JPEG oder PNG)").set_input_files(str(upload))
    submit(page, "Hochladen")
    assert "Duldungsbescheinigung" in page.locator("#document-table").inner_text()

    # --- the case: active, a goal, contacts ---------------------------------------------------
    page.goto(f"{t}/teilnehmende/{person.public_id}/")
    check_page(page)
    with page.expect_navigation():
        page.locator("#cases a").first.click()
    check_page(page)
    follow(page, "Status ändern")
    page.get_by_label("aktiv", exact=True).check()
    submit(page, "Status ändern")
    assert "Der Fall hat jetzt den Status „aktiv“." in page.locator(".th-messages").inner_text()

    follow(page, "Förderplan", within=_sections(page))
    page.get_by_label("Kategorie").select_option(label="Sprache")
    page.get_by_label("Ziel", exact=True).fill("Deutsch auf B1 für die Ausbildung")
    page.locator("#id_target_date").fill(_iso(TODAY + timedelta(days=60)))
    submit(page, "Ziel hinzufügen")
    assert "Deutsch auf B1" in page.locator("#goal-table").inner_text()

    follow(page, "Kontakte", within=_sections(page))
    for day, topic in ((CONTACT, "Erstgespräch mit Dolmetscherin"), (CONTACT, "Kursplanung")):
        page.locator("#id_happened_on").fill(_iso(day))
        page.get_by_label("Dauer (Minuten)").fill("60")
        page.get_by_label("Art").select_option(label="persönlich")
        page.get_by_label("Thema").fill(topic)
        page.get_by_label("Bestätigung durch die teilnehmende Person").check()
        submit(page, "Kontakt erfassen")
        assert topic in page.locator("#contact-table").inner_text()
    assert "2,00" in page.locator("#hours-table").inner_text()

    # --- a volunteer is assigned --------------------------------------------------------------
    page.goto(f"{t}/ehrenamt/{profile.public_id}/")
    check_page(page)
    follow(page, "Einer Person zuordnen")
    page.get_by_label("Person").select_option(label="Al-Khatib, Yasmin")
    submit(page, "Zuordnen")
    assert VolunteerAssignment.objects.filter(volunteer=volunteer, participant=person).exists()

    # --- referral to an offer suggested by the matching, sent with chosen data ---------------
    page.goto(f"{t}/faelle/{case.public_id}/")
    check_page(page)
    follow(page, "Vermittlungen", within=_sections(page))
    follow(page, "Neue Vermittlung")
    assert "Berufssprachkurs B1" in page.locator("#matches-eligible").inner_text()
    follow(page, "In „Berufssprachkurs B1“ vermitteln")
    page.get_by_label("Notiz an den Träger").fill("Bitte vormittags anrufen.")
    submit(page, "Vermittlung anlegen")
    follow(page, "An den Träger senden")
    page.get_by_label("Telefon").uncheck()
    page.get_by_label("Notiz an den Träger", exact=True).check()
    submit(page, "Senden")
    referral = Referral.objects.get(case=case)
    assert referral.status == "gesendet"
    assert referral.released_fields == ["name", "note"]

    # --- the provider answers on its own pages -----------------------------------------------
    ppage = new_page()
    sign_in(ppage, provider_user.username, device=make_device(provider_user))
    ppage.goto(f"{t}/vermittlungen/traeger/")
    check_page(ppage)
    follow(ppage, "Berufssprachkurs B1")
    released = ppage.locator("#released-data").inner_text()
    assert "Yasmin Al-Khatib" in released and "vormittags" in released
    content = ppage.content()
    for hidden in ("0151 7654321", "Duldung", "AsylbLG", "Duldungsbescheinigung"):
        assert hidden not in content, hidden
    for answer in ("angenommen", "begonnen", "abgeschlossen"):
        ppage.get_by_label(answer, exact=True).check()
        submit(ppage, "Antwort speichern")
    referral.refresh_from_db()
    assert referral.status == "abgeschlossen"

    # --- the case worker sees the answer and the episode it added ---------------------------
    page.goto(f"{t}/vermittlungen/fall/{case.public_id}/")
    check_page(page)
    history = page.locator("#case-referrals").inner_text()
    for step in ("gesendet", "angenommen", "begonnen", "abgeschlossen"):
        assert step in history

    # --- education history --------------------------------------------------------------------
    page.goto(f"{t}/faelle/{case.public_id}/")
    check_page(page)
    follow(page, "Bildungsverlauf", within=_sections(page))
    assert "Berufssprachkurs B1" in page.locator("#timeline").inner_text()
    page.get_by_label("Art").select_option(label="Schule")
    page.get_by_label("Was").fill("Internationale Förderklasse")
    page.locator("#id_started_on").fill("2023-08-01")
    page.locator("#id_ended_on").fill("2024-07-15")
    submit(page, "Station eintragen")
    assert "01.08.2023 – 15.07.2024" in page.locator("#timeline").inner_text()
    assert EducationEpisode.objects.filter(participant=person).count() == 2

    # --- closure with the outcome, then the 6-month follow-up ---------------------------------
    follow(page, "Fall", within=_sections(page))
    follow(page, "Status ändern")
    page.get_by_label("abgeschlossen", exact=True).check()
    page.get_by_label("Abgeschlossen am").fill(_iso(CLOSED))
    page.get_by_label("Abschlussgrund").fill("Kurs abgeschlossen, Ausbildung gefunden")
    page.get_by_label("Verbleib bei Abschluss").select_option(label="Ausbildung")
    submit(page, "Status ändern")
    follow(page, "Verbleib", within=_sections(page))
    assert "bei Abschluss" in page.locator("#outcome-table").inner_text()
    page.locator("#follow-up-form").get_by_label("Verbleib", exact=True).select_option(
        label="Ausbildung"
    )
    page.locator("#follow-up-form").get_by_label("Erfasst am").fill(_iso(TODAY))
    submit(page, "Nachbefragung erfassen")
    outcomes = page.locator("#outcome-table").inner_text()
    assert "nach 6 Monaten" in outcomes
    assert set(Outcome.objects.filter(case=case).values_list("moment", flat=True)) == {
        "closure",
        "m6",
    }

    # --- the volunteer sees only the released fields -------------------------------------------
    vpage = new_page()
    sign_in(vpage, volunteer.username, device=make_device(volunteer))
    vpage.goto(f"{t}/ehrenamt/meine/")
    check_page(vpage)
    follow(vpage, "Yasmin Al-Khatib")
    shown = vpage.locator("#volunteer-view").inner_text()
    assert "0151 7654321" in shown  # the phone is released to volunteers
    content = vpage.content()
    for hidden in ("Duldung", "§ 60c", "AsylbLG", "Duldungsbescheinigung", "Berufssprachkurs"):
        assert hidden not in content, hidden
    for guessed in (
        f"{t}/teilnehmende/{person.public_id}/",
        f"{t}/faelle/{case.public_id}/",
        f"{t}/dokumente/teilnehmende/{person.public_id}/",
    ):
        response = vpage.goto(guessed)
        assert response is not None and response.status == 404, guessed
        check_page(vpage)
    # referral pages are not for volunteers at all (403 like every page without the capability)
    response = vpage.goto(f"{t}/vermittlungen/{referral.public_id}/")
    assert response is not None and response.status == 403
    check_page(vpage)
    assert "Yasmin" not in vpage.content()

    # --- the provider: only the referral, never the record ------------------------------------
    for guessed in (f"{t}/teilnehmende/{person.public_id}/", f"{t}/faelle/{case.public_id}/"):
        response = ppage.goto(guessed)
        assert response is not None and response.status == 404, guessed
        check_page(ppage)
    # documents and volunteer pages are not for providers at all: 403, nothing of the person
    for guessed in (
        f"{t}/dokumente/teilnehmende/{person.public_id}/",
        f"{t}/ehrenamt/meine/{person.public_id}/",
    ):
        response = ppage.goto(guessed)
        assert response is not None and response.status == 403, guessed
        check_page(ppage)
        assert "Yasmin" not in ppage.content()
    denied = AuditEvent.objects.filter(action="security.participant_denied")
    assert denied.filter(actor=volunteer).count() >= 2
    assert denied.filter(actor=provider_user).count() >= 2

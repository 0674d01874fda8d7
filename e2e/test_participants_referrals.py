"""The referrals area in the browser: a case worker refers a person to a suggested offer and
sends the referral with chosen data, the provider answers on its own pages until the course
is completed, the case worker sees the history; volunteers are recorded, assigned and log a
meeting; documents are uploaded and deleted.  Every page is checked with axe-core."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from e2e.support import NewPage, check_page, follow, make_device, sign_in, submit
from teilhabe.participants.models import (
    Document,
    EducationEpisode,
    Referral,
    VolunteerAssignment,
    VolunteerMeeting,
)
from tests.casework_referrals_factories import (
    add_status,
    give_consent,
    png_bytes,
    referral_world,
)
from tests.conftest import World

pytestmark = pytest.mark.e2e


def _t(world: World) -> str:
    return f"/t/{world.tenant.public_id}"


def test_referral_from_suggestion_to_completion(new_page: NewPage, world: World) -> None:
    rw = referral_world(world)
    add_status(rw.participant)
    case_worker, provider = world.users["case_worker"], world.users["provider"]

    page = new_page()
    sign_in(page, case_worker.username, device=make_device(case_worker))
    page.goto(f"{_t(world)}/vermittlungen/fall/{rw.case.public_id}/")
    check_page(page)
    follow(page, "Neue Vermittlung")
    assert "Berufssprachkurs B1" in page.locator("#matches-eligible").inner_text()
    follow(page, "In „Berufssprachkurs B1“ vermitteln")
    assert (
        "Die Person erfüllt die Bedingungen des Angebots." in page.locator("#decision").inner_text()
    )
    page.get_by_label("Notiz an den Träger").fill("Bitte nachmittags anrufen.")
    submit(page, "Vermittlung anlegen")
    follow(page, "An den Träger senden")
    page.get_by_label("Geburtsdatum").check()
    page.get_by_label("Telefon").uncheck()
    page.get_by_label("Notiz an den Träger", exact=True).check()
    submit(page, "Senden")
    assert "gesendet" in page.locator("main").inner_text()
    referral = Referral.objects.get()
    assert referral.released_fields == ["name", "birth_date", "note"]

    provider_page = new_page()
    sign_in(provider_page, provider.username, device=make_device(provider))
    provider_page.goto(f"{_t(world)}/vermittlungen/traeger/")
    check_page(provider_page)
    follow(provider_page, "Berufssprachkurs B1")
    data = provider_page.locator("#released-data").inner_text()
    assert "Amir Haddad" in data and "12.04.2003" in data and "nachmittags" in data
    assert "0151" not in provider_page.content()
    for answer in ("abgelehnt",):
        provider_page.get_by_label(answer, exact=True).check()
        submit(provider_page, "Antwort speichern")
        assert "Bitte geben Sie einen Grund an." in provider_page.locator("main").inner_text()
    for answer in ("angenommen", "begonnen", "abgeschlossen"):
        provider_page.get_by_label(answer, exact=True).check()
        submit(provider_page, "Antwort speichern")
    referral.refresh_from_db()
    assert referral.status == "abgeschlossen"
    assert EducationEpisode.objects.filter(referral=referral).exists()

    page.goto(f"{_t(world)}/vermittlungen/fall/{rw.case.public_id}/")
    check_page(page)
    history = page.locator("#case-referrals").inner_text()
    for step in ("vorgeschlagen", "gesendet", "angenommen", "begonnen", "abgeschlossen"):
        assert step in history
    page.goto(f"{_t(world)}/vermittlungen/")
    check_page(page)
    page.goto(f"{_t(world)}/vermittlungen/ueberfaellig/")
    check_page(page)


def test_volunteer_is_assigned_and_logs_a_meeting(new_page: NewPage, world: World) -> None:
    rw = referral_world(world)
    give_consent(rw.participant, "volunteer", rw.case_worker)
    case_worker, volunteer = world.users["case_worker"], world.users["volunteer"]
    volunteer.first_name, volunteer.last_name = "Erika", "Helfer"
    volunteer.save()

    page = new_page()
    sign_in(page, case_worker.username, device=make_device(case_worker))
    page.goto(f"{_t(world)}/ehrenamt/")
    check_page(page)
    follow(page, "Neuer Datensatz für eine ehrenamtliche Person")
    page.get_by_label("Ehrenamtliche Person").select_option(label="Erika Helfer")
    page.get_by_label("Verfügbarkeit").fill("samstags")
    page.get_by_label("Arabisch").check()
    page.get_by_label("Datum des Führungszeugnisses").fill("2015-03-01")
    submit(page, "Speichern")
    assert page.locator("#clearance-warning").is_visible()
    follow(page, "Einer Person zuordnen")
    page.get_by_label("Person").select_option(label="Haddad, Amir")
    submit(page, "Zuordnen")
    assert VolunteerAssignment.objects.filter(volunteer=volunteer).exists()

    vpage = new_page()
    sign_in(vpage, volunteer.username, device=make_device(volunteer))
    vpage.goto(f"{_t(world)}/ehrenamt/meine/")
    check_page(vpage)
    follow(vpage, "Amir Haddad")
    text = vpage.locator("main").inner_text()
    assert "Fußball" in text and "Duldung" not in text
    vpage.get_by_label("Dauer (Minuten)").fill("90")
    vpage.locator("#id_note").fill("Bewerbung geschrieben")
    submit(vpage, "Treffen erfassen")
    assert VolunteerMeeting.objects.get().minutes == 90
    assert "Bewerbung geschrieben" in vpage.locator("#meeting-table").inner_text()

    page.reload()
    check_page(page)
    follow(page, "Begleitung von Amir Haddad beenden")
    submit(page, "Begleitung beenden")
    response = vpage.goto(f"{_t(world)}/ehrenamt/meine/{rw.participant.public_id}/")
    assert response is not None and response.status == 404


def test_documents_upload_and_delete(
    new_page: NewPage, world: World, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "private"
    rw = referral_world(world)
    case_worker = world.users["case_worker"]
    upload = tmp_path / "zeugnis.pdf"  # a PNG under a PDF name: stored as PNG
    upload.write_bytes(png_bytes())

    page: Page = new_page()
    sign_in(page, case_worker.username, device=make_device(case_worker))
    page.goto(f"{_t(world)}/dokumente/teilnehmende/{rw.participant.public_id}/")
    check_page(page)
    page.get_by_label("Titel").fill("Schulzeugnis")
    page.get_by_label("Datei (PDF, JPEG oder PNG)").set_input_files(str(upload))
    submit(page, "Hochladen")
    assert Document.objects.get().content_type == "image/png"
    assert "PNG" in page.locator("#document-table").inner_text()
    with page.expect_download() as info:
        page.get_by_role("link", name="Schulzeugnis", exact=True).click()
    assert info.value.suggested_filename == "schulzeugnis.png"
    follow(page, "„Schulzeugnis“ löschen")
    submit(page, "Löschen")
    assert not Document.objects.exists()
    assert "Noch keine Dokumente." in page.locator("#document-table").inner_text()

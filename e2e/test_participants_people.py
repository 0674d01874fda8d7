"""People area in the browser: take up a person (with a duplicate check), print the consent
form, residence status with the eligibility notice, correction with history, the access
download, restriction, and the transfer to another tenant — axe on every page."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page

from e2e.support import check_page, follow, make_device, sign_in, submit
from teilhabe.participants.models import Participant, Transfer
from tests.casework_factories import make_participant
from tests.conftest import World

pytestmark = pytest.mark.e2e


def _iso(days_ago: int = 0, years_ago: int = 0) -> str:
    today = timezone.localdate()
    return (today.replace(year=today.year - years_ago) - timedelta(days=days_ago)).isoformat()


def test_case_worker_takes_up_and_looks_after_a_person(page: Page, world: World) -> None:
    from teilhabe.offers.services import programme_rule_sets_load

    programme_rule_sets_load()
    worker = world.users["case_worker"]
    today = timezone.localdate()
    make_participant(world.tenant, "Muhammad", "Al-Hassan", today.replace(year=today.year - 21))
    sign_in(page, worker.username, device=make_device(worker))
    page.goto(f"/t/{world.tenant.public_id}/teilnehmende/")
    check_page(page)
    follow(page, "Neue Person aufnehmen")

    page.get_by_label("Vorname").fill("Mohammed")
    page.get_by_label("Nachname").fill("Al-Hassan")
    page.locator("#id_birth_date").fill(_iso(years_ago=21))
    page.get_by_label("Geschlecht").select_option(label="männlich")
    page.get_by_label("Staatsangehörigkeiten").fill("SY")
    page.get_by_label("Arabisch").check()
    page.locator("#id_gemeinde").select_option(label="Verl")
    page.locator("#id_entry_date").fill(_iso(years_ago=4))
    page.locator("#id_case_intake_date").fill(_iso(days_ago=1))
    page.get_by_label("Die Person hat in die Fallarbeit eingewilligt").check()
    page.locator("#id_consent_given_on").fill(_iso(days_ago=1))
    page.get_by_label("Form der Einwilligung").select_option(label="digital")
    submit(page, "Aufnehmen")
    # the colleague's Muhammad Al-Hassan with the same birth date: a possible duplicate
    assert "Mögliche Doppelungen" in page.locator("#duplicates").inner_text()
    assert not Participant.objects.filter(first_name="Mohammed").exists()
    page.get_by_label("Ich habe die Liste geprüft: Es ist eine andere Person").check()
    submit(page, "Aufnehmen")
    assert page.get_by_role("heading", name="Mohammed Al-Hassan").is_visible()

    # the printable consent form in Arabic, right to left
    follow(page, "Einwilligungsformular (العربية)")
    assert page.locator("#consent-text").get_attribute("dir") == "rtl"
    follow(page, "Zurück zum Datensatz von Mohammed Al-Hassan")

    # residence status: the end before the start is refused, then saved with a re-check
    follow(page, "Aufenthaltsstatus eintragen")
    page.get_by_label("Aufenthaltsstatus").select_option(
        label="Duldung (§ 60c AufenthG (Ausbildungsduldung))"
    )
    page.get_by_label("Gültig ab").fill(_iso(days_ago=10))
    page.get_by_label("Gültig bis").fill(_iso(days_ago=20))
    submit(page, "Speichern")
    assert page.get_by_text("Das Ende der Gültigkeit liegt vor dem Beginn.").count() >= 1
    page.get_by_label("Gültig bis").fill("")
    submit(page, "Speichern")
    assert "Duldung (§ 60c" in page.locator("#status-table").inner_text()
    assert "Neubewertung der Förderfähigkeit" in page.locator("#notices").inner_text()
    submit(page, "Als gelesen markieren")

    # correction with history
    follow(page, "Bearbeiten", within=page.locator("#record-actions"))
    page.get_by_label("Telefon").fill("0151 7654321")
    submit(page, "Speichern")
    follow(page, "Änderungsverlauf", within=page.locator("#record-actions"))
    history = page.locator("#participant-history").inner_text()
    # the log keeps who changed the phone and when, never the number itself
    assert "phone" in history and "[…]" in history and "0151 7654321" not in history
    follow(page, "Zurück zum Datensatz von Mohammed Al-Hassan")

    # Art. 15: the complete record as JSON
    with page.expect_download() as download:
        page.get_by_role(
            "link", name="Auskunft (Art. 15 DSGVO): vollständiger Datensatz als JSON"
        ).click()
    record = json.loads(open(download.value.path(), encoding="utf-8").read())  # noqa: SIM115
    assert record["participant"]["phone"] == "0151 7654321"

    # Art. 18: restricted records leave the list
    follow(page, "Verarbeitung einschränken (Art. 18 DSGVO)")
    submit(page, "Verarbeitung einschränken")
    assert page.locator("#restricted").is_visible()
    follow(page, "Alle Teilnehmenden")
    assert "Mohammed" not in page.locator("#participant-table").inner_text()
    page.get_by_label("auch eingeschränkte Datensätze zeigen").check()
    submit(page, "Suchen")
    follow(page, "Al-Hassan, Mohammed")
    follow(page, "Einschränkung der Verarbeitung aufheben (Art. 18 DSGVO)")
    submit(page, "Einschränkung aufheben")

    # the person moves to Bielefeld
    follow(page, "Die Person zieht um: an einen anderen Mandanten übergeben")
    page.get_by_label("Neu zuständiger Mandant").select_option(label="Stadt Bielefeld")
    page.get_by_label("Verlauf des Leistungsbezugs").check()
    submit(page, "Übergeben")
    assert page.get_by_text("Bitte bestätigen Sie").count() >= 1
    page.get_by_label("Die Person hat der Übergabe der aufgeführten Daten zugestimmt").check()
    submit(page, "Übergeben")
    assert "Wegzug" in page.locator("#cases").inner_text()
    assert Transfer.objects.get().to_tenant == world.other_tenant


def test_receiving_case_worker_takes_over(new_page: object, world: World) -> None:
    from teilhabe.participants import services_people

    worker = world.users["case_worker"]
    person = make_participant(world.tenant, "Selam", "Tesfaye", case_worker=worker)
    services_people.transfer_create(
        actor=worker,
        participant=person,
        to_tenant=world.other_tenant,
        sections=["education"],
        confirmed=True,
    )
    stranger = world.users["other_tenant"]
    page = new_page()  # type: ignore[operator]
    sign_in(page, stranger.username, device=make_device(stranger))
    page.goto(f"/t/{world.other_tenant.public_id}/teilnehmende/uebernahmen/")
    check_page(page)
    follow(page, "Selam Tesfaye")
    submit(page, "Übernehmen und Fall eröffnen")
    assert page.get_by_role("heading", name="Selam Tesfaye").is_visible()
    assert "Kreis Gütersloh" in page.locator("#transfers").inner_text()


def test_consents_benefits_merge_and_erasure_pages(page: Page, world: World) -> None:
    from datetime import date

    worker = world.users["case_worker"]
    person = make_participant(
        world.tenant, "Ahmad", "Karimi", date(2003, 5, 14), case_worker=worker
    )
    twin = make_participant(world.tenant, "Achmad", "Karimi", date(2003, 5, 14), case_worker=worker)
    sign_in(page, worker.username, device=make_device(worker))
    page.goto(f"/t/{world.tenant.public_id}/teilnehmende/einwilligung/de/")
    check_page(page)
    page.goto(f"/t/{world.tenant.public_id}/teilnehmende/{person.public_id}/")
    check_page(page)

    follow(page, "Einwilligung erfassen")
    page.get_by_label("Zweck").select_option(label="Evaluation")
    page.get_by_label("mündlich mit Zeugin oder Zeuge").check()
    submit(page, "Speichern")
    assert (
        page.get_by_text(
            "Eine mündliche Einwilligung braucht eine Zeugin oder einen Zeugen."
        ).count()
        >= 1
    )
    page.get_by_label("Zeugin oder Zeuge (bei mündlicher Einwilligung)").fill("Frau Demir")
    submit(page, "Speichern")
    assert "Evaluation" in page.locator("#consent-table").inner_text()
    follow(page, "widerrufen Evaluation")
    submit(page, "Widerruf erfassen")
    assert "widerrufen am" in page.locator("#consent-table").inner_text()

    follow(page, "Leistungsbezug eintragen")
    page.get_by_label("Leistungssystem").select_option(label="AsylbLG")
    page.get_by_label("Von").fill(_iso(years_ago=2))
    submit(page, "Speichern")
    assert "AsylbLG" in page.locator("#benefit-table").inner_text()
    follow(page, "Eintrag beenden AsylbLG")
    page.get_by_label("Gültig bis").fill(_iso(days_ago=3))
    submit(page, "Eintrag beenden")

    follow(page, "in diesen Datensatz übernehmen")
    page.get_by_label("Beide Datensätze beschreiben dieselbe Person; zusammenführen").check()
    submit(page, "Zusammenführen")
    twin.refresh_from_db()
    assert twin.merged_into_id == person.pk

    follow(page, "Löschung (Art. 17 DSGVO): Datensatz anonymisieren")
    page.get_by_label("Grund").fill("Antrag der Person")
    page.get_by_label("Ich habe das geprüft und möchte fortfahren").check()
    submit(page, "Anonymisieren")
    assert page.locator("#anonymised").is_visible()

"""The offer directory in the browser: list with filters, create with location and times,
detail, duplicate for a new run, history, and the "passende Angebote" page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from e2e.support import check_page, follow, make_device, sign_in, submit
from teilhabe.offers.models import Offer
from tests.conftest import World
from tests.factories import make_offer, make_provider

pytestmark = pytest.mark.e2e


def test_coordinator_maintains_offers(page: Page, world: World) -> None:
    coordinator = world.users["coordination"]
    vhs = make_provider(world.tenant, "VHS Gütersloh")
    make_offer(world.tenant, vhs, key="a1", title="Deutschkurs A1")
    make_offer(
        world.tenant,
        make_provider(world.tenant, "JMD Caritas", kind="jmd"),
        key="beratung",
        title="Migrationsberatung",
        category_code="beratung",
    )

    sign_in(page, coordinator.username, device=make_device(coordinator))
    nav = page.get_by_role("navigation", name="Hauptnavigation")
    follow(page, "Angebote", within=nav)
    assert page.locator("#offer-table tbody tr").count() == 2
    # the filter narrows the list (htmx swaps the results; without JS the form submits)
    page.get_by_label("Kategorie").select_option(label="Beratung und Coaching")
    from playwright.sync_api import expect

    expect(page.locator("#offer-table tbody tr")).to_have_count(1)
    assert "Migrationsberatung" in page.locator("#offer-table").inner_text()
    check_page(page)

    follow(page, "Neues Angebot")
    page.get_by_label("Angebotsnummer").fill("bo-holz-1")
    page.get_by_label("Titel", exact=True).fill("Berufsorientierung Holz")
    page.get_by_label("Kategorie").select_option(label="Berufsorientierung und -vorbereitung")
    page.get_by_label("Träger").select_option(label="VHS Gütersloh")
    page.get_by_label("Status").select_option(label="aktiv")
    page.locator("#id_start_date").fill("2026-09-01")
    page.locator("#id_end_date").fill("2026-06-01")  # before the start: refused
    page.locator("#id_loc-0-street").fill("Paderborner Straße 5")
    page.locator("#id_loc-0-postcode").fill("33415")
    page.locator("#id_loc-0-city").fill("Verl")
    page.locator("#id_loc-0-gemeinde").select_option(label="Verl")
    page.locator("#id_sched-0-weekday").select_option(label="Dienstag")
    page.locator("#id_sched-0-opens_at").fill("09:00")
    page.locator("#id_sched-0-closes_at").fill("12:30")
    submit(page, "Speichern")
    assert page.get_by_text("Das Ende liegt vor dem Beginn.").count() >= 1
    assert not Offer.objects.filter(key="bo-holz-1").exists()
    page.locator("#id_end_date").fill("2026-12-18")
    submit(page, "Speichern")
    assert page.get_by_role("heading", name="Berufsorientierung Holz").is_visible()
    assert "Dienstag 09:00–12:30" in page.locator("#offer-facts").inner_text()

    follow(page, "Für einen neuen Durchgang kopieren")
    page.get_by_label("Angebotsnummer des neuen Durchgangs").fill("bo-holz-2")
    submit(page, "Neuen Durchgang anlegen")
    assert Offer.objects.get(key="bo-holz-2").status == "geplant"
    page.get_by_label("Titel", exact=True).fill("Berufsorientierung Holz (Frühjahr)")
    submit(page, "Speichern")
    assert "/bearbeiten/" not in page.url
    follow(page, "Änderungsverlauf")
    assert "Berufsorientierung Holz (Frühjahr)" in page.locator("#offer-history").inner_text()


def test_case_worker_finds_matching_offers(page: Page, world: World) -> None:
    from tests.test_matching import _target_group_rules

    rules = _target_group_rules(world)
    vhs = make_provider(world.tenant)
    make_offer(world.tenant, vhs, key="open", title="Offener Deutschkurs", rule_set=rules)
    make_offer(world.tenant, vhs, key="u21", title="Kurs bis 20", max_age=20)
    worker = world.users["case_worker"]
    sign_in(page, worker.username, device=make_device(worker))
    follow(page, "Passende Angebote", within=page.get_by_role("navigation", name="Hauptnavigation"))
    page.get_by_label("Geburtsdatum").fill("2001-03-14")
    page.get_by_label("Aufenthaltsstatus").select_option(label="Aufenthaltsgestattung (§ 55 AsylG)")
    page.get_by_label("Leistungsbezug").select_option(label="AsylbLG")
    page.get_by_label("Lebt in einer Landeseinrichtung").select_option(label="nein")
    page.get_by_label("Sicherheitsausschluss").select_option(label="nein")
    page.get_by_label("auch Angebote zeigen, die der Person nicht offenstehen").check()
    submit(page, "Angebote finden")
    eligible = page.locator("#matches-eligible").inner_text()
    assert "Offener Deutschkurs" in eligible and "Kurs bis 20" not in eligible
    assert "Kurs bis 20" in page.locator("#matches-not-eligible").inner_text()

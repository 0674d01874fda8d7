"""The needs and offer analysis in the browser: the coordinator imports target-group figures
(a bad file first: German errors, nothing saved), sees the development chart, the gap matrix
as heatmap and table, the trend, drills into a gap, records it, plans a measure from it and
downloads the report; a case worker fills in a needs survey — axe on every page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page

from e2e.support import check_page, follow, make_device, sign_in, submit
from teilhabe.needs.imports import HEADERS
from teilhabe.needs.models import Gap, ParticipantNeed, PlannedMeasure, TargetGroupSnapshot
from tests.conftest import World
from tests.factories import make_offer, make_provider
from tests.needs_factories import person_with_need

pytestmark = pytest.mark.e2e


def _csv(rows: list[list[object]]) -> bytes:
    lines = [";".join(HEADERS)] + [";".join(str(c) for c in r) for r in rows]
    return "\n".join(lines).encode()


def _nav(page: Page) -> object:
    return page.get_by_role("navigation", name="Bedarfsanalyse")


def test_coordinator_from_figures_to_gap_measure_and_report(page: Page, world: World) -> None:
    coordinator = world.users["coordination"]
    worker = world.users["case_worker"]
    for i in range(6):
        person_with_need(world.tenant, worker, name=f"P{i}", category_code="arbeit")
    make_offer(world.tenant, make_provider(world.tenant), key="sprachkurs")
    tenant = world.tenant.public_id
    day = (timezone.localdate() - timedelta(days=30)).strftime("%d.%m.%Y")

    sign_in(page, coordinator.username, device=make_device(coordinator))
    page.goto(f"/t/{tenant}/")
    follow(page, "Bedarfsanalyse")
    follow(page, "Zielgruppenzahlen importieren")

    # a bad file: a negative count and totals that do not add up
    bad = _csv(
        [
            [day, "", "duldung", "18-20", "männlich", "AF", "AsylbLG", -4],
            [day, "", "gestattung", "21-24", "weiblich", "SY", "AsylbLG", 7],
            [day, "", "Summe", "", "", "", "", 9],
        ]
    )
    page.get_by_label("Datei (XLSX oder CSV)").set_input_files(
        {"name": "zielgruppe.csv", "mimeType": "text/csv", "buffer": bad}
    )
    submit(page, "Prüfen und importieren")
    errors = page.locator("#import-errors").inner_text()
    assert "darf nicht negativ sein" in errors
    assert not TargetGroupSnapshot.objects.exists()

    good = _csv(
        [
            [day, "", "duldung", "18-20", "männlich", "AF", "AsylbLG", 40],
            [day, "", "gestattung", "21-24", "weiblich", "SY", "AsylbLG", 25],
            [day, "", "Summe", "", "", "", "", 65],
        ]
    )
    page.get_by_label("Datei (XLSX oder CSV)").set_input_files(
        {"name": "zielgruppe.csv", "mimeType": "text/csv", "buffer": good}
    )
    page.get_by_label("Quelle").fill("Ausländerbehörde")
    submit(page, "Prüfen und importieren")
    assert "wurden importiert (65 Personen)" in page.locator(".th-messages").inner_text()
    assert page.locator("svg.th-needs-chart").is_visible()
    assert "65" in page.locator("#development").inner_text()

    # the gap matrix: heatmap, table, trend
    follow(page, "Lückenmatrix", within=_nav(page))
    cell = page.locator('[data-cell="arbeit/duldung"]')
    assert "LÜCKE" in cell.inner_text().upper()
    follow(page, "Als Tabelle anzeigen")
    assert page.locator("#matrix-table").is_visible()
    follow(page, "Entwicklung über frühere Stichtage")
    assert page.locator("#trend").is_visible()
    follow(page, "Lückenmatrix", within=_nav(page))

    # drill into the gap and record it
    with page.expect_navigation():
        page.locator('[data-cell="arbeit/duldung"]').click()
    check_page(page)
    assert page.locator("#no-accessible").is_visible()
    page.get_by_label("Titel").fill("Arbeit für Geduldete")
    submit(page, "Als Lücke erfassen")
    gap = Gap.objects.get()
    assert gap.demand == 6

    # plan a measure from the gap
    follow(page, "Maßnahme planen")
    page.get_by_label("Förderbaustein oder andere Förderung").select_option(
        label="F1 Individuelles Coaching"
    )
    page.get_by_label("Plätze").fill("3")
    page.get_by_label("Verantwortliche Organisation").fill("Kommunales Integrationszentrum")
    page.get_by_label("Status").select_option(label="geplant")
    submit(page, "Speichern")
    assert PlannedMeasure.objects.get().gap == gap
    assert "decken 50 % des Bedarfs" in page.locator("#gap-coverage").inner_text()

    # the report
    follow(page, "Übersicht", within=_nav(page))
    with page.expect_download() as info:
        page.get_by_role("link", name="Bericht (PDF)").click()
    assert info.value.suggested_filename.startswith("bedarfsanalyse-")
    with page.expect_download() as info:
        page.get_by_role("link", name="Bericht (XLSX)").click()
    assert info.value.suggested_filename.endswith(".xlsx")


def test_case_worker_fills_in_a_needs_survey(page: Page, world: World) -> None:
    worker = world.users["case_worker"]
    participant = person_with_need(world.tenant, worker, name="Samira")
    tenant = world.tenant.public_id
    sign_in(page, worker.username, device=make_device(worker))
    page.goto(f"/t/{tenant}/bedarfe/befragung/{participant.public_id}/")
    check_page(page)
    page.get_by_role("group", name="Wohnen").get_by_label("hoch").check()
    submit(page, "Speichern")
    assert "Die Bedarfe wurden gespeichert." in page.locator(".th-messages").inner_text()
    assert ParticipantNeed.objects.get().category.code == "wohnen"
    # the drill-down lists the own participant
    page.goto(f"/t/{tenant}/bedarfe/matrix/zelle/?dim=status&kategorie=wohnen&spalte=duldung")
    check_page(page)
    assert "Samira" in page.locator("#cell-people").inner_text()

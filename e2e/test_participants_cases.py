"""The cases area in the browser: from the caseload into a first-contact case (blocked without
the case-work consent), status, support plan with a review, contacts with a refused date and
the hours, education history, closure with the outcome, and the coordination's figures
(counts only) — axe on every page; a volunteer guessing the case URL gets 404."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page

from e2e.support import NewPage, check_page, follow, make_device, sign_in, submit
from teilhabe.participants.models import Case, Contact, EducationEpisode, Goal, Outcome
from tests.casework_cases_factories import make_consent, make_participant
from tests.conftest import World

pytestmark = pytest.mark.e2e


def _sections(page: Page) -> Any:
    return page.get_by_role("navigation", name="Bereiche des Falls")


def test_case_worker_works_a_case_from_first_contact_to_closure(
    page: Page, new_page: NewPage, world: World
) -> None:
    worker = world.users["case_worker"]
    today = timezone.localdate()
    intake = today - timedelta(days=20)
    participant = make_participant(world.tenant, "Amina", "Haddad")
    case = Case.objects.create(
        tenant=world.tenant,
        participant=participant,
        responsible=worker,
        intake_date=intake,
        status="erstkontakt",
    )
    tenant = world.tenant.public_id

    sign_in(page, worker.username, device=make_device(worker))
    page.goto(f"/t/{tenant}/")
    check_page(page)
    follow(page, "Meine Fälle", within=page.locator("#card-casework"))
    assert "1 offener Fall" in page.locator("#case-count").inner_text()
    follow(page, "Haddad, Amina")
    assert page.get_by_role("heading", name="Amina Haddad").is_visible()
    assert "Die Einwilligung „Fallarbeit“ fehlt" in page.locator("#consent-missing").inner_text()

    # without the consent the plan is blocked
    follow(page, "Förderplan", within=_sections(page))
    assert page.locator("#form-blocked").is_visible()
    assert page.locator("#goal-form").count() == 0

    # the consent is recorded (on the participant's record, by the people area)
    make_consent(participant, worker, given_on=intake)
    follow(page, "Fall", within=_sections(page))
    follow(page, "Status ändern")
    page.get_by_label("aktiv", exact=True).check()
    submit(page, "Status ändern")
    assert "Der Fall hat jetzt den Status „aktiv“." in page.locator(".th-messages").inner_text()

    # plan: a goal and its review
    follow(page, "Förderplan", within=_sections(page))
    page.get_by_label("Kategorie").select_option(label="Ausbildung")
    page.get_by_label("Ziel", exact=True).fill("Ausbildungsplatz im Handwerk finden")
    page.locator("#id_target_date").fill((today + timedelta(days=120)).isoformat())
    page.get_by_label("Dringlichkeit").select_option(label="hoch")
    submit(page, "Ziel hinzufügen")
    assert "Ausbildungsplatz im Handwerk finden" in page.locator("#goal-table").inner_text()
    follow(page, "Ausbildungsplatz im Handwerk finden", within=page.locator("#goal-table"))
    page.get_by_label("Notiz").fill("Drei Bewerbungen verschickt.")
    page.get_by_label("Status nach der Überprüfung").select_option(label="in Arbeit")
    submit(page, "Überprüfung eintragen")
    assert Goal.objects.get(case=case).status == "in_arbeit"

    # contacts: a date before the intake is refused, then recorded with its proof
    follow(page, "Kontakte", within=_sections(page))
    page.locator("#id_happened_on").fill((intake - timedelta(days=3)).isoformat())
    page.get_by_label("Dauer (Minuten)").fill("90")
    page.get_by_label("Art").select_option(label="persönlich")
    page.get_by_label("Thema").fill("Bewerbungsunterlagen")
    page.get_by_label("zweite Fachkraft").check()
    page.get_by_label("Bestätigt durch").fill("S. Becker")
    submit(page, "Kontakt erfassen")
    assert (
        "Der Kontakt liegt vor der Aufnahme des Falls" in page.locator("#contact-form").inner_text()
    )
    assert not Contact.objects.exists()
    page.locator("#id_happened_on").fill(today.isoformat())
    submit(page, "Kontakt erfassen")
    assert "Bewerbungsunterlagen" in page.locator("#contact-table").inner_text()
    assert "1,50" in page.locator("#hours-table").inner_text()

    # education history: the end before the start is refused
    follow(page, "Bildungsverlauf", within=_sections(page))
    page.get_by_label("Art").select_option(label="Kurs")
    page.get_by_label("Was").fill("Integrationskurs")
    page.locator("#id_started_on").fill("2024-03-01")
    page.locator("#id_ended_on").fill("2024-01-31")
    submit(page, "Station eintragen")
    assert "Das Ende liegt vor dem Beginn." in page.locator("#episode-form").inner_text()
    page.locator("#id_ended_on").fill("2024-12-20")
    submit(page, "Station eintragen")
    assert "01.03.2024 – 20.12.2024" in page.locator("#timeline").inner_text()
    assert EducationEpisode.objects.filter(participant=participant).count() == 1

    # closure with reason and outcome
    follow(page, "Fall", within=_sections(page))
    follow(page, "Status ändern")
    page.get_by_label("abgeschlossen", exact=True).check()
    submit(page, "Status ändern")
    assert "Bitte geben Sie einen Grund" in page.locator("#status-form").inner_text()
    page.get_by_label("Abschlussgrund").fill("Ausbildung begonnen")
    page.get_by_label("Verbleib bei Abschluss").select_option(label="Ausbildung")
    submit(page, "Status ändern")
    follow(page, "Verbleib", within=_sections(page))
    assert "bei Abschluss" in page.locator("#outcome-table").inner_text()
    assert Outcome.objects.get(case=case).kind == "ausbildung"

    # the coordination sees counts, never names
    coordinator = world.users["coordination"]
    other = new_page()
    sign_in(other, coordinator.username, device=make_device(coordinator))
    other.goto(f"/t/{tenant}/")
    check_page(other)
    follow(other, "Fallarbeit in Zahlen", within=other.locator("#card-casework"))
    assert "Haddad" not in other.content()
    assert "< 5" in other.locator("#outcome-kinds").inner_text()

    # a volunteer guessing the case URL: 404
    volunteer = world.users["volunteer"]
    third = new_page()
    sign_in(third, volunteer.username, device=make_device(volunteer))
    response = third.goto(f"/t/{tenant}/faelle/{case.public_id}/")
    assert response is not None and response.status == 404
    check_page(third)

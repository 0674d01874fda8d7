"""Tenant administration in the browser: audit log with CSV export, inviting a person."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.core import mail
from playwright.sync_api import Page

from e2e.support import NewPage, check_page, follow, make_device, sign_in, submit
from teilhabe.accounts import services
from teilhabe.audit.services import audit_record
from tests.conftest import World

pytestmark = pytest.mark.e2e

CSV_HEADER = "Zeitpunkt;Person;Aktion;Objekttyp;Objekt-ID;Objekt;Adresse;Änderungen"


def test_audit_log_filter_and_csv_export(page: Page, world: World) -> None:
    tenant, admin = world.tenant, world.users["tenant_admin"]
    coordinator, volunteer = world.users["coordination"], world.users["volunteer"]
    services.membership_set_roles(
        actor=admin, tenant=tenant, user=volunteer, roles=["volunteer", "provider"]
    )
    audit_record(actor=coordinator, action="read", obj=world.users["case_worker"], tenant=tenant)
    # An event of the other tenant must never show up here.
    audit_record(actor=world.users["other_tenant"], action="read", tenant=world.other_tenant)

    sign_in(page, admin.username, device=make_device(admin))
    nav = page.get_by_role("navigation", name="Hauptnavigation")
    follow(page, "Protokoll", within=nav)
    assert page.url.endswith(f"/t/{tenant.public_id}/verwaltung/protokoll/")
    assert nav.get_by_role("link", name="Protokoll").get_attribute("aria-current") == "page"
    table = page.locator("#audit-table tbody")
    assert table.get_by_text("membership.change").count() == 1
    assert table.get_by_text("user_coordination").count() == 1
    assert table.get_by_text("stranger").count() == 0

    page.get_by_label("Person oder Datensatz").fill("user_coordination")
    submit(page, "Filtern")
    assert "q=user_coordination" in page.url
    rows = table.locator("tr")
    assert rows.count() == 1
    assert "user_coordination" in rows.first.inner_text()
    assert "read" in rows.first.inner_text()

    with page.expect_download() as info:
        page.get_by_role("link", name="Als CSV exportieren").click()
    download = info.value
    assert re.fullmatch(r"protokoll-\d{4}-\d{2}-\d{2}\.csv", download.suggested_filename)
    path = download.path()
    assert path is not None
    text = path.read_text(encoding="utf-8")
    assert text.startswith("\ufeff")
    lines = text.lstrip("\ufeff").splitlines()
    assert lines[0] == CSV_HEADER
    data = list(csv.reader(io.StringIO("\n".join(lines[1:])), delimiter=";"))
    assert len(data) == 1, data
    assert data[0][1] == "user_coordination"
    assert data[0][2] == "read"
    assert data[0][4] == str(world.users["case_worker"].public_id)
    check_page(page)  # still the log; the download left the page alone


def test_invite_person_who_then_sets_a_password(
    page: Page, new_page: NewPage, world: World
) -> None:
    tenant, admin = world.tenant, world.users["tenant_admin"]
    sign_in(page, admin.username, device=make_device(admin))
    follow(page, "Benutzer", within=page.get_by_role("navigation", name="Hauptnavigation"))
    follow(page, "Person einladen")
    assert page.get_by_role("heading", level=1).inner_text() == "Person einladen"

    page.get_by_label("Vorname").fill("Nora")
    page.get_by_label("Nachname").fill("Neumann")
    page.get_by_label("E-Mail-Adresse").fill("nora.neumann@example.org")
    page.get_by_label("Benutzername").fill("nneumann")
    page.get_by_label("Ehrenamt").check()
    page.get_by_label("Bündnis-Mitglied").check()
    submit(page, "Einladung senden")

    assert page.url.endswith(f"/t/{tenant.public_id}/verwaltung/benutzer/")
    assert page.get_by_role("status").get_by_text("wurde eingeladen").is_visible()
    row = page.locator("#user-table tbody tr", has_text="nneumann")
    assert row.count() == 1
    assert "Nora Neumann" in row.inner_text()
    assert "Bündnis-Mitglied, Ehrenamt" in row.inner_text()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    body = str(message.body)
    assert message.to == ["nora.neumann@example.org"]
    assert message.subject == "Einladung zu Teilhabe"
    assert "nneumann" in body
    found = re.search(r"(http://\S+/konto/einladung/\S+/)", body)
    assert found, body
    link = found.group(1)
    assert link.startswith(page.url.split("/t/")[0] + "/")

    # The invited person, in her own browser session.
    nora = new_page()
    nora.goto(link)
    check_page(nora)
    assert (
        nora.get_by_role("heading", level=1).inner_text() == "Willkommen – wählen Sie Ihr Passwort"
    )
    new_password = "Gute-Einladung-2026-Passwort"
    nora.locator("#id_new_password1").fill(new_password)
    nora.locator("#id_new_password2").fill(new_password)
    submit(nora, "Passwort speichern")
    assert nora.get_by_role("heading", level=1).inner_text() == "Ihr Passwort wurde gespeichert"

    # The password works; her volunteer role makes the second factor mandatory at once.
    sign_in(nora, "nneumann", password=new_password)
    assert "/konto/zweiter-faktor/einrichten/" in nora.url
    assert nora.locator("#otp-secret").is_visible()

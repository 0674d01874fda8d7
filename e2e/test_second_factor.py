"""Sign-in with password and the mandatory second factor, in the browser."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Page

from e2e.support import (
    check_page,
    enter_code,
    secret_to_key,
    sign_out,
    submit,
    totp_code,
)
from tests.conftest import PASSWORD, World

pytestmark = pytest.mark.e2e

INVALID = "Der Code ist ungültig oder wurde bereits verwendet."


def _password_step(page: Page, username: str) -> None:
    page.goto("/konto/anmelden/")
    check_page(page)
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    submit(page, "Anmelden")


def test_enrolment_verification_and_recovery_code(page: Page, world: World) -> None:
    tenant = world.tenant
    username = world.users["case_worker"].username

    # First sign-in: the case worker must enrol an authenticator app before anything else.
    _password_step(page, username)
    assert "/konto/zweiter-faktor/einrichten/" in page.url
    secret = page.locator("#otp-secret").inner_text()
    key = secret_to_key(secret)
    assert len(key) == 20
    page.get_by_label("Code", exact=True).fill(totp_code(key))
    submit(page, "Zweiten Faktor aktivieren")
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    assert all(re.fullmatch(r"\d{5}-\d{5}", c) for c in codes), codes
    follow_link = page.get_by_role("link", name="Ich habe die Codes gesichert – weiter")
    with page.expect_navigation():
        follow_link.click()
    check_page(page)
    assert page.url.endswith(f"/t/{tenant.public_id}/")
    assert page.get_by_role("heading", level=1).inner_text() == tenant.name

    # Second sign-in: the code is asked for; a wrong one is refused in German.
    sign_out(page)
    _password_step(page, username)
    assert "/konto/zweiter-faktor/" in page.url
    assert "einrichten" not in page.url
    assert page.get_by_role("heading", level=1).inner_text() == "Anmeldung bestätigen"
    now = int(time.time()) // 30
    valid_now = {totp_code(key, step=s) for s in range(now - 1, now + 3)}
    enter_code(page, next(c for c in ("000000", "111111", "222222") if c not in valid_now))
    assert page.get_by_text(INVALID).is_visible()
    assert "/konto/zweiter-faktor/" in page.url
    # A failure throttles the devices for one second (django-otp); a person takes longer.
    page.wait_for_timeout(1100)
    # The enrolment used the current code; the next time step is still accepted (drift 1).
    enter_code(page, totp_code(key, step=int(time.time()) // 30 + 1))
    assert page.url.endswith(f"/t/{tenant.public_id}/")

    # A recovery code works instead of the app, but only once.
    sign_out(page)
    _password_step(page, username)
    enter_code(page, codes[0])
    assert page.url.endswith(f"/t/{tenant.public_id}/")
    sign_out(page)
    _password_step(page, username)
    page.wait_for_timeout(1100)
    enter_code(page, codes[0])
    assert page.get_by_text(INVALID).is_visible()
    assert "/konto/zweiter-faktor/" in page.url

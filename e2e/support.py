"""Helpers of the browser tests: page guards, axe-core, sign-in and TOTP codes."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from weakref import WeakKeyDictionary

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import ConsoleMessage, Page, Request

from tests.conftest import PASSWORD

AXE_PATH = Path(__file__).resolve().parent / "vendor" / "axe-core-4.11.4" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# The ``new_page`` fixture: a page in a fresh browser context (options as for new_context).
NewPage = Callable[..., Page]

# Reports every CSP violation on the console, in addition to Chromium's own message.
# Init scripts are injected by the DevTools protocol and are not subject to the page's CSP.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(
    "CSP violation: " + event.effectiveDirective + " blocked " + (event.blockedURI || "inline")
  );
}, true);
"""


# --- Guards: foreign requests, CSP violations, script errors ------------------------------


@dataclass
class PageWatch:
    """What a page did besides rendering: its requests and console complaints."""

    origin: str
    requests: list[str] = field(default_factory=list)
    csp_messages: list[str] = field(default_factory=list)
    script_errors: list[str] = field(default_factory=list)

    def on_request(self, request: Request) -> None:
        self.requests.append(request.url)

    def on_console(self, message: ConsoleMessage) -> None:
        text = message.text
        if "Content Security Policy" in text or "CSP violation" in text:
            self.csp_messages.append(text)

    def on_page_error(self, error: Any) -> None:
        self.script_errors.append(str(error))

    def foreign_requests(self) -> list[str]:
        own = urlsplit(self.origin)
        foreign = []
        for url in self.requests:
            parts = urlsplit(url)
            if parts.scheme in {"data", "blob", "about"}:
                continue
            if (parts.scheme, parts.netloc) != (own.scheme, own.netloc):
                foreign.append(url)
        return foreign

    def problems(self) -> list[str]:
        found = [f"request to another host: {url}" for url in self.foreign_requests()]
        found += [f"CSP violation: {text}" for text in self.csp_messages]
        found += [f"script error: {text}" for text in self.script_errors]
        return found


_WATCHES: WeakKeyDictionary[Page, PageWatch] = WeakKeyDictionary()


def watch_page(page: Page, origin: str) -> PageWatch:
    watch = PageWatch(origin=origin)
    page.add_init_script(CSP_LISTENER)
    page.on("request", watch.on_request)
    page.on("console", watch.on_console)
    page.on("pageerror", watch.on_page_error)
    _WATCHES[page] = watch
    return watch


def watch_of(page: Page) -> PageWatch:
    return _WATCHES[page]


def assert_page_clean(page: Page) -> None:
    problems = watch_of(page).problems()
    if problems:
        pytest.fail(f"{page.url}:\n" + "\n".join(f"  - {p}" for p in problems), pytrace=False)


# --- Accessibility -------------------------------------------------------------------------


@cache
def _axe_source() -> str:
    return AXE_PATH.read_text(encoding="utf-8")


_AXE_RUN = """
(tags) => axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]})
  .then((result) => result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({target: n.target, summary: n.failureSummary})),
  })))
"""


def axe_check(page: Page) -> None:
    """Run axe-core (WCAG 2.0/2.1, A and AA) on the current page; fail with a readable list.

    ``page.add_script_tag(path=...)`` inserts an inline ``<script>``, which the platform's CSP
    (``script-src 'self'``) refuses, so the vendored file is evaluated through the DevTools
    protocol instead: same code, no CSP exception for the page itself.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    violations = page.evaluate(_AXE_RUN, AXE_TAGS)
    if not violations:
        return
    lines = [f"axe-core found {len(violations)} accessibility violation(s) on {page.url}:"]
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}  <{v['helpUrl']}>")
        for node in v["nodes"][:8]:
            target = " ".join(str(t) for t in node["target"])
            summary = " ".join((node["summary"] or "").split())
            lines.append(f"    {target}: {summary}")
        if len(v["nodes"]) > 8:
            lines.append(f"    ... and {len(v['nodes']) - 8} more")
    pytest.fail("\n".join(lines), pytrace=False)


def check_page(page: Page) -> None:
    """Every page a test reaches: loaded, no foreign request, no CSP violation, axe-clean."""
    page.wait_for_load_state("load")
    assert_page_clean(page)
    axe_check(page)


# --- Second factor ---------------------------------------------------------------------------


def secret_to_key(secret: str) -> bytes:
    """The key behind the base32 secret shown on the enrolment page (grouped, no padding)."""
    compact = "".join(secret.split()).upper()
    return base64.b32decode(compact + "=" * (-len(compact) % 8))


def totp_code(key: bytes, *, step: int | None = None) -> str:
    totp = TOTP(key, step=30, t0=0, digits=6)
    totp.time = time.time() if step is None else step * 30
    return f"{totp.token():06d}"


def next_code(device: TOTPDevice) -> str:
    """A code the device still accepts: tokens at or before ``last_t`` count as used."""
    device.refresh_from_db()
    step = max(int(time.time()) // 30, device.last_t + 1)
    return totp_code(bytes.fromhex(device.key), step=step)


def make_device(user: Any) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator", confirmed=True)


# --- Navigation ------------------------------------------------------------------------------


def submit(page: Page, name: str) -> None:
    """Click the button ``name`` and wait for the page it leads to."""
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).click()
    check_page(page)


def follow(page: Page, name: str, *, within: Any = None) -> None:
    """Click the link ``name`` and wait for the page it leads to."""
    scope = within if within is not None else page
    with page.expect_navigation():
        scope.get_by_role("link", name=name, exact=True).click()
    check_page(page)


def sign_in(
    page: Page, username: str, *, password: str = PASSWORD, device: TOTPDevice | None = None
) -> None:
    """Sign in through the form; with ``device`` also confirm the second factor."""
    page.goto("/konto/anmelden/")
    check_page(page)
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    submit(page, "Anmelden")
    if device is not None:
        assert "/konto/zweiter-faktor/" in page.url, page.url
        enter_code(page, next_code(device))
        assert "/konto/zweiter-faktor/" not in page.url, page.url


def enter_code(page: Page, code: str) -> None:
    page.get_by_label("Code", exact=True).fill(code)
    submit(page, "Bestätigen")


def sign_out(page: Page) -> None:
    submit(page, "Abmelden")
    assert page.url.endswith("/konto/anmelden/"), page.url

"""Language switch, small screens, and the guards every browser test relies on."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from e2e.support import NewPage, check_page, follow, make_device, sign_in, submit, watch_of
from teilhabe.accounts import services
from tests.conftest import World

pytestmark = pytest.mark.e2e


def _h1(page: Page) -> str:
    return page.get_by_role("heading", level=1).inner_text()


def test_language_switch_to_english_and_back(page: Page, world: World) -> None:
    user = world.users["case_worker"]
    sign_in(page, user.username, device=make_device(user))
    nav = page.get_by_role("navigation", name="Hauptnavigation")
    assert page.locator("html").get_attribute("lang") == "de"
    assert nav.get_by_role("link").first.inner_text() == "Übersicht"
    url = page.url

    submit(page, "English")
    assert page.url == url  # same page, other language
    assert page.locator("html").get_attribute("lang") == "en"
    nav = page.get_by_role("navigation", name="Main navigation")
    assert nav.get_by_role("link").first.inner_text() == "Overview"
    assert page.get_by_role("button", name="Sign out").is_visible()
    assert page.get_by_text("Your roles here:").is_visible()

    # The choice sticks for the next page.
    follow(page, "My account")
    assert _h1(page) == "My account"

    submit(page, "Deutsch")
    assert page.locator("html").get_attribute("lang") == "de"
    assert _h1(page) == "Mein Konto"
    assert page.get_by_role("button", name="Abmelden").is_visible()


def _scroll_width(page: Page) -> int:
    return int(page.evaluate("() => document.documentElement.scrollWidth"))


def test_small_screen_has_no_horizontal_scrolling(new_page: NewPage, world: World) -> None:
    page = new_page(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    admin = world.users["tenant_admin"]
    # Something for the dashboard's table of latest events.
    services.membership_set_roles(
        actor=admin, tenant=world.tenant, user=world.users["volunteer"], roles=["volunteer"]
    )
    services.membership_set_roles(
        actor=admin,
        tenant=world.tenant,
        user=world.users["provider"],
        roles=["provider", "volunteer"],
    )
    page.goto("/konto/anmelden/")
    check_page(page)
    assert _scroll_width(page) <= 360
    sign_in(page, admin.username, device=make_device(admin))
    assert page.url.endswith(f"/t/{world.tenant.public_id}/")
    assert page.locator("#audit-table").is_visible()
    assert _scroll_width(page) <= 360, "the dashboard scrolls sideways at 360 px"
    follow(page, "Protokoll", within=page.get_by_role("navigation", name="Hauptnavigation"))
    assert _scroll_width(page) <= 360, "the audit log scrolls sideways at 360 px"


def test_guards_notice_csp_violations_and_foreign_hosts(page: Page, world: World) -> None:
    """The checks every test relies on must be able to fail."""
    page.goto("/konto/anmelden/")
    check_page(page)
    watch = watch_of(page)
    assert watch.problems() == []

    with page.expect_console_message(lambda m: m.text.startswith("CSP violation:")):
        page.evaluate(
            "() => { const s = document.createElement('script');"
            " s.textContent = 'window.injected = 1'; document.head.append(s); }"
        )
    assert page.evaluate("() => window.injected") is None  # refused by the CSP ...
    assert any("Content Security Policy" in m for m in watch.csp_messages)  # ... and reported
    assert any(m.startswith("CSP violation: script-src") for m in watch.csp_messages)
    with pytest.raises(pytest.fail.Exception, match="CSP violation"):
        check_page(page)

    # Without a CSP (about:blank) an image from elsewhere is requested; it never leaves
    # the machine because the route answers it.
    page.route("http://elsewhere.invalid/**", lambda route: route.fulfill(status=204))
    page.goto("about:blank")
    page.set_content('<img src="http://elsewhere.invalid/pixel.png" alt="">')
    page.wait_for_load_state("load")
    assert watch.foreign_requests() == ["http://elsewhere.invalid/pixel.png"]
    with pytest.raises(pytest.fail.Exception, match="request to another host"):
        check_page(page)
    # Forget the deliberate problems, or the fixture's final check would report them.
    watch.csp_messages.clear()
    watch.requests.clear()

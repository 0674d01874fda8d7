"""The public offer finder in the browser: keyboard only, axe-clean in German, Arabic (RTL)
and plain German, no cookie, no sideways scrolling on small screens and at 200 % zoom."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone
from playwright.sync_api import Page

from e2e.support import NewPage, check_page
from teilhabe.offers import matching
from tests.conftest import World
from tests.factories import make_offer, make_provider
from tests.test_finder import _target_group_rules

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def pinned(monkeypatch: pytest.MonkeyPatch) -> None:
    """Today is the finder's reference date (the live server runs in this process).  The
    rule-set cache of the matching is keyed by offer pk, which the flushed database reuses."""
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: date(2026, 11, 26))
    monkeypatch.setattr(matching, "_CACHE", {})


def _directory(world: World) -> None:
    rules = _target_group_rules(world)
    vhs = make_provider(world.tenant, phone="05241 / 85-0", email="info@vhs.example")
    make_offer(
        world.tenant,
        vhs,
        key="kurs",
        title="Deutschkurs für junge Erwachsene",
        title_plain="Deutsch lernen für junge Menschen",
        min_age=18,
        max_age=27,
        translations={"ar": {"title": "دورة ألمانية للشباب", "description": "أساسيات اللغة."}},
    )
    make_offer(world.tenant, vhs, key="coaching", title="Coaching Durchstarten", rule_set=rules)
    make_offer(world.tenant, vhs, key="u21", title="Kurs unter 21", max_age=20)
    make_offer(
        world.tenant,
        make_provider(world.tenant, "Jugendmigrationsdienst Gütersloh", kind="jmd"),
        key="beratung",
        title="Beratung für junge Geflüchtete mit sehr langem Titel, der umbrechen muss",
        category_code="beratung",
        cost="12.50",
        women_only=True,
    )


def _focused(page: Page) -> str:
    return str(page.evaluate("() => document.activeElement && document.activeElement.id"))


def _tab_to(page: Page, element_id: str, limit: int = 60) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if _focused(page) == element_id:
            return
    pytest.fail(f"#{element_id} not reachable with the Tab key")


def _no_cookies(page: Page) -> None:
    assert page.context.cookies() == [], page.context.cookies()


def test_finder_by_keyboard_in_german_arabic_and_plain_german(page: Page, world: World) -> None:
    _directory(world)
    page.goto(f"/finden/{world.tenant.public_id}/")
    assert page.url.endswith(f"/finden/{world.tenant.public_id}/de/")
    check_page(page)
    _no_cookies(page)

    # Skip link first, then the questions: Tab, Space, arrow keys and Enter only.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent") == "Zum Inhalt springen"
    page.keyboard.press("Enter")
    _tab_to(page, "id_alter")
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "focus must be visible"
    page.keyboard.type("22")
    _tab_to(page, "id_status_0")
    page.keyboard.press("ArrowDown")  # the radio group: "Ich habe eine Duldung"
    assert page.locator("#id_status_1").is_checked()
    _tab_to(page, "id_suche_0")
    page.keyboard.press("Space")  # "Sprache"
    assert page.locator("#id_suche_0").is_checked()
    _tab_to(page, "id_deutsch_0")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # "Ich kann einfache Gespräche führen (A2)"
    assert page.locator("#id_deutsch_2").is_checked()
    for _ in range(5):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.type") == "submit":
            break
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "alter=22" in page.url and "status=duldung" in page.url
    assert page.url.endswith("#ergebnis")
    check_page(page)
    _no_cookies(page)
    eligible = page.locator("#offers-eligible").inner_text()
    assert "Deutschkurs für junge Erwachsene" in eligible
    assert "Ihr Alter passt." in eligible
    assert "Coaching Durchstarten" in page.locator("#offers-unknown").inner_text()
    assert "Kurs unter 21" not in page.content()
    assert "Sie sind zu alt." in page.locator("#not-eligible").inner_text()
    # the women-only counselling offer is in another category ("Beratung und Coaching")
    assert (
        "Es gibt noch 1 Angebot für Sie in anderen Bereichen."
        in page.locator("#other-areas").inner_text()
    )

    # Arabic, right to left: the answers travel along in the language link.
    link = page.get_by_role("navigation", name="Sprache wählen").get_by_role("link", name="العربية")
    link.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "ar"
    check_page(page)
    _no_cookies(page)
    assert "دورة ألمانية للشباب" in page.locator("#offers-eligible").inner_text()
    assert page.locator("#id_status_1").is_checked()  # the answers are kept

    # Plain German ("Einfache Sprache")
    link = page.get_by_role("navigation", name="اختيار اللغة").get_by_role(
        "link", name="Einfache Sprache"
    )
    link.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("html").get_attribute("lang") == "de"
    check_page(page)
    assert "Deutsch lernen für junge Menschen" in page.locator("#offers-eligible").inner_text()
    _no_cookies(page)


def _scroll_width(page: Page) -> int:
    return int(page.evaluate("() => document.documentElement.scrollWidth"))


@pytest.mark.parametrize(
    "options",
    [
        # WCAG 1.4.10 reflow: 320 CSS px (a 1280-px window at 400 %, or a small phone)
        {"viewport": {"width": 320, "height": 640}, "is_mobile": True, "has_touch": True},
        # 200 % zoom: a 1280-px-wide window at 200 % lays out in 640 CSS px; the device
        # scale factor 2 renders it with twice the pixels, as the zoomed browser does.
        {"viewport": {"width": 640, "height": 720}, "device_scale_factor": 2},
    ],
    ids=["320px", "zoom200"],
)
def test_finder_has_no_sideways_scrolling(
    new_page: NewPage, world: World, options: dict[str, object]
) -> None:
    _directory(world)
    page = new_page(**options)
    width = options["viewport"]["width"]  # type: ignore[index]
    query = "alter=22&status=aufenthaltserlaubnis&frau=on"
    for lang in ("de", "ar", "fa", "uk", "de-ls"):
        page.goto(f"/finden/{world.tenant.public_id}/{lang}/?{query}")
        check_page(page)
        assert _scroll_width(page) <= width, f"{lang}: the page scrolls sideways at {width} px"
    page.goto(f"/finden/{world.tenant.public_id}/de/?alter=abc")
    check_page(page)  # the error summary as well
    assert _scroll_width(page) <= width

"""Browser tests: Playwright (sync API) drives Debian's Chromium against ``live_server``.

Chromium treats ``http://localhost`` as a secure context and accepts the ``__Host-`` cookies
with the Secure flag there, so the suite runs with the production cookie settings.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from e2e.support import NewPage, assert_page_clean, watch_page
from tests.conftest import territories, world  # noqa: F401  (fixtures)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
E2E_DIR = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if E2E_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make chromium` (no browser is downloaded).")
    with pytest.MonkeyPatch.context() as mp:
        # The sync API runs an event loop in this thread, so Django would refuse the ORM calls
        # of tests and fixtures.  Set only while the browser runs: the unit tests keep the check.
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            yield browser
            browser.close()


@pytest.fixture
def new_page(browser: Browser, live_server: Any) -> Iterator[NewPage]:
    """Opens a page in a fresh context (own cookies): a second person, another viewport."""
    contexts: list[tuple[BrowserContext, Page]] = []

    def _new(**context_options: Any) -> Page:
        options: dict[str, Any] = {"locale": "de-DE", "timezone_id": "Europe/Berlin"}
        options.update(context_options)
        context = browser.new_context(base_url=live_server.url, accept_downloads=True, **options)
        context.set_default_timeout(10_000)
        page = context.new_page()
        watch_page(page, live_server.url)
        contexts.append((context, page))
        return page

    yield _new
    try:
        for _context, page in contexts:
            assert_page_clean(page)
    finally:
        for context, _page in contexts:
            context.close()


@pytest.fixture
def page(new_page: NewPage) -> Page:
    return new_page()

"""Browser fixtures: the real app under uvicorn on a free local port, and Debian's Chromium.

The browser tests run on SQLite only: both storage backends are covered without a browser.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from spamward.app import create_app
from spamward.runtime import Runtime
from spamward.settings import Settings
from tests.conftest import IN_CI
from tests.live_server import serving_in_thread

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def backend() -> str:
    """Overrides the sqlite/postgres parametrisation of tests/conftest.py: SQLite only."""
    return "sqlite"


@pytest.fixture
def live_server(settings: Settings, runtime: Runtime) -> Iterator[str]:
    """The app served by uvicorn in a background thread; yields its base URL."""
    with serving_in_thread(create_app(settings, runtime), lifespan="on") as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless Chromium per module (Playwright's own browsers are not downloadable)."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing (install Debian's chromium: make system)"
        if IN_CI:
            pytest.fail(f"{message}; CI=true: the browser must be present")
        pytest.skip(message)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh page in its own context: no cookies shared between tests."""
    context = browser.new_context()
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()

"""Browser fixtures: the real app under uvicorn on a free local port, and Debian's Chromium.

The browser tests run on SQLite only: both storage backends are covered without a browser.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, sync_playwright

from spamward.app import create_app
from spamward.runtime import Runtime
from spamward.settings import Settings
from tests.conftest import IN_CI

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
START_TIMEOUT_S = 15.0
STOP_TIMEOUT_S = 15.0


@pytest.fixture
def backend() -> str:
    """Overrides the sqlite/postgres parametrisation of tests/conftest.py: SQLite only."""
    return "sqlite"


@pytest.fixture
def live_server(settings: Settings, runtime: Runtime) -> Iterator[str]:
    """The app served by uvicorn in a background thread; yields its base URL."""
    app = create_app(settings, runtime)
    # Binding here (port 0) and handing uvicorn the socket leaves no window for another
    # process to take the port between choosing and listening.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    host, port = sock.getsockname()
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="uvicorn", daemon=True
    )
    thread.start()
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not server.started:
            thread.join(timeout=0.02)  # returns at once if the server thread died
            if not thread.is_alive():
                pytest.fail("uvicorn exited before it started serving")
            if time.monotonic() > deadline:
                pytest.fail(f"uvicorn did not start within {START_TIMEOUT_S} s")
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=STOP_TIMEOUT_S)
        sock.close()
    assert not thread.is_alive(), "uvicorn did not shut down"


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

"""What the browser tests share: signing in through the login form, the site's API (to
set up what a site would send: events, account statuses, actions), and the action worker,
run in the test because the test settings start none."""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import ConsoleMessage, Page, expect

from spamward.remediation.worker import ActionWorker
from spamward.runtime import Runtime
from tests.conftest import ApiProject

EMAIL = "mod@example.org"
PASSWORD = "correct horse battery staple"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_WORKER_ROUNDS = 50


def sign_in(page: Page, base_url: str, email: str = EMAIL, password: str = PASSWORD) -> None:
    """Sign in through the login form; the dashboard opens on the overview."""
    page.goto(f"{base_url}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base_url}/overview")


def nav(page: Page, label: str) -> None:
    """Follow a link of the top navigation."""
    page.locator("nav.main-nav").get_by_role("link", name=label, exact=True).click()


class Api:
    """The site's side: the public API, called with the project's key (one connection)."""

    def __init__(self, base_url: str, project: ApiProject) -> None:
        self.project = project
        self.client = httpx.Client(base_url=base_url, headers=project.headers, timeout=30.0)

    def close(self) -> None:
        self.client.close()

    def call(self, method: str, path: str, status: int = 200, **kwargs: Any) -> Any:
        response = self.client.request(method, path, **kwargs)
        assert response.status_code == status, (method, path, response.text)
        return response.json() if response.content else None

    def post(self, user: str, text: str) -> dict[str, Any]:
        event = {"type": "post", "actor": {"id": user}, "content": {"text": text}}
        decision: dict[str, Any] = self.call("POST", "/v1/events", json=event)
        return decision

    def set_status(self, user: str, status: str) -> None:
        self.call("PUT", f"/v1/users/{user}/status", json={"status": status})

    def queue_action(self, action: str, user: str, **params: Any) -> dict[str, Any]:
        body = {"action": action, "user_id": user, "params": params}
        queued: dict[str, Any] = self.call("POST", "/v1/actions", 202, json=body)
        return queued


def run_worker(runtime: Runtime) -> int:
    """Run the queued actions, as the embedded worker would: until none is left."""
    worker = ActionWorker(runtime, concurrency=0, name="browser-test-worker")
    ran = 0
    try:
        for _ in range(MAX_WORKER_ROUNDS):
            done = worker.run_once()
            if done == 0:
                return ran
            ran += done
    finally:
        worker.stop()
    raise AssertionError(f"actions still queued after {MAX_WORKER_ROUNDS} rounds")


class CspWatch:
    """Console messages that report a Content-Security-Policy violation, and page errors."""

    def __init__(self, page: Page) -> None:
        self.violations: list[str] = []
        self.errors: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.violations.append(message.text)


def check_png(path: Path, min_bytes: int = 5_000) -> tuple[int, int]:
    """A PNG file of non-trivial size; its width and height."""
    data = path.read_bytes()
    assert data.startswith(PNG_SIGNATURE), f"{path} is not a PNG"
    assert data[12:16] == b"IHDR", f"{path} has no IHDR chunk first"
    width, height = struct.unpack(">II", data[16:24])
    assert len(data) >= min_bytes, f"{path} is only {len(data)} bytes"
    return int(width), int(height)

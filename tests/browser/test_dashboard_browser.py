"""The dashboard in a real Chromium, against the app served by uvicorn (on SQLite)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from spamward.runtime import Runtime
from spamward.services.moderators import Role, create_moderator
from tests.conftest import EXAMPLE_POST, ApiProject, make_project

pytestmark = pytest.mark.browser

EMAIL = "mod@example.org"
PASSWORD = "correct horse battery staple"
HOSTILE = (
    '<script>window.__pwned = true; document.title = "pwned"</script>'
    '<img src=x onerror="window.__pwned = true">'
)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def post_event(base_url: str, project: ApiProject, text: str) -> str:
    event = {"type": "post", "actor": {"id": "u1"}, "content": {"text": text}}
    response = httpx.post(f"{base_url}/v1/events", json=event, headers=project.headers)
    assert response.status_code == 200, response.text
    decision_id = response.json()["id"]
    assert isinstance(decision_id, str)
    return decision_id


def deny_domain(base_url: str, project: ApiProject, domain: str) -> None:
    entry = {"kind": "domain", "value": domain}
    response = httpx.post(f"{base_url}/v1/lists/deny", json=entry, headers=project.headers)
    assert response.status_code == 201, response.text


def sign_in(page: Page, base_url: str, email: str, password: str) -> None:
    page.goto(f"{base_url}/login")
    expect(page).to_have_title("Sign in · spamward")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


@pytest.fixture
def project(runtime: Runtime) -> ApiProject:
    created = make_project(runtime, "site-a")
    create_moderator(runtime.database, EMAIL, PASSWORD, created.name, Role.MODERATOR)
    return created


def test_moderator_signs_in_reads_decisions_and_signs_out(
    live_server: str, project: ApiProject, page: Page, tmp_path: Path
) -> None:
    allowed = post_event(live_server, project, EXAMPLE_POST)
    deny_domain(live_server, project, "bit.ly")
    blocked = post_event(live_server, project, EXAMPLE_POST)
    hostile = post_event(live_server, project, HOSTILE)
    csp_reports: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            csp_reports.append(message.text)

    page.on("console", on_console)

    sign_in(page, live_server, EMAIL, PASSWORD)
    expect(page).to_have_url(f"{live_server}/overview")
    page.get_by_role("link", name="Decisions").click()

    expect(page).to_have_url(f"{live_server}/decisions")
    expect(page.get_by_role("heading", name="Recent decisions")).to_be_visible()
    expect(page.locator("table.decisions tbody tr")).to_have_count(3)
    blocked_row = page.locator(f'tr[data-decision="{blocked}"]')
    allowed_row = page.locator(f'tr[data-decision="{allowed}"]')
    expect(blocked_row.locator(".verdict")).to_have_text("block")
    expect(blocked_row.locator(".verdict")).to_be_visible()
    expect(allowed_row.locator(".verdict")).to_have_text("allow")
    for row in (blocked_row, allowed_row):
        chip = row.locator(".entity-domains")
        expect(chip).to_have_text("bit.ly")
        expect(chip).to_be_visible()
    expect(blocked_row.locator(".entity-domains")).to_have_class(re.compile(r"\blisted-deny\b"))
    expect(allowed_row.locator(".entity-domains")).not_to_have_class(re.compile(r"listed-"))
    expect(blocked_row).to_contain_text("denied domain bit.ly")
    # The stylesheet is served from 'self' and applies under the CSP.
    badge_colour: Any = blocked_row.locator(".verdict").evaluate(
        "element => getComputedStyle(element).backgroundColor"
    )
    assert badge_colour == "rgb(251, 227, 227)"

    # The hostile post shows as text and runs nothing.
    hostile_content = page.locator(f'tr[data-decision="{hostile}"] td.content')
    expect(hostile_content).to_have_text(HOSTILE)
    expect(page.get_by_text("<script>window.__pwned", exact=False)).to_be_visible()
    assert page.evaluate("window.__pwned === undefined") is True
    expect(page).to_have_title("Recent decisions · spamward")
    expect(page.locator("script")).to_have_count(0)
    expect(page.locator("img")).to_have_count(0)
    # Escaping alone stopped it: the CSP never had to block anything.
    assert csp_reports == []

    screenshot = tmp_path / "decisions.png"
    page.screenshot(path=screenshot, full_page=True)
    data = screenshot.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    assert len(data) > len(PNG_SIGNATURE)

    page.get_by_role("button", name="Sign out").click()

    expect(page).to_have_url(f"{live_server}/login")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    page.goto(f"{live_server}/decisions")
    expect(page).to_have_url(f"{live_server}/login?next=%2Fdecisions")


def test_wrong_password_shows_the_error_and_stays_signed_out(
    live_server: str, project: ApiProject, page: Page
) -> None:
    sign_in(page, live_server, EMAIL, "wrong password")

    expect(page.get_by_role("alert")).to_have_text("Wrong e-mail or password.")
    expect(page.get_by_label("E-mail")).to_have_value(EMAIL)
    expect(page.get_by_label("Password")).to_have_value("")
    page.goto(f"{live_server}/decisions")
    expect(page).to_have_url(f"{live_server}/login?next=%2Fdecisions")


def test_browser_enforces_the_csp_against_inline_script(live_server: str, page: Page) -> None:
    page.goto(f"{live_server}/login")

    outcome = page.evaluate(
        """() => new Promise(resolve => {
            document.addEventListener("securitypolicyviolation",
                event => resolve("blocked by " + event.effectiveDirective), {once: true});
            const script = document.createElement("script");
            script.textContent = "window.__inline = true";
            document.head.append(script);
            if (window.__inline === true) resolve("executed");
        })"""
    )

    assert outcome == "blocked by script-src-elem"
    assert page.evaluate("window.__inline === undefined") is True

"""The ALTCHA widget shipped with spamward, in Chromium: a questionable comment on the
Flask example site gets the challenge page, the widget solves the proof of work by itself,
and sending the page saves the comment."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from examples import flask_site
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

from tests.conftest import ApiProject
from tests.test_challenges import QUESTIONABLE


@pytest.fixture
def site(live_server: str, project: ApiProject) -> Iterator[str]:
    import httpx  # noqa: PLC0415

    with httpx.Client(base_url=live_server, headers=project.headers) as spamward:
        assert spamward.post("/v1/rules", json=QUESTIONABLE).status_code == 201
        assert spamward.post("/v1/policy/publish", json={}).status_code == 201
    server = make_server("127.0.0.1", 0, flask_site.create_app(live_server, project.key),
                         threaded=True)  # fmt: skip
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


def test_the_widget_solves_the_challenge_and_the_comment_is_saved(page: Page, site: str) -> None:
    page.goto(site)
    page.fill("textarea[name=body]", "maybe you would like my shop")
    page.click("text=Post")

    expect(page.locator("h1")).to_have_text("One more step")
    solved = page.locator("input[name=altcha]")
    expect(solved).to_have_count(1, timeout=20_000)
    page.wait_for_function(
        "document.querySelector('input[name=altcha]')?.value.length > 20", timeout=30_000
    )
    page.click("text=Send")

    expect(page.locator("body")).to_have_text("saved (allow)")

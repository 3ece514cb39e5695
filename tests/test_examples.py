"""The example sites (examples/) against a real spamward server, each through its own
framework's test client: a clean comment is saved, one with a denied domain is refused, a
questionable one gets a challenge page, solving the ALTCHA challenge (computed here) and
posting the page back saves it, posting it again does not, and an e-mail code arrives at
a local SMTP server and verifies."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import django
import orjson
import pytest
from django.test import Client as DjangoClient
from examples import django_site, fastapi_site, flask_site
from starlette.testclient import TestClient

from spamward.app import create_app
from spamward.remediation.signing import signed_headers
from spamward.runtime import Runtime, build_runtime
from spamward.services.projects import create_api_key, create_project
from spamward.settings import Settings
from tests.conftest import Clock
from tests.live_server import serving_in_thread
from tests.receivers import MailCollector, smtp_server
from tests.test_challenges import QUESTIONABLE, other_than, sent_code, solved_payload

Post = Callable[[dict[str, str]], tuple[int, str]]
CLEAN = {"user": "u1", "body": "Thanks, the recipe worked."}
DENIED = {"user": "u1", "body": "cheap pills at https://cheap-pills-shop.com/now"}
MAYBE = {"user": "u2", "body": "maybe try my shop"}


@dataclass(frozen=True)
class Spamward:
    url: str
    key: str
    mail: MailCollector
    runtime: Runtime


@pytest.fixture
def spamward(settings: Settings, clock: Clock) -> Iterator[Spamward]:
    with smtp_server() as (mail, port):
        configured = settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port})
        runtime = build_runtime(configured, clock)
        create_project(runtime.database, "site")
        key = create_api_key(runtime.database, "site").token
        with TestClient(create_app(configured, runtime)) as client:
            headers = {"Authorization": f"Bearer {key}"}
            for method, path, body in (
                ("POST", "/v1/rules", QUESTIONABLE),
                ("POST", "/v1/rules", {**QUESTIONABLE, "name": "code_please",
                                       "condition": '"verify me" in event.text',
                                       "challenge": "email_code"}),
                ("POST", "/v1/policy/publish", {}),
                ("POST", "/v1/lists/deny", {"kind": "domain", "value": "cheap-pills-shop.com"}),
            ):  # fmt: skip
                assert client.request(method, path, json=body, headers=headers).is_success
            with serving_in_thread(client.app) as url:
                yield Spamward(url, key, mail, runtime)


@dataclass(frozen=True)
class Site:
    """One example site, driven through its framework's test client."""

    post: Post
    deliver: Callable[[bytes, dict[str, str]], int]  # a webhook: its status
    applied: dict[str, dict[str, object]]  # by idempotency key


WEBHOOK_SECRET = "whsec_example"


def flask_site_of(spamward: Spamward) -> Site:
    app = flask_site.create_app(spamward.url, spamward.key, WEBHOOK_SECRET)
    client = app.test_client()

    def post(form: dict[str, str]) -> tuple[int, str]:
        response = client.post("/comments", data=form)
        return response.status_code, response.get_data(as_text=True)

    def deliver(body: bytes, headers: dict[str, str]) -> int:
        status: int = client.post("/spamward", data=body, headers=headers).status_code
        return status

    return Site(post, deliver, app.config["applied"])


def fastapi_site_of(spamward: Spamward) -> Site:
    app = fastapi_site.create_app(spamward.url, spamward.key, WEBHOOK_SECRET)
    client = TestClient(app)

    def post(form: dict[str, str]) -> tuple[int, str]:
        response = client.post("/comments", data=form)
        return response.status_code, response.text

    def deliver(body: bytes, headers: dict[str, str]) -> int:
        return int(client.post("/spamward", content=body, headers=headers).status_code)

    return Site(post, deliver, app.state.applied)


def django_site_of(spamward: Spamward) -> Site:
    django_site.configure(spamward.url, spamward.key, WEBHOOK_SECRET)
    django.setup()
    django_site.APPLIED.clear()
    client = DjangoClient()

    def post(form: dict[str, str]) -> tuple[int, str]:
        response = client.post("/comments", data=form)
        return response.status_code, response.content.decode()

    def deliver(body: bytes, headers: dict[str, str]) -> int:
        meta = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}
        sent = client.post("/spamward", data=body, content_type="application/json", **meta)
        return int(sent.status_code)

    return Site(post, deliver, django_site.APPLIED)


@pytest.fixture(params=[flask_site_of, fastapi_site_of, django_site_of],
                ids=["flask", "fastapi", "django"])  # fmt: skip
def site(request: pytest.FixtureRequest, spamward: Spamward) -> Site:
    make: Callable[[Spamward], Site] = request.param
    return make(spamward)


@pytest.fixture
def post(site: Site) -> Post:
    return site.post


def page_form(page: str) -> dict[str, str]:
    """The hidden fields of a challenge page, as a browser would post them back."""
    found = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page)
    return {html.unescape(name): html.unescape(value) for name, value in found}


def test_a_clean_comment_is_saved_and_a_denied_one_refused(post: Post) -> None:
    saved, refused = post(CLEAN), post(DENIED)

    assert saved == (200, "saved (allow)")
    assert refused[0] == 403


def test_a_solved_captcha_posted_back_saves_the_comment_once(post: Post) -> None:
    status, page = post(MAYBE)
    assert status == 403 and "<altcha-widget" in page
    widget = re.search(r"challengejson='([^']+)'", page)
    assert widget
    altcha = json.loads(html.unescape(widget.group(1)))
    answered = {**page_form(page), "altcha": solved_payload(altcha)}

    passed = post(answered)
    replayed = post(answered)

    assert answered["body"] == MAYBE["body"]  # the page carried the comment
    assert passed == (200, "saved (allow)")
    assert replayed[0] == 403 and "solved already" in replayed[1]


def test_an_email_code_arrives_and_verifies(post: Post, spamward: Spamward) -> None:
    status, page = post({"user": "u3", "email": "writer@example.org", "body": "verify me"})
    assert status == 403 and "spamward_code" in page and "w***@example.org" in page
    code = sent_code(spamward.runtime, spamward.mail)

    wrong = post({**page_form(page), "spamward_code": other_than(code)})
    right = post({**page_form(page), "spamward_code": code})

    assert wrong[0] == 403 and "wrong code" in wrong[1]
    assert right == (200, "saved (allow)")


def test_a_signed_webhook_is_applied_once_and_a_forged_one_refused(site: Site) -> None:
    body = orjson.dumps({"id": "a1", "kind": "hide_content", "event": {"id": "e1"}})
    headers = {**signed_headers(WEBHOOK_SECRET, body), "Spamward-Idempotency-Key": "a1"}

    first, again = site.deliver(body, headers), site.deliver(body, headers)
    forged = site.deliver(body, {**signed_headers("not-the-secret", body),
                                 "Spamward-Idempotency-Key": "a2"})  # fmt: skip

    assert (first, again, forged) == (200, 200, 401)
    assert list(site.applied) == ["a1"]
    assert site.applied["a1"]["kind"] == "hide_content"

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
import pytest
from django.test import Client as DjangoClient
from examples import django_site, fastapi_site, flask_site
from starlette.testclient import TestClient

from spamward.app import create_app
from spamward.runtime import Runtime, build_runtime
from spamward.services.projects import create_api_key, create_project
from spamward.settings import Settings
from tests.conftest import Clock
from tests.live_server import serving_in_thread
from tests.receivers import MailCollector, smtp_server
from tests.test_challenges import QUESTIONABLE, solved_payload

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


def flask_post(spamward: Spamward) -> Post:
    client = flask_site.create_app(spamward.url, spamward.key).test_client()

    def post(form: dict[str, str]) -> tuple[int, str]:
        response = client.post("/comments", data=form)
        return response.status_code, response.get_data(as_text=True)

    return post


def fastapi_post(spamward: Spamward) -> Post:
    client = TestClient(fastapi_site.create_app(spamward.url, spamward.key))

    def post(form: dict[str, str]) -> tuple[int, str]:
        response = client.post("/comments", data=form)
        return response.status_code, response.text

    return post


def django_post(spamward: Spamward) -> Post:
    django_site.configure(spamward.url, spamward.key)
    django.setup()
    client = DjangoClient()

    def post(form: dict[str, str]) -> tuple[int, str]:
        response = client.post("/comments", data=form)
        return response.status_code, response.content.decode()

    return post


@pytest.fixture(params=[flask_post, fastapi_post, django_post], ids=["flask", "fastapi", "django"])
def post(request: pytest.FixtureRequest, spamward: Spamward) -> Post:
    make: Callable[[Spamward], Post] = request.param
    return make(spamward)


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
    spamward.runtime.jobs.drain()
    [message] = spamward.mail.messages
    code = re.search(r"\b(\d{6})\b", message.body)
    assert code

    wrong = post({**page_form(page), "spamward_code": "000000" if code.group(1) != "000000"
                  else "111111"})  # fmt: skip
    right = post({**page_form(page), "spamward_code": code.group(1)})

    assert wrong[0] == 403 and "wrong code" in wrong[1]
    assert right == (200, "saved (allow)")

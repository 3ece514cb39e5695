"""The Python client (`spamward.client`) against a real spamward server: decisions, the
challenge round trip, retries, failing open or closed, errors, and webhook checks."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import orjson
import pytest
from bench.server import free_port
from starlette.testclient import TestClient

from spamward.client import (
    AsyncSpamwardClient,
    SpamwardClient,
    SpamwardError,
    WebhookRefused,
    verify_webhook,
)
from spamward.remediation.signing import signed_headers
from tests.conftest import ApiProject
from tests.live_server import serving_in_thread
from tests.test_challenges import QUESTIONABLE, solved_payload


@pytest.fixture
def base_url(client: TestClient, project: ApiProject) -> Iterator[str]:
    rule = {**QUESTIONABLE}
    assert client.post("/v1/rules", json=rule, headers=project.headers).status_code == 201
    assert client.post("/v1/policy/publish", json={}, headers=project.headers).status_code == 201
    deny = {"kind": "domain", "value": "cheap-pills-shop.com"}
    assert client.post("/v1/lists/deny", json=deny, headers=project.headers).status_code == 201
    with serving_in_thread(client.app) as url:
        yield url


def test_decisions_and_the_challenge_round_trip(base_url: str, project: ApiProject) -> None:
    with SpamwardClient(base_url, project.key) as spamward:
        clean = spamward.decide("post", user_id="u1", text="Thanks, that helped a lot.")
        denied = spamward.decide("post", user_id="u1", text="pills at cheap-pills-shop.com")
        asked = spamward.decide("post", user_id="u2", text="maybe buy watches")
        assert asked.challenge is not None and asked.challenge.altcha is not None
        solved = spamward.solve_challenge(
            asked.challenge.id, solution=solved_payload(asked.challenge.altcha)
        )
        passed = spamward.decide("post", user_id="u2", text="maybe buy watches",
                                 challenge_token=solved.token)  # fmt: skip
        replayed = spamward.decide("post", user_id="u2", text="maybe buy watches",
                                   challenge_token=solved.token)  # fmt: skip

    assert (clean.verdict, clean.allowed, clean.unavailable) == ("allow", True, False)
    assert denied.verdict == "block" and not denied.allowed
    assert any("cheap-pills-shop.com" in reason for reason in denied.reasons)
    assert (asked.verdict, asked.challenge.kind) == ("challenge", "captcha")
    assert passed.verdict == "allow"
    assert replayed.verdict == "challenge"


def test_the_async_client_answers_alike(base_url: str, project: ApiProject) -> None:
    async def run() -> tuple[str, str]:
        async with AsyncSpamwardClient(base_url, project.key) as spamward:
            clean = await spamward.decide("post", user_id="u1", text="Nice photo!")
            denied = await spamward.decide("comment", user_id="u3",
                                           text="see cheap-pills-shop.com")  # fmt: skip
        return clean.verdict, denied.verdict

    assert asyncio.run(run()) == ("allow", "block")


def test_a_refused_request_raises_with_the_error(base_url: str, project: ApiProject) -> None:
    with (
        SpamwardClient(base_url, "sw_not-a-key") as wrong_key,
        pytest.raises(SpamwardError) as raised,
    ):
        wrong_key.decide("post", text="hello")
    with SpamwardClient(base_url, project.key) as spamward, pytest.raises(SpamwardError) as bad:
        spamward.decide("teleport", text="hello")

    assert (raised.value.status, raised.value.code) == (401, "unauthorized")
    assert (bad.value.status, bad.value.code) == (422, "validation_error")


@pytest.mark.parametrize("choice", ["allow", "block"])
def test_unreachable_spamward_fails_open_or_closed_as_chosen(choice: str) -> None:
    nobody = f"http://127.0.0.1:{free_port()}"  # nothing listens there

    with SpamwardClient(nobody, "sw_x", retries=1, on_unreachable=choice) as spamward:  # type: ignore[arg-type]
        decision = spamward.decide("post", text="hello")

    assert (decision.verdict, decision.unavailable) == (choice, True)
    assert decision.reasons[0].startswith("spamward unreachable: ConnectError")


class Busy:
    """A real HTTP server answering 503 with Retry-After: 0 to the first `busy` requests,
    then a decision: what an overloaded spamward does."""

    def __init__(self, busy: int) -> None:
        self.busy, self.requests = busy, 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                outer.requests += 1
                if outer.requests <= outer.busy:
                    body, status = b'{"error": {"code": "overloaded", "message": "busy"}}', 503
                else:
                    body, status = orjson.dumps({"id": "d1", "verdict": "flag", "score": 1.0,
                                                 "reasons": ["r"]}), 200  # fmt: skip
                self.send_response(status)
                self.send_header("Retry-After", "0")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


def test_a_busy_spamward_is_retried_then_given_up_on() -> None:
    once_busy, always_busy = Busy(busy=1), Busy(busy=100)
    try:
        with SpamwardClient(once_busy.url, "sw_x", retries=2) as spamward:
            retried = spamward.decide("post", text="x")
        with SpamwardClient(always_busy.url, "sw_x", retries=2,
                            on_unreachable="block") as spamward:  # fmt: skip
            given_up = spamward.decide("post", text="x")
    finally:
        once_busy.server.shutdown()
        always_busy.server.shutdown()

    assert (retried.verdict, retried.unavailable, once_busy.requests) == ("flag", False, 2)
    assert (given_up.verdict, given_up.unavailable, always_busy.requests) == ("block", True, 3)
    assert given_up.reasons == ("spamward unreachable: HTTP 503",)


def test_verify_webhook_takes_a_signed_body_and_refuses_the_rest() -> None:
    body = orjson.dumps({"event": "decision", "action": {"kind": "ban_user"}})
    headers = signed_headers("whsec", body)

    assert verify_webhook("whsec", headers, body)["action"] == {"kind": "ban_user"}
    for secret, sent in (("other", body), ("whsec", body + b" ")):
        with pytest.raises(WebhookRefused):
            verify_webhook(secret, headers, sent)
    with pytest.raises(WebhookRefused):
        verify_webhook("whsec", {}, body)

"""Hostile input through the API: each gets a clear 4xx or a normal decision, and what is
stored afterwards is exactly what was accepted (malformed bodies, from invalid UTF-8 to NUL
characters and deep nesting, are in test_api_errors.py). The adversarial texts are the ones
`bench/extraction.py` times (seconds per megabyte: linear time is measured there, never
asserted here)."""

from __future__ import annotations

import json
import sys
import unicodedata

import pytest
from bench.extraction import ADVERSARIAL
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from starlette.testclient import TestClient

from spamward.runtime import Runtime
from spamward.storage import models
from tests.conftest import ApiProject
from tests.test_api_errors import JSON, assert_error, stored_events

RTL = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: shows "moc.evil" as "live.com"
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"


def event_body(text: str, limit: int) -> bytes:
    """A post of `text`, cut so that the body fits in `limit` bytes."""
    envelope = json.dumps({"type": "post", "content": {"text": ""}}).encode()
    room = limit - len(envelope)
    encoded = json.dumps(text, ensure_ascii=False).encode()[1:-1]
    while len(encoded) > room:  # cut on a character, not inside an escape or a UTF-8 byte
        text = text[: len(text) * room // len(encoded) - 8]
        encoded = json.dumps(text, ensure_ascii=False).encode()[1:-1]
    return envelope.replace(b'""', b'"' + encoded + b'"')


def stored_texts(runtime: Runtime) -> list[str]:
    with runtime.database.read() as session:
        return list(session.scalars(select(models.Event.text)))


def every_unicode_category() -> str:
    """One character of each general category Python knows (surrogates aside: they are
    not text), and an unassigned code point."""
    found: dict[str, str] = {}
    for code in range(sys.maxunicode + 1):
        category = unicodedata.category(chr(code))
        if category not in found and category != "Cs" and code != 0:
            found[category] = chr(code)
    return " ".join(found.values())


@pytest.mark.parametrize("name", list(ADVERSARIAL))
def test_a_megabyte_of_adversarial_text_gets_a_normal_decision(
    client: TestClient, project: ApiProject, runtime: Runtime, name: str
) -> None:
    body = event_body(ADVERSARIAL[name], runtime.settings.max_body_bytes)

    response = client.post("/v1/events", content=body, headers={**project.headers, **JSON})

    assert response.status_code == 200, response.text[:300]
    assert response.json()["verdict"] in {"allow", "flag", "challenge", "hold", "block"}
    assert stored_texts(runtime) == [json.loads(body)["content"]["text"]]


@pytest.mark.parametrize(
    "text",
    [
        every_unicode_category(),
        f"visit {RTL}moc.live-spam.com{RTL} now, or mail me at {RTL}moc.liam@xoferif",
        "free" + ZERO_WIDTH * 20_000 + "money at bit" + ZERO_WIDTH + ".ly/x",
        "\U0001f600" * 50_000 + " https://emoji-flood.com",
        "\u0301" * 100_000,  # combining marks with nothing to combine with
        "ǅ" * 10 + "ﬀ" * 10 + "𝐛𝐢𝐭.𝐥𝐲" + "Ⅻ" + "\u2028\u2029\x85\x0b\x0c",
    ],
    ids=["categories", "rtl-overrides", "zero-width", "astral-flood", "combining", "oddities"],
)
def test_unusual_text_is_judged_and_stored_as_sent(
    client: TestClient, project: ApiProject, runtime: Runtime, text: str
) -> None:
    body = {"type": "post", "actor": {"id": text[:200]}, "content": {"text": text}}

    response = client.post("/v1/events", json=body, headers=project.headers)

    assert response.status_code == 200, response.text[:300]
    assert stored_texts(runtime) == [text]


@pytest.mark.parametrize(
    "body",
    [
        b'{"type": "post", "content": {"text": "' + b"\\\\" * 300_000 + b'"}}',
        b'{"type": "post", "type": "signup"}',  # the last of a repeated key counts
    ],
    ids=["backslash-flood", "duplicate-key"],
)
def test_odd_but_valid_bodies_are_judged(
    client: TestClient, project: ApiProject, runtime: Runtime, body: bytes
) -> None:
    response = client.post("/v1/events", content=body, headers={**project.headers, **JSON})

    assert response.status_code == 200, response.text[:300]
    assert stored_events(runtime) == 1


def test_a_pathological_rule_pattern_runs_in_linear_time_on_a_megabyte(
    client: TestClient, project: ApiProject, runtime: Runtime
) -> None:
    # (a+)+$ backtracks exponentially in a backtracking engine; RE2 has no backtracking.
    rule = {"name": "redos", "condition": 'matches(event.text, "(a+)+$")', "verdict": "flag",
            "reason": "pattern"}  # fmt: skip
    assert client.post("/v1/rules", json=rule, headers=project.headers).status_code == 201
    assert client.post("/v1/policy/publish", json={}, headers=project.headers).status_code == 201
    text = "a" * 500_000 + "!"
    body = event_body(text, runtime.settings.max_body_bytes)

    response = client.post("/v1/events", content=body, headers={**project.headers, **JSON})

    assert response.status_code == 200
    outcome = next(o for o in response.json()["rules"] if o["rule"] == "redos")
    assert outcome["outcome"] == "miss"  # it ends in "!": no match, found without backtracking


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(text=st.text(st.characters(blacklist_categories=["Cs"]), max_size=300))
def test_any_text_is_judged_or_refused_for_a_nul_and_stored_as_sent(
    client: TestClient, project: ApiProject, runtime: Runtime, text: str
) -> None:
    before = stored_texts(runtime)
    body = {"type": "post", "content": {"text": text, "title": text[:50]}}

    response = client.post("/v1/events", json=body, headers=project.headers)

    if "\x00" in text:
        assert_error(response, 422, "validation_error")
        assert stored_texts(runtime) == before
    else:
        assert response.status_code == 200, response.text[:300]
        assert sorted(stored_texts(runtime)) == sorted([*before, text])

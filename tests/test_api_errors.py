"""Bad input gets the right 4xx with a JSON error body, and stores nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from httpx import Response
from sqlalchemy import func, select
from starlette.testclient import TestClient

from spamward.runtime import Runtime
from spamward.storage import models
from tests.conftest import EXAMPLE_POST, ApiProject

JSON = {"Content-Type": "application/json"}


def stored_events(runtime: Runtime) -> int:
    with runtime.database.read() as session:
        return session.scalar(select(func.count()).select_from(models.Event)) or 0


def assert_error(response: Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["error"]["code"] == code
    assert body["error"]["message"]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b'{"type": "post", ', 400, "invalid_json"),
        (b"", 400, "invalid_json"),
        (b"\xff\xfe not utf-8", 400, "invalid_encoding"),
        ('{"type": "post", "content": {"text": "caf\udce9"}}'.encode(errors="surrogatepass"),
         400, "invalid_encoding"),
        (b'{"type": "post", "content": {"text": "\\ud800"}}', 400, "invalid_json"),
        (b"[1, 2]", 422, "validation_error"),
        (b"{}", 422, "validation_error"),
        (b'{"type": "teleport"}', 422, "validation_error"),
        (b'{"type": "post", "content": {"text": 12}}', 422, "validation_error"),
        (b'{"type": "post", "actor": {"ip": "999.1.1.1"}}', 422, "validation_error"),
        (b'{"type": "post", "actor": "bob"}', 422, "validation_error"),
        (b'{"type": "post", "surprise": true}', 422, "validation_error"),
        (b'{"type": "post", "region": "usa"}', 422, "validation_error"),
        (b'{"type": "post", "occurred_at": 0}', 422, "validation_error"),
        (b'{"type": "post", "occurred_at": "1700000000"}', 422, "validation_error"),
        (b'{"type": "post", "actor": {"ip": false}}', 422, "validation_error"),
        (b'{"type": "post", "actor": {"ip": 3232235777}}', 422, "validation_error"),
        (b'{"type": "post", "content": {"links": [], "title": 7}}', 422, "validation_error"),
        (b'{"type": "post", "context": ' + b'{"a": ' * 300 + b"1" + b"}" * 301, 400,
         "invalid_json"),
        (b'{"type": "post", "context": ' + b"[" * 10_000 + b"]" * 10_000 + b"}", 400,
         "invalid_json"),
        (b'{"type": "post", "content": {"text": "a\x00b"}}', 400, "invalid_json"),  # raw NUL
        (b'{"type": "post", "content": {"text": "a\\u0000b"}}', 422, "validation_error"),
        (b'{"type": "post", "actor": {"id": "\\u0000"}}', 422, "validation_error"),
        (b'{"type": "post", "content": {"text": "\xed\xa0\x80"}}', 400, "invalid_encoding"),
        (b'{"type": "post", "content": {"text": "\xc0\xaf"}}', 400, "invalid_encoding"),
        (b"\xef\xbb\xbf" + b'{"type": "post"}', 400, "invalid_json"),  # a byte-order mark
    ],
)  # fmt: skip
def test_bad_event_bodies(
    client: TestClient,
    project: ApiProject,
    runtime: Runtime,
    body: bytes,
    status: int,
    code: str,
) -> None:
    response = client.post("/v1/events", content=body, headers={**project.headers, **JSON})

    assert_error(response, status, code)
    assert stored_events(runtime) == 0


def test_validation_errors_name_the_field(client: TestClient, project: ApiProject) -> None:
    response = client.post(
        "/v1/events", json={"type": "post", "content": {"text": 12}}, headers=project.headers
    )

    details = response.json()["error"]["details"]
    assert {"field": "content.text", "message": "Input should be a valid string"} in details


def test_non_json_content_type_is_415(client: TestClient, project: ApiProject) -> None:
    response = client.post(
        "/v1/events",
        content=b'{"type": "post"}',
        headers={**project.headers, "Content-Type": "text/plain"},
    )
    assert_error(response, 415, "unsupported_media_type")


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer sw_not-a-real-key"],
)
def test_missing_or_bad_key_is_401(
    client: TestClient, runtime: Runtime, project: ApiProject, authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    event = {"type": "post", "content": {"text": EXAMPLE_POST}}

    response = client.post("/v1/events", json=event, headers=headers)

    assert_error(response, 401, "unauthorized")
    assert response.headers["www-authenticate"] == "Bearer"
    assert stored_events(runtime) == 0


def test_auth_is_checked_before_the_body(client: TestClient) -> None:
    response = client.post("/v1/events", content=b"{not json", headers=JSON)
    assert_error(response, 401, "unauthorized")


def _chunks(payload: bytes, size: int) -> Iterator[bytes]:
    for start in range(0, len(payload), size):
        yield payload[start : start + size]


def test_oversized_body_is_413(client: TestClient, project: ApiProject, runtime: Runtime) -> None:
    limit = runtime.settings.max_body_bytes
    text = "x" * (limit + 10)
    body = ('{"type": "post", "content": {"text": "' + text + '"}}').encode()

    declared = client.post("/v1/events", content=body, headers={**project.headers, **JSON})
    streamed = client.post(
        "/v1/events", content=_chunks(body, 65536), headers={**project.headers, **JSON}
    )

    assert_error(declared, 413, "payload_too_large")
    assert_error(streamed, 413, "payload_too_large")
    assert stored_events(runtime) == 0


def test_body_just_under_the_limit_is_judged(
    client: TestClient, project: ApiProject, runtime: Runtime
) -> None:
    envelope = '{"type": "post", "content": {"text": ""}}'
    text = "spam " * ((runtime.settings.max_body_bytes - len(envelope)) // 5)
    body = envelope.replace('""', f'"{text}"').encode()
    assert len(body) <= runtime.settings.max_body_bytes

    response = client.post("/v1/events", content=body, headers={**project.headers, **JSON})

    assert response.status_code == 200
    assert stored_events(runtime) == 1


@pytest.mark.parametrize("decision_id", ["not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_unknown_decision_is_404(client: TestClient, project: ApiProject, decision_id: str) -> None:
    response = client.get(f"/v1/decisions/{decision_id}", headers=project.headers)
    assert_error(response, 404, "not_found")


def test_unknown_route_and_method_are_json(client: TestClient, project: ApiProject) -> None:
    assert_error(client.get("/v1/nothing-here", headers=project.headers), 404, "not_found")
    assert_error(client.get("/v1/events", headers=project.headers), 405, "method_not_allowed")


def test_a_405_lists_every_method_of_the_path(client: TestClient, project: ApiProject) -> None:
    response = client.delete("/v1/settings", headers=project.headers)

    assert_error(response, 405, "method_not_allowed")
    assert set(response.headers["allow"].split(", ")) == {"GET", "HEAD", "PATCH"}


def test_an_event_time_in_rfc_3339_is_taken(client: TestClient, project: ApiProject) -> None:
    event = {"type": "post", "occurred_at": "2026-03-02T11:59:00Z", "actor": {"ip": "192.0.2.7"}}

    response = client.post("/v1/events", json=event, headers=project.headers)

    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/policy/rollback", {"version": True}),
        ("/v1/policy/backtests", {"days": "7"}),
        ("/v1/policy/validate", [None, None]),
        ("/v1/settings", {"window_days": True}),
    ],
)
def test_bodies_are_read_strictly(
    client: TestClient, project: ApiProject, path: str, body: object
) -> None:
    method = client.patch if path == "/v1/settings" else client.post

    assert_error(method(path, json=body, headers=project.headers), 422, "validation_error")


def test_a_webhook_url_too_long_once_normalised_is_refused(
    client: TestClient, project: ApiProject
) -> None:
    # IDNA turns each "é" label into a much longer "xn--" label: 1,990 characters sent,
    # far over 2,000 stored (the column's size, which PostgreSQL enforces).
    url = "https://" + ".".join(["é" * 20] * 90)[:1970] + ".example/"
    assert len(url) <= 2000

    response = client.patch(
        "/v1/remediation-settings", json={"webhook_url": url}, headers=project.headers
    )

    assert_error(response, 422, "validation_error")
    assert (
        client.get("/v1/remediation-settings", headers=project.headers).json()["webhook_url"]
        is None
    )

"""The deny list API: add, list, remove; values are keyed exactly as extraction keys them."""

from __future__ import annotations

import pytest
from httpx import Response
from starlette.testclient import TestClient

from tests.conftest import EXAMPLE_POST, ApiProject


def add(
    client: TestClient, project: ApiProject, kind: str, value: str, note: str | None = None
) -> Response:
    body = {"kind": kind, "value": value} | ({"note": note} if note else {})
    response: Response = client.post("/v1/lists/deny", json=body, headers=project.headers)
    return response


def verdict(client: TestClient, project: ApiProject, text: str) -> str:
    event = {"type": "comment", "content": {"text": text}}
    response = client.post("/v1/events", json=event, headers=project.headers)
    assert response.status_code == 200
    return str(response.json()["verdict"])


@pytest.mark.parametrize(
    ("kind", "typed", "value", "display"),
    [
        ("domain", "BIT.LY", "bit.ly", "bit.ly"),
        ("domain", "https://Spam.Example.com/", "spam.example.com", "spam.example.com"),
        ("domain", "例え.jp", "xn--r8jz45g.jp", "例え.jp"),
        ("url", "https://bit.ly/3iXhvjG", "bit.ly/3iXhvjG", "bit.ly/3iXhvjG"),
        ("email", "Sales@Example.COM", "Sales@example.com", "Sales@example.com"),
        ("phone", "555-123-4567", "+15551234567", "555-123-4567"),
        ("phone", "+44 20 7946 0018", "+442079460018", "+44 20 7946 0018"),
    ],
)
def test_values_are_canonicalised(
    client: TestClient, project: ApiProject, kind: str, typed: str, value: str, display: str
) -> None:
    response = add(client, project, kind, typed, note="from a test")

    assert response.status_code == 201, response.text
    entry = response.json()
    assert (entry["kind"], entry["value"], entry["display"]) == (kind, value, display)
    assert entry["list"] == "deny"
    assert entry["note"] == "from a test"


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("domain", "not a domain"),
        ("domain", "com"),
        ("domain", "example.invalidtld"),
        ("domain", "bit.ly/path"),
        ("url", "just words"),
        ("email", "nobody@"),
        ("email", "a@b.c d@e.com"),
        ("phone", "12"),
    ],
)
def test_invalid_values_are_422(
    client: TestClient, project: ApiProject, kind: str, value: str
) -> None:
    response = add(client, project, kind, value)

    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "validation_error"


def test_unknown_kind_and_list_are_rejected(client: TestClient, project: ApiProject) -> None:
    unknown_kind = add(client, project, "ip", "1.2.3.4")
    unknown_list = client.post(
        "/v1/lists/grey", json={"kind": "domain", "value": "bit.ly"}, headers=project.headers
    )

    assert unknown_kind.status_code == 422
    assert unknown_list.status_code == 404


def test_duplicate_is_409_and_keeps_the_first(client: TestClient, project: ApiProject) -> None:
    first = add(client, project, "domain", "bit.ly", note="first")
    again = add(client, project, "domain", "BIT.LY.", note="second")

    assert first.status_code == 201
    assert again.status_code == 409
    entries = client.get("/v1/lists/deny", headers=project.headers).json()["entries"]
    assert [(e["value"], e["note"]) for e in entries] == [("bit.ly", "first")]


def test_listing_filters_and_pages(client: TestClient, project: ApiProject) -> None:
    for domain in ("a.com", "b.com", "c.com"):
        assert add(client, project, "domain", domain).status_code == 201
    assert add(client, project, "phone", "555-123-4567").status_code == 201

    domains = client.get("/v1/lists/deny?kind=domain", headers=project.headers).json()
    page = client.get("/v1/lists/deny?limit=2&offset=1", headers=project.headers).json()
    bad = client.get("/v1/lists/deny?limit=0", headers=project.headers)

    assert [e["value"] for e in domains["entries"]] == ["c.com", "b.com", "a.com"]
    assert len(page["entries"]) == 2
    assert bad.status_code == 422


def test_removing_an_entry_unblocks(client: TestClient, project: ApiProject) -> None:
    entry = add(client, project, "domain", "bit.ly").json()
    assert verdict(client, project, EXAMPLE_POST) == "block"

    removed = client.delete(f"/v1/lists/deny/{entry['id']}", headers=project.headers)
    removed_again = client.delete(f"/v1/lists/deny/{entry['id']}", headers=project.headers)

    assert removed.status_code == 204
    assert removed_again.status_code == 404
    assert verdict(client, project, EXAMPLE_POST) == "allow"


def test_url_entry_blocks_only_that_url(client: TestClient, project: ApiProject) -> None:
    assert add(client, project, "url", "bit.ly/3iXhvjG").status_code == 201

    assert verdict(client, project, EXAMPLE_POST) == "block"
    assert verdict(client, project, "see https://bit.ly/other") == "allow"

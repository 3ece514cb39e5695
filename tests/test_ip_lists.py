"""IP/CIDR allow and deny lists: managed through the API, read by rules as `actor.ip_list`,
the most specific network winning, scoped to the project."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from spamward.signals.ip_lists import IpLists, canonical_network
from tests.conftest import ApiProject


def put(client: TestClient, project: ApiProject, name: str, value: str) -> Any:
    return client.post(f"/v1/ip-lists/{name}", json={"value": value}, headers=project.headers)


def ip_verdict(client: TestClient, project: ApiProject, ip: str) -> str:
    event = {"type": "comment", "actor": {"id": "u", "ip": ip}, "content": {"text": "hi"}}
    response = client.post("/v1/events", json=event, headers=project.headers)
    assert response.status_code == 200, response.text
    verdict: str = response.json()["verdict"]
    return verdict


@pytest.fixture
def ip_rule(client: TestClient, project: ApiProject) -> None:
    rule = {"name": "ip_denied", "condition": 'actor.ip_list == "deny"', "verdict": "block"}
    assert client.post("/v1/rules", json=rule, headers=project.headers).status_code == 201
    assert client.post("/v1/policy/publish", headers=project.headers).status_code == 201


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("203.0.113.7", "203.0.113.7/32"),
        ("203.0.113.7/24", "203.0.113.0/24"),
        (" 2001:DB8::1 ", "2001:db8::1/128"),
        ("::ffff:203.0.113.7", "203.0.113.7/32"),
    ],
)
def test_values_are_stored_as_canonical_networks(value: str, stored: str) -> None:
    assert canonical_network(value) == stored


def test_the_most_specific_network_holding_an_address_answers() -> None:
    held = IpLists([("198.51.0.0/16", "deny"), ("198.51.100.7/32", "allow"),
                    ("0.0.0.0/0", "deny"), ("2001:db8::/32", "allow")])  # fmt: skip
    empty = IpLists([])

    assert held.list_of("198.51.100.7") == "allow"
    assert held.list_of("198.51.7.7") == "deny"
    assert held.list_of("::ffff:198.51.100.7") == "allow"
    assert held.list_of("203.0.113.1") == "deny"  # only 0.0.0.0/0 holds it
    assert held.list_of("2001:db8::1") == "allow"
    assert held.list_of("2001:db9::1") == ""  # no IPv6 default route listed
    assert held.list_of("not an ip") == ""
    assert held.list_of(None) == ""
    assert empty.list_of("198.51.100.7") == ""
    assert len(held) == 4


@pytest.mark.usefixtures("ip_rule")
def test_a_denied_network_blocks_its_addresses_only(
    client: TestClient, project: ApiProject
) -> None:
    assert put(client, project, "deny", "203.0.113.0/24").status_code == 201

    assert ip_verdict(client, project, "203.0.113.99") == "block"
    assert ip_verdict(client, project, "203.0.114.1") == "allow"
    assert ip_verdict(client, project, "::ffff:203.0.113.5") == "block"


@pytest.mark.usefixtures("ip_rule")
def test_the_most_specific_network_wins(client: TestClient, project: ApiProject) -> None:
    put(client, project, "deny", "198.51.0.0/16")
    put(client, project, "allow", "198.51.100.7")

    assert ip_verdict(client, project, "198.51.100.7") == "allow"
    assert ip_verdict(client, project, "198.51.100.8") == "block"


@pytest.mark.usefixtures("ip_rule")
def test_removing_an_entry_lifts_it(client: TestClient, project: ApiProject) -> None:
    entry = put(client, project, "deny", "2001:db8::/32").json()
    assert ip_verdict(client, project, "2001:db8:1::1") == "block"

    gone = client.delete(f"/v1/ip-lists/deny/{entry['id']}", headers=project.headers)

    assert gone.status_code == 204
    assert ip_verdict(client, project, "2001:db8:1::1") == "allow"
    listed = client.get("/v1/ip-lists/deny", headers=project.headers).json()
    assert listed == {"entries": []}


def test_lists_are_scoped_to_the_project(
    client: TestClient, project: ApiProject, other_project: ApiProject
) -> None:
    put(client, project, "deny", "192.0.2.1")

    mine = client.get("/v1/ip-lists/deny", headers=project.headers).json()["entries"]
    theirs = client.get("/v1/ip-lists/deny", headers=other_project.headers).json()["entries"]
    assert [e["network"] for e in mine] == ["192.0.2.1/32"]
    assert theirs == []


def test_bad_values_and_duplicates_are_refused_and_nothing_changes(
    client: TestClient, project: ApiProject
) -> None:
    put(client, project, "allow", "192.0.2.0/24")

    assert put(client, project, "deny", "192.0.2.9/24").status_code == 409
    assert put(client, project, "deny", "not-an-ip").status_code == 422
    assert put(client, project, "maybe", "192.0.2.1").status_code == 404
    assert client.delete("/v1/ip-lists/allow/999999", headers=project.headers).status_code == 404
    assert client.delete("/v1/ip-lists/allow/１", headers=project.headers).status_code == 404
    entries = client.get("/v1/ip-lists/allow", headers=project.headers).json()["entries"]
    assert [e["network"] for e in entries] == ["192.0.2.0/24"]

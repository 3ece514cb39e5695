"""Account status end to end: set through the API, read by the default policy's rules
(`banned_user` blocks, `quarantined_user` holds), scoped to the project, logged."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from starlette.testclient import TestClient

from spamward.runtime import Runtime
from spamward.storage.models import ModerationLog
from tests.conftest import ApiProject


def set_status(client: TestClient, project: ApiProject, user: str, status: str) -> Any:
    return client.put(f"/v1/users/{user}/status", json={"status": status}, headers=project.headers)


def verdict(client: TestClient, project: ApiProject, user: str) -> Any:
    event = {"type": "comment", "actor": {"id": user}, "content": {"text": "nice video"}}
    response = client.post("/v1/events", json=event, headers=project.headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_banned_user_is_blocked_and_others_are_not(
    client: TestClient, project: ApiProject
) -> None:
    assert verdict(client, project, "mallory")["verdict"] == "allow"

    answer = set_status(client, project, "mallory", "banned")

    assert answer.status_code == 200
    assert answer.json()["status"] == "banned"
    decision = verdict(client, project, "mallory")
    assert decision["verdict"] == "block"
    assert "banned_user: the account is banned" in decision["reasons"]
    assert decision["signals"]["actor_status"] == "banned"
    assert verdict(client, project, "alice")["verdict"] == "allow"


def test_a_quarantined_user_is_held_until_made_active_again(
    client: TestClient, project: ApiProject
) -> None:
    set_status(client, project, "bob", "quarantined")
    assert verdict(client, project, "bob")["verdict"] == "hold"

    set_status(client, project, "bob", "active")

    assert verdict(client, project, "bob")["verdict"] == "allow"


def test_an_account_can_be_banned_before_its_first_post(
    client: TestClient, project: ApiProject
) -> None:
    assert client.get("/v1/users/newcomer", headers=project.headers).status_code == 404

    set_status(client, project, "newcomer", "banned")

    account = client.get("/v1/users/newcomer", headers=project.headers).json()
    assert account["status"] == "banned"
    assert verdict(client, project, "newcomer")["verdict"] == "block"


def test_status_is_scoped_to_the_project(
    client: TestClient, project: ApiProject, other_project: ApiProject
) -> None:
    set_status(client, project, "shared-id", "banned")

    assert client.get("/v1/users/shared-id", headers=other_project.headers).status_code == 404
    assert verdict(client, other_project, "shared-id")["verdict"] == "allow"
    elsewhere = client.get("/v1/users/shared-id", headers=other_project.headers).json()
    assert elsewhere["status"] == "active"


def test_an_unknown_status_is_refused_and_nothing_changes(
    client: TestClient, project: ApiProject
) -> None:
    set_status(client, project, "carol", "flagged")

    refused = set_status(client, project, "carol", "exiled")

    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "validation_error"
    assert client.get("/v1/users/carol", headers=project.headers).json()["status"] == "flagged"


def test_a_status_change_is_logged_with_who_made_it(
    client: TestClient, project: ApiProject, runtime: Runtime
) -> None:
    set_status(client, project, "dave", "suspended")

    with runtime.database.read() as session:
        logged = session.scalars(
            select(ModerationLog).where(
                ModerationLog.project_id == project.id, ModerationLog.action == "account_status"
            )
        ).all()
    assert [(row.detail["user_id"], row.detail["status"]) for row in logged] == [
        ("dave", "suspended")
    ]
    assert logged[0].who.startswith("api-key:")


def publish_rule(client: TestClient, project: ApiProject, condition: str, verdict: str) -> None:
    rule = {"name": "under_test", "condition": condition, "verdict": verdict}
    assert client.post("/v1/rules", json=rule, headers=project.headers).status_code == 201
    assert client.post("/v1/policy/publish", headers=project.headers).status_code == 201


def post_as(client: TestClient, project: ApiProject, user: str, text: str, **actor: str) -> Any:
    event = {"type": "post", "actor": {"id": user, **actor}, "content": {"text": text}}
    response = client.post("/v1/events", json=event, headers=project.headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_an_accounts_history_counts_its_judged_and_spam_events(
    client: TestClient, project: ApiProject
) -> None:
    listed = {"kind": "domain", "value": "spamsite.com"}
    assert client.post("/v1/lists/deny", json=listed, headers=project.headers).status_code == 201
    publish_rule(client, project, "actor.prior_events >= 2 and actor.spam_ratio > 0.5", "hold")

    first = post_as(client, project, "eve", "buy at spamsite.com now")
    second = post_as(client, project, "eve", "again spamsite.com")
    clean = post_as(client, project, "eve", "a perfectly fine comment")

    assert [first["verdict"], second["verdict"], clean["verdict"]] == ["block", "block", "hold"]
    assert clean["signals"]["prior_events"] == 2
    assert clean["signals"]["prior_spam"] == 2
    assert clean["signals"]["last_verdict"] == "block"
    assert post_as(client, project, "frank", "a perfectly fine comment")["verdict"] == "allow"


def test_a_disposable_email_domain_is_a_signal(client: TestClient, project: ApiProject) -> None:
    publish_rule(client, project, "actor.email_disposable", "flag")

    throwaway = post_as(client, project, "g", "hello", email="x@mailinator.com")
    subdomain = post_as(client, project, "h", "hello", email="x@eu.mailinator.com")
    ordinary = post_as(client, project, "i", "hello", email="x@example.org")

    assert [throwaway["verdict"], subdomain["verdict"], ordinary["verdict"]] == [
        "flag",
        "flag",
        "allow",
    ]


def test_the_country_comes_from_the_ip_when_the_site_sends_none(
    client: TestClient, project: ApiProject
) -> None:
    publish_rule(client, project, 'actor.country == "US"', "flag")

    from_ip = post_as(client, project, "j", "hello", ip="8.8.8.8")
    site_says = post_as(client, project, "k", "hello", ip="8.8.8.8", country="GB")
    private = post_as(client, project, "l", "hello", ip="10.1.2.3")

    assert [from_ip["verdict"], site_says["verdict"], private["verdict"]] == [
        "flag",
        "allow",
        "allow",
    ]
    assert from_ip["signals"]["country"] == "US"
    assert private["signals"]["country"] == ""

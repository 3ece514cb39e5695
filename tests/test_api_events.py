"""POST /v1/events and GET /v1/decisions/{id}: the decision path end to end."""

from __future__ import annotations

import gc
import uuid
from typing import Any

from sqlalchemy import func, select
from starlette.testclient import TestClient

from spamward.api.schemas import DecisionOut
from spamward.app import create_app
from spamward.domain.entity import MAX_ENTITY_CHARS
from spamward.runtime import Runtime
from spamward.settings import Settings
from spamward.storage import models
from tests.conftest import EXAMPLE_POST, ApiProject


def post_event(client: TestClient, project: ApiProject, text: str, **extra: Any) -> Any:
    event = {"type": "post", "actor": {"id": "user-1"}, "content": {"text": text}, **extra}
    response = client.post("/v1/events", json=event, headers=project.headers)
    assert response.status_code == 200, response.text
    return response.json()


def deny(client: TestClient, project: ApiProject, kind: str, value: str) -> Any:
    response = client.post(
        "/v1/lists/deny", json={"kind": kind, "value": value}, headers=project.headers
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_example_post_yields_its_entities(client: TestClient, project: ApiProject) -> None:
    decision = post_event(client, project, EXAMPLE_POST)

    entities = decision["entities"]
    assert [e["display"] for e in entities["domains"]] == ["bit.ly"]
    assert [e["display"] for e in entities["urls"]] == ["bit.ly/3iXhvjG"]
    assert [(e["value"], e["display"]) for e in entities["phones"]] == [
        ("+15551234567", "555-123-4567")
    ]
    assert entities["emails"] == []
    assert len(entities["texts"]) == 1  # the post is long enough to count as duplicate text
    assert entities["domains"][0]["shortener"] is True
    # The default policy: a shortener adds to the score, below the flag threshold.
    assert decision["verdict"] == "allow"
    assert decision["score"] == 2
    assert decision["reasons"] == ["shortened_link: shortener domain bit.ly, url bit.ly/3iXhvjG"]
    assert decision["rules"][0]["outcome"] == "miss"
    assert decision["policy_version"] == 1


def test_denied_domain_blocks_the_example_post(client: TestClient, project: ApiProject) -> None:
    deny(client, project, "domain", "bit.ly")

    decision = post_event(client, project, EXAMPLE_POST)

    assert decision["verdict"] == "block"
    assert decision["score"] > 0
    assert any("bit.ly" in reason for reason in decision["reasons"])
    assert decision["entities"]["domains"][0]["list"] == "deny"
    assert decision["entities"]["urls"][0]["list"] == "deny"  # the domain covers its URLs
    assert decision["rules"][0] == {
        "rule": "deny_list",
        "outcome": "hit",
        "verdict": "block",
        "weight": 10.0,
        "reason": "denied domain bit.ly, url bit.ly/3iXhvjG",
    }


def test_denied_domain_covers_subdomains_but_not_parents(
    client: TestClient, project: ApiProject
) -> None:
    deny(client, project, "domain", "spam.example.com")

    assert post_event(client, project, "go to deep.spam.example.com/x")["verdict"] == "block"
    assert post_event(client, project, "go to example.com/x")["verdict"] == "allow"


def test_denied_phone_and_email_block(client: TestClient, project: ApiProject) -> None:
    deny(client, project, "phone", "(555) 123-4567")
    deny(client, project, "email", "Offers@Cheap-Pills.com")

    assert post_event(client, project, "call +1 555 123 4567")["verdict"] == "block"
    assert post_event(client, project, "write Offers@cheap-pills.com")["verdict"] == "block"
    assert post_event(client, project, "write other@cheap-pills.com")["verdict"] == "allow"


def test_decision_is_stored_and_readable(
    client: TestClient, project: ApiProject, runtime: Runtime
) -> None:
    answered = post_event(client, project, EXAMPLE_POST, id="post-77")

    stored = client.get(f"/v1/decisions/{answered['id']}", headers=project.headers)

    assert stored.status_code == 200
    assert stored.json() == answered
    with runtime.database.read() as session:
        event = session.get(models.Event, uuid.UUID(answered["event_id"]))
        assert event is not None
        assert event.external_id == "post-77"
        assert event.text == EXAMPLE_POST
        occurrences = session.scalar(
            select(func.count())
            .select_from(models.EntityOccurrence)
            .where(models.EntityOccurrence.event_id == event.id)
        )
        assert occurrences == 4  # domain, URL, phone and the duplicate-text fingerprint


def test_entities_and_actor_are_shared_across_events(
    client: TestClient, project: ApiProject, runtime: Runtime
) -> None:
    post_event(client, project, EXAMPLE_POST)
    post_event(client, project, EXAMPLE_POST)

    with runtime.database.read() as session:
        assert session.scalar(select(func.count()).select_from(models.Entity)) == 4
        assert session.scalar(select(func.count()).select_from(models.Actor)) == 1
        assert session.scalar(select(func.count()).select_from(models.EntityOccurrence)) == 8
        assert session.scalar(select(func.count()).select_from(models.Decision)) == 2


def test_response_matches_the_published_schema(client: TestClient, project: ApiProject) -> None:
    decision = post_event(
        client,
        project,
        EXAMPLE_POST,
        actor={"id": "u", "ip": "203.0.113.9", "email": "u@example.org", "country": "DE"},
        context={"route": "/forum/new", "form_ms": 812},
    )
    DecisionOut.model_validate(decision)


def test_a_key_sees_only_its_own_project(
    client: TestClient, project: ApiProject, other_project: ApiProject
) -> None:
    deny(client, project, "domain", "bit.ly")
    mine = post_event(client, project, EXAMPLE_POST)

    theirs = post_event(client, other_project, EXAMPLE_POST)
    foreign_read = client.get(f"/v1/decisions/{mine['id']}", headers=other_project.headers)
    their_list = client.get("/v1/lists/deny", headers=other_project.headers).json()
    entry_id = client.get("/v1/lists/deny", headers=project.headers).json()["entries"][0]["id"]
    foreign_delete = client.delete(f"/v1/lists/deny/{entry_id}", headers=other_project.headers)

    assert mine["verdict"] == "block"
    assert theirs["verdict"] == "allow"  # the other project's deny list does not apply
    assert foreign_read.status_code == 404
    assert foreign_read.json()["error"]["code"] == "not_found"
    assert their_list == {"entries": []}
    assert foreign_delete.status_code == 404
    assert post_event(client, project, EXAMPLE_POST)["verdict"] == "block"  # entry survived


def test_an_overlong_url_is_stored_cut_to_the_key_size(
    client: TestClient, project: ApiProject
) -> None:
    url = "https://spam.example.com/" + "a" * 2000

    decision = post_event(client, project, f"click {url} now")

    stored = decision["entities"]["urls"][0]
    assert len(stored["value"]) == MAX_ENTITY_CHARS
    assert url.removeprefix("https://").startswith(stored["display"])


def test_what_startup_loaded_is_kept_out_of_full_collections_while_serving(
    settings: Settings, runtime: Runtime
) -> None:
    gc.unfreeze()  # whatever an earlier app in this process left
    with TestClient(create_app(settings, runtime)) as serving:
        assert serving.get("/healthz").status_code == 200
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0

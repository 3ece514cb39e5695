"""Labels: a moderator's answer on a post, and what list actions infer, kept for training
and surviving retention."""

from __future__ import annotations

import uuid
from typing import Any

from starlette.testclient import TestClient

from spamward.runtime import Runtime
from spamward.services.retention import run_retention
from tests.conftest import ApiProject, Clock


def post(client: TestClient, project: ApiProject, text: str) -> Any:
    event = {"type": "post", "actor": {"id": "u1"}, "content": {"text": text}}
    response = client.post("/v1/events", json=event, headers=project.headers)
    assert response.status_code == 200, response.text
    return response.json()


def label(client: TestClient, project: ApiProject, event_id: str, spam: bool) -> Any:
    body = {"event_id": event_id, "spam": spam}
    return client.post("/v1/labels", json=body, headers=project.headers)


def labels(client: TestClient, project: ApiProject) -> list[tuple[str | None, bool, str]]:
    found = client.get("/v1/labels", headers=project.headers).json()["labels"]
    return sorted((item["event_id"], item["spam"], item["source"]) for item in found)


def listed(client: TestClient, project: ApiProject, name: str, domain: str) -> None:
    entry = {"kind": "domain", "value": domain}
    assert client.post(f"/v1/lists/{name}", json=entry, headers=project.headers).status_code == 201


def test_a_moderator_labels_a_post(client: TestClient, project: ApiProject) -> None:
    event_id = post(client, project, "cheap watches here")["event_id"]

    assert label(client, project, event_id, True).status_code == 204

    assert labels(client, project) == [(event_id, True, "moderator")]
    stored = client.get("/v1/labels", headers=project.headers).json()["labels"][0]
    assert stored["text"] == "cheap watches here"


def test_denying_and_allowing_label_the_posts_carrying_the_entity(
    client: TestClient, project: ApiProject
) -> None:
    spam = post(client, project, "visit spamsite.com today")["event_id"]
    ham = post(client, project, "docs at goodsite.org")["event_id"]
    post(client, project, "nothing listed here")

    listed(client, project, "deny", "spamsite.com")
    listed(client, project, "allow", "goodsite.org")

    assert labels(client, project) == sorted(
        [(spam, True, "list.deny"), (ham, False, "list.allow")]
    )


def test_a_moderators_answer_overrides_an_inferred_label_and_not_the_reverse(
    client: TestClient, project: ApiProject
) -> None:
    first = post(client, project, "see spamsite.com")["event_id"]
    second = post(client, project, "also spamsite.com")["event_id"]
    label(client, project, first, False)

    listed(client, project, "deny", "spamsite.com")
    label(client, project, second, False)

    assert labels(client, project) == sorted(
        [(first, False, "moderator"), (second, False, "moderator")]
    )


def test_unknown_or_foreign_events_cannot_be_labelled(
    client: TestClient, project: ApiProject, other_project: ApiProject
) -> None:
    theirs = post(client, other_project, "hello")["event_id"]

    assert label(client, project, str(uuid.uuid4()), True).status_code == 404
    assert label(client, project, theirs, True).status_code == 404
    assert label(client, project, "not-a-uuid", True).status_code == 422
    assert labels(client, project) == []


def test_labels_outlive_the_posts_retention_purges(
    client: TestClient, project: ApiProject, runtime: Runtime, clock: Clock
) -> None:
    event_id = post(client, project, "old spam text")["event_id"]
    label(client, project, event_id, True)

    clock.advance(days=60)
    run_retention(runtime)

    assert labels(client, project) == [(None, True, "moderator")]

"""Retention covers what the policy engine stores: shadow hits go with their decisions,
backtest jobs after the project's retention days; recent ones stay."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from spamward.runtime import Runtime
from spamward.services.retention import run_retention
from tests.conftest import ApiProject, Clock


def shadow_rule(client: TestClient, project: ApiProject) -> None:
    rule = {"name": "watch", "condition": '"casino" in event.text', "verdict": "block",
            "mode": "shadow"}  # fmt: skip
    assert client.post("/v1/rules", json=rule, headers=project.headers).status_code == 201
    assert client.post("/v1/policy/publish", headers=project.headers).status_code == 201


def post(client: TestClient, project: ApiProject, text: str) -> Any:
    event = {"type": "post", "actor": {"id": "u1"}, "content": {"text": text}}
    response = client.post("/v1/events", json=event, headers=project.headers)
    assert response.status_code == 200, response.text
    return response.json()


def shadow_hits(client: TestClient, project: ApiProject) -> list[Any]:
    report = client.get("/v1/policy/shadow?days=60", headers=project.headers).json()
    return [(rule["rule"], rule["hits"]) for rule in report["rules"]]


def start_backtest(client: TestClient, project: ApiProject, runtime: Runtime) -> str:
    response = client.post("/v1/policy/backtests", json={"days": 7}, headers=project.headers)
    assert response.status_code == 202, response.text
    runtime.jobs.drain()
    job_id: str = response.json()["id"]
    return job_id


def test_shadow_hits_leave_with_their_decisions(
    client: TestClient, project: ApiProject, runtime: Runtime, clock: Clock
) -> None:
    shadow_rule(client, project)
    post(client, project, "best casino bonus")
    clock.advance(days=20)
    post(client, project, "casino again")
    assert shadow_hits(client, project) == [("watch", 2)]

    clock.advance(days=11)
    report = run_retention(runtime)

    assert report.events_purged == 1
    assert shadow_hits(client, project) == [("watch", 1)]


def test_backtest_jobs_are_purged_after_the_retention_days(
    client: TestClient, project: ApiProject, runtime: Runtime, clock: Clock
) -> None:
    old = start_backtest(client, project, runtime)
    clock.advance(days=20)
    recent = start_backtest(client, project, runtime)

    clock.advance(days=11)
    report = run_retention(runtime)

    assert report.backtests_purged == 1
    gone = client.get(f"/v1/policy/backtests/{old}", headers=project.headers)
    assert gone.status_code == 404
    kept = client.get(f"/v1/policy/backtests/{recent}", headers=project.headers)
    assert kept.json()["status"] == "done"

"""Action workers as separate processes, and the embedded worker, against a real webhook.

A worker killed mid-delivery leaves its claim to lapse; another process takes the action
over after the lease and delivers again under the same idempotency key, which the site
uses to apply the effect once. Two worker processes on PostgreSQL never claim one action
twice. The embedded worker (`embedded_worker=True`) runs what a decision queues, end to end.
"""

from __future__ import annotations

import signal
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
import pytest
from bench.server import environment_without_settings
from sqlalchemy import update
from starlette.testclient import TestClient

from spamward.api.schemas import EventIn
from spamward.app import create_app
from spamward.remediation.catalog import ActionKind, checked_params
from spamward.remediation.enqueue import Resolved, Subject, new_action
from spamward.remediation.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify_signature
from spamward.runtime import Runtime, build_runtime
from spamward.services import policies
from spamward.services.actions import action_log, get_action
from spamward.services.decisions import decide
from spamward.settings import Settings
from spamward.storage.models import Project
from spamward.storage.repositories import actions as actions_repo
from spamward.storage.repositories.actions import LogFilter
from tests.conftest import ApiProject, _truncate_all, make_project, postgres_url
from tests.processes import Spawned, wait_until
from tests.takeover_receiver import TakeoverReceiver

SECRET = "whsec_takeover-test-secret"
STARTED = "spamward worker:"  # the line a worker process prints once its threads run


# -- helpers ----------------------------------------------------------------------------


@contextmanager
def worker_process(
    settings: Settings, tmp_path: Path, name: str, concurrency: int, lease_seconds: float
) -> Iterator[Spawned]:
    env = environment_without_settings()
    env |= {
        "SPAMWARD_DATABASE_URL": settings.database_url,
        "SPAMWARD_DATA_DIR": str(tmp_path / f"{name}-data"),
        "SPAMWARD_ACTION_LEASE_SECONDS": str(lease_seconds),
        "SPAMWARD_ACTION_POLL_SECONDS": "0.1",
        # A run must end within its lease (settings refuse otherwise).
        "SPAMWARD_WEBHOOK_TIMEOUT_SECONDS": str(lease_seconds / 2),
        "SPAMWARD_SMTP_TIMEOUT_SECONDS": str(lease_seconds / 4),
        "SPAMWARD_MAINTENANCE_INTERVAL_SECONDS": "0",
        "SPAMWARD_LOG_LEVEL": "info",
    }
    arguments = ["worker", "--concurrency", str(concurrency)]
    worker = Spawned(arguments, env, tmp_path / f"{name}.log")
    try:
        yield worker
    finally:
        worker.stop()


def set_webhook(runtime: Runtime, project_id: int, url: str) -> None:
    with runtime.database.write() as session:
        session.execute(
            update(Project)
            .where(Project.id == project_id)
            .values(webhook_url=url, webhook_secret=SECRET)
        )


def add_casino_rule(runtime: Runtime, project_id: int, effects: list[str]) -> None:
    rule = {
        "name": "casino",
        "condition": '"casino" in event.text',
        "verdict": "block",
        "effects": [{"action": name} for name in effects],
    }
    policies.add_rule(runtime, project_id, rule, "tester")
    policies.publish(runtime, project_id, "tester")


def post(runtime: Runtime, project_id: int, user: str, text: str) -> Any:
    event = {"type": "post", "actor": {"id": user}, "content": {"text": text}}
    return decide(runtime, project_id, EventIn.model_validate(event).to_event(runtime.clock()))


def all_actions(runtime: Runtime, project_id: int) -> list[dict[str, Any]]:
    return action_log(runtime, project_id, LogFilter(), limit=500)


def action_state(runtime: Runtime, project_id: int, action_id: str) -> dict[str, Any]:
    return get_action(runtime, project_id, uuid.UUID(action_id))


@pytest.fixture
def live_runtime(settings: Settings) -> Iterator[Runtime]:
    """A runtime on the real clock: the worker processes compare leases with it."""
    built = build_runtime(settings)
    yield built
    built.close()


# -- 1. a killed worker's action is taken over after its lease -------------------------


def test_killed_workers_action_is_taken_over_after_the_lease(
    settings: Settings, live_runtime: Runtime, tmp_path: Path
) -> None:
    runtime = live_runtime
    site = make_project(runtime, "site-takeover")
    add_casino_rule(runtime, site.id, ["call_webhook"])
    with TakeoverReceiver(hold_first=True) as receiver:
        set_webhook(runtime, site.id, receiver.url)
        decision = post(runtime, site.id, "u1", "best casino bonus here")
        assert decision.verdict == "block"
        [queued] = all_actions(runtime, site.id)
        assert (queued["kind"], queued["status"]) == ("call_webhook", "queued")
        key = queued["id"]

        with worker_process(settings, tmp_path, "first", 1, lease_seconds=4) as first:
            wait_until(receiver.held.is_set, "the first delivery", details=first.output)
            first.kill()
        assert first.process.returncode == -signal.SIGKILL
        # Killed mid-delivery: the action is still claimed by the dead worker.
        claimed = action_state(runtime, site.id, key)
        assert (claimed["status"], claimed["attempts"]) == ("running", 1)
        assert [a["outcome"] for a in claimed["attempt_log"]] == ["running"]

        receiver.release()  # the held request now answers a worker that is gone
        wait_until(lambda: receiver.answered.total() == 1, "the held delivery's answer")
        assert receiver.effects == Counter({key: 1})

        with worker_process(settings, tmp_path, "second", 1, lease_seconds=4) as second:
            wait_until(
                lambda: action_state(runtime, site.id, key)["status"] == "done",
                "the action done by the second worker",
                details=lambda: f"{action_state(runtime, site.id, key)}\n{second.output()}",
            )

        action = action_state(runtime, site.id, key)
        deliveries = receiver.snapshot()

    assert action["status"] == "done"
    assert action["attempts"] == 2
    assert action["result"] == {"webhook": "decision", "status_code": 200}
    lost, done = action["attempt_log"]
    assert (lost["number"], lost["outcome"]) == (1, "lost")
    assert lost["error"] == "the worker's lease ran out"
    assert (done["number"], done["outcome"]) == (2, "done")
    assert lost["worker"] != done["worker"]
    assert lost["worker"].endswith(f":{first.pid}:0")
    assert done["worker"].endswith(f":{second.pid}:0")
    # Delivered twice, under one idempotency key (the action's id), applied once.
    assert [d.key for d in deliveries] == [key, key]
    assert [d.event for d in deliveries] == ["decision", "decision"]
    assert receiver.answered[key] == 2
    assert receiver.effects == Counter({key: 1})


# -- 2. the embedded worker, end to end ------------------------------------------------


def test_embedded_worker_runs_a_decisions_actions_end_to_end(settings: Settings) -> None:
    settings = settings.model_copy(update={"embedded_worker": True, "action_poll_seconds": 0.05})
    runtime = build_runtime(settings)
    try:
        site = make_project(runtime, "site-embedded")
        add_casino_rule(runtime, site.id, ["ban_user", "call_webhook", "hide_content"])
        with TakeoverReceiver() as receiver, TestClient(create_app(settings, runtime)) as client:
            set_webhook(runtime, site.id, receiver.url)
            decision = post_event(client, site, "u1", "the best casino in town, free chips")
            assert decision["verdict"] == "block"
            assert sorted(e["action"] for e in decision["effects"]) == [
                "ban_user", "call_webhook", "hide_content",
            ]  # fmt: skip

            def settled() -> bool:
                actions = all_actions(runtime, site.id)
                return len(actions) == 3 and all(a["status"] == "done" for a in actions)

            wait_until(settled, "the three actions done", timeout=10,
                       details=lambda: str(all_actions(runtime, site.id)))  # fmt: skip
            actions = {a["kind"]: a for a in all_actions(runtime, site.id)}
            deliveries = {d.event: d for d in receiver.snapshot()}

            account = client.get("/v1/users/u1", headers=site.headers)
            again = post_event(client, site, "u1", "hello everyone, lovely weather today")

    finally:
        runtime.close()

    assert actions["ban_user"]["result"] == {"status": "banned", "until": None}
    assert actions["call_webhook"]["result"] == {"webhook": "decision", "status_code": 200}
    assert actions["hide_content"]["result"] == {"webhook": "content.hide", "status_code": 200}
    assert {a["event_id"] for a in actions.values()} == {decision["event_id"]}

    assert sorted(deliveries) == ["content.hide", "decision"]
    hook = deliveries["decision"]
    assert hook.key == actions["call_webhook"]["id"]
    stamp, signature = hook.headers[TIMESTAMP_HEADER], hook.headers[SIGNATURE_HEADER]
    assert verify_signature(SECRET, stamp, signature, hook.body)
    assert not verify_signature("whsec_another-secret", stamp, signature, hook.body)
    body = orjson.loads(hook.body)
    assert body["user_id"] == "u1"
    assert body["event"]["id"] == decision["event_id"]
    assert body["decision"] == {
        "id": decision["id"], "verdict": "block", "reasons": decision["reasons"],
    }  # fmt: skip
    hide = deliveries["content.hide"]
    assert verify_signature(SECRET, hide.headers[TIMESTAMP_HEADER],
                            hide.headers[SIGNATURE_HEADER], hide.body)  # fmt: skip

    assert account.status_code == 200, account.text
    assert account.json()["status"] == "banned"
    assert again["verdict"] == "block"
    assert [r.split(":", 1)[0] for r in again["reasons"]] == ["banned_user"]
    assert again["effects"] == []


def post_event(client: TestClient, site: ApiProject, user: str, text: str) -> Any:
    event = {"type": "post", "actor": {"id": user}, "content": {"text": text}}
    response = client.post("/v1/events", json=event, headers=site.headers)
    assert response.status_code == 200, response.text
    return response.json()


# -- 3. two worker processes on PostgreSQL never claim one action twice ---------------


@pytest.fixture
def postgres_settings(postgres_schema: str, tmp_path: Path) -> Settings:
    url = postgres_url(postgres_schema)
    _truncate_all(url)
    return Settings(
        database_url=url,
        data_dir=tmp_path / "var",
        secret_key="test-secret-" + "x" * 32,
        maintenance_interval_seconds=0,
        embedded_worker=False,
    )


def queue_webhooks(runtime: Runtime, project_id: int, count: int) -> list[str]:
    """`count` call_webhook actions, committed together: all due at once."""
    now = runtime.clock()
    action = Resolved("call_webhook", ActionKind.CALL_WEBHOOK, {})
    params = checked_params(ActionKind.CALL_WEBHOOK, {})
    rows = [
        new_action(project_id, action, params, Subject(user_id=f"user-{i}"), "tester",
                   runtime.settings.action_max_attempts, now)
        for i in range(count)
    ]  # fmt: skip
    with runtime.database.write() as session:
        actions_repo.enqueue(session, rows)
    return [str(row.id) for row in rows]


def test_two_worker_processes_on_postgresql_deliver_each_action_once(
    postgres_settings: Settings, tmp_path: Path
) -> None:
    runtime = build_runtime(postgres_settings)
    try:
        site = make_project(runtime, "site-pair")
        with TakeoverReceiver(latency=0.05) as receiver:
            set_webhook(runtime, site.id, receiver.url)
            with (
                worker_process(postgres_settings, tmp_path, "one", 2, lease_seconds=30) as one,
                worker_process(postgres_settings, tmp_path, "two", 2, lease_seconds=30) as two,
            ):
                wait_until(
                    lambda: one.printed(STARTED) and two.printed(STARTED), "both workers running"
                )
                keys = queue_webhooks(runtime, site.id, 40)

                def all_done() -> bool:
                    done = action_log(runtime, site.id, LogFilter(status="done"), limit=100)
                    return len(done) == 40

                wait_until(all_done, "40 actions done",
                           details=lambda: f"{one.output()}\n{two.output()}")  # fmt: skip
            actions = [action_state(runtime, site.id, key) for key in keys]
            delivered = receiver.keys()
            effects = receiver.effects
    finally:
        runtime.close()

    assert [a["status"] for a in actions] == ["done"] * 40
    assert [a["attempts"] for a in actions] == [1] * 40
    assert [[t["outcome"] for t in a["attempt_log"]] for a in actions] == [["done"]] * 40
    assert delivered == Counter(dict.fromkeys(keys, 1))  # no key delivered twice
    assert effects == Counter(dict.fromkeys(keys, 1))
    # The work was shared: both processes (two threads each) claimed actions. Each answer
    # takes 50 ms, so one process alone would need a second: the other one polls every 0.1 s.
    pids = Counter(a["attempt_log"][0]["worker"].rsplit(":", 2)[1] for a in actions)
    assert set(pids) == {str(one.pid), str(two.pid)}, pids

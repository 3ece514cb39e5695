"""Faults of the parts spamward depends on: PostgreSQL restarted under the API, and webhook
receivers that hang or fail. (Redis going away and coming back is in test_velocity.py, a
worker killed mid-action in test_worker_takeover.py.)"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from bench.private_services import PrivatePostgres
from starlette.testclient import TestClient

from spamward.app import create_app
from spamward.remediation.worker import ActionWorker
from spamward.runtime import Runtime, build_runtime
from spamward.services.projects import create_api_key, create_project
from spamward.settings import Settings
from spamward.storage.migrate import upgrade
from tests.conftest import EXAMPLE_POST, Clock
from tests.receivers import WebhookReceiver, webhook_receiver
from tests.test_remediation_worker import (
    actions,
    post,
    publish,
    rule,
    use_webhook,
)

SPAM = {"type": "post", "content": {"text": "buy now at https://cheap-pills-shop.com/deal"}}


@pytest.fixture
def on_private_postgres(
    private_postgres: PrivatePostgres, tmp_path_factory: pytest.TempPathFactory, clock: Clock
) -> Iterator[tuple[TestClient, dict[str, str]]]:
    settings = Settings(
        database_url=private_postgres.url, data_dir=tmp_path_factory.mktemp("var"),
        secret_key="test-secret-" + "x" * 32, maintenance_interval_seconds=0,
        embedded_worker=False, fresh_seconds=0,
    )  # fmt: skip
    runtime = build_runtime(settings, clock)
    upgrade(runtime.database)
    create_project(runtime.database, "site")
    headers = {"Authorization": f"Bearer {create_api_key(runtime.database, 'site').token}"}
    with TestClient(create_app(settings, runtime)) as client:
        yield client, headers


def test_with_postgresql_down_the_api_answers_503_and_recovers_when_it_is_back(
    on_private_postgres: tuple[TestClient, dict[str, str]], private_postgres: PrivatePostgres
) -> None:
    client, headers = on_private_postgres
    event = {"type": "post", "content": {"text": EXAMPLE_POST}}
    before = client.post("/v1/events", json=event, headers=headers)
    assert before.status_code == 200

    private_postgres.stop()
    during = client.post("/v1/events", json=event, headers=headers)
    health = client.get("/healthz")
    listed = client.get("/v1/lists/deny", headers=headers)
    private_postgres.start()
    denied = client.post("/v1/lists/deny", json={"kind": "domain", "value": "cheap-pills-shop.com"},
                         headers=headers)  # fmt: skip
    after = client.post("/v1/events", json=SPAM, headers=headers)

    assert during.status_code == 503, during.text
    assert during.json()["error"]["code"] == "unavailable"
    assert during.headers["retry-after"] == "5"
    assert health.status_code == 503
    assert listed.status_code == 503
    assert denied.status_code == 201, denied.text
    assert after.status_code == 200, after.text
    assert after.json()["verdict"] == "block"  # the list changed after the restart applies
    for answered in (before, after):  # both stored, across the restart
        stored = client.get(f"/v1/decisions/{answered.json()['id']}", headers=headers)
        assert stored.json()["verdict"] == answered.json()["verdict"]


@pytest.fixture
def quick_webhooks(settings: Settings, clock: Clock) -> Iterator[Runtime]:
    runtime = build_runtime(settings.model_copy(update={"webhook_timeout_seconds": 1}), clock)
    yield runtime
    runtime.close()


def test_a_hanging_or_failing_webhook_receiver_does_not_hold_up_other_actions(
    quick_webhooks: Runtime,
) -> None:
    runtime, hanging = quick_webhooks, threading.Event()
    with (
        webhook_receiver(hang_until=hanging) as hangs,
        webhook_receiver() as fails,
        webhook_receiver() as works,
    ):
        fails.answer(500, then=500)
        receivers: dict[str, WebhookReceiver] = {"hangs": hangs, "fails": fails, "works": works}
        projects = {name: create_project(runtime.database, name).id for name in receivers}
        for name, receiver in receivers.items():
            use_webhook(runtime, projects[name], receiver)
            publish(runtime, projects[name], rule({"action": "call_webhook"}))
            post(runtime, projects[name], "casino")

        ActionWorker(runtime, concurrency=0, name="w").run_once()  # one pass over all three

        [hung] = actions(runtime, projects["hangs"])
        [failed] = actions(runtime, projects["fails"])
        [done] = actions(runtime, projects["works"])
    assert done["status"] == "done"
    assert (failed["status"], failed["attempts"]) == ("queued", 1)
    assert "HTTP 500" in failed["error"]
    assert (hung["status"], hung["attempts"]) == ("queued", 1)
    assert "timed out" in hung["error"].lower()
    assert len(works.deliveries) == 1

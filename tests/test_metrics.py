"""`GET /metrics`: what real decisions, actions and stored rows show in the Prometheus text.

Counters belong to the test process (prometheus_client keeps them per process), so each
test compares a scrape before with one after. The database gauges are read at scrape time
and reused for `REFRESH_SECONDS` of the runtime's clock: tests move the clock, never sleep.
The last test runs two `spamward serve` processes and a `spamward worker` sharing one
PROMETHEUS_MULTIPROC_DIR, and reads the sum from one of them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from bench.server import environment_without_settings, free_port
from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

from spamward.app import create_app
from spamward.domain.entity import EntityKind
from spamward.observability.collector import REFRESH_SECONDS
from spamward.remediation.worker import ActionWorker
from spamward.runtime import Runtime, build_runtime
from spamward.services import policies
from spamward.settings import Settings
from tests.conftest import EXAMPLE_POST, ApiProject, Clock
from tests.processes import Spawned, wait_until

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]
CASINO = "best casino bonus here, come and play"
UNREACHABLE = "http://127.0.0.1:9/"  # the discard port: connecting fails at once


# --- helpers ---------------------------------------------------------------------------------


def parse(text: str) -> Samples:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def scrape(client: TestClient) -> Samples:
    response = client.get("/metrics")  # no API key: the endpoint is open
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return parse(response.text)


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def grew(before: Samples, after: Samples, name: str, **labels: str) -> float:
    return value(after, name, **labels) - value(before, name, **labels)


def add_casino_rule(runtime: Runtime, project_id: int, effects: list[str]) -> None:
    rule = {
        "name": "casino",
        "condition": '"casino" in event.text',
        "verdict": "block",
        "effects": [{"action": name} for name in effects],
    }
    policies.add_rule(runtime, project_id, rule, "tester")
    policies.publish(runtime, project_id, "tester")


def judge(client: TestClient, project: ApiProject, event_type: str, text: str | None,
          user: str = "u1") -> dict[str, Any]:  # fmt: skip
    body: dict[str, Any] = {"type": event_type, "actor": {"id": user}}
    if text is not None:
        body["content"] = {"text": text}
    response = client.post("/v1/events", json=body, headers=project.headers)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def add_entries(client: TestClient, project: ApiProject, list_name: str, kind: str,
                values: list[str]) -> None:  # fmt: skip
    entries = [{"kind": kind, "value": v} for v in values]
    response = client.post(
        f"/v1/lists/{list_name}/bulk", json={"entries": entries}, headers=project.headers
    )
    assert response.status_code == 200, response.text
    assert response.json()["errors"] == [], response.text


def add_network(client: TestClient, project: ApiProject, list_name: str, network: str) -> None:
    response = client.post(
        f"/v1/ip-lists/{list_name}", json={"value": network}, headers=project.headers
    )
    assert response.status_code == 201, response.text


def api_count(client: TestClient, project: ApiProject, path: str, key: str, **query: str) -> int:
    response = client.get(path, params={**query, "limit": "500"}, headers=project.headers)
    assert response.status_code == 200, response.text
    return len(response.json()[key])


@pytest.fixture
def worker(runtime: Runtime) -> Iterator[ActionWorker]:
    """An action worker without threads: the test calls run_once itself."""
    made = ActionWorker(runtime, concurrency=0, name="metrics-test-worker")
    yield made
    made.stop()


# --- decisions -------------------------------------------------------------------------------


def test_decisions_are_counted_by_verdict_and_event_type_with_their_latency_and_entities(
    client: TestClient, project: ApiProject, runtime: Runtime
) -> None:
    add_casino_rule(runtime, project.id, effects=[])
    before = scrape(client)

    answers = [
        ("post", judge(client, project, "post", CASINO)),
        ("post", judge(client, project, "post", EXAMPLE_POST)),
        ("comment", judge(client, project, "comment", EXAMPLE_POST, user="u2")),
        ("signup", judge(client, project, "signup", None, user="u3")),
    ]
    after = scrape(client)

    by_labels = Counter((answer["verdict"], event_type) for event_type, answer in answers)
    assert by_labels[("block", "post")] >= 1  # the casino rule
    for (verdict, event_type), count in by_labels.items():
        assert grew(before, after, "spamward_decisions_total",
                    verdict=verdict, event_type=event_type) == count  # fmt: skip
    assert sum(
        grew(before, after, name, **dict(labels))
        for name, labels in after
        if name == "spamward_decisions_total"
    ) == len(answers)
    assert grew(before, after, "spamward_decision_seconds_count") == len(answers)
    assert grew(before, after, "spamward_decision_seconds_bucket", le="+Inf") == len(answers)
    assert grew(before, after, "spamward_decision_seconds_sum") > 0
    for kind in EntityKind:
        answered = sum(len(answer["entities"][kind.plural]) for _, answer in answers)
        assert grew(before, after, "spamward_entities_extracted_total", kind=kind.value) == answered
    for found in ("url", "domain", "phone"):  # EXAMPLE_POST has each, twice over
        assert grew(before, after, "spamward_entities_extracted_total", kind=found) >= 2


def test_a_refused_event_is_no_decision(client: TestClient, project: ApiProject) -> None:
    before = scrape(client)
    bad = client.post("/v1/events", json={"type": "nonsense"}, headers=project.headers)
    unknown_key = client.post(
        "/v1/events", json={"type": "post"}, headers={"Authorization": "Bearer sw_nobody"}
    )
    after = scrape(client)

    assert (bad.status_code, unknown_key.status_code) == (422, 401)
    assert grew(before, after, "spamward_decision_seconds_count") == 0


# --- actions ---------------------------------------------------------------------------------


def test_action_results_and_retries_are_counted_by_kind(
    client: TestClient, project: ApiProject, runtime: Runtime, worker: ActionWorker, clock: Clock
) -> None:
    response = client.patch(
        "/v1/remediation-settings", json={"webhook_url": UNREACHABLE}, headers=project.headers
    )
    assert response.status_code == 200, response.text
    add_casino_rule(runtime, project.id, effects=["call_webhook", "escalate"])
    judge(client, project, "post", CASINO)
    attempts = runtime.settings.action_max_attempts
    before = scrape(client)

    for _ in range(attempts):
        assert worker.run_once(limit=10) >= 1
        clock.advance(hours=2)  # past any retry's backoff
    after = scrape(client)

    webhook = {"kind": "call_webhook"}
    assert grew(before, after, "spamward_action_results_total", **webhook, result="error") == (
        attempts - 1
    )
    assert grew(before, after, "spamward_action_results_total", **webhook, result="failed") == 1
    assert grew(before, after, "spamward_action_results_total", **webhook, result="done") == 0
    assert grew(before, after, "spamward_action_retries_total", **webhook) == attempts - 1
    escalate = {"kind": "escalate"}
    assert grew(before, after, "spamward_action_results_total", **escalate, result="done") == 1
    assert grew(before, after, "spamward_action_retries_total", **escalate) == 0
    failed = api_count(client, project, "/v1/actions", "actions", status="failed")
    assert failed == 1


# --- gauges read from the database -----------------------------------------------------------


def test_gauges_show_list_sizes_queue_and_review_queue_per_project(
    client: TestClient, project: ApiProject, other_project: ApiProject, runtime: Runtime,
    worker: ActionWorker, clock: Clock,
) -> None:  # fmt: skip
    add_entries(client, project, "deny", "domain", ["spam-a.com", "spam-b.com",
                                                    "spam-c.com"])  # fmt: skip
    add_entries(client, project, "deny", "phone", ["+12025550123"])
    add_entries(client, project, "allow", "domain", ["friend.org", "partner.org"])
    add_entries(client, project, "ignore", "url", ["https://noise.net/page"])
    add_network(client, project, "deny", "203.0.113.0/24")
    add_network(client, project, "deny", "198.51.100.7")
    add_entries(client, other_project, "deny", "email", ["spammer@bad-mail.com"])
    add_casino_rule(runtime, project.id, effects=["escalate"])
    for user in ("u1", "u2", "u3"):
        assert judge(client, project, "post", CASINO, user=user)["verdict"] == "block"
    assert worker.run_once(limit=1) == 1  # one escalation done: one review item open
    clock.advance(seconds=90)

    samples = scrape(client)

    def gauge(name: str, **labels: str) -> float:
        return value(samples, name, **labels)

    assert gauge("spamward_database_gauges_up") == 1
    sizes = {
        (dict(labels)["project"], dict(labels)["list"], dict(labels)["kind"]): count
        for (name, labels), count in samples.items()
        if name == "spamward_list_entries"
    }
    assert sizes == {
        ("site-a", "deny", "domain"): 3,
        ("site-a", "deny", "phone"): 1,
        ("site-a", "allow", "domain"): 2,
        ("site-a", "ignore", "url"): 1,
        ("site-a", "deny", "ip"): 2,
        ("site-b", "deny", "email"): 1,
    }
    queued = api_count(client, project, "/v1/actions", "actions", status="queued")
    assert queued == 2
    assert gauge("spamward_action_queue_depth", project="site-a", status="queued") == queued
    assert gauge("spamward_action_queue_depth", project="site-a", status="running") == 0
    assert gauge("spamward_action_queue_oldest_age_seconds", project="site-a") == 90
    assert api_count(client, project, "/v1/reviews", "items") == 1
    assert gauge("spamward_review_queue_open", project="site-a") == 1
    for name in ("spamward_action_queue_oldest_age_seconds", "spamward_review_queue_open"):
        assert gauge(name, project="site-b") == 0
    assert gauge("spamward_action_queue_depth", project="site-b", status="queued") == 0


def test_gauges_are_read_at_most_once_per_refresh_interval(
    client: TestClient, project: ApiProject, clock: Clock
) -> None:
    add_entries(client, project, "deny", "domain", ["spam-a.com"])
    deny_domains = {"project": "site-a", "list": "deny", "kind": "domain"}
    assert value(scrape(client), "spamward_list_entries", **deny_domains) == 1

    add_entries(client, project, "deny", "domain", ["spam-b.com"])
    clock.advance(seconds=REFRESH_SECONDS / 2)
    assert value(scrape(client), "spamward_list_entries", **deny_domains) == 1  # reused

    clock.advance(seconds=REFRESH_SECONDS / 2)
    assert value(scrape(client), "spamward_list_entries", **deny_domains) == 2


def test_expired_ignore_entries_are_not_counted(
    client: TestClient, project: ApiProject, clock: Clock
) -> None:
    add_entries(client, project, "ignore", "domain", ["later.net"])
    ignored = {"project": "site-a", "list": "ignore", "kind": "domain"}
    assert value(scrape(client), "spamward_list_entries", **ignored) == 1

    clock.advance(days=15)  # ignore entries last 14 days by default

    assert value(scrape(client), "spamward_list_entries", **ignored) == 0


def test_an_unreachable_database_reports_gauges_down_not_an_error(tmp_path: Path) -> None:
    settings = Settings(
        database_url="postgresql+psycopg://postgres@127.0.0.1:9/nothing",
        data_dir=tmp_path / "var",
        secret_key="test-secret-" + "x" * 32,
    )
    runtime = build_runtime(settings)
    try:
        samples = scrape(TestClient(create_app(settings, runtime)))
    finally:
        runtime.close()

    assert value(samples, "spamward_database_gauges_up") == 0
    assert not any(name == "spamward_action_queue_depth" for name, _ in samples)


def test_metrics_can_be_turned_off(settings: Settings, runtime: Runtime) -> None:
    app = create_app(settings.model_copy(update={"metrics_enabled": False}), runtime)
    assert TestClient(app).get("/metrics").status_code == 404


# --- several processes, one directory --------------------------------------------------------


@contextmanager
def spamward_process(args: list[str], env: dict[str, str], log: Path) -> Iterator[Spawned]:
    process = Spawned(args, env, log)
    try:
        yield process
    finally:
        process.stop()


def process_env(settings: Settings, tmp_path: Path, multiproc_dir: Path) -> dict[str, str]:
    env = environment_without_settings()
    return env | {
        "PROMETHEUS_MULTIPROC_DIR": str(multiproc_dir),
        "SPAMWARD_DATABASE_URL": settings.database_url,
        "SPAMWARD_DATA_DIR": str(tmp_path / "process-data"),
        "SPAMWARD_SECRET_KEY": "test-secret-" + "x" * 32,
        "SPAMWARD_EMBEDDED_WORKER": "false",  # the worker process runs the actions
        "SPAMWARD_MAINTENANCE_INTERVAL_SECONDS": "0",
        "SPAMWARD_ACTION_POLL_SECONDS": "0.1",
    }


def server_up(server: Spawned, url: str) -> bool:
    server.alive()
    try:
        return httpx.get(f"{url}/healthz", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def test_metrics_from_several_processes_are_summed_in_one_scrape(
    settings: Settings, runtime: Runtime, project: ApiProject, tmp_path: Path
) -> None:
    add_casino_rule(runtime, project.id, effects=["escalate"])
    multiproc_dir = tmp_path / "prometheus"
    multiproc_dir.mkdir()
    env = process_env(settings, tmp_path, multiproc_dir)
    urls = [f"http://127.0.0.1:{free_port()}" for _ in range(2)]
    with ExitStack() as stack:
        servers = [
            stack.enter_context(spamward_process(
                ["serve", "--host", "127.0.0.1", "--port", url.rsplit(":", 1)[1]], env,
                tmp_path / f"serve-{i}.log",
            ))
            for i, url in enumerate(urls)
        ]  # fmt: skip
        worker = stack.enter_context(
            spamward_process(["worker", "--concurrency", "1"], env, tmp_path / "worker.log")
        )
        for server, url in zip(servers, urls, strict=True):
            wait_until(lambda: server_up(server, url), f"{url} to answer", details=server.output)  # noqa: B023

        sent = {urls[0]: 3, urls[1]: 2}
        for url, count in sent.items():
            for i in range(count):
                body = {"type": "post", "actor": {"id": f"u{i}"}, "content": {"text": CASINO}}
                answer = httpx.post(f"{url}/v1/events", json=body, headers=project.headers)
                assert answer.status_code == 200, answer.text
                assert answer.json()["verdict"] == "block"
        total = sum(sent.values())

        def escalations_done() -> bool:  # the worker counts once its results are stored
            worker.alive()
            scraped = parse(httpx.get(f"{urls[1]}/metrics").text)
            done = {"kind": "escalate", "result": "done"}
            return value(scraped, "spamward_action_results_total", **done) == total

        wait_until(escalations_done, "the worker's results in the scrape", details=worker.output)
        first, second = (parse(httpx.get(f"{url}/metrics").text) for url in urls)

    for samples in (first, second):  # either process answers with the sum over all three
        decisions = {"verdict": "block", "event_type": "post"}
        assert value(samples, "spamward_decisions_total", **decisions) == total
        assert value(samples, "spamward_decision_seconds_count") == total
        assert value(samples, "spamward_action_results_total", kind="escalate",
                     result="done") == total  # fmt: skip
    # The first server reads its gauges now (the second may reuse a reading from the wait).
    assert value(first, "spamward_review_queue_open", project=project.name) == total
    assert value(first, "spamward_action_queue_depth", project=project.name,
                 status="queued") == 0  # fmt: skip
    written = sorted(path.name.split("_")[0] for path in multiproc_dir.glob("*.db"))
    assert written.count("counter") == 3  # one file per process that counted

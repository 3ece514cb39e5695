"""Scaled mode end to end: `spamward serve --workers 2` and two `spamward worker` processes
on a fresh PostgreSQL schema and the real Redis (tests/scaled_support.py starts them).

A site sends a few hundred posts from 8 threads; halfway, a moderator denies a domain
through the API, and probes carrying that domain go to both API processes. Then:
- every answered decision is stored once, with the verdict answered;
- the velocity counters in Redis, read with the server's own `RedisCounters`, count the
  traffic exactly: per user, IP, network, accounts per IP, and the denied domain;
- from a second after the deny returned (the issue's bound) every post carrying the domain
  is blocked, by each API process (at least 20 each, which one answered read from the
  kernel); none was blocked before the deny;
- each webhook action ran once: one delivery per idempotency key, one attempt per action,
  and both worker processes took part.
"""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from click.testing import CliRunner
from sqlalchemy import text

from spamward.cli import main
from spamward.domain.entity import Entity, EntityKind
from spamward.domain.event import Actor, Event, EventType
from spamward.services.projects import create_api_key, create_project
from spamward.settings import Settings
from spamward.signals.redis_counters import RedisCounters
from spamward.signals.velocity import subjects_of
from spamward.storage.db import Database
from tests.conftest import REDIS_URL, postgres_url, throwaway_schema, unavailable
from tests.processes import wait_until
from tests.scaled_support import (
    API_PROCESSES,
    Answer,
    Cluster,
    Post,
    Site,
    scaled_cluster,
    scaled_environment,
)
from tests.takeover_receiver import TakeoverReceiver

EVENTS = 320  # the site's posts; the probes come on top
THREADS = 8
USERS = 24  # two users per IP, every IP in one /24
DENIED = "pillsdeal-shop.com"
DENIED_ENTITY = Entity(EntityKind.DOMAIN, DENIED, DENIED, DENIED)
LIST_CHANGE_SECONDS = 1.0  # the bound: a list change applies everywhere within it
PROBES_PER_PROCESS = 20
DEADLINE_SECONDS = 40.0
CASINO_RULE = {
    "name": "casino",
    "condition": '"casino" in lower(event.text)',
    "verdict": "block",
    "effects": [{"action": "call_webhook"}],
}


# -- the site's traffic -------------------------------------------------------------------


def author(i: int) -> tuple[str, str]:
    user = i % USERS
    return f"user-{user}", f"198.51.100.{10 + user // 2}"


def planned_post(i: int) -> Post:
    """Casino posts (a rule blocks them and calls the webhook), posts with the domain that
    gets denied halfway, and ordinary ones."""
    if i % 5 == 0:
        body = f"Casino night {i}: the best odds online, spin now and win big tonight"
    elif i % 4 == 1:
        body = f"Cheap pills delivered fast, order at https://{DENIED}/offer/{i} today"
    else:
        body = f"Thanks for the notes on meetup number {i}, see you all on Thursday"
    return Post(*author(i), body)


def probe_post(i: int) -> Post:
    return Post(*author(i), f"Fresh deals at https://{DENIED}/probe/{i}, order now")


class Probes:
    """Posts with the denied domain until each API process has answered enough of them
    sent `LIST_CHANGE_SECONDS` after the deny returned."""

    def __init__(self, site: Site, denied_at: float, api_pids: set[int]) -> None:
        self.site, self.api_pids = site, api_pids
        self.settled_from = denied_at + LIST_CHANGE_SECONDS
        self.answers: list[Answer] = []
        self._numbers = itertools.count(EVENTS)
        self._lock = threading.Lock()

    def run(self, deadline: float) -> None:
        while not self.done() and time.monotonic() < deadline:
            with self._lock:
                number = next(self._numbers)
            answer = self.site.send(probe_post(number), identify=True)
            with self._lock:
                self.answers.append(answer)
            if self.settled_counts()[answer.pid] >= PROBES_PER_PROCESS:
                self.site.reconnect()  # enough from this one: look for the other

    def settled_counts(self) -> Counter[int | None]:
        with self._lock:
            return Counter(a.pid for a in self.answers if a.sent_at >= self.settled_from)

    def done(self) -> bool:
        counts = self.settled_counts()
        return all(counts[pid] >= PROBES_PER_PROCESS for pid in self.api_pids)


class Tally:
    """Sends posts and counts the answers; `reached` is set at `target`."""

    def __init__(self, site: Site, target: int) -> None:
        self.site, self.target, self.count = site, target, 0
        self.reached = threading.Event()
        self._lock = threading.Lock()

    def send(self, post: Post) -> Answer:
        answer = self.site.send(post)
        with self._lock:
            self.count += 1
            if self.count >= self.target:
                self.reached.set()
        return answer


@dataclass(frozen=True)
class Run:
    traffic: list[Answer]
    probes: list[Answer]
    deny_sent: float
    deny_returned: float
    api_pids: set[int]

    @property
    def answers(self) -> list[Answer]:
        return [*self.traffic, *self.probes]


def run_traffic(cluster: Cluster, key: str) -> Run:
    """The posts from THREADS threads; halfway, the deny, then probes alongside the rest."""
    api_pids = cluster.api_pids()
    assert len(api_pids) == API_PROCESSES, cluster.logs()
    site = Site(cluster, key)
    tally = Tally(site, EVENTS // 2)
    try:
        with ThreadPoolExecutor(THREADS) as posting, ThreadPoolExecutor(4) as probing:
            sending = [posting.submit(tally.send, planned_post(i)) for i in range(EVENTS)]
            assert tally.reached.wait(DEADLINE_SECONDS), f"only {tally.count} answers"
            deny_sent = time.monotonic()
            deny_domain(cluster.base_url, key)
            deny_returned = time.monotonic()
            probes = Probes(site, deny_returned, api_pids)
            deadline = deny_returned + DEADLINE_SECONDS
            probers = [probing.submit(probes.run, deadline) for _ in range(4)]
            traffic = [future.result() for future in sending]
            for prober in probers:
                prober.result()
    finally:
        site.close()
    return Run(traffic, probes.answers, deny_sent, deny_returned, api_pids)


# -- the site's setup, through the API (either process answers) ---------------------------


def create_site(database: Database) -> tuple[int, str]:
    project = create_project(database, "scaled-site")
    return project.id, create_api_key(database, project.name, "site").token


def configure_site(base_url: str, key: str, webhook_url: str) -> None:
    """The webhook, and a published rule calling it."""
    changes = {"webhook_url": webhook_url, "rule_actions_per_hour": 100_000}
    calls = (
        ("PATCH", "/v1/remediation-settings", changes, 200),
        ("POST", "/v1/rules", CASINO_RULE, 201),
        ("POST", "/v1/policy/publish", {"note": "casino posts call the webhook"}, 201),
    )
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=base_url, headers=headers, timeout=30) as admin:
        for method, path, body, status in calls:
            response = admin.request(method, path, json=body)
            assert response.status_code == status, response.text


def deny_domain(base_url: str, key: str) -> None:
    entry = {"kind": "domain", "value": DENIED, "note": "scaled-mode test"}
    response = httpx.post(f"{base_url}/v1/lists/deny", json=entry, timeout=30,
                          headers={"Authorization": f"Bearer {key}"})  # fmt: skip
    assert response.status_code == 201, response.text


def write_config(path: Path, database_url: str, redis_prefix: str) -> Path:
    """The stores in a TOML file: `serve` hands its path to its API processes."""
    path.write_text(
        f'database_url = "{database_url}"\nredis_url = "{REDIS_URL}"\n'
        f'redis_prefix = "{redis_prefix}"\n',
        encoding="utf-8",
    )
    return path


# -- what is checked ----------------------------------------------------------------------


def check_stored_once(database: Database, project_id: int, answers: list[Answer]) -> None:
    failed = [f"{a.status} {a.body}" for a in answers if a.status != 200]
    assert not failed, f"{len(failed)} of {len(answers)} posts failed, e.g. {failed[:3]}"
    answered = {str(a.body["id"]): a.verdict for a in answers}
    assert len(answered) == len(answers), "a decision id was answered twice"
    query = "SELECT {} FROM {} WHERE project_id = :p"
    with database.read() as session:
        rows = session.execute(text(query.format("id, verdict", "decisions")), {"p": project_id})
        stored = [(str(row.id), row.verdict) for row in rows]
        events = session.execute(text(query.format("count(*)", "events")), {"p": project_id})
        assert events.scalar_one() == len(answers)
    assert len(stored) == len(answers)
    assert dict(stored) == answered


def check_list_change(run: Run) -> None:
    """Nothing with the domain was blocked before the deny; from LIST_CHANGE_SECONDS after
    it returned, everything was, by the deny list, and each API process answered enough."""
    carrying = [a for a in run.answers if DENIED in a.post.text]
    before = Counter(a.verdict for a in carrying if a.answered_at < run.deny_sent)
    assert before and "block" not in before, before
    settled_from = run.deny_returned + LIST_CHANGE_SECONDS
    settled = [a for a in carrying if a.sent_at >= settled_from]
    assert Counter(a.verdict for a in settled) == {"block": len(settled)}
    assert all(_hit(a, "deny_list") for a in settled)
    per_process = Counter(a.pid for a in run.probes if a.sent_at >= settled_from)
    enough = {pid for pid in run.api_pids if per_process[pid] >= PROBES_PER_PROCESS}
    assert enough == run.api_pids, f"{per_process} of {run.api_pids}: {_first_second(run)}"


def _hit(answer: Answer, rule: str) -> bool:
    return any(r["rule"] == rule and r["outcome"] == "hit" for r in answer.body["rules"])


def _first_second(run: Run) -> Counter[tuple[int | None, str]]:
    """Probes sent in the second after the deny returned, by process and verdict."""
    early = [a for a in run.probes if a.sent_at < run.deny_returned + LIST_CHANGE_SECONDS]
    return Counter((a.pid, a.verdict) for a in early)


def counted(prefix: str, project_id: int, answers: list[Answer]) -> dict[str, int]:
    """The 1-day counts in Redis, read through the server's own counter class."""
    counters = RedisCounters(REDIS_URL, prefix=prefix, timeout=5.0)
    found: dict[str, int] = {}
    now = datetime.now(UTC)
    try:
        for user, ip in sorted({(a.post.user, a.post.ip) for a in answers}):
            event = Event(EventType.POST, Actor(user_id=user, ip=ip), now)
            reading = counters.read(project_id, subjects_of(event, (DENIED_ENTITY,)), now)
            assert not reading.degraded
            found |= _named(reading.actor, reading.entities[DENIED_ENTITY.key], user, ip)
    finally:
        counters.close()
    return found


def _named(actor: dict[str, int], domain: dict[str, int], user: str, ip: str) -> dict[str, int]:
    return {
        f"user {user}": actor["user_1d"],
        f"ip {ip}": actor["ip_1d"],
        f"accounts of {ip}": actor["ip_accounts_1d"],
        "network": actor["net_1d"],
        "domain posts": domain["posts_1d"],
        "domain users": domain["users_1d"],
    }


def traffic_counts(answers: list[Answer]) -> dict[str, int]:
    """What the counters must say: every answered post counted once."""
    posts = [a.post for a in answers]
    users_of_ip: dict[str, set[str]] = {}
    for post in posts:
        users_of_ip.setdefault(post.ip, set()).add(post.user)
    denied = [post for post in posts if DENIED in post.text]
    return {
        **{f"user {user}": n for user, n in Counter(p.user for p in posts).items()},
        **{f"ip {ip}": n for ip, n in Counter(p.ip for p in posts).items()},
        **{f"accounts of {ip}": len(users) for ip, users in users_of_ip.items()},
        "network": len(posts),
        "domain posts": len(denied),
        "domain users": len({post.user for post in denied}),
    }


ACTIONS = text(
    "SELECT a.id, a.decision_id, a.kind, a.status, a.attempts, t.worker, t.outcome"
    " FROM actions a LEFT JOIN action_attempts t ON t.action_id = a.id WHERE a.project_id = :p"
)


def finished_actions(database: Database, project_id: int, expected: int) -> list[Any]:
    """The actions with their attempts (a row each), once `expected` actions have ended."""
    rows: list[Any] = []

    def ended() -> bool:
        nonlocal rows
        with database.read() as session:
            rows = list(session.execute(ACTIONS, {"p": project_id}))
        return len(rows) >= expected and all(r.status in ("done", "failed") for r in rows)

    wait_until(ended, f"{expected} actions to end", DEADLINE_SECONDS,
               lambda: str(Counter(r.status for r in rows)))  # fmt: skip
    return rows


def check_actions_ran_once(rows: list[Any], answers: list[Answer],
                           receiver: TakeoverReceiver, worker_pids: set[int]) -> None:  # fmt: skip
    asking = sorted(str(a.body["id"]) for a in answers if "call_webhook" in a.actions)
    assert asking, "no decision asked for the webhook"
    assert sorted(str(r.decision_id) for r in rows) == asking  # one action and attempt each
    assert {(r.kind, r.status, r.attempts, r.outcome) for r in rows} == {
        ("call_webhook", "done", 1, "done")
    }
    keys = [str(r.id) for r in rows]
    assert receiver.keys() == Counter(dict.fromkeys(keys, 1))  # each key arrived once
    assert receiver.effects == Counter(dict.fromkeys(keys, 1))
    assert {r.worker.rsplit(":", 2)[1] for r in rows} == {str(pid) for pid in worker_pids}


# -- the tests ----------------------------------------------------------------------------


@pytest.fixture
def fresh_schema() -> Iterator[str]:
    with throwaway_schema(f"spamward_scaled_{os.getpid()}_{uuid.uuid4().hex[:8]}") as schema:
        yield schema


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A key prefix of this test's own on the shared Redis, its keys deleted after."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.RedisError as error:
        unavailable("Redis", error)
    prefix = f"swtest-{uuid.uuid4().hex[:12]}"
    yield prefix
    stale = list(client.scan_iter(f"{prefix}:*", count=1000))
    if stale:
        client.delete(*stale)
    client.close()


def decisions_in_metrics(base_url: str) -> int:
    """spamward_decisions_total summed over its labels, from one new connection's /metrics."""
    text = httpx.get(f"{base_url}/metrics", timeout=10).text
    counts = [line.rsplit(" ", 1)[1] for line in text.splitlines()
              if line.startswith("spamward_decisions_total{")]  # fmt: skip
    return sum(int(float(count)) for count in counts)


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads /proc/net/tcp (Linux)")
def test_two_api_and_two_worker_processes_share_postgresql_and_redis(
    fresh_schema: str, redis_prefix: str, tmp_path: Path
) -> None:
    database_url = postgres_url(fresh_schema)
    config = write_config(tmp_path / "spamward.toml", database_url, redis_prefix)
    env = scaled_environment(tmp_path / "var")
    migrate = [sys.executable, "-m", "spamward", "--config", str(config), "migrate"]
    done = subprocess.run(migrate, env=env, capture_output=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr.decode()
    database = Database(Settings(database_url=database_url))
    try:
        project_id, key = create_site(database)
        with (
            TakeoverReceiver(latency=0.02) as receiver,
            scaled_cluster(config, env, tmp_path) as cluster,
        ):
            configure_site(cluster.base_url, key, receiver.url)
            run = run_traffic(cluster, key)
            metrics = [decisions_in_metrics(cluster.base_url) for _ in range(2 * API_PROCESSES)]
            asking = sum("call_webhook" in a.actions for a in run.answers)
            actions = finished_actions(database, project_id, asking)
            worker_pids = {worker.pid for worker in cluster.workers}
        check_stored_once(database, project_id, run.answers)
        check_list_change(run)
        assert counted(redis_prefix, project_id, run.answers) == traffic_counts(run.answers)
        check_actions_ran_once(actions, run.answers, receiver, worker_pids)
        # Whichever API process answers /metrics, it sums every API process's decisions.
        assert metrics == [sum(a.status == 200 for a in run.answers)] * len(metrics)
    finally:
        database.dispose()


@pytest.mark.parametrize(
    ("database_url", "needs"),
    [("sqlite:///{tmp}/spamward.db", "PostgreSQL"), (postgres_url("public"), "Redis")],
)
def test_serve_refuses_several_workers_without_the_shared_stores(
    database_url: str, needs: str, tmp_path: Path
) -> None:
    env: dict[str, str | None] = {"SPAMWARD_DATABASE_URL": database_url.format(tmp=tmp_path)}
    env |= {"SPAMWARD_REDIS_URL": None, "SPAMWARD_CONFIG": None}  # unset
    result = CliRunner().invoke(main, ["serve", "--workers", "2"], env=env)
    assert result.exit_code == 2
    assert f"--workers 2 needs {needs}" in result.output

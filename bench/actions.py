"""Remediation actions throughput: queued `call_webhook` actions run by `spamward worker`
processes against a local webhook receiver, on PostgreSQL and SQLite.

ACTIONS actions are queued directly in the actions table (one transaction) while
WORKER_PROCESSES `spamward worker --concurrency THREADS_PER_WORKER` processes are up and
idle; the clock runs from that transaction's commit until the table counts them all `done`.
The workers' start-up (interpreter, imports, first poll) is measured apart. The receiver,
a threading HTTP server in a process of its own, answers 200 to every POST and counts the
idempotency keys it sees, so that lost and repeated deliveries show.

`python -m bench.actions` runs this part alone.
"""

from __future__ import annotations

import multiprocessing
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.connection import Connection
from pathlib import Path

from sqlalchemy import func, select, update

from bench.databases import postgres_url
from bench.server import STOP_TIMEOUT_S, environment_without_settings, stop_process
from spamward.remediation.catalog import ActionKind
from spamward.remediation.enqueue import Resolved, Subject, new_action
from spamward.remediation.signing import IDEMPOTENCY_HEADER
from spamward.services.projects import create_project
from spamward.settings import Settings
from spamward.storage.db import Database
from spamward.storage.migrate import upgrade
from spamward.storage.models import Action, Project
from spamward.storage.repositories import actions as repo

POSTGRES_SCHEMA = "spamward_bench_actions"
ACTIONS = 2_000
WORKER_PROCESSES = 2
THREADS_PER_WORKER = 1  # `--concurrency`: action threads in each worker process
POLL_SECONDS = 0.05  # SPAMWARD_ACTION_POLL_SECONDS: how long an idle worker waits
COUNT_EVERY_S = 0.02  # how often the bench counts the done actions
READY_TIMEOUT_S = 30.0
RUN_TIMEOUT_S = 300.0
PARAMS = {"event": "decision"}
SIGNING_KEY = "bench"  # the project's webhook_secret: the receiver checks no signature
MAX_ATTEMPTS = 6  # the default of SPAMWARD_ACTION_MAX_ATTEMPTS


@dataclass(frozen=True, slots=True)
class DatabaseRun:
    database: str
    actions: int  # queued
    done: int  # counted done when the clock stopped (== actions unless it timed out)
    seconds: float  # from the queue's commit until the last action was done
    actions_per_s: float
    startup_s: float  # from spawning the workers until both said they were running
    received: int  # POSTs the receiver answered
    repeated: int  # idempotency keys it saw more than once


@dataclass(frozen=True, slots=True)
class ActionsFigures:
    worker_processes: int
    threads_per_worker: int
    runs: list[DatabaseRun]
    skipped: list[str]
    warnings: list[str]


def run_actions(progress: Callable[[str], None]) -> ActionsFigures:
    runs: list[DatabaseRun] = []
    skipped: list[str] = []
    workers = f"{WORKER_PROCESSES} worker processes"
    progress(f"actions on PostgreSQL ({ACTIONS:,} webhooks, {workers})")
    with postgres_url(POSTGRES_SCHEMA) as pg_url:
        if pg_url is None:
            skipped.append("actions (PostgreSQL): not reachable")
        else:
            runs.append(_measure("PostgreSQL", pg_url, progress))
    progress(f"actions on SQLite ({ACTIONS:,} webhooks, {workers})")
    with tempfile.TemporaryDirectory(prefix="spamward-bench-") as directory:
        runs.append(_measure("SQLite", f"sqlite:///{directory}/bench.db", progress))
    warnings = [warning for run in runs for warning in _warnings(run)]
    for warning in warnings:
        progress(f"WARNING: {warning}")
    return ActionsFigures(WORKER_PROCESSES, THREADS_PER_WORKER, runs, skipped, warnings)


def summary_line(figures: ActionsFigures) -> str:
    rates = ", ".join(f"{run.database} {run.actions_per_s:.0f}/s" for run in figures.runs)
    return f"actions: webhook, {figures.worker_processes} worker processes: {rates}"


def _warnings(run: DatabaseRun) -> list[str]:
    warnings = []
    if run.done != run.actions:
        warnings.append(
            f"actions on {run.database}: {run.done} of {run.actions} done "
            f"after {RUN_TIMEOUT_S:.0f} s"
        )
    if run.received != run.actions:
        warnings.append(
            f"actions on {run.database}: the receiver got {run.received} webhooks "
            f"for {run.actions} actions"
        )
    return warnings


def _measure(name: str, url: str, progress: Callable[[str], None]) -> DatabaseRun:
    with tempfile.TemporaryDirectory(prefix="spamward-bench-actions-") as directory:
        workdir = Path(directory)
        with _receiver() as (port, seen):
            database = Database(Settings(database_url=url, data_dir=workdir / "var"))
            try:
                project_id = _prepare(database, port)
                with _workers(url, workdir) as startup_s:
                    progress(f"  workers up in {startup_s:.2f} s; queueing and timing")
                    done, seconds = _run(database, project_id)
            finally:
                database.dispose()
        received = sum(seen.values())
        repeated = sum(1 for count in seen.values() if count > 1)
    rate = done / seconds if seconds else 0.0
    progress(f"  {done:,} done in {seconds:.2f} s: {rate:.0f}/s")
    return DatabaseRun(name, ACTIONS, done, seconds, rate, startup_s, received, repeated)


def _prepare(database: Database, port: int) -> int:
    upgrade(database)
    project_id = create_project(database, "bench").id
    with database.write() as session:
        session.execute(
            update(Project)
            .where(Project.id == project_id)
            .values(webhook_url=f"http://127.0.0.1:{port}/hook", webhook_secret=SIGNING_KEY)
        )
    return project_id


def _run(database: Database, project_id: int) -> tuple[int, float]:
    """Queue the actions in one transaction; (actions done, seconds from its commit until
    all were done, or until the time-out)."""
    now = datetime.now(UTC)
    webhook = Resolved("call_webhook", ActionKind.CALL_WEBHOOK, PARAMS)
    subject = Subject(user_id="u1")
    rows = [
        new_action(project_id, webhook, PARAMS, subject, "bench", MAX_ATTEMPTS, now)
        for _ in range(ACTIONS)
    ]
    with database.write() as session:
        repo.enqueue(session, rows)
    started = time.perf_counter()
    deadline = started + RUN_TIMEOUT_S
    done = 0
    while done < ACTIONS and time.perf_counter() < deadline:
        time.sleep(COUNT_EVERY_S)
        done = _done(database)
    return done, time.perf_counter() - started


def _done(database: Database) -> int:
    with database.read() as session:
        count = session.scalar(
            select(func.count()).select_from(Action).where(Action.status == repo.DONE)
        )
    return int(count or 0)


# The worker processes


@contextmanager
def _workers(url: str, workdir: Path) -> Iterator[float]:
    """WORKER_PROCESSES `spamward worker` processes, running; yields their start-up time."""
    environment = _environment(url, workdir)
    command = [sys.executable, "-m", "spamward", "worker"]
    command += ["--concurrency", str(THREADS_PER_WORKER)]
    logs = [workdir / f"worker-{index}.log" for index in range(WORKER_PROCESSES)]
    processes: list[subprocess.Popen[bytes]] = []
    started = time.perf_counter()
    try:
        for log_path in logs:
            with log_path.open("wb") as log:
                processes.append(subprocess.Popen(command, env=environment, stdout=log, stderr=log))
        _wait_until_running(processes, logs)
        yield time.perf_counter() - started
    finally:
        for process in processes:
            stop_process(process)


def _environment(url: str, workdir: Path) -> dict[str, str]:
    return environment_without_settings() | {
        "SPAMWARD_DATABASE_URL": url,
        "SPAMWARD_DATA_DIR": str(workdir / "var"),
        "SPAMWARD_ACTION_POLL_SECONDS": str(POLL_SECONDS),
        "SPAMWARD_MAINTENANCE_INTERVAL_SECONDS": "0",
        "SPAMWARD_EMBEDDED_WORKER": "false",
    }


def _wait_until_running(processes: list[subprocess.Popen[bytes]], logs: list[Path]) -> None:
    """Until each worker has printed its `spamward worker: ...` line."""
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline and all(p.poll() is None for p in processes):
        if all(b"spamward worker:" in log.read_bytes() for log in logs):
            return
        time.sleep(0.01)
    tails = "\n".join(log.read_text(encoding="utf-8", errors="replace")[-1000:] for log in logs)
    raise RuntimeError(f"spamward worker did not start:\n{tails}")


# The webhook receiver


@contextmanager
def _receiver() -> Iterator[tuple[int, Counter[str]]]:
    """A receiver process; yields its port and, filled once it has stopped, the number of
    times it saw each idempotency key."""
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    process = context.Process(target=_receive, args=(theirs,), daemon=True)
    process.start()
    seen: Counter[str] = Counter()
    try:
        if not ours.poll(READY_TIMEOUT_S):
            raise RuntimeError("the webhook receiver did not start")
        port: int = ours.recv()
        yield port, seen
        ours.send("stop")
        if ours.poll(STOP_TIMEOUT_S):
            seen.update(ours.recv())
    finally:
        process.join(STOP_TIMEOUT_S)
        if process.is_alive():
            process.kill()
            process.join()


def _receive(connection: Connection) -> None:
    """The receiver process: answer 200 to every POST and count its idempotency key; send
    the port, then, when told to stop, the counts."""
    seen: Counter[str] = Counter()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as the workers' httpx client expects

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            key = self.headers.get(IDEMPOTENCY_HEADER, "")
            with lock:
                seen[key] += 1
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    connection.send(server.server_port)
    connection.recv()
    server.shutdown()
    with lock:
        connection.send(dict(seen))


def _print(figures: ActionsFigures) -> None:
    print()
    print(summary_line(figures))
    threads = f"{figures.threads_per_worker} action thread(s) each"
    print(f"  ({figures.worker_processes} `spamward worker` processes, {threads})")
    for run in figures.runs:
        print(
            f"  {run.database}: {run.done:,} of {run.actions:,} done in {run.seconds:.2f} s "
            f"({run.actions_per_s:.0f}/s); workers up in {run.startup_s:.2f} s; "
            f"receiver got {run.received:,}, {run.repeated} delivered more than once"
        )
    for line in [*figures.skipped, *(f"WARNING: {w}" for w in figures.warnings)]:
        print(f"  {line}")


if __name__ == "__main__":
    from bench.__main__ import _forget_spamward_settings, _progress

    _forget_spamward_settings()
    _print(run_actions(_progress))

"""Scaled mode for the bench: `spamward serve --workers 2` and two `spamward worker`
processes on a fresh PostgreSQL schema and the real Redis under a key prefix of the bench's
own, set up through the CLI like the embedded server (bench/server.py), with the settings
docs/operations.md "Scaled mode" gives. The schema and the prefix's keys go afterwards.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
import redis
from psycopg import sql

from bench.databases import POSTGRES_URL, postgres_url
from bench.scaled_processes import child_pids
from bench.scaled_ready import API_PROCESSES, WORKER_PROCESSES, wait_until_ready
from bench.server import SPAMWARD, environment_without_settings, free_port, prepare, stop_process

WORKER_THREADS = 2  # `spamward worker --concurrency`
POSTGRES_SCHEMA = "spamward_bench_scaled"
REDIS_URL = os.environ.get("SPAMWARD_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@dataclass(frozen=True)
class Cluster:
    supervisor: subprocess.Popen[bytes]  # `serve`: its children answer
    api_pids: list[int]
    workers: list[subprocess.Popen[bytes]]
    port: int
    api_key: str
    schema: str

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def processes(self) -> dict[str, int]:
        """Each process's role and pid."""
        roles = {"serve supervisor": self.supervisor.pid}
        roles |= {f"API {n}": pid for n, pid in enumerate(self.api_pids, 1)}
        return roles | {f"worker {n}": p.pid for n, p in enumerate(self.workers, 1)}

    def recorded_decisions(self) -> int:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
            query = sql.SQL("SELECT count(*) FROM {}.decisions").format(sql.Identifier(self.schema))
            row = connection.execute(query).fetchone()
        return int(row[0]) if row else 0

    def deadlocks(self) -> int:
        """Deadlocks PostgreSQL has broken in the whole database so far (its statistics)."""
        query = "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()"
        with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
            row = connection.execute(query).fetchone()
        return int(row[0]) if row else 0


def unavailable() -> str | None:
    """Why the scaled section cannot run here, or None."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as error:
        return f"Redis at {REDIS_URL} is not reachable ({error})"
    return None


@contextmanager
def running_cluster(workdir: Path, deny_domains: tuple[str, ...]) -> Iterator[Cluster | None]:
    """The processes, all answering; None when PostgreSQL is unreachable."""
    with postgres_url(POSTGRES_SCHEMA) as database_url, _redis_prefix() as prefix:
        if database_url is None:
            yield None
            return
        environment = _environment(workdir, database_url, prefix)
        api_key = prepare(environment, deny_domains)
        with _processes(environment, workdir) as (supervisor, workers, port):
            api_pids = wait_until_ready(supervisor, workers, port, workdir)
            yield Cluster(supervisor, api_pids, workers, port, api_key, POSTGRES_SCHEMA)


@contextmanager
def _redis_prefix() -> Iterator[str]:
    """A key prefix no one else uses; its keys are deleted on the way out."""
    prefix = f"spamward-bench-{os.getpid()}"
    try:
        yield prefix
    finally:
        client = redis.Redis.from_url(REDIS_URL)
        for batch in _batches(client.scan_iter(match=f"{prefix}:*", count=1000), 1000):
            client.delete(*batch)
        client.close()


def _batches(keys: Iterator[bytes], size: int) -> Iterator[list[bytes]]:
    batch: list[bytes] = []
    for key in keys:
        batch.append(key)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _environment(workdir: Path, database_url: str, prefix: str) -> dict[str, str]:
    return environment_without_settings() | {
        "SPAMWARD_DATABASE_URL": database_url,
        "SPAMWARD_REDIS_URL": REDIS_URL,
        "SPAMWARD_REDIS_PREFIX": prefix,
        "SPAMWARD_DATA_DIR": str(workdir / "var"),
        "SPAMWARD_SECRET_KEY": secrets.token_urlsafe(32),
        "SPAMWARD_EMBEDDED_WORKER": "false",
        # No retention job during a 30-second bench, in the workers either.
        "SPAMWARD_MAINTENANCE_INTERVAL_SECONDS": "0",
    }


Processes = tuple[subprocess.Popen[bytes], list[subprocess.Popen[bytes]], int]


@contextmanager
def _processes(environment: dict[str, str], workdir: Path) -> Iterator[Processes]:
    port = free_port()
    serve = ["serve", "--workers", str(API_PROCESSES), "--port", str(port)]
    worker = ["worker", "--concurrency", str(WORKER_THREADS)]
    supervisor = spawn_spamward(serve, environment, workdir / "serve.log")
    workers: list[subprocess.Popen[bytes]] = []
    try:
        for n in range(1, WORKER_PROCESSES + 1):
            workers.append(spawn_spamward(worker, environment, workdir / f"worker-{n}.log"))
        yield supervisor, workers, port
    finally:
        stop_with_children(supervisor)
        for process in workers:
            stop_process(process)


def spawn_spamward(
    arguments: list[str], environment: dict[str, str], log_path: Path
) -> subprocess.Popen[bytes]:
    with log_path.open("wb") as log:
        return subprocess.Popen(
            [str(SPAMWARD), *arguments], env=environment, stdout=log, stderr=subprocess.STDOUT
        )


def stop_with_children(supervisor: subprocess.Popen[bytes]) -> None:
    """SIGTERM to `serve` (uvicorn stops its processes first); kill the ones left over."""
    children = child_pids(supervisor.pid)
    stop_process(supervisor)
    for pid in children:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)

"""The soak's cluster: `spamward serve --workers 2` and two `spamward worker` processes on a
PostgreSQL and a Redis of the soak's own (bench/private_services.py), so that the soak can
kill and restart every part without touching the machine's shared services. Everything
listens on loopback."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench.private_services import PrivatePostgres, PrivateRedis
from bench.scaled_cluster import WORKER_THREADS, spawn_spamward, stop_with_children
from bench.scaled_processes import child_pids
from bench.scaled_ready import API_PROCESSES, WORKER_PROCESSES, wait_until_ready
from bench.server import environment_without_settings, free_port, run_cli, stop_process

PROJECT = "soak"


@dataclass
class SoakCluster:
    postgres: PrivatePostgres
    redis: PrivateRedis
    workdir: Path
    environment: dict[str, str]
    port: int
    supervisor: subprocess.Popen[bytes]
    workers: list[subprocess.Popen[bytes]]
    api_pids: list[int] = field(default_factory=list)
    restarts: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def kill_worker(self, number: int) -> None:
        """SIGKILL: the worker's claimed actions are left for lease takeover."""
        self.workers[number].send_signal(signal.SIGKILL)
        self.workers[number].wait()

    def start_worker(self, number: int) -> None:
        self.restarts += 1
        log = self.workdir / f"worker-{number + 1}.{self.restarts}.log"
        self.workers[number] = spawn_spamward(["worker", "--concurrency", str(WORKER_THREADS)],
                                      self.environment, log)  # fmt: skip

    def kill_api_process(self, number: int) -> None:
        """SIGKILL one API process; `serve` starts another in its place."""
        pids = sorted(child_pids(self.supervisor.pid))
        if number < len(pids):
            os.kill(pids[number], signal.SIGKILL)


@contextmanager
def soak_cluster(lease_seconds: float) -> Iterator[SoakCluster]:
    workdir = Path(tempfile.mkdtemp(prefix="spamward-soak-"))
    postgres, redis = PrivatePostgres(), PrivateRedis(workdir)
    postgres.create()
    redis.start()
    environment = _environment(workdir, postgres.url, redis.url, lease_seconds)
    supervisor: subprocess.Popen[bytes] | None = None
    workers: list[subprocess.Popen[bytes]] = []
    try:
        run_cli(environment, "migrate")
        run_cli(environment, "project", "create", PROJECT)
        port = free_port()
        serve = ["serve", "--workers", str(API_PROCESSES), "--port", str(port)]
        supervisor = spawn_spamward(serve, environment, workdir / "serve.log")
        for n in range(1, WORKER_PROCESSES + 1):
            workers.append(spawn_spamward(["worker", "--concurrency", str(WORKER_THREADS)],
                                  environment, workdir / f"worker-{n}.log"))  # fmt: skip
        api_pids = wait_until_ready(supervisor, workers, port, workdir)
        yield SoakCluster(postgres, redis, workdir, environment, port, supervisor, workers,
                          api_pids)  # fmt: skip
    finally:
        if supervisor is not None:
            stop_with_children(supervisor)
        for process in workers:
            stop_process(process)
        redis.stop()
        postgres.remove()


def admin_key(cluster: SoakCluster) -> str:
    return run_cli(cluster.environment, "key", "create", PROJECT, "--name", "soak").strip()


def _environment(
    workdir: Path, database_url: str, redis_url: str, lease_seconds: float
) -> dict[str, str]:
    return environment_without_settings() | {
        "SPAMWARD_DATABASE_URL": database_url,
        "SPAMWARD_REDIS_URL": redis_url,
        "SPAMWARD_DATA_DIR": str(workdir / "var"),
        "SPAMWARD_SECRET_KEY": secrets.token_urlsafe(32),
        "SPAMWARD_EMBEDDED_WORKER": "false",
        "SPAMWARD_MAINTENANCE_INTERVAL_SECONDS": "0",
        # Short leases and retries: a killed worker's actions are taken over, and actions
        # that failed while PostgreSQL or the receiver was away run again, within the soak.
        "SPAMWARD_ACTION_LEASE_SECONDS": str(lease_seconds),
        "SPAMWARD_WEBHOOK_TIMEOUT_SECONDS": "2",
        "SPAMWARD_SMTP_TIMEOUT_SECONDS": "2",
        "SPAMWARD_ACTION_RETRY_BASE_SECONDS": "1",
        "SPAMWARD_ACTION_RETRY_MAX_SECONDS": "10",
        "SPAMWARD_ACTION_MAX_ATTEMPTS": "8",
    }

"""A Redis and a PostgreSQL of the test's own, on free ports, that the test may stop and
start again: outages without touching the shared services other tests use."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import redis

from bench.server import free_port

REDIS_SERVER = Path("/usr/bin/redis-server")
POSTGRES_BINARIES = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
# runuser lives in sbin, which a minimal PATH (CI's) leaves out.
RUNUSER = shutil.which("runuser", path=f"{os.defpath}:/usr/sbin:/sbin")
START_TIMEOUT_S = 30.0


class ServiceFailed(RuntimeError):
    pass


@dataclass
class PrivateRedis:
    """A redis-server to stop and start again on the same port (it keeps nothing)."""

    directory: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = [str(REDIS_SERVER), "--port", str(self.port), "--bind", "127.0.0.1",
                   "--save", "", "--appendonly", "no", "--dir", str(self.directory)]  # fmt: skip
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5, socket_timeout=0.5)
        try:
            _wait_until(lambda: _answers(client), f"redis-server on port {self.port}")
        finally:
            client.close()

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None


def _answers(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False


@dataclass
class PrivatePostgres:
    """A PostgreSQL cluster in a temporary directory, run as the `postgres` user when the
    tests run as root (the server refuses to run as root)."""

    port: int = field(default_factory=free_port)
    directory: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="sw-pg-")))

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def create(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres")
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")
        self.start()

    def start(self) -> None:
        options = (f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off")  # fmt: skip
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.directory / "log"),
                  "-o", options, "-w", "start")  # fmt: skip

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)

    @property
    def data(self) -> Path:
        return self.directory / "data"

    def _run(self, program: str, *args: str) -> None:
        as_postgres = [str(RUNUSER), "-u", "postgres", "--"] if os.geteuid() == 0 else []
        command = [*as_postgres, str(POSTGRES_BINARIES[-1] / program), *args]
        done = subprocess.run(
            command, check=False, capture_output=True, text=True, timeout=START_TIMEOUT_S
        )
        if done.returncode != 0:
            raise ServiceFailed(f"{program} failed: {done.stderr or done.stdout}")
        if program == "pg_ctl" and args[-1] == "start":
            _wait_until(self._answers, f"PostgreSQL on port {self.port}")

    def _answers(self) -> bool:
        try:
            psycopg.connect(self.url.replace("+psycopg", ""), connect_timeout=1).close()
        except psycopg.OperationalError:
            return False
        return True


def postgres_available() -> bool:
    return bool(POSTGRES_BINARIES) and (os.geteuid() != 0 or RUNUSER is not None)


def _wait_until(ready: object, what: str) -> None:
    assert callable(ready)
    deadline = time.monotonic() + START_TIMEOUT_S
    while not ready():
        if time.monotonic() > deadline:
            raise ServiceFailed(f"{what} did not start")
        time.sleep(0.05)  # polling for the server to answer, not timing anything

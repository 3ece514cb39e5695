"""A real `spamward serve` subprocess on a temporary SQLite database, set up through the CLI."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.databases import seed_deny_list
from spamward.services.projects import find_project
from spamward.settings import Settings
from spamward.storage.db import Database

SPAMWARD = Path(sys.executable).with_name("spamward")
PROJECT = "bench"
READY_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class Server:
    process: subprocess.Popen[bytes]
    port: int
    api_key: str
    database_file: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def is_healthy(self) -> bool:
        return is_healthy(self.port)

    def recorded_decisions(self) -> int:
        with closing(sqlite3.connect(self.database_file)) as connection:
            count: int = connection.execute("SELECT count(*) FROM decisions").fetchone()[0]
        return count

    def peak_rss_mib(self) -> float:
        status = Path(f"/proc/{self.process.pid}/status").read_text(encoding="ascii")
        line = next(line for line in status.splitlines() if line.startswith("VmHWM:"))
        return int(line.split()[1]) / 1024


@contextmanager
def running_server(workdir: Path, deny_domains: tuple[str, ...]) -> Iterator[Server]:
    database_file = workdir / "spamward.db"
    environment = _server_environment(workdir, database_file)
    api_key = prepare(environment, deny_domains)
    with serving(environment, workdir / "server.log") as (process, port):
        yield Server(process, port, api_key, database_file)


@contextmanager
def serving(
    environment: dict[str, str], log_path: Path
) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """`spamward serve` with `environment` on a free port: the process and its port once it
    answers /healthz; stopped on the way out. Its output goes to `log_path`."""
    port = free_port()
    with log_path.open("wb") as log:
        command = [str(SPAMWARD), "serve", "--port", str(port)]
        process = subprocess.Popen(command, env=environment, stdout=log, stderr=log)
    try:
        _wait_until_healthy(process, port, log_path)
        yield process, port
    finally:
        stop_process(process)


def environment_without_settings() -> dict[str, str]:
    """This process's environment without SPAMWARD_ settings (in any case, as pydantic
    reads them): a child gets only the ones it is given, never the developer's shell's."""
    return {
        name: value
        for name, value in os.environ.items()
        if not name.upper().startswith("SPAMWARD_")
    }


def _server_environment(workdir: Path, database_file: Path) -> dict[str, str]:
    return environment_without_settings() | {
        "SPAMWARD_DATABASE_URL": f"sqlite:///{database_file}",
        "SPAMWARD_DATA_DIR": str(workdir / "var"),
    }


def prepare(environment: dict[str, str], deny_domains: tuple[str, ...]) -> str:
    """Migrate, create the project and its key through the CLI; deny the corpus's domains."""
    run_cli(environment, "migrate")
    run_cli(environment, "project", "create", PROJECT)
    api_key = run_cli(environment, "key", "create", PROJECT).strip()
    database = Database(Settings(database_url=environment["SPAMWARD_DATABASE_URL"]))
    try:
        seed_deny_list(database, find_project(database, PROJECT).id, deny_domains)
    finally:
        database.dispose()
    return api_key


def run_cli(environment: dict[str, str], *arguments: str) -> str:
    command = [str(SPAMWARD), *arguments]
    return subprocess.run(
        command, env=environment, check=True, capture_output=True, text=True
    ).stdout


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def is_healthy(port: int) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
    try:
        connection.request("GET", "/healthz")
        return connection.getresponse().status == http.HTTPStatus.OK
    except OSError:
        return False
    finally:
        connection.close()


def _wait_until_healthy(process: subprocess.Popen[bytes], port: int, log_path: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline and process.poll() is None:
        if is_healthy(port):
            return
        time.sleep(0.1)
    log = log_path.read_text(encoding="utf-8", errors="replace")
    raise RuntimeError(f"spamward serve did not become healthy:\n{log[-2000:]}")


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL if it has not exited within STOP_TIMEOUT_S."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()

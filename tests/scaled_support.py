"""Scaled mode for tests: `spamward serve --workers 2` and two `spamward worker` processes
on the settings docs/operations.md gives, a site posting to them from several threads, and
which API process answered each post.

Which process answered is read from the kernel, not from the server: a request's connection
is still open (keep-alive) when its answer arrives, so the socket the server accepted for it
shows in /proc/net/tcp, and the process holding that socket answered everything sent on the
connection. Linux only.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from bench.scaled_processes import child_pids, socket_owners
from bench.server import environment_without_settings, free_port

from tests.processes import Spawned, wait_until

API_PROCESSES = 2
WORKER_PROCESSES = 2
START_SECONDS = 45.0  # four processes import and warm up on two shared cores
ESTABLISHED = "01"  # the state column of /proc/net/tcp


def scaled_environment(data_dir: Path) -> dict[str, str]:
    """The processes' roles, as docs/operations.md sets them; the stores come from --config."""
    env = environment_without_settings()
    return env | {
        "SPAMWARD_DATA_DIR": str(data_dir),
        "SPAMWARD_EMBEDDED_WORKER": "false",
        "SPAMWARD_MAINTENANCE_INTERVAL_SECONDS": "0",
        "SPAMWARD_ACTION_POLL_SECONDS": "0.1",
        "SPAMWARD_LOG_LEVEL": "info",
    }


@dataclass
class Cluster:
    api: Spawned  # the `serve` supervisor; its children answer
    workers: list[Spawned]
    port: int

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def logs(self) -> str:
        return "\n".join(f"--- {p.log.name}\n{p.output()}" for p in [self.api, *self.workers])

    def api_pids(self) -> set[int]:
        """The API processes: the supervisor's children but multiprocessing's tracker."""
        return child_pids(self.api.pid)

    def started(self) -> bool:
        running = all(worker.printed("spamward worker:") for worker in self.workers)
        return running and self.api.printed("spamward on") and _healthy(self.base_url)


@contextmanager
def scaled_cluster(config: Path, env: dict[str, str], logs: Path) -> Iterator[Cluster]:
    """The API and worker processes, started and answering; stopped on the way out."""
    port, settings = free_port(), ["--config", str(config)]
    serve = [*settings, "serve", "--workers", str(API_PROCESSES), "--port", str(port)]
    processes = [Spawned(serve, env, logs / "api.log")]
    try:
        for n in range(WORKER_PROCESSES):
            worker = [*settings, "worker", "--concurrency", "2"]
            processes.append(Spawned(worker, env, logs / f"worker-{n}.log"))
        cluster = Cluster(processes[0], processes[1:], port)
        wait_until(cluster.started, "the API and worker processes", START_SECONDS, cluster.logs)
        yield cluster
    finally:
        for process in processes:
            process.stop()


def _healthy(base_url: str) -> bool:
    try:
        return httpx.get(f"{base_url}/healthz", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


# -- the site calling spamward ----------------------------------------------------------


@dataclass(frozen=True)
class Post:
    user: str
    ip: str
    text: str


@dataclass(frozen=True)
class Answer:
    post: Post
    sent_at: float  # time.monotonic()
    answered_at: float
    status: int
    body: dict[str, Any]
    pid: int | None  # the API process that answered, when asked and found

    @property
    def verdict(self) -> str:
        return str(self.body.get("verdict", f"HTTP {self.status}"))

    @property
    def actions(self) -> list[str]:
        return [str(effect["action"]) for effect in self.body.get("effects", [])]


class Site:
    """The site calling spamward, from several threads: one keep-alive connection each."""

    def __init__(self, cluster: Cluster, key: str) -> None:
        self._base_url, self._headers = cluster.base_url, {"Authorization": f"Bearer {key}"}
        self._serving = ServingProcesses(cluster.port, cluster.api_pids)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._clients: list[httpx.Client] = []

    def send(self, post: Post, *, identify: bool = False) -> Answer:
        """Post and answer; with `identify`, which process answered (it costs /proc reads)."""
        event = {"type": "post", "actor": {"id": post.user, "ip": post.ip},
                 "content": {"text": post.text}}  # fmt: skip
        sent_at = time.monotonic()
        try:
            response = self._client().post("/v1/events", json=event)
        except httpx.TransportError as error:  # status 0: the test reports it with the rest
            self.reconnect()
            return Answer(post, sent_at, time.monotonic(), 0, {"error": repr(error)}, None)
        answered_at = time.monotonic()
        pid = self._answering(response) if identify else None
        return Answer(post, sent_at, answered_at, response.status_code, _body(response), pid)

    def _answering(self, response: httpx.Response) -> int | None:
        client_port = response.extensions["network_stream"].get_extra_info("client_addr")[1]
        return self._serving.serving(client_port)

    def reconnect(self) -> None:
        """This thread's next post goes on a new connection (maybe to the other process)."""
        client: httpx.Client | None = getattr(self._local, "client", None)
        if client is not None:
            client.close()
        self._local.client = None

    def close(self) -> None:
        with self._lock:
            for client in self._clients:
                client.close()

    def _client(self) -> httpx.Client:
        client: httpx.Client | None = getattr(self._local, "client", None)
        if client is None:
            client = httpx.Client(base_url=self._base_url, headers=self._headers, timeout=30,
                                  limits=httpx.Limits(max_connections=1))  # fmt: skip
            self._local.client = client
            with self._lock:
                self._clients.append(client)
        return client


def _body(response: httpx.Response) -> dict[str, Any]:
    try:
        return dict(response.json())
    except ValueError:  # a server error's plain text
        return {"text": response.text[:500]}


# -- processes and sockets in /proc -------------------------------------------------------


class ServingProcesses:
    """Which API process holds the connection from a client port."""

    def __init__(self, server_port: int, candidates: Callable[[], set[int]]) -> None:
        self._port = server_port
        self._candidates = candidates
        self._owners: dict[int, int] = {}  # socket inode -> pid
        self._lock = threading.Lock()

    def serving(self, client_port: int) -> int | None:
        inode = _accepted_inode(self._port, client_port)
        if inode is None:
            return None
        with self._lock:
            if inode not in self._owners:
                self._owners |= socket_owners(self._candidates())
            return self._owners.get(inode)


def _accepted_inode(server_port: int, client_port: int) -> int | None:
    """The inode of the server's socket for the connection from `client_port`."""
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, remote, state, inode = fields[1], fields[2], fields[3], fields[9]
            if state == ESTABLISHED and (_port(local), _port(remote)) == (server_port, client_port):
                return int(inode)
    return None


def _port(address: str) -> int:
    return int(address.rsplit(":", 1)[1], 16)

"""Waiting for the scaled-mode processes: the workers say they run, and each API process
takes connections (`serve` answers /healthz as soon as one of them does, and a process still
loading would leave wrk's connections all to the other)."""

from __future__ import annotations

import http.client
import subprocess
import time
from pathlib import Path

from bench.scaled_processes import child_pids, connections_by_process
from bench.server import is_healthy

API_PROCESSES = 2
WORKER_PROCESSES = 2
READY_TIMEOUT_S = 60.0  # four processes load the model and the tables on two shared cores
PROBE_CONNECTIONS = 8  # opened at once until each API process holds one: all of them accept


def wait_until_ready(
    supervisor: subprocess.Popen[bytes],
    workers: list[subprocess.Popen[bytes]],
    port: int,
    workdir: Path,
) -> list[int]:
    """Until the workers run and each API process takes connections; the API pids."""
    deadline = time.monotonic() + READY_TIMEOUT_S
    processes = [supervisor, *workers]
    while time.monotonic() < deadline and all(p.poll() is None for p in processes):
        api_pids = sorted(child_pids(supervisor.pid))
        if _all_answer(api_pids, port, workdir):
            return api_pids
        time.sleep(0.2)
    logs = "\n".join(f"--- {log.name}\n{log.read_text(errors='replace')[-1500:]}"
                     for log in sorted(workdir.glob("*.log")))  # fmt: skip
    raise RuntimeError(f"the scaled-mode processes did not all start:\n{logs}")


def _all_answer(api_pids: list[int], port: int, workdir: Path) -> bool:
    if not _workers_run(workdir) or len(api_pids) != API_PROCESSES:
        return False
    return is_healthy(port) and all(_probe(port, api_pids))


def _workers_run(workdir: Path) -> bool:
    logs = [workdir / f"worker-{n}.log" for n in range(1, WORKER_PROCESSES + 1)]
    return all(b"spamward worker:" in log.read_bytes() for log in logs)


def _probe(port: int, api_pids: list[int]) -> list[int]:
    """Connections each API process holds of PROBE_CONNECTIONS opened at once, each having
    been answered (so accepted): a process still starting holds none."""
    connections = [http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                   for _ in range(PROBE_CONNECTIONS)]  # fmt: skip
    try:
        for connection in connections:
            connection.request("GET", "/healthz")
            connection.getresponse().read()
        return connections_by_process(port, api_pids)
    except OSError:
        return [0] * len(api_pids)
    finally:
        for connection in connections:
            connection.close()

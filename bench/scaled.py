"""HTTP throughput in scaled mode: the embedded runs' wrk load (bench/httpload.py: same
corpus, deny list, connections and durations) against 2 API and 2 worker processes on
PostgreSQL and Redis (bench/scaled_cluster.py), the recorded decisions counted in
PostgreSQL; with how wrk's connections and the CPU split between the processes, and each
process's peak memory.

`python -m bench.scaled` runs this part alone.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from bench.corpus import Corpus, build_corpus
from bench.httpload import CONNECTIONS, SECONDS, WARMUP_SECONDS
from bench.scaled_cluster import WORKER_THREADS, Cluster, running_cluster, unavailable
from bench.scaled_processes import connections_by_process, cpu_seconds, peak_rss_mib
from bench.scaled_ready import API_PROCESSES, WORKER_PROCESSES
from bench.scaled_report import render_scaled
from bench.wrk import WrkRun, run_wrk, wrk_errors


@dataclass(frozen=True, slots=True)
class ScaledRun:
    wrk: WrkRun
    recorded_decisions: int
    recorded_per_s: float
    api_connections: list[int]  # wrk's connections each API process held, mid-run
    cpu_s: dict[str, float]  # CPU seconds each process used during the run, by role
    deadlocks: int  # broken by PostgreSQL during the run, in the whole database
    errors: str | None  # what went wrong in this run, None for a clean run


@dataclass(frozen=True, slots=True)
class ProcessMemory:
    role: str
    peak_rss_mib: float  # VmHWM


@dataclass(frozen=True, slots=True)
class ScaledFigures:
    api_processes: int = API_PROCESSES
    worker_processes: int = WORKER_PROCESSES
    worker_threads: int = WORKER_THREADS
    runs: list[ScaledRun] = field(default_factory=list)
    memory: list[ProcessMemory] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def run_scaled(corpus: Corpus, progress: Callable[[str], None]) -> ScaledFigures:
    problem = unavailable()
    if problem is not None:
        return ScaledFigures(skipped=[f"scaled mode skipped: {problem}"])
    with tempfile.TemporaryDirectory(prefix="spamward-bench-scaled-") as directory:
        workdir = Path(directory)
        bodies = corpus.write_event_bodies(workdir / "bodies.jsonl")
        progress(f"starting {API_PROCESSES} API and {WORKER_PROCESSES} worker processes")
        with running_cluster(workdir, corpus.deny_domains) as cluster:
            if cluster is None:
                return ScaledFigures(skipped=["scaled mode skipped: PostgreSQL not reachable"])
            progress(f"warming up for {WARMUP_SECONDS}s")
            run_wrk(cluster.url, bodies, cluster.api_key, CONNECTIONS[0], WARMUP_SECONDS)
            runs = [_measured_run(cluster, bodies, n, progress) for n in CONNECTIONS]
            memory = [ProcessMemory(role, peak_rss_mib(pid))
                      for role, pid in cluster.processes().items()]  # fmt: skip
    return ScaledFigures(runs=runs, memory=memory)


def _measured_run(
    cluster: Cluster, bodies: Path, connections: int, progress: Callable[[str], None]
) -> ScaledRun:
    progress(f"wrk, {connections} connections, {SECONDS}s")
    processes = cluster.processes()
    cpu_before = {role: cpu_seconds(pid) for role, pid in processes.items()}
    before, deadlocks_before = cluster.recorded_decisions(), cluster.deadlocks()
    with ThreadPoolExecutor(1) as pool:
        running = pool.submit(run_wrk, cluster.url, bodies, cluster.api_key, connections, SECONDS)
        time.sleep(SECONDS / 2)  # wrk's connections are all open by then
        held = connections_by_process(cluster.port, cluster.api_pids)
        run = running.result()
    recorded = cluster.recorded_decisions() - before
    cpu = {role: cpu_seconds(pid) - cpu_before[role] for role, pid in processes.items()}
    deadlocks = cluster.deadlocks() - deadlocks_before
    rate = recorded / run.duration_s
    return ScaledRun(run, recorded, rate, held, cpu, deadlocks, wrk_errors(run))


if __name__ == "__main__":
    from bench.__main__ import _forget_spamward_settings, _progress

    _forget_spamward_settings()
    print()
    print(render_scaled(run_scaled(build_corpus(), _progress)))

"""HTTP throughput: wrk against a real server, checked against the decisions it recorded."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.corpus import Corpus
from bench.server import Server, running_server
from bench.wrk import WrkRun, run_wrk, wrk_errors, wrk_version

CONNECTIONS = (16, 64)
SECONDS = 10
WARMUP_SECONDS = 3


@dataclass(frozen=True, slots=True)
class HttpRun:
    wrk: WrkRun
    recorded_decisions: int
    recorded_per_s: float
    errors: str | None  # what went wrong in this run, None for a clean run


@dataclass(frozen=True, slots=True)
class HttpResults:
    load_generator: str
    runs: list[HttpRun]
    server_peak_rss_mib: float

    @property
    def has_errors(self) -> bool:
        return any(run.errors is not None for run in self.runs)


def run_http(corpus: Corpus, progress: Callable[[str], None]) -> HttpResults:
    load_generator = wrk_version()
    with tempfile.TemporaryDirectory(prefix="spamward-bench-http-") as directory:
        workdir = Path(directory)
        bodies = corpus.write_event_bodies(workdir / "bodies.jsonl")
        progress("starting spamward serve")
        with running_server(workdir, corpus.deny_domains) as server:
            progress(f"warming up for {WARMUP_SECONDS}s")
            run_wrk(server.url, bodies, server.api_key, CONNECTIONS[0], WARMUP_SECONDS)
            runs = [
                _measured_run(server, bodies, connections, progress) for connections in CONNECTIONS
            ]
            peak_rss_mib = server.peak_rss_mib()
    return HttpResults(load_generator, runs, peak_rss_mib)


def _measured_run(
    server: Server, bodies: Path, connections: int, progress: Callable[[str], None]
) -> HttpRun:
    progress(f"wrk, {connections} connections, {SECONDS}s")
    before = server.recorded_decisions()
    run = run_wrk(server.url, bodies, server.api_key, connections, SECONDS)
    recorded = server.recorded_decisions() - before
    return HttpRun(run, recorded, recorded / run.duration_s, wrk_errors(run))

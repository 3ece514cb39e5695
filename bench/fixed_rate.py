"""Latency at a fixed request rate against the embedded server, for the issue's target
"p99 ≤ 20 ms at 1,000/s": wrk sends as fast as answers come back, so it cannot hold a rate,
and wrk2 is not packaged in Debian; bench/fixed_rate_load.py is the generator.

`python -m bench.fixed_rate` runs this part alone.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.corpus import Corpus, build_corpus
from bench.fixed_rate_http import http_request
from bench.fixed_rate_load import Load, run_load
from bench.fixed_rate_report import render_fixed_rate
from bench.fixed_rate_summary import FixedRateRun, Outcomes, summarise
from bench.server import Server, running_server

RATES = (500, 1000)
SECONDS = 10
CONNECTIONS = 64  # as many as wrk's larger run: a request never waits for want of one
GRACE_S = 2.0  # as wrk's --timeout: answers later than this after the schedule are missed
WARMUP_RATE = 200
WARMUP_SECONDS = 3
LOAD_GENERATOR = (
    f"bench/fixed_rate_load.py (Python asyncio, open loop, {CONNECTIONS} keep-alive "
    "connections, latency from each request's planned time; wrk2 is not in Debian)"
)


@dataclass(frozen=True, slots=True)
class FixedRateFigures:
    load_generator: str = LOAD_GENERATOR
    runs: list[FixedRateRun] = field(default_factory=list)
    recorded_decisions: list[int] = field(default_factory=list)  # per run, in its database
    server_peak_rss_mib: float = 0.0


def run_fixed_rate(corpus: Corpus, progress: Callable[[str], None]) -> FixedRateFigures:
    with tempfile.TemporaryDirectory(prefix="spamward-bench-fixed-") as directory:
        progress("starting spamward serve for the fixed-rate runs")
        with running_server(Path(directory), corpus.deny_domains) as server:
            requests = corpus_requests(corpus, server.api_key)
            progress(f"warming up at {WARMUP_RATE}/s for {WARMUP_SECONDS}s")
            _load(server, requests, WARMUP_RATE, WARMUP_SECONDS)
            measured = [_measured(server, requests, rate, progress) for rate in RATES]
            peak_rss_mib = server.peak_rss_mib()
    runs, recorded = [run for run, _ in measured], [count for _, count in measured]
    return FixedRateFigures(LOAD_GENERATOR, runs, recorded, peak_rss_mib)


def corpus_requests(corpus: Corpus, api_key: str) -> list[bytes]:
    """The corpus's events as POST /v1/events requests, as bench/post_events.lua sends them."""
    headers = {"Authorization": f"Bearer {api_key}", "Content-Type": "application/json"}
    bodies = (
        json.dumps(corpus.event_body(index), ensure_ascii=False).encode()
        for index in range(len(corpus.posts))
    )
    return [http_request("127.0.0.1", "/v1/events", body, headers) for body in bodies]


def _measured(
    server: Server, requests: list[bytes], rate: int, progress: Callable[[str], None]
) -> tuple[FixedRateRun, int]:
    """The run at `rate`, and the decisions the server recorded meanwhile."""
    progress(f"fixed rate, {rate}/s for {SECONDS}s")
    before = server.recorded_decisions()
    outcomes = _load(server, requests, rate, SECONDS)
    recorded = server.recorded_decisions() - before
    return summarise(outcomes, rate, SECONDS, CONNECTIONS), recorded


def _load(server: Server, requests: list[bytes], rate: float, seconds: float) -> Outcomes:
    return run_load(Load("127.0.0.1", server.port, requests, rate, seconds, CONNECTIONS, GRACE_S))


if __name__ == "__main__":
    from bench.__main__ import _forget_spamward_settings, _progress

    _forget_spamward_settings()
    print()
    print(render_fixed_rate(run_fixed_rate(build_corpus(), _progress)))

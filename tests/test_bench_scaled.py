"""The bench's fixed-rate load generator (its schedule and latency accounting, against a
local HTTP server that answers after a known delay) and the report's scaled-mode,
fixed-rate and memory sections. Only lower bounds on time are checked: the server's delay
is the least a request can take, however slow the machine."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from bench.actions import ActionsFigures
from bench.dashboard import DashboardFigures
from bench.extraction import ExtractionResults
from bench.fixed_rate import LOAD_GENERATOR, FixedRateFigures
from bench.fixed_rate_http import ProtocolError, http_request, read_head
from bench.fixed_rate_load import Load, planned_offsets, run_load
from bench.fixed_rate_summary import FixedRateRun, Outcomes, summarise
from bench.httpload import HttpResults
from bench.inprocess import InProcessResults
from bench.machine import Machine
from bench.report import CorpusSummary, Results, render_markdown, render_text, write_results
from bench.rspamd import RspamdFigures
from bench.scaled import ProcessMemory, ScaledFigures, ScaledRun
from bench.scaled_report import render_scaled
from bench.spam_manager import SpamManagerResults
from bench.timing import Timing
from bench.wrk import WrkRun

DELAY_S = 0.03  # the test server's answer time
EPSILON_S = 1e-6  # float rounding of the clocks' differences
TIMER_RESOLUTION_S = 0.002  # uvloop's timers count whole milliseconds: they may wake early


@dataclass
class Received:
    """What the test server saw, in arrival order."""

    bodies: list[bytes] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    released: threading.Event = field(default_factory=threading.Event)


@contextmanager
def delayed_server(status: int = 200, hang: bool = False) -> Iterator[tuple[int, Received]]:
    """An HTTP/1.1 keep-alive server answering `status` DELAY_S after each request, or, with
    `hang`, only once the test is over."""
    received = Received()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            with received.lock:
                received.bodies.append(body)
            received.released.wait(None if hang else DELAY_S)
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server.server_port, received
    finally:
        received.released.set()
        server.shutdown()
        server.server_close()


def _requests(count: int) -> list[bytes]:
    return [http_request("127.0.0.1", "/v1/events", b'{"n": %d}' % n, {}) for n in range(count)]


def test_the_schedule_spaces_requests_evenly_at_the_rate() -> None:
    assert planned_offsets(4, 1.5) == [0.0, 0.25, 0.5, 0.75, 1.0, 1.25]
    assert len(planned_offsets(1000, 10)) == 10_000


def test_requests_leave_on_schedule_and_are_timed_from_the_earlier_of_plan_and_send() -> None:
    rate, seconds = 200, 0.1
    with delayed_server() as (port, received):
        outcomes = run_load(Load("127.0.0.1", port, _requests(5), rate, seconds, 8, 30.0))
    assert outcomes.status == [200] * 20
    for index, (planned, sent, answered) in enumerate(zip(*_times(outcomes), strict=True)):
        assert sent >= planned - TIMER_RESOLUTION_S
        assert answered - sent >= DELAY_S - EPSILON_S
        assert outcomes.latency_s(index) >= max(answered - planned, answered - sent)
    assert sorted(received.bodies) == sorted(b'{"n": %d}' % (n % 5) for n in range(20))


def test_latency_runs_from_the_planned_time_when_the_server_falls_behind() -> None:
    """One connection, a request due every 10 ms, 30 ms per answer: request k cannot be
    answered before (k + 1) * 30 ms, so its latency from the plan grows by 20 ms each time,
    where a closed-loop tool would report 30 ms for every one."""
    rate, count = 100, 8
    with delayed_server() as (port, received):
        outcomes = run_load(Load("127.0.0.1", port, _requests(count), rate, count / rate, 1, 30.0))
    assert [json.loads(body)["n"] for body in received.bodies] == list(range(count))
    for k, (planned, _, answered) in enumerate(zip(*_times(outcomes), strict=True)):
        assert answered - planned >= (k + 1) * DELAY_S - k / rate - EPSILON_S
    run = summarise(outcomes, rate, count / rate, 1)
    assert run.latency_max_ms >= (count * DELAY_S - (count - 1) / rate) * 1000 - 0.001
    assert (run.ok, run.unanswered, run.problems) == (count, 0, None)


def test_answers_after_the_cut_off_count_as_unanswered() -> None:
    with delayed_server(hang=True) as (port, _):
        outcomes = run_load(Load("127.0.0.1", port, _requests(1), 100, 0.05, 2, 0.2))
    run = summarise(outcomes, 100, 0.05, 2)
    assert (run.planned, run.ok, run.unanswered) == (5, 0, 5)
    assert run.problems == "5 unanswered"


def test_non_2xx_answers_are_counted_and_timed() -> None:
    with delayed_server(status=503) as (port, _):
        outcomes = run_load(Load("127.0.0.1", port, _requests(1), 100, 0.05, 2, 30.0))
    run = summarise(outcomes, 100, 0.05, 2)
    assert (run.ok, run.non_2xx, run.errors, run.achieved_per_s) == (0, 5, 0, 0.0)
    assert run.latency_p50_ms >= DELAY_S * 1000 - 0.001


def test_a_server_that_is_not_there_fails_the_run_at_once() -> None:
    with delayed_server() as (port, _):
        pass  # the port is free again: nothing answers on it
    with pytest.raises(OSError):
        run_load(Load("127.0.0.1", port, _requests(1), 100, 0.05, 1, 1.0))


def test_the_summary_measures_from_the_plan_and_counts_each_failure() -> None:
    outcomes = Outcomes([0.0, 0.1, 0.2, 0.3, 0.4])
    outcomes.sent_s = [0.0, 0.15, 0.2, 0.3, None]
    outcomes.answered_s = [0.01, 0.2, 0.25, None, None]
    outcomes.status = [200, 500, 0, 0, 0]
    run = summarise(outcomes, rate=10, seconds=0.5, connections=1)
    assert (run.planned, run.ok, run.non_2xx, run.errors, run.unanswered) == (5, 1, 1, 1, 2)
    assert run.latency_p50_ms == pytest.approx(10.0)
    assert run.latency_p99_ms == run.latency_max_ms == pytest.approx(100.0)
    assert run.send_lag_p99_ms == pytest.approx(50.0)
    assert run.achieved_per_s == pytest.approx(1 / 0.5)
    assert run.problems == "1 non-2xx, 1 errors, 2 unanswered"


def test_an_answers_head_gives_its_status_length_and_whether_it_closes() -> None:
    head = b"HTTP/1.1 201 Created\r\ncontent-length: 17\r\nConnection: close\r\n\r\n"
    assert read_head(head) == (201, 17, True)
    assert read_head(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n") == (200, 0, False)
    with pytest.raises(ProtocolError):
        read_head(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")


def test_a_request_carries_its_length_and_headers() -> None:
    request = http_request("127.0.0.1", "/v1/events", b"{}", {"Authorization": "Bearer k"})
    assert request == (
        b"POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\n"
        b"Authorization: Bearer k\r\n\r\n{}"
    )


def _times(outcomes: Outcomes) -> tuple[list[float], list[float], list[float]]:
    sent = [at for at in outcomes.sent_s if at is not None]
    answered = [at for at in outcomes.answered_s if at is not None]
    assert len(sent) == len(answered) == len(outcomes.planned_s)
    return outcomes.planned_s, sent, answered


# -- the report ---------------------------------------------------------------------------


def _wrk(connections: int, requests_per_s: float) -> WrkRun:
    return WrkRun(
        2, connections, 10.0, int(requests_per_s * 10), requests_per_s, 9.5, 31.25, 0, 0, 0
    )


def _fixed_run(rate: float, p99_ms: float, unanswered: int = 0) -> FixedRateRun:
    planned = int(rate * 10)
    return FixedRateRun(
        rate=rate, seconds=10, connections=64, planned=planned, ok=planned - unanswered,
        non_2xx=0, errors=0, unanswered=unanswered, achieved_per_s=rate * 0.99,
        latency_p50_ms=4.5, latency_p99_ms=p99_ms, latency_max_ms=p99_ms + 5, send_lag_p99_ms=1.25,
    )  # fmt: skip


CPU_S = {"serve supervisor": 0.0, "API 1": 8.25, "API 2": 7.5, "worker 1": 0.5, "worker 2": 0.25}
SCALED_64 = ScaledRun(
    replace(_wrk(64, 1600.0), non_2xx=2), 16_000, 1600.0, [33, 31], {}, 0, "2 non-2xx responses"
)
SCALED = ScaledFigures(
    runs=[ScaledRun(_wrk(16, 1234.5), 12_400, 1240.0, [9, 7], CPU_S, 3, None), SCALED_64],
    memory=[ProcessMemory("API 1", 150.25), ProcessMemory("worker 1", 120.5)],
)
FIXED = FixedRateFigures(
    runs=[_fixed_run(500, 12.5), _fixed_run(1000, 250.0, unanswered=40)],
    recorded_decisions=[5000, 9960],
    server_peak_rss_mib=131.0,
)


def _results(scaled: ScaledFigures, fixed_rate: FixedRateFigures) -> Results:
    machine = Machine("a CPU", 2, "Linux", "3.11", "abc123", "2026-03-01T12:00:00+00:00")
    timing = Timing("extract", 1, 1.0, 2.0)
    return Results(
        machine,
        CorpusSummary(10, 550.0, 100, 10, 1),
        ExtractionResults(timing, 1, []),
        InProcessResults([], 0, []),
        SpamManagerResults([], []),
        HttpResults("wrk 4", [], 140.5),
        ActionsFigures(2, 1, [], [], []),
        DashboardFigures(0.0, [], []),
        RspamdFigures(),
        scaled,
        fixed_rate,
    )


def test_the_report_shows_scaled_mode_with_how_the_processes_shared_the_load() -> None:
    text = render_text(_results(SCALED, FIXED))
    assert "scaled mode: 2 API and 2 worker processes on PostgreSQL and Redis" in text
    row = next(
        line for line in text.splitlines() if line.strip().startswith("16 ") and "9 / 7" in line
    )
    assert row.split()[:6] == ["16", "1234.5", "9.50", "31.25", "0", "1240.0"]
    assert "8.2 / 7.5" in row
    assert row.split()[-2:] == ["3", "ok"]
    assert "ERRORS at 64 connections: 2 non-2xx responses" in text
    assert "scaled ≥ 1,500 recorded decisions/s: best 1600.0/s, met" in text


def test_the_report_shows_the_fixed_rate_runs_against_the_target() -> None:
    text = render_text(_results(SCALED, FIXED))
    assert "at a fixed rate: spamward serve on SQLite, 10 s each" in text
    assert f"load generator: {LOAD_GENERATOR}" in text
    assert "p99 ≤ 20 ms at 1,000/s (embedded): p99 250.00 ms, NOT met" in text
    assert "ERRORS at 1000/s: 40 unanswered" in text
    passing = replace(FIXED, runs=[_fixed_run(500, 12.5), _fixed_run(1000, 19.5)])
    assert "p99 19.50 ms, met" in render_text(_results(SCALED, passing))


def test_the_report_gives_each_processs_peak_memory(tmp_path: Path) -> None:
    results = _results(SCALED, FIXED)
    for rendered in (render_text(results), render_markdown(results)):
        assert "Memory per process, MiB" in rendered
        for process, mib in [
            ("embedded serve (wrk runs)", "140.5"),
            ("scaled API 1", "150.2"),
            ("embedded serve (fixed-rate runs)", "131.0"),
            ("scaled worker 1", "120.5"),
        ]:
            assert any(process in line and mib in line for line in rendered.splitlines())
    write_results(results, tmp_path)
    written = json.loads((tmp_path / "latest.json").read_text(encoding="utf-8"))
    assert written["scaled"] == json.loads(json.dumps(asdict(SCALED)))
    assert written["fixed_rate"]["runs"][1]["latency_p99_ms"] == 250.0
    assert written["scaled"]["memory"][0] == {"role": "API 1", "peak_rss_mib": 150.25}


def test_a_skipped_scaled_section_says_why() -> None:
    skipped = ScaledFigures(skipped=["scaled mode skipped: PostgreSQL not reachable"])
    text = render_text(_results(skipped, FixedRateFigures()))
    assert "scaled mode skipped: PostgreSQL not reachable" in text
    assert "scaled mode: 2 API" not in text
    assert "at a fixed rate" not in text
    assert render_scaled(skipped) == "scaled mode skipped: PostgreSQL not reachable"

"""The fixed-rate runs in the report: a title, a table and notes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bench.tables import Table, aligned

if TYPE_CHECKING:
    from bench.fixed_rate import FixedRateFigures

TARGET_RATE = 1000
TARGET_P99_MS = 20.0


def fixed_rate_section(figures: FixedRateFigures) -> tuple[str, Table, list[str]] | None:
    """The section's title, table and notes; None when nothing ran."""
    if not figures.runs:
        return None
    return _title(figures), _table(figures), _notes(figures)


def render_fixed_rate(figures: FixedRateFigures) -> str:
    section = fixed_rate_section(figures)
    if section is None:
        return "fixed-rate runs: none"
    title, table, notes = section
    return "\n".join([title, aligned(table), *(f"  {note}" for note in notes)])


def _title(figures: FixedRateFigures) -> str:
    seconds = " and ".join(sorted({f"{run.seconds:g}" for run in figures.runs}))
    return f"HTTP POST /v1/events at a fixed rate: spamward serve on SQLite, {seconds} s each"


def _table(figures: FixedRateFigures) -> Table:
    header = ["planned/s", "achieved/s", "p50 ms", "p99 ms", "max ms", "send lag p99 ms",
              "non-2xx", "errors", "unanswered", "recorded", "status"]  # fmt: skip
    rows = [
        [f"{run.rate:g}", f"{run.achieved_per_s:.1f}", f"{run.latency_p50_ms:.2f}",
         f"{run.latency_p99_ms:.2f}", f"{run.latency_max_ms:.1f}", f"{run.send_lag_p99_ms:.2f}",
         str(run.non_2xx), str(run.errors), str(run.unanswered), f"{recorded:,}",
         "ERRORS" if run.problems else "ok"]
        for run, recorded in zip(figures.runs, figures.recorded_decisions, strict=True)
    ]  # fmt: skip
    return header, rows


def _notes(figures: FixedRateFigures) -> list[str]:
    return [
        f"load generator: {figures.load_generator}",
        "latency: from the time each request was planned (or sent, if the event loop's "
        "millisecond timers sent it a little early) to its answer, so time spent waiting for "
        "a free connection counts; send lag: how late requests left",
        "achieved/s: 2xx answers over the schedule's length (or until the last answer); "
        "unanswered: not answered by the cut-off, 2 s after the schedule ends",
        "recorded: decisions the server stored during the run, counted in its database",
        *_target_lines(figures),
        *(f"ERRORS at {run.rate:g}/s: {run.problems}" for run in figures.runs if run.problems),
    ]


def _target_lines(figures: FixedRateFigures) -> list[str]:
    at_target = [run for run in figures.runs if run.rate == TARGET_RATE]
    return [
        f"the issue's target, p99 ≤ {TARGET_P99_MS:g} ms at {TARGET_RATE:,}/s (embedded): "
        f"p99 {run.latency_p99_ms:.2f} ms, "
        + ("met" if run.latency_p99_ms <= TARGET_P99_MS and not run.problems else "NOT met")
        for run in at_target
    ]

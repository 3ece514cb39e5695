"""Scaled mode and the memory per process in the report: titles, tables and notes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bench.httpload import CONNECTIONS, SECONDS
from bench.tables import Table, aligned
from bench.wrk import THREADS

if TYPE_CHECKING:
    from bench.fixed_rate import FixedRateFigures
    from bench.scaled import ScaledFigures, ScaledRun

Section = tuple[str, Table, list[str]]
TARGET_RECORDED_PER_S = 1500


def scaled_section(figures: ScaledFigures) -> Section | None:
    """The section's title, table and notes; None when it was skipped."""
    if not figures.runs:
        return None
    return _title(figures), _table(figures), _notes(figures)


def memory_section(
    embedded_mib: float, fixed_rate: FixedRateFigures, scaled: ScaledFigures
) -> Section:
    rows = [["embedded serve (wrk runs)", f"{embedded_mib:.1f}"]]
    if fixed_rate.runs:
        rows.append(["embedded serve (fixed-rate runs)", f"{fixed_rate.server_peak_rss_mib:.1f}"])
    rows += [[f"scaled {memory.role}", f"{memory.peak_rss_mib:.1f}"] for memory in scaled.memory]
    notes = [
        "peak resident memory (VmHWM in /proc/PID/status), read after a section's last run; "
        "each process holds the corpus's deny list, the model and the extraction tables"
    ]
    return "Memory per process, MiB", (["process", "peak RSS MiB"], rows), notes


def render_scaled(figures: ScaledFigures) -> str:
    """The section alone (`python -m bench.scaled`), with its processes' memory."""
    section = scaled_section(figures)
    lines = list(figures.skipped)
    if section is not None:
        title, table, notes = section
        lines = [title, aligned(table), *(f"  {note}" for note in notes), *lines]
    memory = [[f"scaled {m.role}", f"{m.peak_rss_mib:.1f}"] for m in figures.memory]
    if memory:
        lines += ["", "Memory per process, MiB", aligned((["process", "peak RSS MiB"], memory))]
    return "\n".join(lines)


def _title(figures: ScaledFigures) -> str:
    runs = " and ".join(map(str, CONNECTIONS))
    return (
        f"HTTP POST /v1/events, scaled mode: {figures.api_processes} API and "
        f"{figures.worker_processes} worker processes on PostgreSQL and Redis, "
        f"wrk -t{THREADS} with {runs} connections, {SECONDS} s each"
    )


def _table(figures: ScaledFigures) -> Table:
    header = ["connections", "requests/s", "p50 ms", "p99 ms", "non-2xx", "recorded/s",
              "API connections", "API CPU s", "worker CPU s", "deadlocks", "status"]  # fmt: skip
    rows = [
        [str(run.wrk.connections), f"{run.wrk.requests_per_s:.1f}",
         f"{run.wrk.latency_p50_ms:.2f}", f"{run.wrk.latency_p99_ms:.2f}", str(run.wrk.non_2xx),
         f"{run.recorded_per_s:.1f}", " / ".join(map(str, run.api_connections)),
         _cpu(run, "API"), _cpu(run, "worker"), str(run.deadlocks),
         "ERRORS" if run.errors else "ok"]
        for run in figures.runs
    ]  # fmt: skip
    return header, rows


def _cpu(run: ScaledRun, role: str) -> str:
    return " / ".join(f"{s:.1f}" for name, s in run.cpu_s.items() if name.startswith(role))


def _notes(figures: ScaledFigures) -> list[str]:
    best = max(run.recorded_per_s for run in figures.runs)
    verdict = "met" if best >= TARGET_RECORDED_PER_S else "NOT met"
    return [
        f"`spamward serve --workers {figures.api_processes}` and {figures.worker_processes} "
        f"`spamward worker --concurrency {figures.worker_threads}` on a fresh PostgreSQL "
        "schema and Redis under a bench-only key prefix (both removed afterwards); API "
        "processes without the embedded worker, no maintenance job",
        "recorded/s: decisions stored during each run, counted in PostgreSQL",
        "API connections: wrk's connections each API process held halfway through the run; "
        "CPU s: user + system CPU seconds each process used during the run",
        "deadlocks: broken by PostgreSQL during the run (pg_stat_database, the whole `test` "
        "database; each costs its victim deadlock_timeout, 1 s by default, of waiting)",
        f"the issue's target, scaled ≥ {TARGET_RECORDED_PER_S:,} recorded decisions/s: "
        f"best {best:.1f}/s, {verdict}",
        *(f"ERRORS at {r.wrk.connections} connections: {r.errors}" for r in figures.runs
          if r.errors),
    ]  # fmt: skip

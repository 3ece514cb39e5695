"""The report: printed as aligned text, written as Markdown and JSON."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.actions import ACTIONS, ActionsFigures, summary_line
from bench.dashboard import DashboardFigures, dashboard_sections
from bench.extraction import ExtractionResults
from bench.fixed_rate import FixedRateFigures
from bench.fixed_rate_report import fixed_rate_section
from bench.httpload import CONNECTIONS, SECONDS, HttpResults
from bench.inprocess import InProcessResults
from bench.machine import Machine
from bench.rspamd import RspamdFigures
from bench.rspamd_report import rspamd_section
from bench.scaled import ScaledFigures
from bench.scaled_report import Section, memory_section, scaled_section
from bench.spam_manager import DECIDE_CALLS, DOMAINS, TAB_ENTITIES, SpamManagerResults
from bench.tables import Table, aligned, markdown
from bench.wrk import THREADS


@dataclass(frozen=True, slots=True)
class CorpusSummary:
    posts: int
    mean_length: float
    source_texts: int
    deny_list: int
    blocked_posts: int


@dataclass(frozen=True, slots=True)
class Results:
    machine: Machine
    corpus: CorpusSummary
    extraction: ExtractionResults
    inprocess: InProcessResults
    spam_manager: SpamManagerResults
    http: HttpResults
    actions: ActionsFigures
    dashboard: DashboardFigures
    rspamd: RspamdFigures
    scaled: ScaledFigures
    fixed_rate: FixedRateFigures


def render_text(results: Results) -> str:
    return "\n".join(
        [
            *_heading(results),
            "",
            _extraction_title(results),
            aligned(_extraction_table(results)),
            "",
            "Adversarial inputs (time must grow linearly with length)",
            aligned(_adversarial_table(results)),
            "",
            "In-process, µs per call",
            aligned(_inprocess_table(results)),
            "",
            _spam_manager_title(),
            aligned(_spam_manager_table(results)),
            *(f"  {line}" for line in _seeding_lines(results)),
            "",
            _http_title(),
            aligned(_http_table(results)),
            "",
            *_sections_text(_load_sections(results)),
            *_rspamd_text(results.rspamd),
            _actions_title(results),
            aligned(_actions_table(results)),
            *(f"  {line}" for line in _actions_lines(results)),
            "",
            *_dashboard_text(results.dashboard),
            *_notes(results),
        ]
    )


def render_markdown(results: Results) -> str:
    return "\n".join(
        [
            "# spamward benchmark",
            "",
            *(f"- {line}" for line in _heading(results)),
            "",
            f"## {_extraction_title(results)}",
            "",
            markdown(_extraction_table(results)),
            "",
            "## Adversarial inputs (time must grow linearly with length)",
            "",
            markdown(_adversarial_table(results)),
            "",
            "## In-process, µs per call",
            "",
            markdown(_inprocess_table(results)),
            "",
            f"## {_spam_manager_title()}",
            "",
            markdown(_spam_manager_table(results)),
            "",
            *(f"- {line}" for line in _seeding_lines(results)),
            "",
            f"## {_http_title()}",
            "",
            markdown(_http_table(results)),
            "",
            *_sections_markdown(_load_sections(results)),
            *_rspamd_markdown(results.rspamd),
            f"## {_actions_title(results)}",
            "",
            markdown(_actions_table(results)),
            "",
            *(f"- {line}" for line in _actions_lines(results)),
            "",
            *_dashboard_markdown(results.dashboard),
            *(f"- {line}" for line in _notes(results)),
            "",
        ]
    )


def write_results(results: Results, directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    _replace(directory / "latest.json", json.dumps(asdict(results), indent=2) + "\n")
    _replace(directory / "latest.md", render_markdown(results))


def _replace(path: Path, text: str) -> None:
    partial = path.with_name(path.name + ".tmp")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)


def _heading(results: Results) -> list[str]:
    machine, corpus = results.machine, results.corpus
    return [
        f"spamward benchmark, {machine.measured_at}, commit {machine.commit}",
        f"machine: {machine.cpu_model}, {machine.cpus} CPUs (nproc), {machine.kernel}, "
        f"Python {machine.python}",
        f"load generator: {results.http.load_generator}",
        f"corpus: {corpus.posts} posts of {corpus.mean_length:.0f} characters with one URL, "
        f"from {corpus.source_texts:,} labelled texts; the {corpus.deny_list:,}-domain deny list "
        f"blocks {corpus.blocked_posts} of them",
    ]


def _load_sections(results: Results) -> list[Section]:
    """Scaled mode, the fixed-rate runs (each when it ran) and the memory per process."""
    sections = [scaled_section(results.scaled), fixed_rate_section(results.fixed_rate)]
    memory = memory_section(results.http.server_peak_rss_mib, results.fixed_rate, results.scaled)
    return [*(section for section in sections if section is not None), memory]


def _sections_text(sections: list[Section]) -> list[str]:
    lines: list[str] = []
    for title, table, notes in sections:
        lines += [title, aligned(table), *(f"  {note}" for note in notes), ""]
    return lines


def _sections_markdown(sections: list[Section]) -> list[str]:
    lines: list[str] = []
    for title, table, notes in sections:
        lines += [f"## {title}", "", markdown(table), "", *(f"- {note}" for note in notes), ""]
    return lines


def _dashboard_text(figures: DashboardFigures) -> list[str]:
    lines: list[str] = []
    for title, table, notes in dashboard_sections(figures):
        lines += [title, aligned(table), *(f"  {note}" for note in notes), ""]
    return lines


def _dashboard_markdown(figures: DashboardFigures) -> list[str]:
    lines: list[str] = []
    for title, table, notes in dashboard_sections(figures):
        lines += [f"## {title}", "", markdown(table), "", *(f"- {note}" for note in notes), ""]
    return lines


def _rspamd_text(figures: RspamdFigures) -> list[str]:
    section = rspamd_section(figures)
    if section is None:
        return []
    title, table, notes = section
    return [title, aligned(table), *(f"  {note}" for note in notes), ""]


def _rspamd_markdown(figures: RspamdFigures) -> list[str]:
    section = rspamd_section(figures)
    if section is None:
        return []
    title, table, notes = section
    return [f"## {title}", "", markdown(table), "", *(f"- {note}" for note in notes), ""]


def _http_title() -> str:
    runs = " and ".join(map(str, CONNECTIONS))
    return (
        f"HTTP POST /v1/events: spamward serve on SQLite, wrk -t{THREADS} "
        f"with {runs} connections, {SECONDS} s each"
    )


def _extraction_title(results: Results) -> str:
    return f"Extraction, each of the {results.extraction.texts:,} YouTube and SMS texts, µs"


def _extraction_table(results: Results) -> Table:
    timing = results.extraction.per_text
    row = [timing.name, str(timing.calls), f"{timing.median_us:.1f}", f"{timing.p99_us:.1f}"]
    return ["what", "calls", "median µs", "p99 µs"], [row]


def _adversarial_table(results: Results) -> Table:
    rows = [
        [run.name, f"{run.chars:,}", f"{run.seconds:.3f}", str(run.entities)]
        for run in results.extraction.adversarial
    ]
    return ["input", "characters", "seconds", "entities"], rows


def _inprocess_table(results: Results) -> Table:
    rows = [
        [timing.name, str(timing.calls), f"{timing.median_us:.1f}", f"{timing.p99_us:.1f}"]
        for timing in results.inprocess.timings
    ]
    return ["what", "calls", "median µs", "p99 µs"], rows


def _spam_manager_title() -> str:
    return f"Spam Manager with {TAB_ENTITIES:,} URL entities in a tab, ms per call"


def _spam_manager_table(results: Results) -> Table:
    rows = [
        [
            timing.name,
            str(timing.calls),
            f"{timing.median_us / 1000:.2f}",
            f"{timing.p99_us / 1000:.2f}",
        ]
        for figures in results.spam_manager.databases
        for timing in figures.timings
    ]
    return ["what", "calls", "p50 ms", "p99 ms"], rows


def _seeding_lines(results: Results) -> list[str]:
    lines = [
        f"{figures.database}: {figures.entities:,} entities seeded in {figures.seeding_s:.1f} s; "
        f"the URL tab lists {figures.tab_rows:,} of them (unlisted, posted in the window)"
        for figures in results.spam_manager.databases
    ]
    lines.append(
        f"decide: a corpus post (one URL) judged and recorded with its entities against that "
        f"table, {DECIDE_CALLS:,} calls after a warm-up that records each post once"
    )
    lines.append(
        f"search: one seeded domain, under which {TAB_ENTITIES // DOMAINS} URLs of the tab "
        "are, so the first page is filled only after reading the whole tab"
    )
    return lines


def _http_table(results: Results) -> Table:
    header = ["connections", "requests/s", "p50 ms", "p99 ms", "non-2xx", "recorded/s", "status"]
    rows = [
        [
            str(run.wrk.connections),
            f"{run.wrk.requests_per_s:.1f}",
            f"{run.wrk.latency_p50_ms:.2f}",
            f"{run.wrk.latency_p99_ms:.2f}",
            str(run.wrk.non_2xx),
            f"{run.recorded_per_s:.1f}",
            "ERRORS" if run.errors else "ok",
        ]
        for run in results.http.runs
    ]
    return header, rows


def _actions_title(results: Results) -> str:
    actions = results.actions
    return (
        f"Remediation actions: {ACTIONS:,} call_webhook actions, "
        f"{actions.worker_processes} spamward worker processes of "
        f"{actions.threads_per_worker} action thread(s), to a local receiver"
    )


def _actions_table(results: Results) -> Table:
    header = ["database", "actions/s", "seconds", "done", "received", "repeated", "start-up s"]
    rows = [
        [
            run.database,
            f"{run.actions_per_s:.0f}",
            f"{run.seconds:.2f}",
            f"{run.done:,}",
            f"{run.received:,}",
            str(run.repeated),
            f"{run.startup_s:.2f}",
        ]
        for run in results.actions.runs
    ]
    return header, rows


def _actions_lines(results: Results) -> list[str]:
    return [
        summary_line(results.actions),
        "seconds: from the commit of the queued actions, the workers already up and idle, "
        "until the table counts them all done; start-up s: spawning the workers until both run",
        "received: webhooks the receiver answered; repeated: idempotency keys it saw more "
        "than once",
    ]


def _notes(results: Results) -> list[str]:
    http = results.http
    errors = [
        f"ERRORS at {r.wrk.connections} connections: {r.errors}" for r in http.runs if r.errors
    ]
    notes = [*results.inprocess.skipped, *results.spam_manager.skipped, *errors]
    notes += [*results.actions.skipped, *(f"WARNING: {w}" for w in results.actions.warnings)]
    notes += results.dashboard.skipped
    notes += results.rspamd.skipped
    notes += results.scaled.skipped
    if any(run.wrk.timeouts for run in http.runs):
        notes.append("wrk leaves requests that timed out out of its latency percentiles")
    notes.append("recorded/s: decisions the server stored during each run, counted in its database")
    return notes

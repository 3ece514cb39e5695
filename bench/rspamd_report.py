"""The Rspamd peer comparison in the report: a title, a table and notes."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from bench.httpload import SECONDS
from bench.rspamd_config import describe
from bench.rspamd_process import HYPERSCAN_TIMEOUT_S
from bench.tables import Table, aligned
from bench.wrk import THREADS

if TYPE_CHECKING:
    from bench.rspamd import RspamdFigures

ISSUE_FIGURE = "about 2,050 messages/s with 2 workers"
SHOWN_NAMES = 5
TARGET_RATIO = 1.2


def rspamd_section(figures: RspamdFigures) -> tuple[str, Table, list[str]] | None:
    """The section's title, table and notes; None when the comparison was skipped."""
    if not figures.runs:
        return None
    return _title(figures), _table(figures), _notes(figures)


def render_rspamd(figures: RspamdFigures) -> str:
    section = rspamd_section(figures)
    lines = figures.skipped
    if section is not None:
        title, table, notes = section
        lines = [title, aligned(table), *(f"  {note}" for note in notes), *lines]
    return "\n".join(lines)


def _title(figures: RspamdFigures) -> str:
    posts = sum(figures.actions.values())
    return (
        f"Peer comparison: {figures.version} on the same {posts} posts as emails, "
        f"POST /checkv2, wrk -t{THREADS}, {SECONDS} s each"
    )


def _table(figures: RspamdFigures) -> Table:
    header = ["connections", "Rspamd msgs/s", "p50 ms", "p99 ms", "non-2xx",
              "spamward recorded/s", "spamward/Rspamd", "status"]  # fmt: skip
    rows = [
        [str(run.wrk.connections), f"{run.messages_per_s:.1f}", f"{run.wrk.latency_p50_ms:.2f}",
         f"{run.wrk.latency_p99_ms:.2f}", str(run.wrk.non_2xx),
         f"{run.spamward_recorded_per_s:.1f}", f"{run.ratio:.2f}",
         "ERRORS" if run.errors or run.spamward_errors else "ok"]
        for run in figures.runs
    ]  # fmt: skip
    return header, rows


def _notes(figures: RspamdFigures) -> list[str]:
    verdicts = ", ".join(f"{action} {count}" for action, count in sorted(figures.actions.items()))
    return [
        *(f"Rspamd config: {line}" for line in describe()),
        f"Rspamd's actions on the posts, each scanned once before timing: {verdicts}",
        _hyperscan_line(figures),
        f"load average {figures.load_average:.1f} on {os.cpu_count()} CPUs as Rspamd's "
        "timing began",
        _dns_line(figures),
        "spamward recorded/s: the HTTP section's runs at the same connections in this bench "
        "run; spamward/Rspamd divides it by Rspamd's messages/s (scans answered 2xx)",
        f"the issue's figure for Rspamd without network modules on this machine: {ISSUE_FIGURE}; "
        f"its target for spamward/Rspamd: at least {TARGET_RATIO}",
        *_errors(figures),
    ]


def _errors(figures: RspamdFigures) -> list[str]:
    errors = [(run.wrk.connections, "Rspamd", run.errors) for run in figures.runs]
    errors += [(run.wrk.connections, "spamward", run.spamward_errors) for run in figures.runs]
    return [f"ERRORS of {who} at {at} connections: {what}" for at, who, what in errors if what]


def _hyperscan_line(figures: RspamdFigures) -> str:
    if figures.hyperscan_loaded:
        return "Rspamd's regular expressions ran on its compiled Hyperscan database"
    return (
        f"WARNING: Rspamd's Hyperscan database had not loaded {HYPERSCAN_TIMEOUT_S:.0f} s "
        "after start; its regular expressions ran on PCRE"
    )


def _dns_line(figures: RspamdFigures) -> str:
    total = sum(figures.dns_queries.values())
    if not total:
        return "DNS: Rspamd asked the NXDOMAIN resolver nothing from start to stop"
    names = sorted(figures.dns_queries, key=figures.dns_queries.__getitem__, reverse=True)
    return (
        f"DNS: Rspamd asked the NXDOMAIN resolver {total} queries, e.g. "
        f"{', '.join(names[:SHOWN_NAMES])}"
    )

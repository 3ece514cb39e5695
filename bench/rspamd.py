"""Peer comparison: Rspamd scanning the bench corpus's posts as emails, under the same wrk
load as spamward's HTTP section, and spamward's recorded decisions/s as a ratio to it.

Rspamd is Debian's package with its shipped rules, network-facing modules off and a local
resolver answering NXDOMAIN (bench/rspamd_config.py, bench/rspamd_dns.py), run as a child
process on loopback. Its compiled Hyperscan databases are kept in var/ across runs.

`python -m bench.rspamd` runs this part alone, with spamward's HTTP runs for the ratio.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from bench.corpus import Corpus, build_corpus
from bench.httpload import CONNECTIONS, SECONDS, WARMUP_SECONDS, HttpResults, HttpRun, run_http
from bench.rspamd_config import Layout
from bench.rspamd_dns import nxdomain_resolver
from bench.rspamd_email import corpus_emails, write_emails
from bench.rspamd_process import (
    Rspamd,
    is_installed,
    rspamd_version,
    running_rspamd,
    wait_for_hyperscan,
)
from bench.rspamd_report import render_rspamd
from bench.wrk import THREADS, TIMEOUT_SECONDS, WrkRun, parse_wrk, wrk_errors

CACHE = Path(__file__).resolve().parents[1] / "var" / "bench-rspamd-cache"
SCRIPT = Path(__file__).with_name("rspamd.lua")
NOT_INSTALLED = "Rspamd peer comparison skipped: rspamd not installed (`make system`)"


@dataclass(frozen=True, slots=True)
class RspamdRun:
    wrk: WrkRun
    messages_per_s: float  # scans answered with a 2xx
    spamward_recorded_per_s: float  # the HTTP section's run at the same connections
    ratio: float  # spamward's recorded decisions/s over Rspamd's messages/s
    errors: str | None  # what went wrong against Rspamd, None for a clean run
    spamward_errors: str | None  # the same for spamward's run


@dataclass(frozen=True, slots=True)
class RspamdFigures:
    version: str = ""
    runs: list[RspamdRun] = field(default_factory=list)
    actions: dict[str, int] = field(default_factory=dict)  # Rspamd's verdicts on the posts
    hyperscan_loaded: bool = False
    dns_queries: dict[str, int] = field(default_factory=dict)  # by name, from start to stop
    load_average: float = 0.0  # the machine's 1-minute load average as the timing began
    skipped: list[str] = field(default_factory=list)


def run_rspamd(
    corpus: Corpus, progress: Callable[[str], None], spamward: HttpResults
) -> RspamdFigures:
    if not is_installed():
        return RspamdFigures(skipped=[NOT_INSTALLED])
    version = rspamd_version()
    emails = corpus_emails(corpus, datetime.now(UTC))
    with (
        tempfile.TemporaryDirectory(prefix="spamward-bench-rspamd-") as directory,
        nxdomain_resolver() as resolver,
    ):
        workdir = Path(directory)
        emails_file = write_emails(emails, workdir / "emails")
        progress(f"starting {version}")
        with running_rspamd(Layout(workdir / "rspamd", CACHE), resolver.port) as rspamd:
            figures = _measure(rspamd, emails, emails_file, spamward, progress)
        return replace(figures, version=version, dns_queries=dict(resolver.names))


def _measure(
    rspamd: Rspamd,
    emails: list[bytes],
    emails_file: Path,
    spamward: HttpResults,
    progress: Callable[[str], None],
) -> RspamdFigures:
    """Each email scanned once, then wrk at each of spamward's runs' connections."""
    actions = Counter(rspamd.scan(email)["action"] for email in emails)
    hyperscan = wait_for_hyperscan(rspamd)
    load_average = os.getloadavg()[0]
    progress(f"warming Rspamd up for {WARMUP_SECONDS}s")
    run_wrk(rspamd, emails_file, CONNECTIONS[0], WARMUP_SECONDS)
    runs = [_measured_run(rspamd, emails_file, run, progress) for run in spamward.runs]
    return RspamdFigures(
        runs=runs, actions=dict(actions), hyperscan_loaded=hyperscan, load_average=load_average
    )


def run_wrk(rspamd: Rspamd, emails: Path, connections: int, seconds: int) -> WrkRun:
    load = [f"-t{THREADS}", f"-c{connections}", f"-d{seconds}s", f"--timeout={TIMEOUT_SECONDS}s"]
    command = ["wrk", *load, "--latency", "-s", str(SCRIPT), rspamd.url, "--", str(emails)]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return parse_wrk(output, connections)


def _measured_run(
    rspamd: Rspamd, emails: Path, spamward: HttpRun, progress: Callable[[str], None]
) -> RspamdRun:
    connections = spamward.wrk.connections
    progress(f"wrk against Rspamd, {connections} connections, {SECONDS}s")
    run = run_wrk(rspamd, emails, connections, SECONDS)
    scanned_per_s = (run.requests - run.non_2xx) / run.duration_s
    ratio = spamward.recorded_per_s / scanned_per_s if scanned_per_s else 0.0
    return RspamdRun(
        run, scanned_per_s, spamward.recorded_per_s, ratio, wrk_errors(run), spamward.errors
    )


def _alone(progress: Callable[[str], None]) -> None:
    if not is_installed():
        print(NOT_INSTALLED)
        return
    corpus = build_corpus()
    figures = run_rspamd(corpus, progress, run_http(corpus, progress))
    print()
    print(render_rspamd(figures))


if __name__ == "__main__":
    from bench.__main__ import _forget_spamward_settings, _progress

    _forget_spamward_settings()
    _alone(_progress)

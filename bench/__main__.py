"""`python -m bench`: measure, print the report, write bench/results/latest.{json,md}."""

from __future__ import annotations

import os
import statistics
from pathlib import Path

from bench.actions import run_actions
from bench.corpus import Corpus, build_corpus
from bench.dashboard import run_dashboard
from bench.extraction import run_extraction
from bench.fixed_rate import run_fixed_rate
from bench.httpload import run_http
from bench.inprocess import run_inprocess
from bench.machine import describe_machine
from bench.report import CorpusSummary, Results, render_text, write_results
from bench.rspamd import run_rspamd
from bench.scaled import run_scaled
from bench.spam_manager import run_spam_manager

RESULTS = Path(__file__).with_name("results")
KEPT_VARIABLES = {"SPAMWARD_TEST_POSTGRES_URL", "SPAMWARD_TEST_REDIS_URL"}


def main() -> None:
    _forget_spamward_settings()
    machine = describe_machine()
    corpus = build_corpus()
    extraction = run_extraction(_progress)
    inprocess = run_inprocess(corpus, _progress)
    spam_manager = run_spam_manager(corpus, _progress)
    http = run_http(corpus, _progress)
    scaled = run_scaled(corpus, _progress)
    fixed_rate = run_fixed_rate(corpus, _progress)
    rspamd = run_rspamd(corpus, _progress, http)
    actions = run_actions(_progress)
    dashboard = run_dashboard(_progress)
    summary = _summary(corpus, inprocess.blocked_posts)
    results = Results(
        machine, summary, extraction, inprocess, spam_manager, http, actions, dashboard, rspamd,
        scaled, fixed_rate,
    )  # fmt: skip
    print()
    print(render_text(results))
    write_results(results, RESULTS)
    print(f"\nwritten to {RESULTS / 'latest.json'} and {RESULTS / 'latest.md'}")


def _forget_spamward_settings() -> None:
    """The bench names its own databases: settings from the shell must not leak into it."""
    for name in list(os.environ):
        if name.upper().startswith("SPAMWARD_") and name.upper() not in KEPT_VARIABLES:
            del os.environ[name]


def _summary(corpus: Corpus, blocked_posts: int) -> CorpusSummary:
    return CorpusSummary(
        posts=len(corpus.posts),
        mean_length=statistics.mean(map(len, corpus.posts)),
        source_texts=corpus.source_texts,
        deny_list=len(corpus.deny_domains),
        blocked_posts=blocked_posts,
    )


def _progress(step: str) -> None:
    print(f"... {step}", flush=True)


if __name__ == "__main__":
    main()

"""The issue's throughput figures over several runs, as min to max: embedded and scaled recorded
decisions/s (wrk), the fixed-rate p99, and spamward/Rspamd. Each run is the same code as the
matching section of `make bench`; this only repeats them and keeps the spread.

`python -m bench.throughput [RUNS]` (default 3), or `make bench-throughput`.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

from bench.corpus import Corpus, build_corpus
from bench.fixed_rate import run_fixed_rate
from bench.httpload import run_http
from bench.rspamd import run_rspamd
from bench.scaled import run_scaled


@dataclass(frozen=True, slots=True)
class Measured:
    name: str
    target: str
    values: list[float]


def main(runs: int) -> None:
    corpus = build_corpus()
    figures: dict[str, Measured] = {}
    for number in range(1, runs + 1):
        print(f"... run {number} of {runs}", file=sys.stderr, flush=True)
        for name, target, value in _one_run(corpus):
            figures.setdefault(name, Measured(name, target, [])).values.append(value)
    print(f"\nspamward throughput, min to max over {runs} runs\n")
    print("| figure | min | max | runs | target |")
    print("| --- | --- | --- | --- | --- |")
    for measured in figures.values():
        values = measured.values
        shown = ", ".join(map(_number, values))
        print(f"| {measured.name} | {_number(min(values))} | {_number(max(values))} | {shown} "
              f"| {measured.target} |")  # fmt: skip


def _number(value: float) -> str:
    return f"{value:.2f}" if value < 10 else f"{value:,.1f}"


def _quiet(_: str) -> None:
    pass


def _one_run(corpus: Corpus) -> list[tuple[str, str, float]]:
    http = run_http(corpus, _quiet)
    scaled = run_scaled(corpus, _quiet)
    fixed = run_fixed_rate(corpus, _quiet)
    rspamd = run_rspamd(corpus, _quiet, http)
    found = [
        (f"embedded recorded/s, {r.wrk.connections} connections", "≥ 2,500", r.recorded_per_s)
        for r in http.runs
    ]
    found += [
        (f"scaled recorded/s, {r.wrk.connections} connections", "≥ 1,500", r.recorded_per_s)
        for r in scaled.runs
    ]
    found += [(f"fixed rate {r.rate:,.0f}/s: achieved/s", "", r.achieved_per_s) for r in fixed.runs]
    found += [
        (f"fixed rate {r.rate:,.0f}/s: p99 ms", "≤ 20 at 1,000/s", r.latency_p99_ms)
        for r in fixed.runs
    ]
    found += [
        (f"Rspamd msgs/s, {r.wrk.connections} connections", "", r.messages_per_s)
        for r in rspamd.runs
    ]
    found += [
        (f"spamward/Rspamd, {r.wrk.connections} connections", "≥ 1.2", r.ratio) for r in rspamd.runs
    ]
    return found


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)

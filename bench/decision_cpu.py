"""Where a recorded decision's CPU goes: the corpus decided 16 at a time the way the API
server decides (`decide_on_loop` on one event loop: on SQLite judged and committed on the
loop, on PostgreSQL in worker threads), with the CPU time of each step (time.thread_time, so
waiting for the GIL, a lock or the database does not count) summed over the run and divided
by the decisions.

The steps are timed by wrapping the functions that run them, which costs a little itself:
the figures are for comparing steps and changes, `make bench` has the throughput.

`python -m bench.decision_cpu [sqlite|postgres] [DECISIONS]`
"""

from __future__ import annotations

import asyncio
import gc
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import spamward.engine
import spamward.runtime
import spamward.services.decision_store
import spamward.services.decisions
import spamward.storage.repositories.events
from bench.corpus import build_corpus
from bench.databases import postgres_url, seed_deny_list, sqlite_url
from bench.inprocess import _event
from spamward.domain.event import Event
from spamward.runtime import Runtime, build_runtime
from spamward.services.projects import create_project
from spamward.services.signals import LiveSignals
from spamward.settings import Settings
from spamward.storage.migrate import upgrade

AT_ONCE = 16
_COUNTING = threading.Lock()
_STEPS = (
    (spamward.services.decisions, "evaluate", "evaluate"),
    (spamward.engine, "extract", "  extraction"),
    (spamward.engine, "decide_with", "  rules"),
    (LiveSignals, "account", "  account read"),
    (LiveSignals, "entity_counts", "  entity counts read"),
    (LiveSignals, "spam_probability", "  classifier"),
    (LiveSignals, "velocity", "  velocity read"),
    (spamward.services.decisions, "record_of", "the decision's trace"),
    (spamward.runtime, "store_decisions", "recording (the batch's transaction)"),
    (spamward.services.decision_store, "_current_lists", "  lists re-read in the write"),
    (spamward.storage.repositories.events, "_upsert_actors", "  actors"),
    (spamward.storage.repositories.events, "_upsert_entities", "  entities"),
    (spamward.storage.repositories.events, "count_posts", "  window counters"),
)


def main(database: str, decisions: int) -> None:
    corpus = build_corpus()
    events = [_event(corpus, index) for index in range(len(corpus.posts))]
    spent: dict[str, float] = defaultdict(float)
    with _timed_steps(spent), _database(database) as url:
        runtime = build_runtime(Settings(database_url=url))
        try:
            upgrade(runtime.database)
            project_id = create_project(runtime.database, "bench").id
            seed_deny_list(runtime.database, project_id, corpus.deny_domains)
            for event in events:  # warm-up: every post once
                spamward.services.decisions.decide(runtime, project_id, event)
            gc.freeze()  # as the server does once started
            spent.clear()
            started, cpu = time.perf_counter(), time.process_time()
            jobs = [events[n % len(events)] for n in range(decisions)]
            asyncio.run(_decide_all(runtime, project_id, jobs))
            wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        finally:
            runtime.close()
    print(f"decide_on_loop() on {database}, {AT_ONCE} at once: {decisions / wall:,.0f} "
          f"decisions/s, {cpu / decisions * 1e6:,.0f} µs of process CPU per decision")  # fmt: skip
    print("| step | CPU µs per decision |\n| --- | --- |")
    for _, _, name in _STEPS:
        print(f"| {name} | {spent[name] / decisions * 1e6:,.0f} |")


async def _decide_all(runtime: Runtime, project_id: int, events: list[Event]) -> None:
    at_once = asyncio.Semaphore(AT_ONCE)

    async def one(event: Event) -> None:
        async with at_once:
            await spamward.services.decisions.decide_on_loop(runtime, project_id, event)

    await asyncio.gather(*(one(event) for event in events))


@contextmanager
def _database(name: str) -> Iterator[str]:
    if name == "sqlite":
        with sqlite_url() as url:
            yield url
        return
    with postgres_url() as url:
        if url is None:
            raise SystemExit("PostgreSQL is not reachable")
        yield url


@contextmanager
def _timed_steps(spent: dict[str, float]) -> Iterator[None]:
    originals = [(owner, attribute, getattr(owner, attribute)) for owner, attribute, _ in _STEPS]
    for (owner, attribute, name), (_, _, original) in zip(_STEPS, originals, strict=True):
        setattr(owner, attribute, _timed(original, name, spent))
    try:
        yield
    finally:
        for owner, attribute, original in originals:
            setattr(owner, attribute, original)


def _timed(call: Callable[..., Any], name: str, spent: dict[str, float]) -> Callable[..., Any]:
    def timed(*arguments: Any, **keywords: Any) -> Any:
        started = time.thread_time()
        try:
            return call(*arguments, **keywords)
        finally:
            used = time.thread_time() - started
            with _COUNTING:
                spent[name] += used

    return timed


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "sqlite", int(sys.argv[2] if sys.argv[2:] else 2000))

"""In-process decision cost: extraction, the pure engine, and decide() on real databases."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from bench.corpus import REGION, Corpus
from bench.databases import postgres_url, seed_deny_list, sqlite_url
from bench.timing import Timing, time_calls
from spamward.api.schemas import EventIn
from spamward.domain.decision import ListName
from spamward.domain.entity import EntityKind
from spamward.domain.event import Event
from spamward.domain.verdict import Verdict
from spamward.engine import evaluate
from spamward.policy.rules import default_policy
from spamward.runtime import build_runtime
from spamward.services.decisions import decide
from spamward.services.projects import create_project
from spamward.settings import Settings
from spamward.signals.lists import EntityKey
from spamward.storage.migrate import upgrade
from spamward.text.extract import extract

ENGINE_CALLS = 5_000
DECIDE_CALLS = 2_000


@dataclass(frozen=True, slots=True)
class InProcessResults:
    timings: list[Timing]
    blocked_posts: int
    skipped: list[str]


class MemoryLists:
    """A ListReader over a dict: the engine's cost without any storage."""

    def __init__(self, deny_domains: Iterable[str]) -> None:
        self._entries = {(EntityKind.DOMAIN, domain): ListName.DENY for domain in deny_domains}

    def listed(self, keys: Iterable[EntityKey]) -> Mapping[EntityKey, ListName]:
        return {key: self._entries[key] for key in keys if key in self._entries}


def run_inprocess(corpus: Corpus, progress: Callable[[str], None]) -> InProcessResults:
    events = [_event(corpus, index) for index in range(len(corpus.posts))]
    lists = MemoryLists(corpus.deny_domains)
    policy = default_policy()
    blocked = sum(evaluate(e, policy, lists, REGION).verdict is Verdict.BLOCK for e in events)
    progress("extract and evaluate")
    timings = [
        _timed("extract", lambda event: extract(event.content.text, REGION), events),
        _timed("evaluate (in-memory lists)", lambda e: evaluate(e, policy, lists, REGION), events),
    ]
    progress("decide on SQLite")
    with sqlite_url() as url:
        timings.append(_decide_timing("decide (SQLite)", url, corpus, events))
    progress("decide on PostgreSQL")
    with postgres_url() as url:
        if url is None:
            return InProcessResults(timings, blocked, ["decide (PostgreSQL): not reachable"])
        timings.append(_decide_timing("decide (PostgreSQL)", url, corpus, events))
    return InProcessResults(timings, blocked, [])


def _event(corpus: Corpus, index: int) -> Event:
    return EventIn.model_validate(corpus.event_body(index)).to_event(datetime.now(UTC))


def _timed(name: str, call: Callable[[Event], object], events: list[Event]) -> Timing:
    return time_calls(name, call, events, ENGINE_CALLS, warmup=len(events))


def _decide_timing(name: str, url: str, corpus: Corpus, events: list[Event]) -> Timing:
    runtime = build_runtime(Settings(database_url=url))
    try:
        upgrade(runtime.database)
        project_id = create_project(runtime.database, "bench").id
        seed_deny_list(runtime.database, project_id, corpus.deny_domains)

        def decide_one(event: Event) -> object:
            return decide(runtime, project_id, event)

        return time_calls(name, decide_one, events, DECIDE_CALLS, warmup=len(events))
    finally:
        runtime.close()

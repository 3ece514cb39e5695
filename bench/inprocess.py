"""In-process decision cost: extraction, the pure engine, and decide() on real databases."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import yaml

from bench.corpus import REGION, Corpus
from bench.databases import postgres_url, seed_deny_list, sqlite_url
from bench.signals import counter_timings
from bench.timing import Timing, time_calls
from spamward.api.schemas import EventIn
from spamward.domain.decision import ListName
from spamward.domain.entity import Entity, EntityKind
from spamward.domain.event import Event
from spamward.domain.facts import Account
from spamward.domain.verdict import Verdict
from spamward.engine import evaluate
from spamward.model.linear import shipped_model
from spamward.policy.compiled import Policy, compile_policy, parse_document
from spamward.policy.context import build_context
from spamward.policy.defaults import default_policy
from spamward.policy.run import run_policy
from spamward.policy.types import Env
from spamward.runtime import build_runtime
from spamward.services.backtests import replay
from spamward.services.decisions import decide
from spamward.services.projects import create_project, find_project
from spamward.settings import Settings
from spamward.signals.facts import gather_facts
from spamward.signals.lists import EntityKey, list_status
from spamward.signals.velocity import Reading
from spamward.storage.migrate import upgrade
from spamward.storage.repositories.backtests import decisions_since
from spamward.text.extract import extract

POLICY20 = Path(__file__).with_name("policy20.yaml")
ENGINE_CALLS = 5_000
DECIDE_CALLS = 2_000


@dataclass(frozen=True, slots=True)
class InProcessResults:
    timings: list[Timing]
    blocked_posts: int
    skipped: list[str]


class MemorySignals:
    """A SignalReader over dicts: the engine's cost without any storage."""

    def __init__(self, deny_domains: Iterable[str]) -> None:
        self._entries = {(EntityKind.DOMAIN, domain): ListName.DENY for domain in deny_domains}

    def listed(self, keys: Iterable[EntityKey]) -> Mapping[EntityKey, ListName]:
        return {key: self._entries[key] for key in keys if key in self._entries}

    def entity_counts(self, keys: Iterable[EntityKey]) -> Mapping[EntityKey, tuple[int, int]]:
        return dict.fromkeys(keys, (3, 2))

    def account(self, user_id: str) -> Account:
        return Account(events=4, spam_events=1, last_verdict="allow")

    def ip_list(self, ip: str | None) -> str:
        return ""

    def spam_probability(self, text: str) -> float:
        return shipped_model().probability(text)

    def velocity(self, event: Event, entities: tuple[Entity, ...]) -> Reading:
        return Reading({"user_1m": 1, "user_10m": 2, "ip_1m": 1})


def run_inprocess(corpus: Corpus, progress: Callable[[str], None]) -> InProcessResults:
    events = [_event(corpus, index) for index in range(len(corpus.posts))]
    signals = MemorySignals(corpus.deny_domains)
    policy = default_policy()
    blocked = sum(evaluate(e, policy, signals, REGION).verdict is Verdict.BLOCK for e in events)
    progress("extract and evaluate")
    rules20 = twenty_rules()
    contexts = [_context(event, rules20, signals) for event in events]
    timings = [
        _timed("extract", lambda event: extract(event.content.text, REGION), events),
        time_calls(
            "rules: 20 per decision (run_policy)",
            lambda env: run_policy(rules20, env),
            contexts,
            ENGINE_CALLS,
            warmup=len(contexts),
        ),
        _timed(
            "classifier: spam probability per post (shipped model)",
            lambda e: shipped_model().probability(e.content.judged_text()),
            events,
        ),
        time_calls(
            "signals gathered for 20 rules (in-memory, classifier included)",
            lambda item: gather_facts(item[0], item[1], rules20.reads, signals),
            [(e, extract(e.content.judged_text(), REGION)) for e in events],
            ENGINE_CALLS,
            warmup=len(events),
        ),
        _timed(
            "evaluate, default policy (in-memory signals)",
            lambda e: evaluate(e, policy, signals, REGION),
            events,
        ),
        _timed(
            "evaluate, 20 rules (in-memory signals)",
            lambda e: evaluate(e, rules20, signals, REGION),
            events,
        ),
    ]
    progress("velocity counters, in memory and in Redis")
    counted, skipped = counter_timings(events)
    timings += counted
    progress("decide on SQLite, then a backtest of 20 rules over what was recorded")
    with sqlite_url() as url:
        timings += _decide_and_replay_timings(url, corpus, events, rules20)
    progress("decide on PostgreSQL")
    with postgres_url() as url:
        if url is None:
            skipped.append("decide (PostgreSQL): not reachable")
            return InProcessResults(timings, blocked, skipped)
        timings.append(_decide_timing("decide (PostgreSQL)", url, corpus, events))
    return InProcessResults(timings, blocked, skipped)


def twenty_rules() -> Policy:
    document = yaml.safe_load(POLICY20.read_text(encoding="utf-8"))
    return compile_policy(parse_document(document))


def _context(event: Event, policy: Policy, signals: MemorySignals) -> Env:
    """What run_policy reads, built once per post so the rules are timed alone."""
    entities = extract(event.content.judged_text(), REGION)
    listed = list_status(entities, signals)
    return build_context(
        event, entities, listed, gather_facts(event, entities, policy.reads, signals)
    )


def _event(corpus: Corpus, index: int) -> Event:
    return EventIn.model_validate(corpus.event_body(index)).to_event(datetime.now(UTC))


def _timed(name: str, call: Callable[[Event], object], events: list[Event]) -> Timing:
    return time_calls(name, call, events, ENGINE_CALLS, warmup=len(events))


def _decide_and_replay_timings(
    url: str, corpus: Corpus, events: list[Event], rules20: Policy
) -> list[Timing]:
    """decide() on SQLite, then the replay of each recorded decision with 20 rules (what a
    backtest does per event, paging aside)."""
    decided = _decide_timing("decide (SQLite)", url, corpus, events)
    runtime = build_runtime(Settings(database_url=url))
    try:
        project_id = find_project(runtime.database, "bench").id
        with runtime.database.read() as session:
            since = datetime(2000, 1, 1, tzinfo=UTC)
            recorded = decisions_since(session, project_id, since, None, 10**6)
    finally:
        runtime.close()
    replayed = time_calls(
        "backtest replay, 20 rules (per recorded decision)",
        lambda row: replay(rules20, row), recorded, ENGINE_CALLS, warmup=len(recorded),
    )  # fmt: skip
    return [decided, replayed]


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

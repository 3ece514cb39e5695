"""The `evaluate(policy, event)` helper: a policy from plain rule dicts, judged against
signals held in memory (no storage), so a test reads as the rule it checks."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from spamward.domain.decision import Decision, ListName
from spamward.domain.entity import Entity
from spamward.domain.event import Actor, Content, Event, EventType
from spamward.domain.facts import Account, EntityKey
from spamward.engine import evaluate as engine_evaluate
from spamward.policy.compiled import Policy, compile_policy, parse_document
from spamward.signals.velocity import Reading

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


@dataclass
class MemorySignals:
    """A `SignalReader` over dicts; `asked` records each list lookup."""

    lists: dict[EntityKey, ListName] = field(default_factory=dict)
    counts: dict[EntityKey, tuple[int, int]] = field(default_factory=dict)
    statuses: dict[str, str] = field(default_factory=dict)
    accounts: dict[str, Account] = field(default_factory=dict)
    ip_lists: dict[str, str] = field(default_factory=dict)
    spam: float = 0.0  # what the classifier says of every text
    counters: dict[str, int] = field(default_factory=dict)
    entity_counters: dict[EntityKey, dict[str, int]] = field(default_factory=dict)
    degraded: bool = False
    asked: list[set[EntityKey]] = field(default_factory=list)

    def listed(self, keys: Iterable[EntityKey]) -> Mapping[EntityKey, ListName]:
        wanted = set(keys)
        self.asked.append(wanted)
        return {key: name for key, name in self.lists.items() if key in wanted}

    def entity_counts(self, keys: Iterable[EntityKey]) -> Mapping[EntityKey, tuple[int, int]]:
        return {key: self.counts[key] for key in keys if key in self.counts}

    def account(self, user_id: str) -> Account:
        return self.accounts.get(user_id, Account(self.statuses.get(user_id, "active")))

    def ip_list(self, ip: str | None) -> str:
        return self.ip_lists.get(ip or "", "")

    def spam_probability(self, text: str) -> float:
        return self.spam

    def velocity(self, event: Event, entities: tuple[Entity, ...]) -> Reading:
        return Reading(self.counters, self.entity_counters, self.degraded)


def policy(*rules: dict[str, Any], thresholds: dict[str, float] | None = None) -> Policy:
    """A checked, compiled policy; each rule needs at least a name and a condition."""
    document = parse_document({"rules": list(rules), "scoring": {"thresholds": thresholds or {}}})
    return compile_policy(document, version=1)


def rule(name: str, condition: str, verdict: str = "allow", **more: Any) -> dict[str, Any]:
    return {"name": name, "condition": condition, "verdict": verdict, **more}


def post(
    text: str = "hello there",
    *,
    user: str | None = "u1",
    account_age: timedelta | None = None,
    email: str | None = None,
    ip: str | None = None,
    kind: EventType = EventType.POST,
    region: str | None = None,
) -> Event:
    created = NOW - account_age if account_age is not None else None
    actor = Actor(user_id=user, email=email, ip=ip, account_created_at=created)
    return Event(kind, actor, NOW, Content(text), region=region)


def evaluate(judged_by: Policy, event: Event, signals: MemorySignals | None = None) -> Decision:
    return engine_evaluate(event, judged_by, signals or MemorySignals(), "US")

"""A backtest's report: how verdicts change, from what to what, with examples."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from spamward.domain.decision import Decision, Outcome
from spamward.storage.repositories.backtests import Replayed

EXAMPLES_PER_CHANGE = 5


@dataclass
class Tally:
    """What a backtest found, event by event: counts, transitions with examples, hits."""

    events: int = 0
    changed: int = 0
    before: Counter[str] = field(default_factory=Counter)
    after: Counter[str] = field(default_factory=Counter)
    changes: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    hits: Counter[str] = field(default_factory=Counter)
    shadow_hits: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)

    def add(self, row: Replayed, replayed: Decision) -> None:
        recorded, stored, user_id, _ = row
        was, now = recorded.verdict, replayed.verdict.value
        self.events += 1
        self.before[was] += 1
        self.after[now] += 1
        tallies = {
            Outcome.HIT: self.hits,
            Outcome.SHADOW_HIT: self.shadow_hits,
            Outcome.ERROR: self.errors,
        }
        for outcome in replayed.rules:
            if outcome.outcome in tallies:
                tallies[outcome.outcome][outcome.rule] += 1

        if was == now:
            return
        self.changed += 1
        self.counts[(was, now)] += 1
        examples = self.changes.setdefault((was, now), [])
        if len(examples) < EXAMPLES_PER_CHANGE:
            examples.append(
                {
                    "decision_id": str(recorded.id),
                    "user_id": user_id,
                    "text": stored.text[:300],
                    "reasons": list(replayed.reasons),
                }
            )

    def to_json(self) -> dict[str, Any]:
        return {
            "events": self.events,
            "changed": self.changed,
            "verdicts_before": dict(self.before),
            "verdicts_after": dict(self.after),
            "changes": [
                {"from": was, "to": now, "count": count, "examples": self.changes[(was, now)]}
                for (was, now), count in self.counts.most_common()
            ],
            "rule_hits": dict(self.hits.most_common()),
            "shadow_hits": dict(self.shadow_hits.most_common()),
            "rule_errors": dict(self.errors.most_common()),
        }

"""The shadow report: how often each shadow rule would have fired, and what it would have
changed, over the last N days of live decisions."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from spamward.runtime import Runtime
from spamward.storage.repositories import decisions as repo


def shadow_report(runtime: Runtime, project_id: int, days: int) -> dict[str, Any]:
    since = runtime.clock() - timedelta(days=days)
    with runtime.database.read() as session:
        decisions = repo.count_since(session, project_id, since)
        rows = repo.shadow_hit_counts(session, project_id, since)
    by_rule: dict[str, list[tuple[str, str, int]]] = defaultdict(list)
    for rule, verdict, would_be, count in rows:
        by_rule[rule].append((verdict, would_be, count))
    rules = [_summary(rule, found) for rule, found in by_rule.items()]
    rules.sort(key=lambda item: (-item.hits, item.rule))
    return {"days": days, "decisions": decisions, "rules": [r.to_json() for r in rules]}


@dataclass(frozen=True, slots=True)
class _RuleSummary:
    rule: str
    hits: int
    transitions: list[tuple[str, str, int]]  # answered, would have been, count

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "hits": self.hits,
            "changes": sum(count for _, _, count in self.transitions),
            "transitions": [
                {"from": was, "to": would, "count": count} for was, would, count in self.transitions
            ],
        }


def _summary(rule: str, found: list[tuple[str, str, int]]) -> _RuleSummary:
    changed = sorted((row for row in found if row[0] != row[1]), key=lambda row: -row[2])
    return _RuleSummary(rule, sum(count for _, _, count in found), changed)

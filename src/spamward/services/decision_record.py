"""A decision as answered and stored: its record and the JSON that explains it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from spamward.domain.decision import Decision, RuleOutcome
from spamward.domain.entity import EntityKind, group_by_kind


@dataclass(frozen=True, slots=True)
class DecisionRecord:
    """A decision as answered and stored; `id` is None for a judgement never recorded."""

    id: uuid.UUID | None
    event_id: uuid.UUID | None
    created_at: datetime
    verdict: str
    score: float
    trace: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": str(self.id) if self.id else None,
            "event_id": str(self.event_id) if self.event_id else None,
            "verdict": self.verdict,
            "score": self.score,
            **self.trace,
            "created_at": self.created_at.isoformat(),
        }


def record_of(
    decision: Decision, *, decision_id: uuid.UUID | None, event_id: uuid.UUID | None, at: datetime
) -> DecisionRecord:
    return DecisionRecord(
        decision_id,
        event_id,
        at,
        decision.verdict.value,
        decision.score,
        trace_of(decision),
    )


def trace_of(decision: Decision) -> dict[str, Any]:
    """Everything that explains a decision, as JSON: stored as-is, answered as-is."""
    grouped = group_by_kind(decision.entities)
    return {
        "reasons": list(decision.reasons),
        "entities": {
            kind.plural: [
                {
                    "value": entity.value,
                    "display": entity.display,
                    "domain": entity.domain,
                    "list": _list_of(decision, kind, entity.value),
                    "shortener": entity.is_shortener,
                }
                for entity in grouped[kind]
            ]
            for kind in EntityKind
        },
        "rules": [_outcome(outcome) for outcome in decision.rules],
        "effects": [
            {"action": effect.action, "params": effect.params, "rule": effect.rule}
            for effect in decision.effects
        ],
        "challenge": {"kind": decision.challenge} if decision.challenge else None,
        "retry_after_seconds": decision.retry_after_seconds,
        "policy_version": decision.policy_version,
        "signals": decision.signals,
        "duration_us": round(decision.duration_us, 1),
    }


def _outcome(outcome: RuleOutcome) -> dict[str, Any]:
    shown: dict[str, Any] = {
        "rule": outcome.rule,
        "outcome": outcome.outcome.value,
        "verdict": outcome.verdict.value,
        "weight": outcome.weight,
        "reason": outcome.reason,
    }
    if outcome.would_be is not None:
        shown["would_be"] = outcome.would_be.value
    return shown


def _list_of(decision: Decision, kind: EntityKind, value: str) -> str | None:
    listed = decision.list_status.get((kind, value))
    return listed.value if listed else None

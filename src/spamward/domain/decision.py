"""A decision: the verdict with everything that explains it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from spamward.domain.entity import Entity, EntityKind
from spamward.domain.verdict import Verdict


class Outcome(StrEnum):
    HIT = "hit"
    MISS = "miss"
    ERROR = "error"
    SHADOW_HIT = "shadow_hit"


class ListName(StrEnum):
    ALLOW = "allow"
    DENY = "deny"
    IGNORE = "ignore"  # hides an entity from its tab for a while; never blocks


@dataclass(frozen=True, slots=True)
class RuleOutcome:
    rule: str
    outcome: Outcome
    verdict: Verdict
    weight: float
    reason: str
    duration_us: float


@dataclass(frozen=True, slots=True)
class Decision:
    verdict: Verdict
    score: float
    reasons: tuple[str, ...]
    entities: tuple[Entity, ...]
    list_status: dict[tuple[EntityKind, str], ListName]
    rules: tuple[RuleOutcome, ...]
    duration_us: float

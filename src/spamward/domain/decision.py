"""A decision: the verdict with everything that explains it."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NamedTuple

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


class RuleOutcome(NamedTuple):
    """One rule's answer in a decision (a tuple: twenty of them are made per decision)."""

    rule: str
    outcome: Outcome
    verdict: Verdict
    weight: float
    reason: str
    duration_us: float
    would_be: Verdict | None = None  # a shadow hit: the verdict had the rule been active


@dataclass(frozen=True, slots=True)
class EffectRequest:
    """An action a decision asks for, and the rule that asked (workers run it)."""

    action: str
    params: dict[str, Any]
    rule: str


@dataclass(frozen=True, slots=True)
class Decision:
    verdict: Verdict
    score: float
    reasons: tuple[str, ...]
    entities: tuple[Entity, ...]
    list_status: dict[tuple[EntityKind, str], ListName]
    rules: tuple[RuleOutcome, ...]
    duration_us: float
    policy_version: int = 0
    effects: tuple[EffectRequest, ...] = ()
    challenge: str | None = None  # with a challenge verdict: captcha or email_code
    retry_after_seconds: int | None = None  # with a rate_limit verdict
    # What rules read besides the content (account age, velocity, entity counts...), kept
    # with the decision so a backtest replays the same facts.
    signals: dict[str, Any] = field(default_factory=dict)

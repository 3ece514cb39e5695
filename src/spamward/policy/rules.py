"""What a rule is, and the built-in rules.

A rule only answers: hit (with the reason) or miss. It never writes and never acts; the
engine records its outcome and combines verdicts. Rules as data arrive with the policy
language; these built-ins register through the same `Rule` shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from spamward.domain.decision import ListName
from spamward.domain.entity import Entity, EntityKind
from spamward.domain.event import Event
from spamward.domain.verdict import Verdict


@dataclass(frozen=True, slots=True)
class RuleContext:
    """Everything a rule may read about one event (read-only)."""

    event: Event
    entities: tuple[Entity, ...]
    list_status: dict[tuple[EntityKind, str], ListName]


class Rule(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def verdict(self) -> Verdict: ...
    @property
    def weight(self) -> float: ...

    def check(self, context: RuleContext) -> str | None:
        """The reason when the rule hits, None when it misses."""
        ...


@dataclass(frozen=True, slots=True)
class DenyListRule:
    """Blocks content that carries an entity on the project's deny list."""

    name: str = "deny_list"
    verdict: Verdict = Verdict.BLOCK
    weight: float = 1.0

    def check(self, context: RuleContext) -> str | None:
        denied = [
            f"{entity.kind} {entity.display}"
            for entity in context.entities
            if context.list_status.get(entity.key) is ListName.DENY
        ]
        return f"denied {', '.join(denied)}" if denied else None


def default_policy() -> tuple[Rule, ...]:
    return (DenyListRule(),)

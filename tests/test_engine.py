"""engine.evaluate: the one loop, with an in-memory list reader (no storage)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from spamward.domain.decision import ListName, Outcome
from spamward.domain.entity import EntityKind
from spamward.domain.event import Actor, Content, Event, EventType
from spamward.domain.verdict import Verdict
from spamward.engine import evaluate
from spamward.policy.rules import DenyListRule, Rule, RuleContext
from spamward.signals.lists import EmptyLists
from tests.conftest import EXAMPLE_POST

EntityKey = tuple[EntityKind, str]


class DictLists:
    def __init__(self, entries: dict[EntityKey, ListName]) -> None:
        self.entries = entries
        self.asked: list[set[EntityKey]] = []

    def listed(self, keys: Iterable[EntityKey]) -> Mapping[EntityKey, ListName]:
        wanted = set(keys)
        self.asked.append(wanted)
        return {key: name for key, name in self.entries.items() if key in wanted}


@dataclass(frozen=True)
class FixedRule:
    name: str
    verdict: Verdict
    weight: float = 0.5
    hits: bool = True

    def check(self, context: RuleContext) -> str | None:
        return f"{self.name} fired" if self.hits else None


@dataclass(frozen=True)
class BrokenRule:
    name: str = "broken"
    verdict: Verdict = Verdict.BLOCK
    weight: float = 1.0

    def check(self, context: RuleContext) -> str | None:
        raise ZeroDivisionError("boom")


def post(text: str) -> Event:
    return Event(EventType.POST, Actor(user_id="u"), datetime.now(UTC), Content(text))


def test_no_rules_allows() -> None:
    decision = evaluate(post(EXAMPLE_POST), [], EmptyLists(), "US")

    assert decision.verdict is Verdict.ALLOW
    assert decision.score == 0
    assert decision.rules == ()
    assert {e.kind for e in decision.entities} == {
        EntityKind.DOMAIN,
        EntityKind.URL,
        EntityKind.PHONE,
        EntityKind.TEXT,
    }


def test_most_severe_hit_wins_and_weights_add() -> None:
    policy = [
        FixedRule("flagger", Verdict.FLAG, 0.25),
        FixedRule("holder", Verdict.HOLD, 0.5),
        FixedRule("quiet", Verdict.BLOCK, 9.0, hits=False),
    ]

    decision = evaluate(post("hello"), policy, EmptyLists(), "US")

    assert decision.verdict is Verdict.HOLD
    assert decision.score == 0.75
    assert decision.reasons == ("flagger: flagger fired", "holder: holder fired")
    assert [r.outcome for r in decision.rules] == [Outcome.HIT, Outcome.HIT, Outcome.MISS]


def test_a_rule_that_raises_is_recorded_and_the_answer_still_comes() -> None:
    policy: list[Rule] = [BrokenRule(), FixedRule("flagger", Verdict.FLAG)]

    decision = evaluate(post("hello"), policy, EmptyLists(), "US")

    assert decision.verdict is Verdict.FLAG
    broken = decision.rules[0]
    assert broken.outcome is Outcome.ERROR
    assert broken.reason == "ZeroDivisionError: boom"


def test_deny_list_rule_reads_coverage_through_parent_domains() -> None:
    lists = DictLists({(EntityKind.DOMAIN, "bit.ly"): ListName.DENY})

    decision = evaluate(post(EXAMPLE_POST), [DenyListRule()], lists, "US")

    assert decision.verdict is Verdict.BLOCK
    assert decision.list_status == {
        (EntityKind.DOMAIN, "bit.ly"): ListName.DENY,
        (EntityKind.URL, "bit.ly/3iXhvjG"): ListName.DENY,
    }
    assert "domain bit.ly" in decision.reasons[0]
    assert len(lists.asked) == 1  # one lookup per event, whatever the list size


def test_deny_list_rule_misses_without_listed_entities() -> None:
    lists = DictLists({(EntityKind.DOMAIN, "other.com"): ListName.DENY})

    decision = evaluate(post(EXAMPLE_POST), [DenyListRule()], lists, "US")

    assert decision.verdict is Verdict.ALLOW
    assert decision.rules[0].outcome is Outcome.MISS


def test_event_region_overrides_the_default() -> None:
    text = "ring 020 7946 0018 today"

    in_gb = evaluate(
        Event(EventType.POST, Actor(), datetime.now(UTC), Content(text), region="GB"),
        [],
        EmptyLists(),
        "US",
    )

    assert [e.value for e in in_gb.entities] == ["+442079460018"]


def test_verdicts_are_ordered() -> None:
    order = [
        Verdict.ALLOW,
        Verdict.FLAG,
        Verdict.CHALLENGE,
        Verdict.RATE_LIMIT,
        Verdict.HOLD,
        Verdict.BLOCK,
    ]
    assert [v.severity for v in order] == sorted(v.severity for v in order)
    assert Verdict.most_severe([Verdict.FLAG, Verdict.BLOCK, Verdict.HOLD]) is Verdict.BLOCK
    assert Verdict.most_severe([]) is Verdict.ALLOW

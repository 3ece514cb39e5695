"""engine.evaluate: extraction, signals and the policy in one loop, with in-memory signals."""

from __future__ import annotations

from datetime import timedelta

from spamward.domain.decision import ListName, Outcome
from spamward.domain.entity import EntityKind
from spamward.domain.event import EventType
from spamward.domain.verdict import Verdict
from spamward.policy.defaults import default_policy
from tests.conftest import EXAMPLE_POST
from tests.policy_helpers import MemorySignals, evaluate, policy, post, rule

DENY = rule("deny_list", 'any(e.list == "deny" for e in entities)', "block", reason="denied")


def test_no_rules_allows_and_still_extracts() -> None:
    decision = evaluate(policy(), post(EXAMPLE_POST))

    assert decision.verdict is Verdict.ALLOW
    assert decision.score == 0
    assert decision.rules == ()
    assert {e.kind for e in decision.entities} == {
        EntityKind.DOMAIN,
        EntityKind.URL,
        EntityKind.PHONE,
        EntityKind.TEXT,
    }


def test_deny_list_rule_reads_coverage_through_parent_domains() -> None:
    signals = MemorySignals(lists={(EntityKind.DOMAIN, "bit.ly"): ListName.DENY})

    decision = evaluate(policy(DENY), post(EXAMPLE_POST), signals)

    assert decision.verdict is Verdict.BLOCK
    assert decision.list_status == {
        (EntityKind.DOMAIN, "bit.ly"): ListName.DENY,
        (EntityKind.URL, "bit.ly/3iXhvjG"): ListName.DENY,
    }
    assert decision.reasons[0] == "deny_list: denied domain bit.ly, url bit.ly/3iXhvjG"
    assert len(signals.asked) == 1  # one lookup per event, whatever the list size


def test_deny_list_rule_misses_without_listed_entities() -> None:
    signals = MemorySignals(lists={(EntityKind.DOMAIN, "other.com"): ListName.DENY})

    decision = evaluate(policy(DENY), post(EXAMPLE_POST), signals)

    assert decision.verdict is Verdict.ALLOW
    assert decision.rules[0].outcome is Outcome.MISS


def test_default_policy_blocks_denied_content_like_the_skeleton_did() -> None:
    signals = MemorySignals(lists={(EntityKind.DOMAIN, "bit.ly"): ListName.DENY})

    decision = evaluate(default_policy(), post(EXAMPLE_POST), signals)

    assert decision.verdict is Verdict.BLOCK
    assert "deny_list: denied domain bit.ly, url bit.ly/3iXhvjG" in decision.reasons


def test_signals_a_policy_does_not_read_are_not_gathered() -> None:
    signals = MemorySignals(statuses={"u1": "banned"}, counters={"user_1m": 99})

    decision = evaluate(policy(DENY), post("hi"), signals)

    assert decision.signals["actor_status"] == "active"
    assert decision.signals["velocity"] == {}


def test_facts_read_are_kept_with_the_decision() -> None:
    reads_all = rule(
        "all_facts",
        'actor.status == "banned" and velocity.user_1m > 5 and actor.account_age_days < 1',
        "block",
    )
    signals = MemorySignals(statuses={"u1": "banned"}, counters={"user_1m": 9})

    decision = evaluate(policy(reads_all), post(account_age=timedelta(hours=6)), signals)

    assert decision.verdict is Verdict.BLOCK
    assert decision.signals["actor_status"] == "banned"
    assert decision.signals["velocity"] == {"user_1m": 9}
    assert decision.signals["account_age_seconds"] == 6 * 3600


def test_event_region_overrides_the_default() -> None:
    in_gb = evaluate(policy(), post("ring 020 7946 0018 today", region="GB"))

    assert [e.value for e in in_gb.entities] == ["+442079460018"]


def test_event_fields_reach_conditions() -> None:
    signup_only = rule("signup", 'event.type == "signup" and event.link_count == 0', "flag")

    assert evaluate(policy(signup_only), post(kind=EventType.SIGNUP)).verdict is Verdict.FLAG
    assert evaluate(policy(signup_only), post()).verdict is Verdict.ALLOW


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

"""Running a policy: verdict tiers and precedence, score and thresholds, shadow mode, error
isolation, outcomes and reasons, effects, challenge and retry-after."""

from __future__ import annotations

from typing import Any

import pytest

from spamward.domain.decision import Decision, EffectRequest, Outcome, RuleOutcome
from spamward.domain.verdict import Verdict
from spamward.policy.compiled import compile_policy, parse_document
from tests.policy_helpers import evaluate, policy, post, rule

LINKS = "see https://example.com/page and https://other.org/x"
NO_HIT = "false"
ALWAYS = "true"
THRESHOLDS = {"flag": 3, "hold": 6, "block": 10}
BROKEN = "1 / (event.link_count - event.link_count) > 0"


def judge(*rules: dict[str, Any], text: str = "hello there", **more: Any) -> Decision:
    return evaluate(policy(*rules, **more), post(text))


def outcome_of(decision: Decision, name: str) -> RuleOutcome:
    return next(o for o in decision.rules if o.rule == name)


# Verdict tiers and precedence


@pytest.mark.parametrize("verdict", list(Verdict))
def test_a_single_hit_gives_its_verdict(verdict: Verdict) -> None:
    decision = judge(rule("only", ALWAYS, verdict.value))

    assert decision.verdict is verdict
    assert decision.rules[0].outcome is Outcome.HIT


def test_no_hit_allows() -> None:
    decision = judge(rule("never", NO_HIT, "block"))

    assert decision.verdict is Verdict.ALLOW
    assert decision.rules[0].outcome is Outcome.MISS
    assert decision.reasons == ()


@pytest.mark.parametrize(
    ("block_priority", "flag_priority"), [(1, 2), (2, 1), (5, 5)], ids=["first", "last", "tie"]
)
def test_the_most_severe_hit_wins_whatever_the_order(
    block_priority: int, flag_priority: int
) -> None:
    decision = judge(
        rule("a_flag", ALWAYS, "flag", priority=flag_priority),
        rule("b_block", ALWAYS, "block", priority=block_priority),
        rule("c_hold", ALWAYS, "hold", priority=3),
    )

    assert decision.verdict is Verdict.BLOCK


def test_challenge_beats_flag_and_rate_limit_beats_challenge() -> None:
    flag_and_challenge = judge(rule("f", ALWAYS, "flag"), rule("c", ALWAYS, "challenge"))
    with_rate_limit = judge(
        rule("f", ALWAYS, "flag"), rule("c", ALWAYS, "challenge"), rule("r", ALWAYS, "rate_limit")
    )

    assert flag_and_challenge.verdict is Verdict.CHALLENGE
    assert with_rate_limit.verdict is Verdict.RATE_LIMIT


def test_a_missed_rule_does_not_count() -> None:
    decision = judge(rule("blocks", NO_HIT, "block"), rule("flags", ALWAYS, "flag"))

    assert decision.verdict is Verdict.FLAG


# Score and thresholds


def test_weights_of_hits_add_up() -> None:
    decision = judge(
        rule("one", ALWAYS, weight=1), rule("two", ALWAYS, weight=2.5), rule("no", NO_HIT, weight=9)
    )

    assert decision.score == 3.5


def test_negative_weights_lower_the_score() -> None:
    decision = judge(rule("up", ALWAYS, weight=4), rule("down", ALWAYS, weight=-6))

    assert decision.score == -2
    assert decision.verdict is Verdict.ALLOW


def test_fractional_weights_sum_without_float_noise() -> None:
    decision = judge(
        *(rule(f"r{i}", ALWAYS, weight=0.1) for i in range(3)), thresholds={"flag": 0.3}
    )

    assert decision.score == 0.3
    assert decision.verdict is Verdict.FLAG


@pytest.mark.parametrize(
    ("weight", "verdict"),
    [
        (0, Verdict.ALLOW),
        (2.9, Verdict.ALLOW),
        (3, Verdict.FLAG),
        (5.9, Verdict.FLAG),
        (6, Verdict.HOLD),
        (9.99, Verdict.HOLD),
        (10, Verdict.BLOCK),
        (500, Verdict.BLOCK),
    ],
)
def test_thresholds_map_the_score_to_a_verdict(weight: float, verdict: Verdict) -> None:
    decision = judge(rule("weighs", ALWAYS, weight=weight), thresholds=THRESHOLDS)

    assert decision.score == weight
    assert decision.verdict is verdict


def test_weights_of_several_rules_cross_a_threshold_together() -> None:
    decision = judge(
        rule("a", ALWAYS, weight=2),
        rule("b", ALWAYS, weight=2),
        rule("c", ALWAYS, weight=2),
        thresholds=THRESHOLDS,
    )

    assert decision.score == 6
    assert decision.verdict is Verdict.HOLD


def test_the_score_verdict_wins_over_a_milder_rule_verdict() -> None:
    decision = judge(rule("flags", ALWAYS, "flag", weight=10), thresholds=THRESHOLDS)

    assert decision.verdict is Verdict.BLOCK


def test_a_more_severe_rule_verdict_wins_over_the_score_verdict() -> None:
    decision = judge(rule("blocks", ALWAYS, "block", weight=3), thresholds=THRESHOLDS)

    assert decision.verdict is Verdict.BLOCK
    assert "score 3 reaches the flag threshold" in decision.reasons


def test_the_score_reason_names_the_threshold_reached() -> None:
    decision = judge(rule("heavy", ALWAYS, weight=6.5, reason="heavy"), thresholds=THRESHOLDS)

    assert decision.reasons == ("heavy: heavy", "score 6.5 reaches the hold threshold")


def test_no_score_reason_below_every_threshold() -> None:
    decision = judge(rule("light", ALWAYS, weight=2), thresholds=THRESHOLDS)

    assert decision.reasons == ("light: light",)


def test_an_allow_rule_only_adds_weight() -> None:
    alone = judge(rule("allows", ALWAYS, "allow", weight=2), thresholds=THRESHOLDS)
    with_flag = judge(
        rule("allows", ALWAYS, "allow", weight=-1), rule("flags", ALWAYS, "flag", weight=0)
    )

    assert alone.verdict is Verdict.ALLOW
    assert alone.score == 2
    assert with_flag.verdict is Verdict.FLAG  # allow never overrides another verdict
    assert with_flag.score == -1


def test_an_allow_rule_with_enough_weight_crosses_a_threshold() -> None:
    decision = judge(rule("allows", ALWAYS, "allow", weight=3), thresholds=THRESHOLDS)

    assert decision.verdict is Verdict.FLAG


def test_a_negative_weight_can_keep_the_score_below_a_threshold() -> None:
    decision = judge(
        rule("risky", ALWAYS, weight=4), rule("trusted", ALWAYS, weight=-2), thresholds=THRESHOLDS
    )

    assert decision.score == 2
    assert decision.verdict is Verdict.ALLOW


# Shadow mode


def test_a_shadow_hit_is_recorded_and_changes_nothing() -> None:
    active = rule("active", ALWAYS, "flag", weight=1, effects=[{"action": "flag_content"}])
    shadow = rule(
        "watched",
        ALWAYS,
        "block",
        weight=20,
        mode="shadow",
        effects=[{"action": "ban_user"}],
    )

    without = judge(active, thresholds=THRESHOLDS)
    with_shadow = judge(active, shadow, thresholds=THRESHOLDS)

    assert outcome_of(with_shadow, "watched").outcome is Outcome.SHADOW_HIT
    assert with_shadow.verdict is without.verdict is Verdict.FLAG
    assert with_shadow.score == without.score == 1
    assert with_shadow.reasons == without.reasons
    assert with_shadow.effects == without.effects


def test_a_shadow_hit_would_be_its_verdict() -> None:
    decision = judge(rule("watched", ALWAYS, "hold", mode="shadow"))

    watched = outcome_of(decision, "watched")
    assert watched.would_be is Verdict.HOLD
    assert decision.verdict is Verdict.ALLOW


def test_a_shadow_hit_would_be_the_more_severe_actual_verdict() -> None:
    decision = judge(
        rule("blocks", ALWAYS, "block"), rule("watched", ALWAYS, "flag", mode="shadow")
    )

    assert outcome_of(decision, "watched").would_be is Verdict.BLOCK


def test_a_shadow_hit_weight_counts_against_the_thresholds() -> None:
    decision = judge(
        rule("active", ALWAYS, weight=4),
        rule("watched", ALWAYS, weight=3, mode="shadow"),
        thresholds=THRESHOLDS,
    )

    assert decision.verdict is Verdict.FLAG
    assert decision.score == 4
    assert outcome_of(decision, "watched").would_be is Verdict.HOLD


def test_a_shadow_allow_rule_with_weight_would_cross_a_threshold() -> None:
    decision = judge(
        rule("watched", ALWAYS, "allow", weight=3, mode="shadow"), thresholds=THRESHOLDS
    )

    assert decision.verdict is Verdict.ALLOW
    assert outcome_of(decision, "watched").would_be is Verdict.FLAG


def test_a_shadow_negative_weight_would_lower_the_verdict() -> None:
    decision = judge(
        rule("risky", ALWAYS, weight=3),
        rule("trusted", ALWAYS, weight=-3, mode="shadow"),
        thresholds=THRESHOLDS,
    )

    assert decision.verdict is Verdict.FLAG
    assert outcome_of(decision, "trusted").would_be is Verdict.ALLOW


def test_each_shadow_hit_is_judged_on_its_own() -> None:
    decision = judge(
        rule("first", ALWAYS, weight=3, mode="shadow"),
        rule("second", ALWAYS, weight=3, mode="shadow"),
        thresholds=THRESHOLDS,
    )

    assert outcome_of(decision, "first").would_be is Verdict.FLAG
    assert outcome_of(decision, "second").would_be is Verdict.FLAG


def test_a_shadow_miss_is_a_plain_miss() -> None:
    decision = judge(rule("watched", NO_HIT, "block", mode="shadow"))

    watched = outcome_of(decision, "watched")
    assert watched.outcome is Outcome.MISS
    assert watched.would_be is None


def test_an_active_hit_has_no_would_be() -> None:
    decision = judge(rule("blocks", ALWAYS, "block"))

    assert decision.rules[0].would_be is None


def test_disabled_rules_are_neither_run_nor_listed() -> None:
    decision = judge(
        rule("off", ALWAYS, "block", weight=50, mode="disabled"),
        rule("broken_off", BROKEN, "block", mode="disabled"),
        rule("on", ALWAYS, "flag"),
        thresholds=THRESHOLDS,
    )

    assert [o.rule for o in decision.rules] == ["on"]
    assert decision.verdict is Verdict.FLAG
    assert decision.score == 0


# Error isolation


def test_a_rule_that_raises_is_recorded_as_an_error() -> None:
    decision = judge(rule("broken", BROKEN, "block"))

    broken = decision.rules[0]
    assert broken.outcome is Outcome.ERROR
    assert "ZeroDivisionError" in broken.reason
    assert "division by zero" in broken.reason
    assert decision.verdict is Verdict.ALLOW


def test_other_rules_still_decide_when_one_raises() -> None:
    decision = judge(
        rule("first", ALWAYS, "flag", priority=1, weight=1),
        rule("broken", BROKEN, "block", priority=2, weight=100),
        rule("last", ALWAYS, "hold", priority=3, weight=1),
        thresholds=THRESHOLDS,
    )

    assert [o.outcome for o in decision.rules] == [Outcome.HIT, Outcome.ERROR, Outcome.HIT]
    assert decision.verdict is Verdict.HOLD
    assert decision.score == 2
    assert not any(reason.startswith("broken") for reason in decision.reasons)


def test_a_shadow_rule_that_raises_is_an_error_without_would_be() -> None:
    decision = judge(rule("broken", BROKEN, "block", mode="shadow"))

    assert decision.rules[0].outcome is Outcome.ERROR
    assert decision.rules[0].would_be is None


def test_an_erroring_rule_asks_for_no_effects() -> None:
    decision = judge(rule("broken", BROKEN, "block", effects=[{"action": "ban_user"}]))

    assert decision.effects == ()


# Outcomes and reasons


def test_every_rule_is_listed_in_priority_order_then_by_name() -> None:
    decision = judge(
        rule("zeta", NO_HIT, priority=5),
        rule("beta", ALWAYS, priority=50),
        rule("alpha", ALWAYS, priority=50),
        rule("gamma", BROKEN, priority=1),
        rule("delta", ALWAYS, mode="shadow", priority=100),
        rule("omega", NO_HIT),  # the default priority, 100
    )

    assert [o.rule for o in decision.rules] == ["gamma", "zeta", "alpha", "beta", "delta", "omega"]
    assert [o.outcome for o in decision.rules] == [
        Outcome.ERROR,
        Outcome.MISS,
        Outcome.HIT,
        Outcome.HIT,
        Outcome.SHADOW_HIT,
        Outcome.MISS,
    ]


def test_an_outcome_carries_the_rule_verdict_and_weight() -> None:
    decision = judge(rule("flags", ALWAYS, "flag", weight=1.5))

    assert decision.rules[0].verdict is Verdict.FLAG
    assert decision.rules[0].weight == 1.5
    assert decision.rules[0].duration_us >= 0


def test_reasons_list_hits_in_priority_order() -> None:
    decision = judge(
        rule("second", ALWAYS, reason="two", priority=2),
        rule("first", ALWAYS, reason="one", priority=1),
        rule("missed", NO_HIT, reason="never"),
    )

    assert decision.reasons == ("first: one", "second: two")


def test_the_reason_is_the_rule_reason_first() -> None:
    decision = judge(rule("named", ALWAYS, reason="the reason", description="the description"))

    assert decision.rules[0].reason == "the reason"
    assert decision.reasons == ("named: the reason",)


def test_without_a_reason_the_description_explains() -> None:
    decision = judge(rule("named", ALWAYS, description="the description"))

    assert decision.rules[0].reason == "the description"


def test_without_reason_or_description_the_name_explains() -> None:
    decision = judge(rule("named", ALWAYS))

    assert decision.rules[0].reason == "named"
    assert decision.reasons == ("named: named",)


def test_a_shadow_hit_carries_its_reason() -> None:
    decision = judge(rule("watched", ALWAYS, reason="would flag", mode="shadow"))

    assert decision.rules[0].reason == "would flag"


def test_any_over_entities_names_the_matched_entities() -> None:
    urls = rule("urls", 'any(e.kind == "url" for e in entities)', reason="links")

    decision = judge(urls, text=LINKS)

    assert decision.rules[0].reason == "links url example.com/page, url other.org/x"


def test_all_over_entities_names_the_matched_entities() -> None:
    linked = rule("linked", 'all(e.domain != "" for e in entities)', reason="all linked")

    decision = judge(linked, text="see https://example.com/page")

    assert decision.rules[0].reason == "all linked domain example.com, url example.com/page"


def test_count_over_entities_names_the_matched_entities() -> None:
    domains = rule("domains", 'count(e.kind == "domain" for e in entities) >= 2', reason="domains")

    decision = judge(domains, text=LINKS)

    assert decision.rules[0].reason == "domains domain example.com, domain other.org"


def test_an_entity_matched_twice_is_named_once() -> None:
    twice = rule(
        "twice",
        'any(e.kind == "url" for e in entities) and count(e.domain == "example.com" '
        "for e in entities) >= 1",
        reason="seen",
    )

    decision = judge(twice, text="see https://example.com/page")

    assert decision.rules[0].reason == "seen url example.com/page, domain example.com"


def test_a_condition_without_entities_has_a_bare_reason() -> None:
    decision = judge(rule("linky", "event.link_count >= 2", reason="links"), text=LINKS)

    assert decision.rules[0].reason == "links"


def test_a_missed_rule_has_no_reason() -> None:
    decision = judge(rule("missed", NO_HIT, reason="never"))

    assert decision.rules[0].reason == ""


# Effects


def test_effects_are_the_union_of_active_hits() -> None:
    decision = judge(
        rule("a", ALWAYS, "hold", priority=1, effects=[{"action": "hold_content"}]),
        rule("b", ALWAYS, "flag", priority=2, effects=[{"action": "notify_admins"}]),
        rule("c", NO_HIT, "block", priority=3, effects=[{"action": "ban_user"}]),
    )

    assert decision.effects == (
        EffectRequest("hold_content", {}, "a"),
        EffectRequest("notify_admins", {}, "b"),
    )


def test_a_repeated_effect_is_kept_once_credited_to_the_first_rule() -> None:
    notify = {"action": "deny_entity", "params": {"probation_days": 3, "max_users": 5}}
    reordered = {"action": "deny_entity", "params": {"max_users": 5, "probation_days": 3}}

    decision = judge(
        rule("late", ALWAYS, priority=9, effects=[reordered]),
        rule("early", ALWAYS, priority=1, effects=[notify]),
    )

    assert decision.effects == (
        EffectRequest("deny_entity", {"probation_days": 3, "max_users": 5}, "early"),
    )


def test_the_same_action_with_other_params_is_a_separate_effect() -> None:
    decision = judge(
        rule("a", ALWAYS, priority=1, effects=[{"action": "escalate", "params": {"reason": "x"}}]),
        rule("b", ALWAYS, priority=2, effects=[{"action": "escalate", "params": {"reason": "y"}}]),
    )

    assert decision.effects == (
        EffectRequest("escalate", {"reason": "x"}, "a"),
        EffectRequest("escalate", {"reason": "y"}, "b"),
    )


def test_shadow_hits_ask_for_no_effects() -> None:
    decision = judge(
        rule("watched", ALWAYS, "block", mode="shadow", effects=[{"action": "ban_user"}]),
    )

    assert decision.effects == ()


def test_missed_rules_ask_for_no_effects() -> None:
    decision = judge(rule("missed", NO_HIT, "block", effects=[{"action": "ban_user"}]))

    assert decision.effects == ()


# Challenge and retry-after


def test_a_challenge_is_a_captcha_by_default() -> None:
    decision = judge(rule("checks", ALWAYS, "challenge"))

    assert decision.verdict is Verdict.CHALLENGE
    assert decision.challenge == "captcha"


def test_a_challenge_rule_may_ask_for_an_email_code() -> None:
    decision = judge(rule("checks", ALWAYS, "challenge", challenge="email_code"))

    assert decision.challenge == "email_code"


def test_a_challenge_reached_by_score_is_a_captcha() -> None:
    decision = judge(rule("weighs", ALWAYS, weight=4), thresholds={"challenge": 4})

    assert decision.verdict is Verdict.CHALLENGE
    assert decision.challenge == "captcha"


def test_no_challenge_when_a_more_severe_verdict_wins() -> None:
    decision = judge(
        rule("checks", ALWAYS, "challenge", challenge="email_code"), rule("blocks", ALWAYS, "block")
    )

    assert decision.verdict is Verdict.BLOCK
    assert decision.challenge is None


@pytest.mark.parametrize("verdict", ["allow", "flag", "rate_limit", "hold", "block"])
def test_no_challenge_without_a_challenge_verdict(verdict: str) -> None:
    assert judge(rule("only", ALWAYS, verdict)).challenge is None


def test_a_shadow_challenge_asks_for_no_challenge() -> None:
    decision = judge(rule("checks", ALWAYS, "challenge", challenge="email_code", mode="shadow"))

    assert decision.challenge is None


def test_rate_limit_retries_after_60_seconds_by_default() -> None:
    decision = judge(rule("slows", ALWAYS, "rate_limit"))

    assert decision.verdict is Verdict.RATE_LIMIT
    assert decision.retry_after_seconds == 60


def test_rate_limit_retries_after_the_longest_asked() -> None:
    decision = judge(
        rule("short", ALWAYS, "rate_limit", retry_after_seconds=90),
        rule("long", ALWAYS, "rate_limit", retry_after_seconds=300),
        rule("missed", NO_HIT, "rate_limit", retry_after_seconds=3600),
    )

    assert decision.retry_after_seconds == 300


def test_a_rate_limit_reached_by_score_retries_after_60_seconds() -> None:
    decision = judge(rule("weighs", ALWAYS, weight=5), thresholds={"rate_limit": 5})

    assert decision.verdict is Verdict.RATE_LIMIT
    assert decision.retry_after_seconds == 60


def test_no_retry_after_when_a_more_severe_verdict_wins() -> None:
    decision = judge(
        rule("slows", ALWAYS, "rate_limit", retry_after_seconds=120), rule("holds", ALWAYS, "hold")
    )

    assert decision.verdict is Verdict.HOLD
    assert decision.retry_after_seconds is None


@pytest.mark.parametrize("verdict", ["allow", "flag", "challenge", "hold", "block"])
def test_no_retry_after_without_a_rate_limit_verdict(verdict: str) -> None:
    assert judge(rule("only", ALWAYS, verdict)).retry_after_seconds is None


# Version


def test_the_decision_carries_the_policy_version() -> None:
    document = parse_document({"rules": [rule("flags", ALWAYS, "flag")]})

    decision = evaluate(compile_policy(document, version=7), post())

    assert decision.policy_version == 7


def test_a_draft_policy_is_version_0() -> None:
    decision = evaluate(compile_policy(parse_document({})), post())

    assert decision.policy_version == 0


def test_a_true_condition_stays_a_hit_when_explaining_it_fails() -> None:
    short_circuits = 'any(e.kind == "domain" or 1 / e.posts > 0 for e in entities)'

    decision = judge(rule("found", short_circuits, "flag"), text="see https://example.com/page")

    assert decision.rules[0].outcome is Outcome.HIT
    assert decision.verdict is Verdict.FLAG

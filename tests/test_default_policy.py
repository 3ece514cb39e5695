"""The shipped default policy, rule by rule, against signals held in memory."""

from __future__ import annotations

from datetime import timedelta

import pytest

from spamward.domain.decision import Decision, ListName, Outcome, RuleOutcome
from spamward.domain.entity import EntityKind
from spamward.domain.event import Event
from spamward.domain.facts import Account
from spamward.domain.verdict import Verdict
from spamward.policy.compiled import parse_document
from spamward.policy.defaults import default_document, default_policy
from spamward.policy.document import Mode
from tests.policy_helpers import MemorySignals, evaluate, post

LINK = "have a look at https://example.com/page"
SHORT_LINK = "have a look at https://bit.ly/abc"
FIVE_LINKS = " ".join(f"see https://site{n}.com/page" for n in range(5))
LONG_TEXT = "Hello everyone, I would like to share the same message with the whole forum today."
NEW = timedelta(hours=1)
OLD = timedelta(days=30)


def judge(event: Event, signals: MemorySignals | None = None) -> Decision:
    return evaluate(default_policy(), event, signals or MemorySignals())


def outcome_of(decision: Decision, name: str) -> RuleOutcome:
    return next(o for o in decision.rules if o.rule == name)


def hits(decision: Decision) -> set[str]:
    return {o.rule for o in decision.rules if o.outcome is Outcome.HIT}


# The document


def test_every_default_rule_is_described() -> None:
    for rule in default_document().rules:
        assert rule.description.strip(), rule.name


def test_the_default_document_round_trips_through_dump() -> None:
    document = default_document()

    assert parse_document(document.dump()) == document


def test_the_default_thresholds() -> None:
    thresholds = default_document().scoring.thresholds

    assert thresholds == {Verdict.FLAG: 3, Verdict.HOLD: 6, Verdict.BLOCK: 10}


def test_duplicate_text_and_the_classifier_tiers_ship_in_shadow_mode() -> None:
    modes = {rule.name: rule.mode for rule in default_document().rules}

    for shadow in (
        "duplicate_text_many_users",
        "classifier_spam_likely",
        "classifier_spam_certain",
    ):
        assert modes.pop(shadow) is Mode.SHADOW
    assert set(modes.values()) == {Mode.ACTIVE}


def test_a_plain_post_is_allowed_with_every_rule_missing() -> None:
    decision = judge(post("hello there", account_age=OLD))

    assert decision.verdict is Verdict.ALLOW
    assert decision.score == 0
    assert {o.outcome for o in decision.rules} == {Outcome.MISS}
    assert len(decision.rules) == len(default_document().rules)


# deny_list


def test_deny_list_blocks_a_denied_url() -> None:
    signals = MemorySignals(lists={(EntityKind.URL, "example.com/page"): ListName.DENY})

    decision = judge(post(LINK, account_age=OLD), signals)

    assert decision.verdict is Verdict.BLOCK
    assert decision.reasons[0] == "deny_list: denied url example.com/page"


def test_a_denied_domain_covers_its_urls() -> None:
    signals = MemorySignals(lists={(EntityKind.DOMAIN, "example.com"): ListName.DENY})

    decision = judge(post(LINK, account_age=OLD), signals)

    assert decision.verdict is Verdict.BLOCK
    assert decision.reasons[0] == "deny_list: denied domain example.com, url example.com/page"


def test_a_denied_parent_domain_covers_a_subdomain() -> None:
    signals = MemorySignals(lists={(EntityKind.DOMAIN, "example.com"): ListName.DENY})

    decision = judge(post("see https://shop.example.com/deal", account_age=OLD), signals)

    assert decision.verdict is Verdict.BLOCK


def test_deny_list_weight_alone_reaches_block() -> None:
    signals = MemorySignals(lists={(EntityKind.DOMAIN, "example.com"): ListName.DENY})

    decision = judge(post(LINK, account_age=OLD), signals)

    assert decision.score == 10
    assert "score 10 reaches the block threshold" in decision.reasons


def test_deny_list_misses_entities_on_no_list() -> None:
    signals = MemorySignals(lists={(EntityKind.DOMAIN, "other.com"): ListName.DENY})

    decision = judge(post(LINK, account_age=OLD), signals)

    assert outcome_of(decision, "deny_list").outcome is Outcome.MISS
    assert decision.verdict is Verdict.ALLOW


# allowed_entity


def test_an_allowed_entity_lowers_the_score() -> None:
    signals = MemorySignals(lists={(EntityKind.DOMAIN, "bit.ly"): ListName.ALLOW})

    decision = judge(post(SHORT_LINK, account_age=OLD), signals)

    assert hits(decision) == {"allowed_entity", "shortened_link"}
    assert decision.score == -1  # shortener 2, allowed -3
    assert decision.verdict is Verdict.ALLOW


def test_an_allowed_entity_does_not_outweigh_a_denied_one() -> None:
    signals = MemorySignals(
        lists={
            (EntityKind.DOMAIN, "example.com"): ListName.ALLOW,
            (EntityKind.DOMAIN, "bad.org"): ListName.DENY,
        }
    )

    decision = judge(post(f"{LINK} and https://bad.org/x", account_age=OLD), signals)

    assert outcome_of(decision, "allowed_entity").outcome is Outcome.MISS
    assert decision.verdict is Verdict.BLOCK


def test_an_allowed_entity_alone_allows() -> None:
    signals = MemorySignals(lists={(EntityKind.DOMAIN, "example.com"): ListName.ALLOW})

    decision = judge(post(LINK, account_age=OLD), signals)

    assert outcome_of(decision, "allowed_entity").outcome is Outcome.HIT
    assert decision.verdict is Verdict.ALLOW
    assert decision.score == -3


def test_an_allowed_entity_does_not_lift_a_ban() -> None:
    signals = MemorySignals(
        lists={(EntityKind.DOMAIN, "example.com"): ListName.ALLOW}, statuses={"u1": "banned"}
    )

    decision = judge(post(LINK, account_age=OLD), signals)

    assert decision.verdict is Verdict.BLOCK


# banned_user, quarantined_user


def test_a_banned_user_is_blocked() -> None:
    decision = judge(post("hello there"), MemorySignals(statuses={"u1": "banned"}))

    assert decision.verdict is Verdict.BLOCK
    assert "banned_user: the account is banned" in decision.reasons


def test_a_quarantined_user_is_held() -> None:
    decision = judge(post("hello there"), MemorySignals(statuses={"u1": "quarantined"}))

    assert decision.verdict is Verdict.HOLD
    assert "quarantined_user: the account is quarantined" in decision.reasons


def test_a_suspended_user_is_blocked() -> None:
    decision = judge(post("hello there"), MemorySignals(statuses={"u1": "suspended"}))

    assert decision.verdict is Verdict.BLOCK
    assert "suspended_user: the account is suspended" in decision.reasons


def test_a_rate_limited_user_gets_a_retry_after() -> None:
    limited = MemorySignals(accounts={"u1": Account(rate_limited=True)})

    decision = judge(post("hello there"), limited)

    assert decision.verdict is Verdict.RATE_LIMIT
    assert decision.retry_after_seconds == 300
    assert "rate_limited_user: the account is rate-limited" in decision.reasons


@pytest.mark.parametrize("status", ["active", "flagged"])
def test_other_statuses_are_neither_blocked_nor_held(status: str) -> None:
    decision = judge(post("hello there"), MemorySignals(statuses={"u1": status}))

    assert decision.verdict is Verdict.ALLOW


def test_the_status_of_another_user_does_not_count() -> None:
    decision = judge(post("hello there", user="u2"), MemorySignals(statuses={"u1": "banned"}))

    assert decision.verdict is Verdict.ALLOW


# user_velocity


@pytest.mark.parametrize("counters", [{"user_1m": 20}, {"ip_1m": 60}, {"user_1m": 99}])
def test_a_fast_user_or_ip_is_rate_limited(counters: dict[str, int]) -> None:
    decision = judge(post("hello there"), MemorySignals(counters=counters))

    assert decision.verdict is Verdict.RATE_LIMIT
    assert decision.retry_after_seconds == 60
    assert "user_velocity: too many actions in a minute" in decision.reasons


@pytest.mark.parametrize(
    "counters", [{"user_1m": 19}, {"ip_1m": 59}, {"user_1m": 19, "ip_1m": 59}, {"user_1h": 500}]
)
def test_a_slower_user_is_not_rate_limited(counters: dict[str, int]) -> None:
    decision = judge(post("hello there"), MemorySignals(counters=counters))

    assert outcome_of(decision, "user_velocity").outcome is Outcome.MISS
    assert decision.retry_after_seconds is None


# new_account_link_burst


def test_a_new_account_posting_links_in_a_burst_is_challenged() -> None:
    decision = judge(post(LINK, account_age=NEW), MemorySignals(counters={"user_10m": 2}))

    assert decision.verdict is Verdict.CHALLENGE
    assert decision.challenge == "captcha"
    assert outcome_of(decision, "new_account_link_burst").outcome is Outcome.HIT
    assert decision.score == 3  # burst 2, new account links 1


def test_a_new_account_without_links_is_not_challenged() -> None:
    decision = judge(post("hello there", account_age=NEW), MemorySignals(counters={"user_10m": 5}))

    assert outcome_of(decision, "new_account_link_burst").outcome is Outcome.MISS
    assert decision.verdict is Verdict.ALLOW


def test_an_old_account_with_links_in_a_burst_is_not_challenged() -> None:
    decision = judge(post(LINK, account_age=OLD), MemorySignals(counters={"user_10m": 5}))

    assert outcome_of(decision, "new_account_link_burst").outcome is Outcome.MISS
    assert decision.verdict is Verdict.ALLOW


def test_a_day_old_account_is_no_longer_new() -> None:
    decision = judge(
        post(LINK, account_age=timedelta(days=1)), MemorySignals(counters={"user_10m": 5})
    )

    assert outcome_of(decision, "new_account_link_burst").outcome is Outcome.MISS
    assert outcome_of(decision, "new_account_links").outcome is Outcome.MISS


def test_a_new_account_posting_links_slowly_is_not_challenged() -> None:
    decision = judge(post(LINK, account_age=NEW), MemorySignals(counters={"user_10m": 1}))

    assert outcome_of(decision, "new_account_link_burst").outcome is Outcome.MISS
    assert outcome_of(decision, "new_account_links").outcome is Outcome.HIT
    assert decision.verdict is Verdict.ALLOW


def test_an_unknown_account_age_misses_the_new_account_rules() -> None:
    decision = judge(post(LINK, account_age=None), MemorySignals(counters={"user_10m": 5}))

    assert outcome_of(decision, "new_account_link_burst").outcome is Outcome.MISS
    assert outcome_of(decision, "new_account_links").outcome is Outcome.MISS
    assert decision.verdict is Verdict.ALLOW


# Weights: shortened_link, many_links, new_account_links


def test_a_shortened_link_alone_stays_below_flag() -> None:
    decision = judge(post(SHORT_LINK, account_age=OLD))

    assert hits(decision) == {"shortened_link"}
    assert decision.score == 2
    assert decision.verdict is Verdict.ALLOW


def test_many_links_alone_stay_below_flag() -> None:
    decision = judge(post(FIVE_LINKS, account_age=OLD))

    assert hits(decision) == {"many_links"}
    assert decision.score == 2
    assert decision.verdict is Verdict.ALLOW


def test_four_links_are_not_many() -> None:
    four = " ".join(f"see https://site{n}.com/page" for n in range(4))

    decision = judge(post(four, account_age=OLD))

    assert outcome_of(decision, "many_links").outcome is Outcome.MISS


def test_new_account_links_alone_stay_below_flag() -> None:
    decision = judge(post(LINK, account_age=NEW))

    assert hits(decision) == {"new_account_links"}
    assert decision.score == 1
    assert decision.verdict is Verdict.ALLOW


def test_a_shortened_link_from_a_new_account_is_flagged() -> None:
    decision = judge(post(SHORT_LINK, account_age=NEW))

    assert hits(decision) == {"shortened_link", "new_account_links"}
    assert decision.score == 3
    assert decision.verdict is Verdict.FLAG
    assert "score 3 reaches the flag threshold" in decision.reasons


def test_many_links_with_a_shortener_are_flagged() -> None:
    decision = judge(post(f"{FIVE_LINKS} https://bit.ly/abc", account_age=OLD))

    assert hits(decision) == {"shortened_link", "many_links"}
    assert decision.score == 4
    assert decision.verdict is Verdict.FLAG


def test_all_three_link_weights_together_are_flagged() -> None:
    decision = judge(post(f"{FIVE_LINKS} https://bit.ly/abc", account_age=NEW))

    assert hits(decision) == {"shortened_link", "many_links", "new_account_links"}
    assert decision.score == 5
    assert decision.verdict is Verdict.FLAG


# duplicate_text_many_users (shadow)


def text_key(event: Event) -> tuple[EntityKind, str]:
    decision = judge(event)
    return next(e.key for e in decision.entities if e.kind is EntityKind.TEXT)


def test_text_posted_by_many_users_is_a_shadow_hit_that_would_flag() -> None:
    event = post(LONG_TEXT, account_age=OLD)
    signals = MemorySignals(counts={text_key(event): (5, 3)})

    decision = judge(event, signals)

    duplicate = outcome_of(decision, "duplicate_text_many_users")
    assert duplicate.outcome is Outcome.SHADOW_HIT
    assert duplicate.would_be is Verdict.FLAG
    assert decision.verdict is Verdict.ALLOW
    assert decision.score == 0
    assert decision.reasons == ()


def test_text_posted_by_two_users_misses() -> None:
    event = post(LONG_TEXT, account_age=OLD)
    signals = MemorySignals(counts={text_key(event): (9, 2)})

    duplicate = outcome_of(judge(event, signals), "duplicate_text_many_users")

    assert duplicate.outcome is Outcome.MISS
    assert duplicate.would_be is None


def test_the_duplicate_text_shadow_hit_leaves_a_flag_unchanged() -> None:
    event = post(f"{LONG_TEXT} https://bit.ly/abc", account_age=NEW)
    signals = MemorySignals(counts={text_key(event): (5, 4)})

    decision = judge(event, signals)

    assert outcome_of(decision, "duplicate_text_many_users").outcome is Outcome.SHADOW_HIT
    assert outcome_of(decision, "duplicate_text_many_users").would_be is Verdict.HOLD  # 3 + 3
    assert decision.verdict is Verdict.FLAG
    assert decision.score == 3


# --- ip_deny_list and the classifier tiers --------------------------------------------------


def test_a_denied_ip_is_blocked() -> None:
    signals = MemorySignals(ip_lists={"203.0.113.7": "deny"})

    denied = judge(post("hello there", ip="203.0.113.7", account_age=OLD), signals)
    other = judge(post("hello there", ip="203.0.113.8", account_age=OLD), signals)

    assert denied.verdict is Verdict.BLOCK
    assert "ip_deny_list: the IP is denied" in denied.reasons
    assert other.verdict is Verdict.ALLOW


@pytest.mark.parametrize(
    ("spam", "likely", "certain"),
    [(0.5, None, None), (0.95, Verdict.FLAG, None), (0.995, Verdict.FLAG, Verdict.HOLD)],
)
def test_the_classifier_tiers_say_what_they_would_do_without_changing_the_answer(
    spam: float, likely: Verdict | None, certain: Verdict | None
) -> None:
    decision = judge(post("hello there", account_age=OLD), MemorySignals(spam=spam))

    outcomes = {o.rule: o for o in decision.rules}
    assert decision.verdict is Verdict.ALLOW
    assert decision.signals["spam_probability"] == spam
    assert outcomes["classifier_spam_likely"].would_be is likely
    assert outcomes["classifier_spam_certain"].would_be is certain

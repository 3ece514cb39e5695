"""The rule language: what a condition may say, what it answers, and how it is refused.

Accepted conditions run through the engine (`evaluate`) or straight on a context built by
`build_context`; refused ones must raise `ConditionError` with the exact message and the
1-based line and column (in characters) of the offending piece.
"""

from __future__ import annotations

import ast
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spamward.domain.decision import ListName, Outcome
from spamward.domain.entity import EntityKind
from spamward.domain.event import Event
from spamward.policy.compiled import check_rule, parse_document
from spamward.policy.compiler import compile_condition
from spamward.policy.context import build_context
from spamward.policy.errors import ConditionError, PolicyInvalid
from spamward.policy.types import CONTEXT, ENTITY, Record, Scalar, Type
from spamward.signals.facts import gather_facts
from spamward.signals.lists import list_status
from spamward.text.extract import extract
from tests.policy_helpers import MemorySignals, evaluate, policy, post, rule

SPAM = "Cheap pills at https://bit.ly/abc and example.com, call 555-123-4567"
# SPAM's entities: domains bit.ly (a shortener) and example.com, URLs bit.ly/abc and
# example.com, phone +15551234567. Denying bit.ly covers the URL under it as well.


def spam_signals() -> MemorySignals:
    return MemorySignals(
        lists={(EntityKind.DOMAIN, "bit.ly"): ListName.DENY},
        counts={
            (EntityKind.DOMAIN, "example.com"): (7, 3),
            (EntityKind.PHONE, "+15551234567"): (2, 2),
        },
    )


def hits(condition: str, event: Event | None = None, signals: MemorySignals | None = None) -> bool:
    """Whether a one-rule policy hits; the rule must answer (never `error`)."""
    decision = evaluate(policy(rule("r", condition)), event or post(), signals)
    (outcome,) = decision.rules
    assert outcome.outcome in (Outcome.HIT, Outcome.MISS), outcome.reason
    return outcome.outcome is Outcome.HIT


def context_for(event: Event, signals: MemorySignals, reads: frozenset[str]) -> dict[str, Any]:
    """The decision context the engine would build for `event`."""
    entities = extract(event.content.judged_text(), "US", 50)
    listed = list_status(entities, signals)
    return build_context(event, entities, listed, gather_facts(event, entities, reads, signals))


def answer_on(condition: str, event: Event, signals: MemorySignals | None = None) -> bool:
    compiled = compile_condition(condition)
    return compiled.test(context_for(event, signals or MemorySignals(), compiled.reads))


def error_of(source: str) -> ConditionError:
    with pytest.raises(ConditionError) as caught:
        compile_condition(source)
    return caught.value


def refusal(source: str) -> tuple[str, int, int]:
    error = error_of(source)
    return error.message, error.line, error.column


def problems(raw: Any) -> list[dict[str, Any]]:
    with pytest.raises(PolicyInvalid) as caught:
        parse_document(raw)
    details = caught.value.details
    assert details is not None
    return details


# ---------------------------------------------------------------------------------------
# Accepted conditions and what they answer


def test_and_or_not_combine() -> None:
    condition = 'event.type == "post" and not (actor.id == "u2" or event.length > 1000)'

    assert hits(condition, post(user="u1"))
    assert not hits(condition, post(user="u2"))


def test_true_false_and_python_constants_are_conditions() -> None:
    assert hits("true")
    assert not hits("false")
    assert hits("True and not False")


def test_chained_comparison_needs_every_link() -> None:
    event = post("hello there")  # 11 characters

    assert hits("0 < event.length <= 11", event)
    assert not hits("0 < event.length < 11", event)
    assert not hits("20 < event.length < 30", event)


def test_in_a_literal_list() -> None:
    banned = MemorySignals(statuses={"u1": "banned"})

    assert hits('actor.status in ["banned", "suspended"]', post(), banned)
    assert not hits('actor.status in ["banned", "suspended"]', post(), MemorySignals())
    assert hits('actor.status not in ("banned", "suspended")', post(), MemorySignals())


def test_in_a_literal_list_of_numbers() -> None:
    assert hits("event.length in [3, 11, 40]", post("hello there"))
    assert not hits("event.length in [3, 40]", post("hello there"))


def test_substring_in_and_not_in() -> None:
    event = post("Visit our CASINO tonight")

    assert hits('"casino" in lower(event.text)', event)
    assert not hits('"casino" in event.text', event)
    assert hits('"poker" not in lower(event.text)', event)


def test_arithmetic_follows_precedence() -> None:
    event = post("hello there")  # 11 characters

    assert hits("event.length * 2 - 2 == 20", event)
    assert hits("(event.length + 1) / 4 == 3", event)
    assert hits("event.length % 2 == 1", event)
    assert hits("-event.length < 0", event)


def test_any_with_a_filter_over_entities() -> None:
    assert hits('any(e.list == "deny" for e in entities)', post(SPAM), spam_signals())
    assert not hits('any(e.list == "deny" for e in entities)', post(SPAM), MemorySignals())
    assert hits('any(e.shortener for e in entities if e.kind == "url")', post(SPAM))
    assert not hits('any(e.shortener for e in entities if e.kind == "phone")', post(SPAM))


def test_all_ignores_items_the_filter_leaves_out() -> None:
    signals = spam_signals()

    assert hits(
        'all(e.list == "deny" for e in entities if e.domain == "bit.ly")', post(SPAM), signals
    )
    assert not hits('all(e.list == "deny" for e in entities)', post(SPAM), signals)


def test_all_over_no_items_is_true() -> None:
    assert hits('all(e.list == "deny" for e in entities)', post("nothing to see"))


def test_count_counts_true_items_that_pass_the_filter() -> None:
    signals = spam_signals()

    assert hits('count(e.list == "deny" for e in entities) == 2', post(SPAM), signals)
    assert hits('count(e.shortener for e in entities if e.kind == "domain") == 1', post(SPAM))
    assert hits('count(e.kind == "url" for e in entities) == 2', post(SPAM))


def test_sum_max_min_over_entity_counts() -> None:
    signals = spam_signals()

    assert hits("sum(e.posts for e in entities) == 9", post(SPAM), signals)
    assert hits('sum(e.users for e in entities if e.kind == "phone") == 2', post(SPAM), signals)
    assert hits("max(e.posts for e in entities) == 7", post(SPAM), signals)
    assert hits("min(e.posts for e in entities) == 0", post(SPAM), signals)
    assert hits('min(e.posts for e in entities if e.kind == "phone") == 2', post(SPAM), signals)


def test_max_and_min_of_nothing_are_zero() -> None:
    assert hits("max(e.posts for e in entities) == 0", post("nothing to see"))
    assert hits("min(e.users for e in entities) == 0", post("nothing to see"))


def test_any_explains_which_entities_matched() -> None:
    denied = rule("denied", 'any(e.list == "deny" for e in entities)', "block", reason="denied")

    decision = evaluate(policy(denied), post(SPAM), spam_signals())

    assert decision.reasons == ("denied: denied domain bit.ly, url bit.ly/abc",)


def test_len_of_a_string_and_of_the_entities() -> None:
    assert hits("len(event.text) == 11", post("hello there"))
    assert hits("len(entities) == 5", post(SPAM))
    assert hits("len(entities) == 0", post("hello there"))


def test_lower_startswith_endswith() -> None:
    event = post("WIN a prize now!!!")

    assert hits('lower(event.text) == "win a prize now!!!"', event)
    assert hits('startswith(lower(event.text), "win")', event)
    assert not hits('startswith(event.text, "win")', event)
    assert hits('endswith(event.text, "!!!")', event)
    assert not hits('endswith(event.text, "?")', event)


def test_matches_searches_with_re2_flags() -> None:
    assert hits('matches(event.text, "(?i)viagra")', post("cheap ViAgRa here"))
    assert not hits('matches(event.text, "(?i)viagra")', post("cheap pills here"))
    assert hits(r'matches(event.text, "\\d{3}-\\d{4}")', post("call 555-1234"))
    assert not hits('matches(event.text, "^pills")', post("cheap pills"))


def test_velocity_counters_are_numbers() -> None:
    signals = MemorySignals(counters={"user_1m": 12})

    assert hits("velocity.user_1m > 10 and velocity.ip_1d == 0", post(), signals)


def test_unknown_account_age_is_neither_young_nor_old() -> None:
    unknown = post(account_age=None)

    assert not hits("actor.account_age_seconds < 60", unknown)
    assert not hits("actor.account_age_seconds > 60", unknown)
    assert not hits("actor.account_age_seconds >= 0", unknown)
    assert hits("actor.account_age_seconds == null", unknown)
    assert not hits("actor.account_age_seconds != null", unknown)
    assert not hits("actor.account_age_seconds == 0", unknown)


def test_known_account_age_compares_and_is_not_null() -> None:
    young = post(account_age=timedelta(seconds=30))

    assert hits("actor.account_age_seconds < 60", young)
    assert not hits("actor.account_age_seconds > 60", young)
    assert hits("actor.account_age_seconds != null", young)
    assert not hits("actor.account_age_seconds == null", young)
    assert hits("null != actor.account_age_seconds", young)


def test_account_age_in_days_is_nullable_too() -> None:
    assert hits("actor.account_age_days > 1.5", post(account_age=timedelta(days=2)))
    assert not hits("actor.account_age_days < 1000", post(account_age=None))


def test_unknown_age_in_a_chain_is_false() -> None:
    assert not hits("0 <= actor.account_age_seconds < 60", post(account_age=None))
    assert hits("0 <= actor.account_age_seconds < 60", post(account_age=timedelta(seconds=5)))


def test_multi_line_condition() -> None:
    condition = 'event.type == "post"\nand (event.length > 5\n     or actor.id == "x")'

    assert hits(condition, post("hello there"))


def test_indented_yaml_block_condition() -> None:
    condition = """
        any(e.list == "deny"
            for e in entities
            if e.kind == "domain")
        and not actor.status == "banned"
    """

    assert hits(condition, post(SPAM), spam_signals())


def test_comments_are_allowed_after_an_expression() -> None:
    assert hits("true  # always\nand true  # still")


def test_test_runs_directly_on_a_built_context() -> None:
    assert answer_on('any(e.list == "deny" for e in entities)', post(SPAM), spam_signals())
    assert not answer_on('any(e.list == "allow" for e in entities)', post(SPAM), spam_signals())


def test_reads_lists_every_context_path() -> None:
    condition = compile_condition(
        'actor.status == "banned" or any(e.posts > 3 for e in entities) or velocity.ip_1h > 5'
    )

    assert {"actor.status", "entities.posts", "velocity.ip_1h"} <= condition.reads
    assert "event.text" not in condition.reads


def test_loop_variable_is_gone_after_its_generator() -> None:
    message, _, _ = refusal("any(e.shortener for e in entities) and e.shortener")

    assert message == "unknown name 'e'"


def test_nested_generators_may_use_two_names() -> None:
    condition = (
        'any(any(f.domain == e.domain for f in entities if f.kind == "url") for e in entities)'
    )

    assert hits(condition, post(SPAM))


def test_division_by_zero_is_recorded_as_a_rule_error() -> None:
    decision = evaluate(policy(rule("r", "event.length / (event.length - 11) > 1")), post())

    assert decision.rules[0].outcome is Outcome.ERROR
    assert decision.rules[0].reason.startswith("ZeroDivisionError")


# ---------------------------------------------------------------------------------------
# Refusals: exact message, line and column

EVENT_FIELDS = "fields: length, link_count, text, title, type"
FUNCTIONS = "functions: all, any, count, endswith, len, lower, matches, max, min, startswith, sum"


def test_unknown_field_suggests_the_closest_and_points_at_the_field() -> None:
    assert refusal('event.txt == ""') == (
        f"unknown field 'txt' on event (did you mean 'text'?); {EVENT_FIELDS}",
        1,
        7,
    )


def test_unknown_field_column_after_other_clauses() -> None:
    assert refusal("true and event.lenght > 3") == (
        f"unknown field 'lenght' on event (did you mean 'length'?); {EVENT_FIELDS}",
        1,
        16,
    )


def test_unknown_field_on_a_loop_variable() -> None:
    message, line, column = refusal('any(e.lst == "deny" for e in entities)')

    assert message.startswith("unknown field 'lst' on entity (did you mean 'list'?); fields: ")
    assert (line, column) == (1, 7)


def test_unknown_field_without_a_close_match_has_no_suggestion() -> None:
    message, _, _ = refusal("actor.zzzzzz == 1")

    assert message.startswith("unknown field 'zzzzzz' on actor; fields: ")


def test_unknown_name_suggests_a_context_name() -> None:
    assert refusal('evnt.text == ""') == ("unknown name 'evnt' (did you mean 'event'?)", 1, 1)


def test_unknown_name_without_suggestion() -> None:
    assert refusal("foo") == ("unknown name 'foo'", 1, 1)


@pytest.mark.parametrize(
    ("source", "message", "column"),
    [
        ("event.text + 1 > 2", "arithmetic must be number, not string", 1),
        ("1 + event.text > 2", "arithmetic must be number, not string", 5),
        ("event.text == 1", "cannot compare string with number", 1),
        ("event.length > '3'", "cannot compare number with string", 1),
        ("event.text < 1", "cannot compare string with number", 1),
        ("true == 1", "cannot compare bool with number", 1),
        ("event.length > 1 and event.text", "each side of 'and' must be bool, not string", 22),
        ("event.length or true", "each side of 'or' must be bool, not number", 1),
        ("not 1", "the operand of 'not' must be bool, not number", 5),
        ("-event.text == 1", "the operand of '-' must be number, not string", 2),
        ("event.length", "a condition must be true or false, not number", 1),
        ("lower(event.text)", "a condition must be true or false, not string", 1),
        ("event == event", "cannot compare event with event", 1),
        ("true < false", "cannot order bool", 1),
        ("actor.account_age_seconds + 1 > 5", "arithmetic must be number, not number or null", 1),
        ('"x" in event.length', "the right side of 'in' must be string, not number", 8),
        ("event.length in [1, 'a']", "list item must be number, not string", 21),
        ("event.length in [1, event.length]", "a list may hold only literal values", 21),
        ("event in [1]", "cannot look up event in a list", 10),
        ("len(event) > 1", "len() needs a string or a list, not event", 5),
        ("lower(event.length) == ''", "the argument of lower() must be string, not number", 7),
        ("startswith(event.text) ", "startswith() takes 2 arguments", 1),
        ("len(event.text, event.title) > 1", "len() takes 1 argument", 1),
        ("any(e.list for e in entities)", "any() needs bool items, not string", 5),
        ("sum(e.kind for e in entities) > 1", "sum() needs number items, not string", 5),
        (
            "any(e.shortener for e in entities if e.kind)",
            "an 'if' filter must be bool, not string",
            38,
        ),
    ],
)
def test_type_errors(source: str, message: str, column: int) -> None:
    assert refusal(source) == (message, 1, column)


def test_equal_null_on_a_field_that_is_never_null() -> None:
    assert refusal("event.length == null") == ("number is never null", 1, 1)
    assert refusal("actor.status != null") == ("string is never null", 1, 1)


def test_empty_condition() -> None:
    assert refusal("") == ("the condition is empty", 1, 1)
    assert refusal("  \n\t ") == ("the condition is empty", 1, 1)


@pytest.mark.parametrize(
    ("source", "message", "line", "column"),
    [
        ("event.length >", "syntax error: the condition ends too early", 1, 15),
        ("event.length > 1 and\n", "syntax error: the condition ends too early", 1, 21),
        ('"a" == "a" ; 1', "syntax error: invalid syntax", 1, 12),
        (
            "x = 1",
            "syntax error: invalid syntax. Maybe you meant '==' or ':=' instead of '='?",
            1,
            1,
        ),
        ("true and\nevent.length ==== 1", "syntax error: invalid syntax", 2, 16),
        ("*entities", "syntax error: cannot use starred expression here", 1, 1),
    ],
)
def test_syntax_errors(source: str, message: str, line: int, column: int) -> None:
    assert refusal(source) == (message, line, column)


def test_expression_ending_early_on_line_two_points_past_its_end() -> None:
    assert refusal("true and\nfalse or") == ("syntax error: the condition ends too early", 2, 9)


def test_expression_ending_early_on_an_indented_line_two() -> None:
    assert refusal('event.type == "post" and\n    actor.id ==') == (
        "syntax error: the condition ends too early",
        2,
        16,
    )


@pytest.mark.parametrize(
    ("source", "message", "column"),
    [
        ('event.text[0] == "a"', "indexing with [...] is not allowed in a condition", 1),
        ("lambda: true", "lambda is not allowed in a condition", 1),
        ("(x := true)", "':=' is not allowed in a condition", 2),
        ('f"{event.text}" == ""', "an f-string is not allowed in a condition", 1),
        ('{"a": 1} == 1', "a dict is not allowed in a condition", 1),
        ("[e for e in entities] == 1", "a list comprehension is not allowed in a condition", 1),
        ("true if true else false", "'x if c else y' is not allowed in a condition", 1),
        ("event.length ** 2 > 1", "'Pow' is not allowed", 1),
        ("event.length is 1", "'Is' is not allowed", 1),
        ("1j == 1", "complex values are not allowed", 1),
        ("b'x' == b'x'", "bytes values are not allowed", 1),
        ("event.length.x", "number has no fields (reading .x)", 1),
        ("actor.id.length > 1", "string has no fields (reading .length)", 1),
        ("len(event.text, x=1) > 1", "functions take no keyword arguments", 1),
        ('event.text.lower() == ""', "only the built-in functions may be called", 1),
        ('startswith(event.text, prefix="a")', "functions take no keyword arguments", 1),
        ('eval("1 == 1")', f"unknown function 'eval'; {FUNCTIONS}", 1),
        ('open("/etc/passwd")', f"unknown function 'open'; {FUNCTIONS}", 1),
        ('__import__("os")', f"unknown function '__import__'; {FUNCTIONS}", 1),
        ("any([true])", "any() takes one generator: any(... for e in entities)", 1),
    ],
)
def test_disallowed_syntax(source: str, message: str, column: int) -> None:
    assert refusal(source) == (message, 1, column)


def test_matches_needs_a_literal_pattern() -> None:
    assert refusal("matches(event.text, event.title)") == (
        "matches() needs a literal pattern string",
        1,
        21,
    )


def test_matches_refuses_an_invalid_pattern() -> None:
    assert refusal('matches(event.text, "(")') == ("invalid pattern: missing ): (", 1, 21)


def test_matches_refuses_a_repetition_re2_cannot_bound() -> None:
    assert refusal('matches(event.text, "a{1001}")') == (
        "invalid pattern: invalid repetition size: {1001}",
        1,
        21,
    )


def test_matches_refuses_backreferences_re2_does_not_have() -> None:
    message, _, column = refusal(r'matches(event.text, "(a)\\1")')

    assert message.startswith("invalid pattern: ")
    assert column == 21


def test_generator_over_a_non_list() -> None:
    assert refusal("any(c == 'x' for c in event.text)") == (
        "can only loop over a list, not string",
        1,
        23,
    )


def test_loop_variable_may_not_shadow_a_context_name() -> None:
    assert refusal("any(event.shortener for event in entities)") == (
        "the name 'event' is already taken",
        1,
        25,
    )


def test_loop_variable_may_not_shadow_an_outer_loop_variable() -> None:
    source = "any(any(e.shortener for e in entities) for e in entities)"

    assert refusal(source) == ("the name 'e' is already taken", 1, 25)  # the inner one


def test_loop_variable_may_not_be_a_constant_name() -> None:
    assert refusal("any(true for true in entities)")[0] == "the name 'true' is already taken"


def test_one_for_per_generator() -> None:
    source = "any(e.shortener for e in entities for f in entities)"

    assert refusal(source) == ("one 'for' per generator", 1, 4)  # the call's parenthesis


def test_a_condition_of_2000_characters_is_accepted() -> None:
    source = '"' + "a" * 1992 + '" != ""'
    assert len(source) == 2000

    assert compile_condition(source).source == source


def test_a_condition_longer_than_2000_characters_is_refused() -> None:
    source = '"' + "a" * 1993 + '" != ""'

    assert refusal(source) == ("longer than 2000 characters", 1, 1)


def test_more_than_200_syntax_nodes_is_too_complex() -> None:
    source = " or ".join(["true"] * 99)  # Expression, BoolOp, Or, and a Name and Load each

    assert refusal(source) == ("too complex: 201 syntax nodes, at most 200", 1, 1)


def test_200_syntax_nodes_is_accepted() -> None:
    source = " or ".join(["true"] * 98 + ["True"])  # True is one Constant node
    wrapped = ast.parse(f"(\n{source}\n)", mode="eval")
    assert sum(1 for _ in ast.walk(wrapped)) == 200

    assert compile_condition(source).test({})


def test_column_counts_characters_not_bytes_before_an_unknown_field() -> None:
    assert refusal('"é日本" == "é" and event.txt == ""')[1:] == (1, 24)


def test_column_counts_characters_not_bytes_before_a_type_error() -> None:
    assert refusal('"日本語" == "x" and event.text')[1:] == (1, 18)


def test_column_counts_characters_not_bytes_before_a_syntax_error() -> None:
    assert refusal('"ééé" ==== 1') == ("syntax error: invalid syntax", 1, 9)
    assert refusal('"é" == "é" and')[1:] == (1, 15)


def test_column_counts_characters_on_a_later_line() -> None:
    source = 'true and\n  "日本" == "x" and evnt.text == ""'

    assert refusal(source) == ("unknown name 'evnt' (did you mean 'event'?)", 2, 19)


def test_unknown_field_on_a_later_indented_line() -> None:
    source = 'lower(event.text) == "x" and\n  event.lenght > 3'

    assert refusal(source)[1:] == (2, 9)


def test_unicode_identifier_is_an_unknown_name() -> None:
    assert refusal("événement.text == ''") == ("unknown name 'événement'", 1, 1)


def test_null_bytes_are_a_syntax_error_where_they_are() -> None:
    message = "syntax error: a condition cannot contain NUL characters"
    assert refusal("true\x00") == (message, 1, 5)
    assert refusal("true and\n  \x00false") == (message, 2, 3)


# ---------------------------------------------------------------------------------------
# Bugs found: each test says how it should behave


def test_comment_only_condition_is_empty() -> None:
    assert refusal("# to do") == ("the condition is empty", 1, 1)


def test_trailing_comma_is_reported_on_line_one() -> None:
    _, line, column = refusal("event.length > 1,")

    assert (line, column) == (1, 1)


def test_stray_closing_parenthesis_is_reported_where_it_is() -> None:
    message, line, column = refusal("true)")

    assert "unmatched ')'" in message
    assert (line, column) == (1, 5)


def test_unclosed_parenthesis_points_at_it() -> None:
    assert refusal("true and (false") == ("syntax error: '(' was never closed", 1, 10)


def test_unclosed_parenthesis_on_line_two_points_at_it() -> None:
    assert refusal("true and\n  (false") == ("syntax error: '(' was never closed", 2, 3)


def test_unterminated_string_message_names_the_conditions_own_line() -> None:
    assert refusal('"é" == "é" and "abc') == (
        "syntax error: unterminated string literal (detected at line 1)",
        1,
        16,
    )


def test_unknown_field_on_the_next_line_points_at_that_line() -> None:
    assert refusal('event.\n  txt == ""')[1:] == (2, 3)


def test_unknown_field_written_in_full_width_letters_points_at_it() -> None:
    assert refusal('event.ｔｘｔ == ""')[1:] == (1, 7)


# ---------------------------------------------------------------------------------------
# Documents and rules: PolicyInvalid details


def test_policy_invalid_is_a_422() -> None:
    error = PolicyInvalid([{"rule": "r", "field": "condition", "message": "bad"}])

    assert error.status == 422
    assert error.code == "invalid_policy"
    assert str(error) == "rule 'r': condition: bad"


def test_bad_condition_names_the_rule_and_position() -> None:
    details = problems({"rules": [{"name": "spam", "condition": 'event.txt == ""'}]})

    assert details == [
        {
            "rule": "spam",
            "field": "condition",
            "line": 1,
            "column": 7,
            "message": f"unknown field 'txt' on event (did you mean 'text'?); {EVENT_FIELDS}",
        }
    ]


def test_every_bad_condition_is_listed() -> None:
    raw = {
        "rules": [
            {"name": "first", "condition": "true and\n  false or"},
            {"name": "fine", "condition": "true"},
            {"name": "second", "condition": "foo"},
        ]
    }

    with pytest.raises(PolicyInvalid) as caught:
        parse_document(raw)

    assert caught.value.details == [
        {
            "rule": "first",
            "field": "condition",
            "line": 2,
            "column": 11,
            "message": "syntax error: the condition ends too early",
        },
        {
            "rule": "second",
            "field": "condition",
            "line": 1,
            "column": 1,
            "message": "unknown name 'foo'",
        },
    ]
    assert str(caught.value) == (
        "rule 'first': condition: syntax error: the condition ends too early (and 1 more)"
    )


def test_duplicate_rule_names() -> None:
    raw = {"rules": [{"name": "a", "condition": "true"}, {"name": "a", "condition": "false"}]}

    assert problems(raw) == [
        {"rule": None, "field": "rule", "message": "Value error, two rules are named 'a'"}
    ]


def test_unknown_rule_field_is_forbidden() -> None:
    raw = {"rules": [{"name": "a", "condition": "true", "colour": "red"}]}

    assert problems(raw) == [
        {"rule": "a", "field": "colour", "message": "Extra inputs are not permitted"}
    ]


def test_rule_without_a_name_is_named_by_position() -> None:
    raw = {"rules": [{"name": "a", "condition": "true"}, {"condition": "true"}]}

    assert problems(raw) == [{"rule": "#2", "field": "name", "message": "Field required"}]


def test_challenge_on_a_verdict_that_is_not_challenge() -> None:
    raw = {"rules": [rule("a", "true", "block", challenge="captcha")]}

    assert problems(raw) == [
        {
            "rule": "a",
            "field": "rule",
            "message": "Value error, 'challenge' applies only to the 'challenge' verdict",
        }
    ]


def test_challenge_on_the_challenge_verdict_is_accepted() -> None:
    document = parse_document({"rules": [rule("a", "true", "challenge", challenge="email_code")]})

    assert document.rules[0].challenge == "email_code"


def test_retry_after_on_a_verdict_that_is_not_rate_limit() -> None:
    raw = {"rules": [rule("a", "true", "hold", retry_after_seconds=30)]}

    assert problems(raw)[0]["message"] == (
        "Value error, 'retry_after_seconds' applies only to the 'rate_limit' verdict"
    )


def test_thresholds_out_of_order() -> None:
    raw = {"scoring": {"thresholds": {"hold": 10, "block": 5}}}

    assert problems(raw) == [
        {
            "rule": None,
            "field": "scoring",
            "message": "Value error, the block threshold (5.0) is below hold's (10.0)",
        }
    ]


def test_allow_needs_no_threshold() -> None:
    raw = {"scoring": {"thresholds": {"allow": 1}}}

    assert problems(raw)[0]["message"] == (
        "Value error, 'allow' needs no threshold: it is what a low score gets"
    )


def test_a_catalog_action_with_wrong_parameters() -> None:
    effects = [{"action": "ban_user"}, {"action": "suspend_user", "params": {"for": "7d"}}]
    raw = {"rules": [rule("a", "true", effects=effects)]}

    (problem,) = problems(raw)

    assert (problem["rule"], problem["field"]) == ("a", "effects.1")
    assert "duration: Field required" in problem["message"]
    assert "unknown parameter 'for'" in problem["message"]


def test_a_defined_action_takes_no_parameters() -> None:
    raw = {"rules": [rule("a", "true", effects=[{"action": "ban_spammer", "params": {"x": 1}}])]}

    (problem,) = problems(raw)

    assert (problem["rule"], problem["field"]) == ("a", "effects.0")
    assert "'ban_spammer' is a defined action: its parameters are fixed" in problem["message"]


def test_check_rule_reports_a_bad_condition() -> None:
    with pytest.raises(PolicyInvalid) as caught:
        check_rule({"name": "one", "condition": "any(e for e in entities)"})

    assert caught.value.details == [
        {
            "rule": "one",
            "field": "condition",
            "line": 1,
            "column": 5,
            "message": "any() needs bool items, not entity",
        }
    ]


def test_check_rule_reports_an_unknown_field() -> None:
    with pytest.raises(PolicyInvalid) as caught:
        check_rule({"name": "one", "condition": "true", "zzz": 1})

    assert caught.value.details == [
        {"rule": "one", "field": "zzz", "message": "Extra inputs are not permitted"}
    ]


# ---------------------------------------------------------------------------------------
# Properties


def compiles_or_refuses(source: str) -> None:
    """Compiles, or raises ConditionError with a message; any other exception fails."""
    try:
        compile_condition(source)
    except ConditionError as error:
        assert error.message
        assert error.column >= 1


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_text_compiles_or_raises_condition_error(source: str) -> None:
    compiles_or_refuses(source)


PIECES = [
    *CONTEXT,
    *(
        f".{name}"
        for record in (*CONTEXT.values(), ENTITY)
        if isinstance(record, Record)
        for name in record.fields
    ),
    *("e", "x", " for ", " in ", " if ", " and ", " or ", " not ", " not in ", " is "),
    *("(", ")", "[", "]", "{", "}", ",", ":", ":=", "=", ";", ".", "\\", "#", "@", "*"),
    *("==", "!=", "<", "<=", ">", "+", "-", "/", "%", "**"),
    *("0", "1", "-1", "1.5", "1e999", "1j", "'a'", '"(?i)x"', '"("', "b'x'", "...", "'''"),
    *("null", "true", "false", "None", "lambda", "await", "yield"),
    *("len", "lower", "matches", "any", "all", "count", "sum", "max", "min", "startswith"),
    *("eval", "__import__", "\n", "\r", "\t", " ", "é", "日本", "ｔ"),
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=16).map("".join))
@pytest.mark.filterwarnings("ignore::SyntaxWarning")
def test_language_fragments_compile_or_raise_condition_error(source: str) -> None:
    compiles_or_refuses(source)


def _literal(kind: Scalar, *, listed: bool = False) -> st.SearchStrategy[str]:
    if kind.name == "bool":
        return st.sampled_from(["true", "false"])
    if kind.name == "number":
        low = 0 if listed else -(10**6)  # -1 is an operator, not a literal, in a list
        numbers = st.integers(low, 10**6) | st.floats(low, 1e6, allow_nan=False)
        return numbers.map(repr)
    return st.text(max_size=8).map(repr)


def _comparison(path: str, kind: Type) -> st.SearchStrategy[str]:
    assert isinstance(kind, Scalar)
    if kind.name == "bool":
        return st.sampled_from([path, f"not {path}", f"{path} == true", f"{path} != false"])
    ops = ["==", "!=", "<", "<=", ">", ">="]
    options = [
        st.tuples(st.sampled_from(ops), _literal(kind)).map(lambda p: f"{path} {p[0]} {p[1]}"),
        st.lists(_literal(kind, listed=True), max_size=3).map(
            lambda items: f"{path} in [{', '.join(items)}]"
        ),
    ]
    if kind.nullable:
        options.append(st.sampled_from([f"{path} == null", f"{path} != null"]))
    if kind.name == "string":
        options += [
            _literal(kind).map(lambda lit: f"{lit} in {path}"),
            _literal(kind).map(lambda lit: f"startswith(lower({path}), {lit})"),
            _literal(kind).map(lambda lit: f"endswith({path}, {lit})"),
            st.just(f'matches({path}, "(?i)(viagra|casino)")'),
            st.integers(0, 50).map(lambda n: f"len({path}) > {n}"),
        ]
    return st.one_of(options)


def _field_condition() -> st.SearchStrategy[str]:
    fields = [
        (f"{name}.{field}", kind)
        for name, record in CONTEXT.items()
        if isinstance(record, Record)
        for field, kind in record.fields.items()
    ]
    return st.one_of([_comparison(path, kind) for path, kind in fields])


def _entity_condition() -> st.SearchStrategy[str]:
    item = st.one_of([_comparison(f"e.{field}", kind) for field, kind in ENTITY.fields.items()])
    aggregate = st.tuples(st.sampled_from(["any", "all"]), item, item).map(
        lambda p: f"{p[0]}(({p[1]}) for e in entities if {p[2]})"
    )
    counted = st.tuples(st.sampled_from(["count", "sum", "max", "min"]), item, st.integers(0, 5))
    return aggregate | counted.map(
        lambda p: (
            f"count(({p[1]}) for e in entities) >= {p[2]}"
            if p[0] == "count"
            else f"{p[0]}(e.posts for e in entities if {p[1]}) >= {p[2]}"
        )
    )


CONDITIONS = st.recursive(
    _field_condition() | _entity_condition(),
    lambda inner: st.one_of(
        st.tuples(inner, inner).map(lambda p: f"({p[0]}) and ({p[1]})"),
        st.tuples(inner, inner).map(lambda p: f"({p[0]}) or\n  ({p[1]})"),
        inner.map(lambda c: f"not ({c})"),
    ),
    max_leaves=4,
)

SNIPPETS = [
    "https://bit.ly/abc",
    "example.com",
    "shop.example.org/buy?x=1",
    "call 555-123-4567",
    "mail bob@gmail.com",
    "cheap VIAGRA",
]


@st.composite
def posts_and_signals(draw: st.DrawFn) -> tuple[Event, MemorySignals]:
    words = draw(st.lists(st.text(max_size=30) | st.sampled_from(SNIPPETS), max_size=6))
    age = draw(st.none() | st.integers(0, 10**8).map(lambda s: timedelta(seconds=s)))
    user = draw(st.none() | st.sampled_from(["u1", "u2"]))
    event = post(" ".join(words), user=user, account_age=age)
    keys = [e.key for e in extract(event.content.judged_text(), "US", 50)]
    statuses = st.sampled_from(list(ListName))
    signals = MemorySignals(
        lists=draw(st.dictionaries(st.sampled_from(keys), statuses) if keys else st.just({})),
        counts={key: draw(st.tuples(st.integers(0, 99), st.integers(0, 99))) for key in keys},
        statuses={"u1": draw(st.sampled_from(["active", "flagged", "banned"]))},
        counters=draw(st.dictionaries(st.sampled_from(["user_1m", "ip_1d"]), st.integers(0, 99))),
    )
    return event, signals


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(CONDITIONS, posts_and_signals())
def test_generated_conditions_compile_and_answer_a_bool(
    condition: str, case: tuple[Event, MemorySignals]
) -> None:
    event, signals = case
    compiled = compile_condition(condition)

    answer = compiled.test(context_for(event, signals, compiled.reads))

    assert type(answer) is bool
    assert hits(condition, event, signals) is answer

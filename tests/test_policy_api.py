"""The policy API: the draft and its rules, validation on save, publish and rollback,
scoring, the shadow report and backtests as jobs, each project's policy its own."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from httpx import Response
from sqlalchemy import func, select
from starlette.testclient import TestClient

from spamward.policy.defaults import default_document
from spamward.runtime import Runtime
from spamward.storage.models import Backtest
from tests.conftest import ApiProject, Clock

DEFAULT_RULES = [
    "deny_list",
    "ip_deny_list",
    "banned_user",
    "suspended_user",
    "rate_limited_user",
    "quarantined_user",
    "allowed_entity",
    "user_velocity",
    "new_account_link_burst",
    "new_account_links",
    "shortened_link",
    "many_links",
    "duplicate_text_many_users",
    "classifier_spam_likely",
    "classifier_spam_certain",
]
FREE_MONEY = 'matches(event.text, "(?i)free money")'
HOLD_FREE_MONEY = {"name": "free_money", "condition": FREE_MONEY, "verdict": "hold"}


def post_event(client: TestClient, project: ApiProject, text: str) -> Any:
    event = {"type": "post", "actor": {"id": "user-1"}, "content": {"text": text}}
    response = client.post("/v1/events", json=event, headers=project.headers)
    assert response.status_code == 200, response.text
    return response.json()


def add_rule(client: TestClient, project: ApiProject, rule: dict[str, Any]) -> Response:
    response: Response = client.post("/v1/rules", json=rule, headers=project.headers)
    return response


def policy(client: TestClient, project: ApiProject) -> Any:
    response = client.get("/v1/policy", headers=project.headers)
    assert response.status_code == 200, response.text
    return response.json()


def rule_names(client: TestClient, project: ApiProject) -> list[str]:
    response = client.get("/v1/rules", headers=project.headers)
    assert response.status_code == 200, response.text
    return [rule["name"] for rule in response.json()["rules"]]


def publish(client: TestClient, project: ApiProject, note: str = "") -> Any:
    response = client.post("/v1/policy/publish", json={"note": note}, headers=project.headers)
    assert response.status_code == 201, response.text
    return response.json()


def rollback(client: TestClient, project: ApiProject, version: int) -> Response:
    response: Response = client.post(
        "/v1/policy/rollback", json={"version": version}, headers=project.headers
    )
    return response


def version_document(client: TestClient, project: ApiProject, number: int) -> Any:
    response = client.get(f"/v1/policy/versions/{number}", headers=project.headers)
    assert response.status_code == 200, response.text
    return response.json()["document"]


def outcome(decision: Any, rule: str) -> Any:
    return next(o for o in decision["rules"] if o["rule"] == rule)


def problems_of(response: Response) -> list[dict[str, Any]]:
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_policy"
    details: list[dict[str, Any]] = error["details"]
    return details


def with_rules(*rules: dict[str, Any]) -> dict[str, Any]:
    """The default policy document with these rules added."""
    document = default_document().dump()
    return {**document, "rules": [*document["rules"], *rules]}


def count_backtests(runtime: Runtime) -> int:
    with runtime.database.read() as session:
        return session.scalar(select(func.count()).select_from(Backtest)) or 0


# --- the draft and its rules ----------------------------------------------------------------


def test_new_project_runs_the_default_policy_as_version_1(
    client: TestClient, project: ApiProject
) -> None:
    view = policy(client, project)

    assert view["live_version"] == 1
    assert view["unpublished_changes"] is False
    assert view["draft"] == default_document().dump()
    assert rule_names(client, project) == DEFAULT_RULES
    assert post_event(client, project, "hello there")["policy_version"] == 1


def test_rules_are_listed_in_priority_order_then_name(
    client: TestClient, project: ApiProject
) -> None:
    for name, priority in (("zeta", 5), ("alpha", 5), ("late", 9999)):
        rule = {"name": name, "condition": "false", "priority": priority}
        assert add_rule(client, project, rule).status_code == 201

    assert rule_names(client, project) == ["alpha", "zeta", *DEFAULT_RULES, "late"]


def test_a_new_rule_waits_in_the_draft_until_published(
    client: TestClient, project: ApiProject
) -> None:
    added = add_rule(client, project, HOLD_FREE_MONEY)

    assert added.status_code == 201, added.text
    assert added.json()["name"] == "free_money"
    assert policy(client, project)["unpublished_changes"] is True
    assert policy(client, project)["live_version"] == 1
    before = post_event(client, project, "get FREE MONEY now")
    assert before["verdict"] == "allow"
    assert before["policy_version"] == 1
    assert "free_money" not in [o["rule"] for o in before["rules"]]

    published = publish(client, project, note="hold free money")

    assert published["version"] == 2
    assert published["live"] is True
    assert published["note"] == "hold free money"
    assert policy(client, project)["unpublished_changes"] is False
    after = post_event(client, project, "get FREE MONEY now")
    assert after["policy_version"] == 2
    assert after["verdict"] == "hold"
    assert outcome(after, "free_money")["outcome"] == "hit"
    assert post_event(client, project, "hello there")["verdict"] == "allow"


def test_publish_without_a_body_has_an_empty_note(client: TestClient, project: ApiProject) -> None:
    response = client.post("/v1/policy/publish", headers=project.headers)

    assert response.status_code == 201, response.text
    assert (response.json()["version"], response.json()["note"]) == (2, "")


def test_rollback_publishes_the_old_document_as_a_new_version(
    client: TestClient, project: ApiProject
) -> None:
    assert add_rule(client, project, HOLD_FREE_MONEY).status_code == 201
    publish(client, project)
    assert post_event(client, project, "free money here")["verdict"] == "hold"

    rolled = rollback(client, project, 1)

    assert rolled.status_code == 201, rolled.text
    assert rolled.json()["version"] == 3
    assert rolled.json()["live"] is True
    assert version_document(client, project, 3) == version_document(client, project, 1)
    view = policy(client, project)
    assert view["draft"] == version_document(client, project, 1)
    assert (view["live_version"], view["unpublished_changes"]) == (3, False)
    decision = post_event(client, project, "free money here")
    assert decision["policy_version"] == 3
    assert decision["verdict"] == "allow"
    assert "free_money" not in [o["rule"] for o in decision["rules"]]
    versions = client.get("/v1/policy/versions", headers=project.headers).json()["versions"]
    assert [(v["version"], v["live"]) for v in versions] == [(3, True), (2, False), (1, False)]
    assert versions[0]["note"] == "rollback to version 1"


def test_rollback_to_a_missing_version_is_404(client: TestClient, project: ApiProject) -> None:
    assert rollback(client, project, 7).status_code == 404
    assert rollback(client, project, 0).status_code == 422
    assert policy(client, project)["live_version"] == 1


@pytest.mark.parametrize("number", ["2", "0", "abc", "-1", "1.0"])
def test_a_missing_or_malformed_version_is_404(
    client: TestClient, project: ApiProject, number: str
) -> None:
    response = client.get(f"/v1/policy/versions/{number}", headers=project.headers)

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_superscript_digit_version_is_404(client: TestClient, project: ApiProject) -> None:
    response = client.get("/v1/policy/versions/²", headers=project.headers)

    assert response.status_code == 404


@pytest.mark.parametrize("number", [2**31, 10**20], ids=["above-int32", "above-int64"])
@pytest.mark.parametrize("how", ["get", "rollback"])
def test_a_version_number_too_large_for_the_column_is_404(
    client: TestClient,
    project: ApiProject,
    backend: str,
    request: pytest.FixtureRequest,
    how: str,
    number: int,
) -> None:
    if how == "get":
        response = client.get(f"/v1/policy/versions/{number}", headers=project.headers)
    else:
        response = rollback(client, project, number)

    assert response.status_code in (404, 422), response.text
    assert policy(client, project)["live_version"] == 1


# --- validation on save ---------------------------------------------------------------------


def test_an_unknown_field_in_a_condition_points_at_it(
    client: TestClient, project: ApiProject
) -> None:
    condition = 'actor.status == "new" and event.lenght > 3'
    before = policy(client, project)

    problems = problems_of(add_rule(client, project, {"name": "typo", "condition": condition}))

    assert len(problems) == 1
    problem = problems[0]
    assert (problem["rule"], problem["field"]) == ("typo", "condition")
    assert (problem["line"], problem["column"]) == (1, condition.index("lenght") + 1)
    assert "unknown field 'lenght'" in problem["message"]
    assert "did you mean 'length'?" in problem["message"]
    assert policy(client, project) == before


def test_an_error_on_the_second_line_of_a_condition(
    client: TestClient, project: ApiProject
) -> None:
    condition = 'event.type == "post"\n  and actor.nmae == "x"'

    (problem,) = problems_of(add_rule(client, project, {"name": "two", "condition": condition}))

    assert (problem["line"], problem["column"]) == (2, 13)
    assert "unknown field 'nmae'" in problem["message"]


def test_a_field_on_a_continued_line_is_reported_on_that_line(
    client: TestClient, project: ApiProject
) -> None:
    condition = 'event.\n    txt == "x"'

    (problem,) = problems_of(add_rule(client, project, {"name": "split", "condition": condition}))

    assert (problem["line"], problem["column"]) == (2, 5)


@pytest.mark.parametrize(
    ("condition", "column", "message"),
    [
        ("event.link_count > > 1", 20, "syntax error"),
        ("event.link_count >", 19, "syntax error: the condition ends too early"),
        ("event.text > 3", 1, "cannot compare string with number"),
        ("event.link_count + 1", 1, "a condition must be true or false, not number"),
        ('matches(event.text, "(")', 21, "invalid pattern"),
        ("nonsense == 1", 1, "unknown name 'nonsense'"),
    ],
    ids=["syntax", "ends-early", "type", "not-boolean", "bad-pattern", "unknown-name"],
)
def test_a_condition_that_does_not_check_is_refused(
    client: TestClient, project: ApiProject, condition: str, column: int, message: str
) -> None:
    before = policy(client, project)

    (problem,) = problems_of(add_rule(client, project, {"name": "bad", "condition": condition}))

    assert (problem["rule"], problem["field"]) == ("bad", "condition")
    assert (problem["line"], problem["column"]) == (1, column)
    assert problem["message"].startswith(message), problem["message"]
    assert policy(client, project) == before


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        ({"name": "extra", "condition": "true", "colour": "red"}, "colour"),
        ({"name": "extra", "condition": "true", "verdict": "explode"}, "verdict"),
        ({"name": "extra", "condition": "true", "weight": "heavy"}, "weight"),
        ({"name": "Bad Name", "condition": "true"}, "name"),
        ({"name": "extra"}, "condition"),
        ({"name": "extra", "condition": "true", "effects": [{"action": "nuke"}]}, "effects.0"),
    ],
    ids=["extra-key", "verdict", "weight", "name", "missing-condition", "effect"],
)
def test_a_rule_of_the_wrong_shape_names_the_field(
    client: TestClient, project: ApiProject, rule: dict[str, Any], field: str
) -> None:
    before = policy(client, project)

    problems = problems_of(add_rule(client, project, rule))

    assert [p["field"] for p in problems] == [field]
    assert problems[0]["rule"] == rule["name"]
    assert policy(client, project) == before


def test_a_challenge_on_a_non_challenge_rule_is_refused(
    client: TestClient, project: ApiProject
) -> None:
    rule = {"name": "odd", "condition": "true", "verdict": "block", "challenge": "captcha"}

    (problem,) = problems_of(add_rule(client, project, rule))

    assert "'challenge' applies only to the 'challenge' verdict" in problem["message"]


def test_a_duplicate_name_is_409(client: TestClient, project: ApiProject) -> None:
    before = policy(client, project)

    response = add_rule(client, project, {"name": "deny_list", "condition": "true"})

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"
    assert policy(client, project) == before


def test_get_put_and_delete_one_rule(client: TestClient, project: ApiProject) -> None:
    assert add_rule(client, project, HOLD_FREE_MONEY).status_code == 201
    changed = {**HOLD_FREE_MONEY, "verdict": "block", "weight": 2.5}

    replaced = client.put("/v1/rules/free_money", json=changed, headers=project.headers)

    assert replaced.status_code == 200, replaced.text
    got = client.get("/v1/rules/free_money", headers=project.headers)
    assert (got.json()["verdict"], got.json()["weight"]) == ("block", 2.5)

    deleted = client.delete("/v1/rules/free_money", headers=project.headers)
    deleted_again = client.delete("/v1/rules/free_money", headers=project.headers)

    assert deleted.status_code == 204
    assert deleted_again.status_code == 404
    assert client.get("/v1/rules/free_money", headers=project.headers).status_code == 404
    assert policy(client, project)["draft"] == default_document().dump()
    assert policy(client, project)["unpublished_changes"] is False


def test_put_of_a_missing_rule_is_404(client: TestClient, project: ApiProject) -> None:
    before = policy(client, project)

    response = client.put("/v1/rules/nowhere", json=HOLD_FREE_MONEY, headers=project.headers)

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert policy(client, project) == before


def test_put_can_rename_but_not_onto_another_rule(client: TestClient, project: ApiProject) -> None:
    assert add_rule(client, project, HOLD_FREE_MONEY).status_code == 201
    before = policy(client, project)

    clash = client.put(
        "/v1/rules/free_money",
        json={**HOLD_FREE_MONEY, "name": "deny_list"},
        headers=project.headers,
    )

    assert clash.status_code == 409
    assert policy(client, project) == before

    renamed = client.put(
        "/v1/rules/free_money", json={**HOLD_FREE_MONEY, "name": "cash"}, headers=project.headers
    )

    assert renamed.status_code == 200, renamed.text
    names = rule_names(client, project)
    assert "cash" in names
    assert "free_money" not in names
    assert len(names) == len(DEFAULT_RULES) + 1


def test_put_with_a_bad_condition_keeps_the_rule(client: TestClient, project: ApiProject) -> None:
    assert add_rule(client, project, HOLD_FREE_MONEY).status_code == 201
    before = policy(client, project)
    broken = {**HOLD_FREE_MONEY, "condition": "event.text =="}

    response = client.put("/v1/rules/free_money", json=broken, headers=project.headers)

    assert problems_of(response)[0]["field"] == "condition"
    assert policy(client, project) == before


# --- the whole document: import and validate -----------------------------------------------


def test_put_policy_replaces_the_draft(client: TestClient, project: ApiProject) -> None:
    document = {
        "rules": [HOLD_FREE_MONEY, {"name": "links", "condition": "event.link_count > 2"}],
        "scoring": {"thresholds": {"hold": 4}},
    }

    response = client.put("/v1/policy", json=document, headers=project.headers)

    assert response.status_code == 200, response.text
    view = policy(client, project)
    assert view["draft"] == response.json()
    assert [r["name"] for r in view["draft"]["rules"]] == ["free_money", "links"]
    assert view["draft"]["scoring"] == {"thresholds": {"hold": 4.0}}
    assert (view["live_version"], view["unpublished_changes"]) == (1, True)


def test_put_policy_with_bad_rules_lists_every_problem(
    client: TestClient, project: ApiProject
) -> None:
    before = policy(client, project)
    document = with_rules(
        HOLD_FREE_MONEY,
        {"name": "typo", "condition": "event.txt == 'x'"},
        {"name": "short", "condition": "event.link_count >"},
    )

    problems = problems_of(client.put("/v1/policy", json=document, headers=project.headers))

    assert [(p["rule"], p["field"], p["line"], p["column"]) for p in problems] == [
        ("short", "condition", 1, 19),
        ("typo", "condition", 1, 7),
    ]
    assert policy(client, project) == before


def test_put_policy_with_one_bad_rule_stores_nothing(
    client: TestClient, project: ApiProject
) -> None:
    before = policy(client, project)
    document = with_rules(HOLD_FREE_MONEY, {"name": "typo", "condition": "event.txt == 'x'"})

    (problem,) = problems_of(client.put("/v1/policy", json=document, headers=project.headers))

    assert (problem["rule"], problem["column"]) == ("typo", 7)
    assert policy(client, project) == before


@pytest.mark.parametrize(
    ("document", "rule", "field", "message"),
    [
        ([], None, "rule", "valid dictionary"),
        ({"rules": "none"}, None, "rules", "valid list"),
        ({"rules": [{"name": "a", "condition": "true"}, 5]}, "#2", "rule", "valid dictionary"),
        (with_rules(HOLD_FREE_MONEY, HOLD_FREE_MONEY), None, "rule", "two rules are named"),
        ({"rules": [], "colour": "red"}, None, "colour", "Extra inputs"),
    ],
    ids=["not-an-object", "rules-not-a-list", "rule-not-an-object", "same-name", "extra-key"],
)
def test_put_policy_of_the_wrong_shape_is_422(
    client: TestClient,
    project: ApiProject,
    document: Any,
    rule: str | None,
    field: str,
    message: str,
) -> None:
    before = policy(client, project)

    problems = problems_of(client.put("/v1/policy", json=document, headers=project.headers))

    assert (problems[0]["rule"], problems[0]["field"]) == (rule, field)
    assert message in problems[0]["message"]
    assert policy(client, project) == before


def test_shape_and_condition_problems_are_listed_together(
    client: TestClient, project: ApiProject
) -> None:
    document = with_rules(
        {"name": "extra", "condition": "true", "colour": "red"},
        {"name": "typo", "condition": "event.txt == 'x'"},
    )

    problems = problems_of(client.put("/v1/policy", json=document, headers=project.headers))

    assert sorted(p["rule"] for p in problems) == ["extra", "typo"]


def test_validate_checks_without_storing(client: TestClient, project: ApiProject) -> None:
    before = policy(client, project)
    bad = with_rules({"name": "typo", "condition": "event.txt == 'x'"})

    invalid = client.post("/v1/policy/validate", json=bad, headers=project.headers)
    valid = client.post(
        "/v1/policy/validate", json=default_document().dump(), headers=project.headers
    )
    valid_new = client.post(
        "/v1/policy/validate", json=with_rules(HOLD_FREE_MONEY), headers=project.headers
    )

    assert invalid.status_code == 200, invalid.text
    assert invalid.json()["valid"] is False
    assert [
        (p["rule"], p["field"], p["line"], p["column"]) for p in invalid.json()["problems"]
    ] == [("typo", "condition", 1, 7)]
    assert valid.json() == {"valid": True, "problems": []}
    assert valid_new.json() == {"valid": True, "problems": []}
    assert policy(client, project) == before


# --- scoring --------------------------------------------------------------------------------


def test_thresholds_decide_a_score_only_rule(client: TestClient, project: ApiProject) -> None:
    score_only = {"name": "pills", "condition": 'matches(event.text, "pills")', "weight": 5}
    assert add_rule(client, project, score_only).status_code == 201

    just_above = client.put(
        "/v1/policy/scoring",
        json={"thresholds": {"flag": 5.5, "hold": 50, "block": 100}},
        headers=project.headers,
    )
    assert just_above.status_code == 200, just_above.text
    publish(client, project)
    below = post_event(client, project, "cheap pills")

    exactly = client.put(
        "/v1/policy/scoring",
        json={"thresholds": {"flag": 5, "hold": 50, "block": 100}},
        headers=project.headers,
    )
    assert exactly.json()["scoring"] == {"thresholds": {"flag": 5.0, "hold": 50.0, "block": 100.0}}
    publish(client, project)
    at = post_event(client, project, "cheap pills")

    assert (below["verdict"], below["score"], below["policy_version"]) == ("allow", 5, 2)
    assert (at["verdict"], at["score"], at["policy_version"]) == ("flag", 5, 3)
    assert "score 5 reaches the flag threshold" in at["reasons"]
    assert outcome(at, "pills")["verdict"] == "allow"


@pytest.mark.parametrize(
    "thresholds",
    [{"flag": 5, "hold": 1}, {"hold": 10, "block": 9}, {"allow": 1}, {"explode": 3}],
    ids=["hold-below-flag", "block-below-hold", "allow", "unknown-verdict"],
)
def test_bad_thresholds_are_422(
    client: TestClient, project: ApiProject, thresholds: dict[str, float]
) -> None:
    before = policy(client, project)

    response = client.put(
        "/v1/policy/scoring", json={"thresholds": thresholds}, headers=project.headers
    )

    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "validation_error"
    assert policy(client, project) == before


# --- the shadow report ----------------------------------------------------------------------


def test_shadow_rule_is_reported_and_never_decides(client: TestClient, project: ApiProject) -> None:
    shadow = {
        "name": "casino",
        "condition": 'matches(event.text, "(?i)casino")',
        "verdict": "block",
        "mode": "shadow",
    }
    assert add_rule(client, project, shadow).status_code == 201
    publish(client, project)

    hits = [post_event(client, project, f"best CASINO bonus {i}") for i in range(3)]
    misses = [post_event(client, project, f"nice weather {i}") for i in range(2)]

    for decision in hits:
        assert decision["verdict"] == "allow"
        casino = outcome(decision, "casino")
        assert (casino["outcome"], casino["would_be"]) == ("shadow_hit", "block")
    for decision in misses:
        assert outcome(decision, "casino")["outcome"] == "miss"
        assert "would_be" not in outcome(decision, "casino")
    report = client.get("/v1/policy/shadow", headers=project.headers)
    assert report.status_code == 200, report.text
    assert report.json() == {
        "days": 14,
        "decisions": 5,
        "rules": [
            {
                "rule": "casino",
                "hits": 3,
                "changes": 3,
                "transitions": [{"from": "allow", "to": "block", "count": 3}],
            }
        ],
    }


def test_shadow_report_covers_only_its_days(
    client: TestClient, project: ApiProject, clock: Clock
) -> None:
    shadow = {"name": "casino", "condition": 'matches(event.text, "casino")', "mode": "shadow"}
    assert add_rule(client, project, {**shadow, "verdict": "flag"}).status_code == 201
    publish(client, project)
    post_event(client, project, "casino old")
    clock.advance(days=3)
    post_event(client, project, "casino new")

    two_days = client.get("/v1/policy/shadow?days=2", headers=project.headers).json()
    all_days = client.get("/v1/policy/shadow", headers=project.headers).json()
    bad = client.get("/v1/policy/shadow?days=0", headers=project.headers)

    assert (two_days["decisions"], two_days["rules"][0]["hits"]) == (1, 1)
    assert (all_days["decisions"], all_days["rules"][0]["hits"]) == (2, 2)
    assert bad.status_code == 422


# --- backtests ------------------------------------------------------------------------------


def start_backtest(
    client: TestClient, project: ApiProject, body: dict[str, Any] | None = None
) -> Any:
    response = client.post("/v1/policy/backtests", json=body, headers=project.headers)
    assert response.status_code == 202, response.text
    return response.json()


def finished(client: TestClient, runtime: Runtime, project: ApiProject, job: Any) -> Any:
    runtime.jobs.drain()
    response = client.get(f"/v1/policy/backtests/{job['id']}", headers=project.headers)
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["status"] == "done", result
    return result


TEXTS = ["free money inside", "hello", "FREE MONEY!!", "nice day", "want free money?"]


def expected_changes(decisions: list[Any]) -> tuple[int, int]:
    """(events, verdicts that the free money hold rule changes) of recorded decisions."""
    changed = sum(
        1
        for text, decision in zip(TEXTS, decisions, strict=True)
        if re.search(r"(?i)free money", text) and decision["verdict"] != "hold"
    )
    return len(decisions), changed


def test_backtest_of_a_document_reports_what_changes(
    client: TestClient, runtime: Runtime, project: ApiProject
) -> None:
    decisions = [post_event(client, project, text) for text in TEXTS]
    events, changed = expected_changes(decisions)

    job = start_backtest(client, project, {"policy": with_rules(HOLD_FREE_MONEY), "days": 7})

    assert job["status"] == "queued"
    assert job["days"] == 7
    assert job["report"] is None
    result = finished(client, runtime, project, job)
    report = result["report"]
    assert (result["done_events"], result["total_events"]) == (events, events)
    assert result["finished_at"] is not None
    assert (report["events"], report["changed"]) == (events, changed)
    assert report["verdicts_before"] == {"allow": events}
    assert report["verdicts_after"] == {"allow": events - changed, "hold": changed}
    (change,) = report["changes"]
    assert (change["from"], change["to"], change["count"]) == ("allow", "hold", changed)
    assert sorted(example["text"] for example in change["examples"]) == sorted(
        text for text in TEXTS if re.search(r"(?i)free money", text)
    )
    assert report["rule_hits"] == {"free_money": changed}
    assert policy(client, project)["live_version"] == 1  # nothing was published


def test_backtest_without_a_body_replays_the_draft(
    client: TestClient, runtime: Runtime, project: ApiProject
) -> None:
    decisions = [post_event(client, project, text) for text in TEXTS]
    events, changed = expected_changes(decisions)
    assert add_rule(client, project, HOLD_FREE_MONEY).status_code == 201

    response = client.post("/v1/policy/backtests", headers=project.headers)

    assert response.status_code == 202, response.text
    report = finished(client, runtime, project, response.json())["report"]
    assert (report["events"], report["changed"], report["days"]) == (events, changed, 14)


def test_backtest_of_the_live_policy_changes_nothing(
    client: TestClient, runtime: Runtime, project: ApiProject
) -> None:
    for text in TEXTS:
        post_event(client, project, text)

    report = finished(client, runtime, project, start_backtest(client, project))["report"]

    assert (report["events"], report["changed"], report["changes"]) == (len(TEXTS), 0, [])


def test_backtest_replays_only_its_days(
    client: TestClient, runtime: Runtime, project: ApiProject, clock: Clock
) -> None:
    post_event(client, project, "free money, long ago")
    clock.advance(days=10)
    post_event(client, project, "free money, lately")

    job = start_backtest(client, project, {"policy": with_rules(HOLD_FREE_MONEY), "days": 5})

    report = finished(client, runtime, project, job)["report"]
    assert (report["events"], report["changed"]) == (1, 1)
    assert report["changes"][0]["examples"][0]["text"] == "free money, lately"


def test_backtest_counts_rule_errors_and_replays_only_its_project(
    client: TestClient,
    runtime: Runtime,
    project: ApiProject,
    other_project: ApiProject,
) -> None:
    for text in TEXTS:
        post_event(client, project, text)
    post_event(client, other_project, "free money elsewhere")
    broken = {"name": "broken", "condition": "1 / (event.link_count - event.link_count) > 0"}

    job = start_backtest(client, project, {"policy": with_rules(broken, HOLD_FREE_MONEY)})

    report = finished(client, runtime, project, job)["report"]
    assert report["events"] == len(TEXTS)
    assert report["rule_errors"] == {"broken": len(TEXTS)}
    assert all("elsewhere" not in e["text"] for c in report["changes"] for e in c["examples"])


def test_backtest_of_an_invalid_policy_is_422_and_no_job(
    client: TestClient, runtime: Runtime, project: ApiProject
) -> None:
    body = {"policy": with_rules({"name": "typo", "condition": "event.txt == 'x'"})}

    response = client.post("/v1/policy/backtests", json=body, headers=project.headers)
    bad_days = client.post("/v1/policy/backtests", json={"days": 0}, headers=project.headers)

    (problem,) = problems_of(response)
    assert (problem["rule"], problem["column"]) == ("typo", 7)
    assert bad_days.status_code == 422
    assert count_backtests(runtime) == 0


def test_a_backtest_belongs_to_its_project(
    client: TestClient, runtime: Runtime, project: ApiProject, other_project: ApiProject
) -> None:
    job = start_backtest(client, project)
    runtime.jobs.drain()

    theirs = client.get(f"/v1/policy/backtests/{job['id']}", headers=other_project.headers)
    unknown = client.get(f"/v1/policy/backtests/{uuid.uuid4()}", headers=project.headers)
    malformed = client.get("/v1/policy/backtests/not-a-uuid", headers=project.headers)

    assert theirs.status_code == 404
    assert unknown.status_code == 404
    assert malformed.status_code == 404
    assert malformed.json()["error"]["code"] == "not_found"


# --- projects and errors --------------------------------------------------------------------


def test_each_project_has_its_own_policy(
    client: TestClient, project: ApiProject, other_project: ApiProject
) -> None:
    assert add_rule(client, project, HOLD_FREE_MONEY).status_code == 201
    publish(client, project)
    assert (
        client.put(
            "/v1/policy/scoring", json={"thresholds": {"flag": 1}}, headers=project.headers
        ).status_code
        == 200
    )

    theirs = policy(client, other_project)

    assert (theirs["live_version"], theirs["unpublished_changes"]) == (1, False)
    assert theirs["draft"] == default_document().dump()
    assert rule_names(client, other_project) == DEFAULT_RULES
    assert client.get("/v1/rules/free_money", headers=other_project.headers).status_code == 404
    assert client.get("/v1/policy/versions/2", headers=other_project.headers).status_code == 404
    assert rollback(client, other_project, 2).status_code == 404
    assert post_event(client, other_project, "free money")["verdict"] == "allow"
    assert post_event(client, project, "free money")["verdict"] == "hold"
    assert client.get("/v1/policy/shadow", headers=other_project.headers).json()["decisions"] == 1


WRITES = [
    ("POST", "/v1/rules"),
    ("PUT", "/v1/rules/deny_list"),
    ("PUT", "/v1/policy"),
    ("POST", "/v1/policy/validate"),
    ("PUT", "/v1/policy/scoring"),
    ("POST", "/v1/policy/publish"),
    ("POST", "/v1/policy/rollback"),
    ("POST", "/v1/policy/backtests"),
]


@pytest.mark.parametrize(("method", "path"), WRITES)
@pytest.mark.parametrize(
    ("content_type", "body", "status", "code"),
    [
        ("application/json", b"{not json", 400, "invalid_json"),
        ("application/json", b'{"a": "\xff"}', 400, "invalid_encoding"),
        ("text/plain", b'{"note": "x"}', 415, "unsupported_media_type"),
    ],
    ids=["not-json", "not-utf8", "not-json-type"],
)
def test_a_body_that_is_not_json_is_a_json_error(
    client: TestClient,
    runtime: Runtime,
    project: ApiProject,
    method: str,
    path: str,
    content_type: str,
    body: bytes,
    status: int,
    code: str,
) -> None:
    before = policy(client, project)
    headers = {**project.headers, "Content-Type": content_type}

    response = client.request(method, path, content=body, headers=headers)

    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.json()["error"]["code"] == code
    assert policy(client, project) == before
    assert count_backtests(runtime) == 0


@pytest.mark.parametrize(
    ("method", "path"),
    [*WRITES, ("GET", "/v1/policy"), ("GET", "/v1/rules"), ("GET", "/v1/policy/shadow")],
)
def test_policy_operations_need_a_key(client: TestClient, method: str, path: str) -> None:
    response = client.request(method, path, json={})

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"

"""Tenant isolation over every API operation that names an object: project B's key gets
404 for each object of project A, changes nothing, and project A still sees it. The table
below must name every such operation (a test checks), so a new one cannot be left out;
each area's own tests check its lists and pages in more depth."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from spamward.api.routes import OPERATIONS
from tests.conftest import ApiProject
from tests.test_api_errors import assert_error
from tests.test_remediation_api import define, hold_a_post, ok, reviews, run

# method, path template: the path of one of project A's objects, filled from `objects`
NAMED_OBJECTS: dict[tuple[str, str], str] = {
    ("GET", "/v1/decisions/{decision_id}"): "/v1/decisions/{decision}",
    ("GET", "/v1/entities/{entity_id}"): "/v1/entities/{entity}",
    ("GET", "/v1/entities/{entity_id}/posts"): "/v1/entities/{entity}/posts",
    ("DELETE", "/v1/lists/{list_name}/{entry_id}"): "/v1/lists/deny/{list_entry}",
    ("GET", "/v1/spam-users/{user_id}/posts"): "/v1/spam-users/{user}/posts",
    ("GET", "/v1/policy/versions/{number}"): "/v1/policy/versions/{version}",
    ("GET", "/v1/policy/backtests/{backtest_id}"): "/v1/policy/backtests/{backtest}",
    ("GET", "/v1/rules/{name}"): "/v1/rules/{rule}",
    ("PUT", "/v1/rules/{name}"): "/v1/rules/{rule}",
    ("DELETE", "/v1/rules/{name}"): "/v1/rules/{rule}",
    ("GET", "/v1/users/{user_id}"): "/v1/users/{user}",
    ("PUT", "/v1/users/{user_id}/status"): "/v1/users/{user}/status",
    ("DELETE", "/v1/ip-lists/{list}/{entry_id}"): "/v1/ip-lists/deny/{ip_entry}",
    ("GET", "/v1/actions/{action_id}"): "/v1/actions/{action}",
    ("POST", "/v1/actions/{action_id}/retry"): "/v1/actions/{action}/retry",
    ("PUT", "/v1/defined-actions/{name}"): "/v1/defined-actions/{defined}",
    ("DELETE", "/v1/defined-actions/{name}"): "/v1/defined-actions/{defined}",
    ("GET", "/v1/reviews/{item_id}"): "/v1/reviews/{review}",
    ("POST", "/v1/reviews/{item_id}/resolve"): "/v1/reviews/{review}/resolve",
    ("POST", "/v1/challenges/{challenge_id}/solve"): "/v1/challenges/{challenge}/solve",
}
# Operations whose path names a list, not an object: B's key reaches B's own list.
LISTS_BY_NAME = {"/v1/lists/{list_name}", "/v1/lists/{list_name}/bulk", "/v1/ip-lists/{list}"}
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("PUT", "/v1/rules/{name}"): {"name": "a_only", "condition": "true", "verdict": "flag",
                                  "reason": "b's change"},
    ("PUT", "/v1/users/{user_id}/status"): {"status": "banned"},
    ("PUT", "/v1/defined-actions/{name}"): {"action": "ban_user", "params": {}},
    ("POST", "/v1/reviews/{item_id}/resolve"): {"resolution": "approve"},
    ("POST", "/v1/challenges/{challenge_id}/solve"): {"code": "123456"},
}  # fmt: skip
# Names of the project's own: B reads an empty account of that name, or makes its own
# defined action of that name (PUT creates), never A's.
OWN_NAMES = {("GET", "/v1/users/{user_id}"), ("PUT", "/v1/users/{user_id}/status"),
             ("PUT", "/v1/defined-actions/{name}")}  # fmt: skip


def test_the_table_names_every_operation_that_names_an_object() -> None:
    named = {(op.method, op.path) for op in OPERATIONS if "{" in op.path}
    by_list = {(op.method, op.path) for op in OPERATIONS if op.path in LISTS_BY_NAME}

    assert named - by_list == set(NAMED_OBJECTS)


@pytest.fixture
def objects(client: TestClient, project: ApiProject) -> dict[str, str]:
    """One object of each kind in project A, by the name the table uses."""
    headers = project.headers
    spam = {"type": "post", "actor": {"id": "alice"},
            "content": {"text": "buy at https://cheap-pills-shop.com/x"}}  # fmt: skip
    decision = ok(client.post("/v1/events", json=spam, headers=headers))
    entity = ok(client.get("/v1/entities?kind=domain", headers=headers))["entities"][0]
    entry = {"kind": "domain", "value": "deny-me.com"}
    listed = ok(client.post("/v1/lists/deny", json=entry, headers=headers), 201)
    ip_entry = ok(client.post("/v1/ip-lists/deny", json={"value": "203.0.113.0/24"},
                              headers=headers), 201)  # fmt: skip
    rule = {"name": "a_only", "condition": "false", "verdict": "flag", "reason": "a's rule"}
    ok(client.post("/v1/rules", json=rule, headers=headers), 201)
    asks = {"name": "asks", "condition": '"maybe" in event.text', "verdict": "challenge",
            "reason": "questionable"}  # fmt: skip
    ok(client.post("/v1/rules", json=asks, headers=headers), 201)
    version = ok(client.post("/v1/policy/publish", json={}, headers=headers), 201)
    backtest = ok(client.post("/v1/policy/backtests", json={}, headers=headers), 202)
    action = run(client, project, action="ban_user", user_id="alice")
    ok(define(client, project, "a_suspend", "suspend_user", duration="7d"))
    hold_a_post(client, project, user="held-user")
    maybe = {"type": "post", "actor": {"id": "bob"}, "content": {"text": "maybe"}}
    challenge = ok(client.post("/v1/events", json=maybe, headers=headers))["challenge"]
    [review] = reviews(client, project)
    return {
        "decision": decision["id"], "entity": str(entity["id"]), "list_entry": listed["id"],
        "user": "alice", "version": str(version["version"]), "backtest": backtest["id"],
        "rule": "a_only", "ip_entry": str(ip_entry["id"]), "action": action["id"],
        "defined": "a_suspend", "review": review["id"], "challenge": challenge["id"],
    }  # fmt: skip


@pytest.mark.parametrize("operation", list(NAMED_OBJECTS), ids=" ".join)
def test_another_projects_key_gets_404_for_each_object(
    client: TestClient,
    project: ApiProject,
    other_project: ApiProject,
    objects: dict[str, str],
    operation: tuple[str, str],
) -> None:
    method, _ = operation
    path = NAMED_OBJECTS[operation].format(**objects)
    before = state_of(client, project)

    answer = client.request(method, path, json=BODIES.get(operation), headers=other_project.headers)

    if operation in OWN_NAMES:
        assert answer.status_code in (200, 201, 404), answer.text
        if method == "GET" and answer.status_code == 200:
            assert answer.json()["events"] == 0  # B has no events by alice
    else:
        assert_error(answer, 404, "not_found")
    assert state_of(client, project) == before  # nothing of A's changed


STATE_PATHS = ("/v1/audit-log", "/v1/rules", "/v1/policy/versions", "/v1/lists/deny",
               "/v1/ip-lists/deny", "/v1/defined-actions", "/v1/actions", "/v1/reviews",
               "/v1/users/alice", "/v1/spam-users", "/v1/entities?kind=domain")  # fmt: skip


def state_of(client: TestClient, project: ApiProject) -> dict[str, Any]:
    """What project A's key reads of its project: every change would show in one of them."""
    return {path: ok(client.get(path, headers=project.headers)) for path in STATE_PATHS}

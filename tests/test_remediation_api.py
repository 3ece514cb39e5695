"""The remediation API: actions run by hand and the actions log, retries and figures;
defined actions and the rules that use them; the review queue and a moderator's answers;
where actions go. Each project sees only its own; bad input is a 4xx, never a 500.

Test settings leave the embedded worker off: tests run queued actions with a worker of
their own (`drain`), and move the clock instead of sleeping.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from httpx import Response
from starlette.testclient import TestClient

from spamward.remediation.catalog import CATALOG
from spamward.remediation.worker import ActionWorker
from spamward.runtime import Runtime
from spamward.services.projects import caller_for_key
from tests.conftest import ApiProject, Clock

JSON = {"Content-Type": "application/json"}
WORKER = "api-test-worker"
UNREACHABLE = "http://127.0.0.1:9/"  # the discard port: nothing listens, connecting fails at once
FREE_MONEY = 'matches(event.text, "(?i)free money")'
SETTLED = ("done", "skipped", "failed")
NO_SUCH_ID = uuid.UUID("0195a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b")  # fixed: xdist workers collect alike


# --- helpers ---------------------------------------------------------------------------------


@pytest.fixture
def worker(runtime: Runtime) -> Iterator[ActionWorker]:
    """An action worker without threads: tests call run_once themselves."""
    made = ActionWorker(runtime, concurrency=0, name=WORKER)
    yield made
    made.stop()


@pytest.fixture
def api(client: TestClient) -> TestClient:
    """The same app, answering a server error with its 500 instead of raising it in the test."""
    return TestClient(client.app, raise_server_exceptions=False)


def drain(worker: ActionWorker) -> int:
    """Run every due action; how many runs there were."""
    ran = 0
    for _ in range(100):
        count = worker.run_once(limit=10)
        if count == 0:
            return ran
        ran += count
    raise AssertionError("the queue never emptied")


def who(runtime: Runtime, project: ApiProject) -> str:
    """How the API names the project's key in what it records (Caller.who)."""
    return caller_for_key(runtime, project.key).who


def ok(response: Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def run(client: TestClient, project: ApiProject, **body: Any) -> Any:
    return ok(client.post("/v1/actions", json=body, headers=project.headers), 202)


def action(client: TestClient, project: ApiProject, action_id: str) -> Any:
    return ok(client.get(f"/v1/actions/{action_id}", headers=project.headers))


def log(client: TestClient, project: ApiProject, **params: Any) -> list[Any]:
    answer = ok(client.get("/v1/actions", params=params, headers=project.headers))
    actions: list[Any] = answer["actions"]
    return actions


def reviews(client: TestClient, project: ApiProject, **params: Any) -> list[Any]:
    items: list[Any] = ok(client.get("/v1/reviews", params=params, headers=project.headers))[
        "items"
    ]
    return items


def resolve(client: TestClient, project: ApiProject, item_id: str, **body: Any) -> Response:
    response: Response = client.post(
        f"/v1/reviews/{item_id}/resolve", json=body, headers=project.headers
    )
    return response


def post(client: TestClient, project: ApiProject, user: str, text: str) -> Any:
    event = {"type": "post", "actor": {"id": user}, "content": {"text": text}}
    return ok(client.post("/v1/events", json=event, headers=project.headers))


def hold_a_post(client: TestClient, project: ApiProject, user: str = "u9") -> Any:
    """A quarantined user's post: held, and a held_content review item opened for it."""
    status = {"status": "quarantined"}
    ok(client.put(f"/v1/users/{user}/status", json=status, headers=project.headers))
    decision = post(client, project, user, "hello there")
    assert decision["verdict"] == "hold"
    return decision


def define(
    client: TestClient, project: ApiProject, name: str, kind: str, **params: Any
) -> Response:
    body = {"action": kind, "params": params, "description": f"{kind} as {name}"}
    response: Response = client.put(
        f"/v1/defined-actions/{name}", json=body, headers=project.headers
    )
    return response


def settings_of(client: TestClient, project: ApiProject) -> Any:
    return ok(client.get("/v1/remediation-settings", headers=project.headers))


def patch_settings(client: TestClient, project: ApiProject, **changes: Any) -> Response:
    response: Response = client.patch(
        "/v1/remediation-settings", json=changes, headers=project.headers
    )
    return response


def add_rule(client: TestClient, project: ApiProject, name: str, *actions: str) -> Response:
    rule = {
        "name": name,
        "condition": FREE_MONEY,
        "effects": [{"action": a} for a in actions],
    }
    response: Response = client.post("/v1/rules", json=rule, headers=project.headers)
    return response


def publish(client: TestClient, project: ApiProject) -> None:
    ok(client.post("/v1/policy/publish", json={}, headers=project.headers), 201)


def settle(
    client: TestClient, project: ApiProject, worker: ActionWorker, clock: Clock, action_id: str
) -> Any:
    """Run the action, its retries falling due as the clock moves on, until it settles."""
    for _ in range(30):
        drain(worker)
        shown = action(client, project, action_id)
        if shown["status"] in SETTLED:
            return shown
        clock.advance(hours=2)  # past any backoff (capped at an hour)
    raise AssertionError(f"action {action_id} never settled")


def failed_webhook_call(
    client: TestClient, project: ApiProject, worker: ActionWorker, clock: Clock
) -> Any:
    """A call_webhook action to an unreachable webhook, failed after all its attempts."""
    assert patch_settings(client, project, webhook_url=UNREACHABLE).status_code == 200
    queued = run(client, project, action="call_webhook")
    failed = settle(client, project, worker, clock, queued["id"])
    assert failed["status"] == "failed", failed
    return failed


def assert_error(response: Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"]


# --- running actions by hand and the actions log ---------------------------------------------


def test_a_manual_ban_runs_and_the_log_names_the_caller(
    client: TestClient, project: ApiProject, runtime: Runtime, worker: ActionWorker, clock: Clock
) -> None:
    caller = who(runtime, project)
    assert caller.startswith("api-key:")
    assert client.get("/v1/users/mallory", headers=project.headers).status_code == 404

    queued = run(client, project, action="ban_user", user_id="mallory", note="spam run")

    assert (queued["name"], queued["kind"], queued["status"]) == ("ban_user", "ban_user", "queued")
    assert (queued["user_id"], queued["requested_by"], queued["attempts"]) == ("mallory", caller, 0)
    assert queued["due_at"] == clock.now.isoformat()
    assert client.get("/v1/users/mallory", headers=project.headers).status_code == 404

    clock.advance(seconds=30)
    assert drain(worker) == 1

    account = ok(client.get("/v1/users/mallory", headers=project.headers))
    assert account["status"] == "banned"
    [done] = log(client, project)
    assert done["id"] == queued["id"]
    assert (done["status"], done["requested_by"], done["attempts"]) == ("done", caller, 1)
    assert done["result"] == {"status": "banned", "until": None}
    assert (done["due_at"], done["error"]) == (None, None)
    assert done["finished_at"] == clock.now.isoformat()
    shown = action(client, project, queued["id"])
    assert [(a["number"], a["worker"], a["outcome"]) for a in shown["attempt_log"]] == [
        (1, WORKER, "done")
    ]
    assert "attempt_log" not in done
    assert post(client, project, "mallory", "hi again")["verdict"] == "block"


def test_an_action_on_a_post_takes_the_posts_user(
    client: TestClient, project: ApiProject, runtime: Runtime, worker: ActionWorker
) -> None:
    decision = post(client, project, "poster", "a perfectly ordinary post")

    queued = run(client, project, action="hide_content", event_id=decision["event_id"])

    assert (queued["event_id"], queued["user_id"]) == (decision["event_id"], "poster")
    drain(worker)
    shown = action(client, project, queued["id"])
    assert shown["status"] == "skipped"  # content lives on the site: no webhook, nothing to do
    assert shown["result"] == {"reason": "the project has no webhook URL"}
    assert [a["outcome"] for a in shown["attempt_log"]] == ["skipped"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"action": "ban_user"}, "user_id"),
        ({"action": "suspend_user", "params": {"duration": "1d"},
          "entity": {"kind": "domain", "value": "x.example.com"}}, "user_id"),
        ({"action": "hide_content", "user_id": "u1"}, "event_id"),
        ({"action": "deny_entity", "user_id": "u1"}, "entity"),
    ],
)  # fmt: skip
def test_an_action_without_its_target_is_422(
    client: TestClient, project: ApiProject, body: dict[str, Any], field: str
) -> None:
    response = client.post("/v1/actions", json=body, headers=project.headers)

    assert_error(response, 422, "validation_error")
    assert response.json()["error"]["details"] == [
        {"field": field, "message": "required for this action"}
    ]
    assert log(client, project) == []


def test_an_unknown_action_is_404(client: TestClient, project: ApiProject) -> None:
    response = client.post(
        "/v1/actions", json={"action": "smite_user", "user_id": "u1"}, headers=project.headers
    )

    assert_error(response, 404, "not_found")
    assert log(client, project) == []


def test_an_unknown_event_is_404(client: TestClient, project: ApiProject) -> None:
    body = {"action": "hide_content", "event_id": str(uuid.uuid4())}

    assert_error(client.post("/v1/actions", json=body, headers=project.headers), 404, "not_found")
    assert log(client, project) == []


def test_the_log_is_newest_first_and_filters(
    client: TestClient, project: ApiProject, worker: ActionWorker, clock: Clock
) -> None:
    start = clock.now
    decision = post(client, project, "poster", "an ordinary post")
    ban = run(client, project, action="ban_user", user_id="u1")
    clock.advance(minutes=1)
    hide = run(client, project, action="hide_content", event_id=decision["event_id"])
    clock.advance(minutes=1)
    escalate = run(client, project, action="escalate", user_id="u2")
    clock.advance(minutes=1)
    drain(worker)
    waiting = run(client, project, action="ban_user", user_id="u3")

    def ids(**params: Any) -> list[str]:
        return [a["id"] for a in log(client, project, **params)]

    assert ids() == [waiting["id"], escalate["id"], hide["id"], ban["id"]]
    assert ids(status="done") == [escalate["id"], ban["id"]]
    assert ids(status="skipped") == [hide["id"]]
    assert ids(status="queued") == [waiting["id"]]
    assert ids(status="failed") == []
    assert ids(action="ban_user") == [waiting["id"], ban["id"]]
    assert ids(user_id="poster") == [hide["id"]]
    assert ids(event_id=decision["event_id"]) == [hide["id"]]
    assert ids(rule="some_rule") == []
    minute = timedelta(minutes=1)
    assert ids(since=(start + minute).isoformat()) == [waiting["id"], escalate["id"], hide["id"]]
    assert ids(until=(start + minute).isoformat()) == [ban["id"]]
    assert ids(since=(start + minute).isoformat(), until=(start + 2 * minute).isoformat()) == [
        hide["id"]
    ]
    new_york = timezone(timedelta(hours=-5))  # the same instant, another offset
    assert ids(since=start.astimezone(new_york).isoformat(), limit=2) == [
        waiting["id"],
        escalate["id"],
    ]
    assert ids(limit=2, offset=2) == [hide["id"], ban["id"]]
    assert ids(offset=4) == []


def test_status_failed_lists_only_the_failed_action(
    client: TestClient, project: ApiProject, worker: ActionWorker, clock: Clock
) -> None:
    ban = run(client, project, action="ban_user", user_id="u1")
    drain(worker)
    failed = failed_webhook_call(client, project, worker, clock)

    assert [a["id"] for a in log(client, project, status="failed")] == [failed["id"]]
    assert [a["id"] for a in log(client, project, status="done")] == [ban["id"]]
    assert failed["attempts"] == failed["max_attempts"] == 6
    assert UNREACHABLE in failed["error"]
    attempts = failed["attempt_log"]
    assert [a["number"] for a in attempts] == [1, 2, 3, 4, 5, 6]
    assert {a["outcome"] for a in attempts} == {"error"}
    assert all(UNREACHABLE in a["error"] for a in attempts)
    started = [datetime.fromisoformat(a["started_at"]) for a in attempts]
    assert started == sorted(set(started))  # each retry waited for the clock


def test_a_failed_action_opens_an_action_failed_review_item(
    client: TestClient, project: ApiProject, worker: ActionWorker, clock: Clock
) -> None:
    failed = failed_webhook_call(client, project, worker, clock)

    [item] = reviews(client, project, kind="action_failed")
    assert (item["action_id"], item["status"]) == (failed["id"], "open")
    assert item["summary"].startswith("action failed: call_webhook after 6 attempt(s)")
    shown = ok(client.get(f"/v1/reviews/{item['id']}", headers=project.headers))
    assert shown["action"]["id"] == failed["id"]
    assert shown["action"]["status"] == "failed"
    assert (shown["decision"], shown["text"], shown["user_posts"]) == (None, None, [])


def test_retry_queues_a_failed_or_skipped_action_and_refuses_others(
    client: TestClient,
    project: ApiProject,
    runtime: Runtime,
    worker: ActionWorker,
    clock: Clock,
) -> None:
    ban = run(client, project, action="ban_user", user_id="u1")
    pending = run(client, project, action="ban_user", user_id="u2")
    assert (
        client.post(f"/v1/actions/{pending['id']}/retry", headers=project.headers).status_code
        == 409
    )
    drain(worker)
    failed = failed_webhook_call(client, project, worker, clock)

    done_retry = client.post(f"/v1/actions/{ban['id']}/retry", headers=project.headers)
    retried = ok(client.post(f"/v1/actions/{failed['id']}/retry", headers=project.headers), 202)
    again = client.post(f"/v1/actions/{failed['id']}/retry", headers=project.headers)

    assert_error(done_retry, 409, "conflict")
    assert (retried["status"], retried["attempts"], retried["max_attempts"]) == ("queued", 6, 12)
    assert retried["due_at"] == clock.now.isoformat()
    assert retried["finished_at"] is None
    assert_error(again, 409, "conflict")
    assert action(client, project, failed["id"])["status"] == "queued"

    # With no webhook the call is skipped; a skipped action can be retried too.
    assert patch_settings(client, project, webhook_url=None).status_code == 200
    skipped = settle(client, project, worker, clock, failed["id"])
    assert skipped["status"] == "skipped"
    assert skipped["attempts"] == 7
    requeued = ok(client.post(f"/v1/actions/{failed['id']}/retry", headers=project.headers), 202)
    assert requeued["status"] == "queued"
    assert action(client, project, ban["id"])["status"] == "done"


def test_metrics_count_settled_actions_by_kind_and_the_queue(
    client: TestClient, project: ApiProject, worker: ActionWorker, clock: Clock
) -> None:
    decision = post(client, project, "poster", "an ordinary post")
    run(client, project, action="ban_user", user_id="u1")
    run(client, project, action="hide_content", event_id=decision["event_id"])
    clock.advance(seconds=30)
    drain(worker)
    clock.advance(minutes=10)
    run(client, project, action="ban_user", user_id="u2")  # left waiting
    clock.advance(minutes=5)

    figures = ok(client.get("/v1/actions/metrics", headers=project.headers))

    assert figures["since"] == (clock.now - timedelta(hours=24)).isoformat()
    assert figures["by_kind"] == {
        "ban_user": {"done": 1, "skipped": 0, "failed": 0, "retries": 0,
                     "mean_seconds_to_remediate": 30.0},
        "hide_content": {"done": 0, "skipped": 1, "failed": 0, "retries": 0,
                         "mean_seconds_to_remediate": None},
    }  # fmt: skip
    assert figures["queue"] == {"depth": 1, "oldest_age_seconds": 300.0}
    clock.advance(hours=1)
    recent = ok(client.get("/v1/actions/metrics?hours=1", headers=project.headers))
    assert recent["since"] == (clock.now - timedelta(hours=1)).isoformat()
    assert recent["by_kind"] == {}
    assert recent["queue"]["depth"] == 1


def test_metrics_count_the_retries_of_a_failed_action(
    client: TestClient, project: ApiProject, worker: ActionWorker, clock: Clock
) -> None:
    failed_webhook_call(client, project, worker, clock)

    figures = ok(client.get("/v1/actions/metrics", headers=project.headers))

    assert figures["by_kind"] == {
        "call_webhook": {"done": 0, "skipped": 0, "failed": 1, "retries": 5,
                         "mean_seconds_to_remediate": None},
    }  # fmt: skip
    assert figures["queue"] == {"depth": 0, "oldest_age_seconds": None}


# --- defined actions ---------------------------------------------------------------------------


def test_a_defined_action_is_stored_with_checked_params_and_listed(
    client: TestClient, project: ApiProject, runtime: Runtime
) -> None:
    empty = ok(client.get("/v1/defined-actions", headers=project.headers))
    assert empty["defined_actions"] == []
    assert set(empty["catalog"]) == CATALOG
    assert empty["catalog"]["suspend_user"]["required"] == ["duration"]

    stored = ok(define(client, project, "suspend_week", "suspend_user", duration="7d"))

    assert (stored["name"], stored["action"]) == ("suspend_week", "suspend_user")
    assert stored["params"] == {"duration": 604800}
    assert stored["description"] == "suspend_user as suspend_week"
    assert stored["updated_by"] == who(runtime, project)
    changed = ok(define(client, project, "suspend_week", "suspend_user", duration="3d"))
    assert changed["params"] == {"duration": 259200}
    listed = ok(client.get("/v1/defined-actions", headers=project.headers))["defined_actions"]
    assert [(d["name"], d["params"]) for d in listed] == [("suspend_week", {"duration": 259200})]
    deny = ok(define(client, project, "deny_links", "deny_entity", kinds=["domain", "url"]))
    assert deny["params"] == {"kinds": ["domain", "url"], "probation_days": 7, "max_users": 20}


@pytest.mark.parametrize(
    ("kind", "params", "message"),
    [
        ("suspend_user", {}, "duration: Field required"),
        ("suspend_user", {"duration": "7x"}, "duration: a duration such as 7d, 12h or 3600"),
        ("suspend_user", {"duration": "400d"}, "duration: a duration between 1 second and 366"),
        ("suspend_user", {"duration": "7d", "reason": "spam"}, "unknown parameter 'reason'"),
        ("ban_user", {"duration": "7d"}, "unknown parameter 'duration'"),
        ("deny_entity", {"probation_days": 0}, "probation_days:"),
        ("notify_user", {"channel": "pigeon"}, "channel:"),
    ],
)  # fmt: skip
def test_bad_params_of_a_defined_action_are_422(
    client: TestClient, project: ApiProject, kind: str, params: dict[str, Any], message: str
) -> None:
    response = define(client, project, "under_test", kind, **params)

    assert_error(response, 422, "validation_error")
    details = response.json()["error"]["details"]
    assert [d["field"] for d in details] == ["params"]
    assert details[0]["message"].startswith(message)
    assert ok(client.get("/v1/defined-actions", headers=project.headers))["defined_actions"] == []


def test_a_catalog_name_cannot_be_defined(client: TestClient, project: ApiProject) -> None:
    response = define(client, project, "ban_user", "suspend_user", duration="7d")

    assert_error(response, 409, "conflict")
    assert ok(client.get("/v1/defined-actions", headers=project.headers))["defined_actions"] == []


def test_a_defined_action_runs_by_hand(
    client: TestClient, project: ApiProject, worker: ActionWorker, clock: Clock
) -> None:
    ok(define(client, project, "suspend_week", "suspend_user", duration="7d"))

    queued = run(client, project, action="suspend_week", user_id="u5")

    assert (queued["name"], queued["kind"]) == ("suspend_week", "suspend_user")
    assert queued["params"] == {"duration": 604800}
    drain(worker)
    done = action(client, project, queued["id"])
    assert done["status"] == "done"
    until = (clock.now + timedelta(days=7)).isoformat()
    assert done["result"] == {"status": "suspended", "until": until}
    assert ok(client.get("/v1/users/u5", headers=project.headers))["status"] == "suspended"


def test_a_rule_uses_a_defined_action_once_it_is_defined(
    client: TestClient, project: ApiProject, worker: ActionWorker
) -> None:
    refused = add_rule(client, project, "free_money", "suspend_week")

    assert_error(refused, 422, "invalid_policy")
    [problem] = refused.json()["error"]["details"]
    assert (problem["rule"], problem["field"]) == ("free_money", "effects.0")
    assert "suspend_week" in problem["message"]
    assert "free_money" not in [
        r["name"] for r in ok(client.get("/v1/rules", headers=project.headers))["rules"]
    ]

    ok(define(client, project, "suspend_week", "suspend_user", duration="7d"))
    assert add_rule(client, project, "free_money", "suspend_week").status_code == 201
    publish(client, project)
    hit = post(client, project, "greedy", "free money for everyone")
    post(client, project, "calm", "a quiet afternoon")

    [queued] = log(client, project, rule="free_money")
    assert (queued["name"], queued["kind"], queued["rule"]) == (
        "suspend_week",
        "suspend_user",
        "free_money",
    )
    assert queued["requested_by"] == "rule:free_money"
    assert (queued["user_id"], queued["event_id"]) == ("greedy", hit["event_id"])
    assert queued["decision_id"] == hit["id"]
    assert len(log(client, project)) == 1
    drain(worker)
    assert ok(client.get("/v1/users/greedy", headers=project.headers))["status"] == "suspended"
    assert ok(client.get("/v1/users/calm", headers=project.headers))["status"] == "active"


def test_a_defined_action_takes_no_params_in_an_effect(
    client: TestClient, project: ApiProject
) -> None:
    ok(define(client, project, "suspend_week", "suspend_user", duration="7d"))
    rule = {
        "name": "free_money",
        "condition": FREE_MONEY,
        "effects": [{"action": "suspend_week", "params": {"duration": "1d"}}],
    }

    response = client.post("/v1/rules", json=rule, headers=project.headers)

    assert response.status_code == 422, response.text
    assert "parameters are fixed" in response.text


def test_a_defined_action_in_use_by_the_draft_or_live_policy_cannot_be_deleted(
    client: TestClient, project: ApiProject
) -> None:
    ok(define(client, project, "suspend_week", "suspend_user", duration="7d"))
    assert add_rule(client, project, "free_money", "suspend_week").status_code == 201

    in_draft = client.delete("/v1/defined-actions/suspend_week", headers=project.headers)
    publish(client, project)
    assert client.delete("/v1/rules/free_money", headers=project.headers).status_code == 204
    in_live = client.delete("/v1/defined-actions/suspend_week", headers=project.headers)
    publish(client, project)
    deleted = client.delete("/v1/defined-actions/suspend_week", headers=project.headers)
    deleted_again = client.delete("/v1/defined-actions/suspend_week", headers=project.headers)

    assert_error(in_draft, 409, "conflict")
    assert "free_money" in in_draft.json()["error"]["message"]
    assert_error(in_live, 409, "conflict")
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert_error(deleted_again, 404, "not_found")
    assert ok(client.get("/v1/defined-actions", headers=project.headers))["defined_actions"] == []
    unknown = client.post(
        "/v1/actions", json={"action": "suspend_week", "user_id": "u1"}, headers=project.headers
    )
    assert_error(unknown, 404, "not_found")


# --- the review queue --------------------------------------------------------------------------


def test_a_held_post_opens_a_review_item_with_its_context(
    client: TestClient, project: ApiProject
) -> None:
    decision = hold_a_post(client, project)

    [item] = reviews(client, project)

    assert (item["kind"], item["status"]) == ("held_content", "open")
    assert (item["event_id"], item["decision_id"]) == (decision["event_id"], decision["id"])
    assert (item["user_id"], item["action_id"], item["resolution"]) == ("u9", None, None)
    assert "quarantined" in item["summary"]
    shown = ok(client.get(f"/v1/reviews/{item['id']}", headers=project.headers))
    assert shown["decision"]["verdict"] == "hold"
    assert shown["decision"]["reasons"] == decision["reasons"]
    assert shown["text"] == "hello there"
    assert shown["action"] is None
    assert isinstance(shown["user_posts"], list)
    assert reviews(client, project, status="resolved") == []
    assert reviews(client, project, kind="action_failed") == []


def test_rejecting_a_held_post_labels_it_spam_deletes_it_and_lists_the_domain(
    client: TestClient, project: ApiProject, runtime: Runtime
) -> None:
    caller = who(runtime, project)
    decision = hold_a_post(client, project)
    [item] = reviews(client, project)
    deny = [{"kind": "domain", "value": "spam.example.com"}]

    answer = ok(resolve(client, project, item["id"], resolution="reject", note="spam", deny=deny))

    assert (answer["status"], answer["resolution"], answer["note"]) == (
        "resolved",
        "reject",
        "spam",
    )
    assert answer["resolved_by"] == caller
    assert [e["value"] for e in answer["listed"]["deny"]["added"]] == ["spam.example.com"]
    assert answer["listed"]["deny"]["errors"] == []
    labels = ok(client.get("/v1/labels", headers=project.headers))["labels"]
    assert [(la["event_id"], la["spam"], la["source"]) for la in labels] == [
        (decision["event_id"], True, "moderator")
    ]
    [delete] = log(client, project, action="delete_content")
    assert (delete["event_id"], delete["user_id"]) == (decision["event_id"], "u9")
    assert (delete["status"], delete["requested_by"]) == ("queued", caller)
    assert log(client, project, action="release_content") == []
    entries = ok(client.get("/v1/lists/deny", headers=project.headers))["entries"]
    assert [(e["kind"], e["value"]) for e in entries] == [("domain", "spam.example.com")]
    assert reviews(client, project) == []
    assert [i["id"] for i in reviews(client, project, status="resolved")] == [item["id"]]
    twice = resolve(client, project, item["id"], resolution="approve")
    assert_error(twice, 409, "conflict")
    assert log(client, project, action="release_content") == []


def test_approving_a_held_post_labels_it_not_spam_and_releases_it(
    client: TestClient, project: ApiProject, runtime: Runtime
) -> None:
    decision = hold_a_post(client, project)
    [item] = reviews(client, project)

    answer = ok(resolve(client, project, item["id"], resolution="approve"))

    assert (answer["resolution"], answer["note"], answer["listed"]) == ("approve", None, {})
    labels = ok(client.get("/v1/labels", headers=project.headers))["labels"]
    assert [(la["event_id"], la["spam"]) for la in labels] == [(decision["event_id"], False)]
    [release] = log(client, project)
    assert (release["kind"], release["event_id"]) == ("release_content", decision["event_id"])
    assert release["requested_by"] == who(runtime, project)
    assert ok(client.get("/v1/lists/deny", headers=project.headers))["entries"] == []


def test_an_answer_can_allow_entities_and_reports_bad_ones(
    client: TestClient, project: ApiProject
) -> None:
    hold_a_post(client, project)
    [item] = reviews(client, project)
    allow = [{"kind": "domain", "value": "fine.example.com"}, {"kind": "domain", "value": "///"}]

    answer = ok(resolve(client, project, item["id"], resolution="approve", allow=allow))

    assert [e["value"] for e in answer["listed"]["allow"]["added"]] == ["fine.example.com"]
    [error] = answer["listed"]["allow"]["errors"]
    assert error["index"] == 1
    entries = ok(client.get("/v1/lists/allow", headers=project.headers))["entries"]
    assert [e["value"] for e in entries] == ["fine.example.com"]


def test_retry_is_refused_for_an_item_without_an_action(
    client: TestClient, project: ApiProject
) -> None:
    hold_a_post(client, project)
    [item] = reviews(client, project)

    refused = resolve(client, project, item["id"], resolution="retry")
    with_lists = resolve(
        client, project, item["id"], resolution="retry", deny=[{"kind": "domain", "value": "a.com"}]
    )

    assert_error(refused, 409, "conflict")
    assert_error(with_lists, 422, "validation_error")
    assert [i["status"] for i in reviews(client, project)] == ["open"]
    assert log(client, project) == []


def test_retry_answers_a_failed_action_by_queueing_it_again(
    client: TestClient, project: ApiProject, runtime: Runtime, worker: ActionWorker, clock: Clock
) -> None:
    failed = failed_webhook_call(client, project, worker, clock)
    [item] = reviews(client, project, kind="action_failed")

    answer = ok(resolve(client, project, item["id"], resolution="retry", note="webhook is back"))

    assert (answer["resolution"], answer["resolved_by"]) == ("retry", who(runtime, project))
    requeued = action(client, project, failed["id"])
    assert (requeued["status"], requeued["max_attempts"]) == ("queued", 12)
    assert reviews(client, project, kind="action_failed") == []


def test_retrying_from_the_log_settles_the_failed_actions_review_item(
    client: TestClient, project: ApiProject, runtime: Runtime, worker: ActionWorker, clock: Clock
) -> None:
    failed = failed_webhook_call(client, project, worker, clock)
    [item] = reviews(client, project, kind="action_failed")

    ok(client.post(f"/v1/actions/{failed['id']}/retry", headers=project.headers), 202)

    assert reviews(client, project, kind="action_failed") == []
    [settled] = reviews(client, project, status="resolved", kind="action_failed")
    assert settled["id"] == item["id"]
    assert (settled["resolution"], settled["resolved_by"]) == ("retry", who(runtime, project))
    assert_error(resolve(client, project, item["id"], resolution="retry"), 409, "conflict")
    assert action(client, project, failed["id"])["max_attempts"] == 12


def test_the_queue_is_oldest_first_and_filters_by_kind(
    client: TestClient, project: ApiProject, worker: ActionWorker, clock: Clock
) -> None:
    hold_a_post(client, project)
    clock.advance(minutes=1)
    run(client, project, action="escalate", user_id="u2")
    drain(worker)
    clock.advance(minutes=1)
    hold_a_post(client, project, user="u10")

    items = reviews(client, project)

    assert [(i["kind"], i["user_id"]) for i in items] == [
        ("held_content", "u9"),
        ("questionable", "u2"),
        ("held_content", "u10"),
    ]
    assert [i["user_id"] for i in reviews(client, project, kind="held_content")] == ["u9", "u10"]
    assert [i["user_id"] for i in reviews(client, project, kind="questionable")] == ["u2"]
    assert [i["user_id"] for i in reviews(client, project, limit=1, offset=1)] == ["u2"]
    ok(resolve(client, project, items[0]["id"], resolution="approve"))
    assert [i["user_id"] for i in reviews(client, project)] == ["u2", "u10"]
    assert [i["user_id"] for i in reviews(client, project, status="resolved")] == ["u9"]


def test_a_rule_over_its_actions_per_hour_is_skipped_and_reviewed(
    client: TestClient, project: ApiProject, worker: ActionWorker, clock: Clock
) -> None:
    assert (
        ok(patch_settings(client, project, rule_actions_per_hour=1))["rule_actions_per_hour"] == 1
    )
    assert add_rule(client, project, "free_money", "ban_user").status_code == 201
    publish(client, project)
    post(client, project, "first", "free money")
    clock.advance(seconds=1)
    post(client, project, "second", "free money")

    drain(worker)

    by_user = {a["user_id"]: a for a in log(client, project, rule="free_money")}
    assert by_user["first"]["status"] == "done"
    assert by_user["second"]["status"] == "skipped"
    [item] = reviews(client, project, kind="rule_exhausted")
    assert item["rule"] == "free_money"
    assert ok(client.get("/v1/users/second", headers=project.headers))["status"] == "active"


# --- where actions go --------------------------------------------------------------------------


def test_settings_start_empty_and_the_first_webhook_gets_a_secret_shown_once(
    client: TestClient, project: ApiProject
) -> None:
    assert settings_of(client, project) == {
        "webhook_url": None,
        "webhook_secret_set": False,
        "admin_emails": [],
        "admin_webhook_url": None,
        "rule_actions_per_hour": 200,
    }

    first = ok(patch_settings(client, project, webhook_url="https://site.example.com/hook"))

    assert first["webhook_url"] == "https://site.example.com/hook"
    assert first["webhook_secret_set"] is True
    secret = first["webhook_secret"]
    assert secret.startswith("whsec_")
    assert len(secret) > 30
    shown = settings_of(client, project)
    assert "webhook_secret" not in shown
    assert shown["webhook_secret_set"] is True
    moved = ok(patch_settings(client, project, webhook_url="https://site.example.com/other"))
    assert "webhook_secret" not in moved
    rotated = ok(client.post("/v1/remediation-settings/webhook-secret", headers=project.headers))
    assert rotated["webhook_secret"].startswith("whsec_")
    assert rotated["webhook_secret"] != secret
    assert "webhook_secret" not in settings_of(client, project)


def test_settings_patch_changes_only_what_it_names(client: TestClient, project: ApiProject) -> None:
    changes = {
        "admin_emails": ["mod@example.com", "lead@example.org"],
        "admin_webhook_url": "https://ops.example.com/alerts",
        "rule_actions_per_hour": 50,
    }

    changed = ok(patch_settings(client, project, **changes))

    assert {name: changed[name] for name in changes} == changes
    assert changed["webhook_url"] is None
    assert changed["webhook_secret"].startswith("whsec_")  # the admins' webhook is signed too
    ok(patch_settings(client, project, rule_actions_per_hour=75))
    shown = settings_of(client, project)
    assert shown["admin_emails"] == changes["admin_emails"]
    assert shown["admin_webhook_url"] == changes["admin_webhook_url"]
    assert shown["rule_actions_per_hour"] == 75
    ok(patch_settings(client, project, admin_emails=[]))
    assert settings_of(client, project)["admin_emails"] == []


@pytest.mark.parametrize(
    "changes",
    [
        {"webhook_url": "not a url"},
        {"webhook_url": "ftp://site.example.com/hook"},
        {"webhook_url": "https://" + "a" * 2000 + ".com/"},
        {"admin_webhook_url": "mailto:mod@example.com"},
        {"admin_emails": ["bob"]},
        {"admin_emails": ["a@b.com,c@d.com"]},
        {"admin_emails": "mod@example.com"},
        {"rule_actions_per_hour": 0},
        {"rule_actions_per_hour": "many"},
        {"webhook_secret": "whsec_mine"},
    ],
)
def test_invalid_settings_are_422_and_change_nothing(
    client: TestClient, project: ApiProject, changes: dict[str, Any]
) -> None:
    before = settings_of(client, project)

    assert_error(patch_settings(client, project, **changes), 422, "validation_error")
    assert settings_of(client, project) == before


# --- each project its own ----------------------------------------------------------------------


def test_another_projects_key_finds_nothing_of_this_project(
    client: TestClient,
    project: ApiProject,
    other_project: ApiProject,
    worker: ActionWorker,
    clock: Clock,
) -> None:
    decision = hold_a_post(client, project)
    [item] = reviews(client, project)
    ok(define(client, project, "suspend_week", "suspend_user", duration="7d"))
    assert patch_settings(client, project, webhook_url="https://a.example.com/").status_code == 200
    ban = run(client, project, action="ban_user", user_id="u1")
    drain(worker)
    theirs = other_project.headers

    for method, path in [
        ("GET", f"/v1/actions/{ban['id']}"),
        ("POST", f"/v1/actions/{ban['id']}/retry"),
        ("GET", f"/v1/reviews/{item['id']}"),
        ("DELETE", "/v1/defined-actions/suspend_week"),
    ]:
        assert_error(client.request(method, path, headers=theirs), 404, "not_found")
    answers: list[dict[str, Any]] = [
        {"resolution": "approve"},
        {"resolution": "reject", "deny": [{"kind": "domain", "value": "x.example.com"}]},
    ]
    for body in answers:
        assert_error(resolve(client, other_project, item["id"], **body), 404, "not_found")
    foreign_event = {"action": "hide_content", "event_id": decision["event_id"]}
    assert_error(client.post("/v1/actions", json=foreign_event, headers=theirs), 404, "not_found")
    assert_error(
        client.post(
            "/v1/actions", json={"action": "suspend_week", "user_id": "u1"}, headers=theirs
        ),
        404,
        "not_found",
    )

    assert log(client, other_project) == []
    assert log(client, other_project, event_id=decision["event_id"]) == []
    assert reviews(client, other_project) == []
    assert reviews(client, other_project, status="resolved") == []
    assert ok(client.get("/v1/defined-actions", headers=theirs))["defined_actions"] == []
    figures = ok(client.get("/v1/actions/metrics", headers=theirs))
    assert figures["by_kind"] == {}
    assert figures["queue"] == {"depth": 0, "oldest_age_seconds": None}
    assert settings_of(client, other_project)["webhook_url"] is None
    assert ok(client.get("/v1/labels", headers=theirs))["labels"] == []
    assert ok(client.get("/v1/lists/deny", headers=theirs))["entries"] == []

    # Nothing of this project changed, and the same name is the other project's own.
    assert [i["id"] for i in reviews(client, project)] == [item["id"]]
    assert action(client, project, ban["id"])["status"] == "done"
    ok(define(client, other_project, "suspend_week", "ban_user"))
    mine = ok(client.get("/v1/defined-actions", headers=project.headers))["defined_actions"]
    assert [(d["action"], d["params"]) for d in mine] == [("suspend_user", {"duration": 604800})]
    assert settings_of(client, project)["webhook_url"] == "https://a.example.com/"


def test_each_project_gets_its_own_webhook_secret(
    client: TestClient, project: ApiProject, other_project: ApiProject
) -> None:
    mine = ok(patch_settings(client, project, webhook_url="https://a.example.com/"))
    ok(client.post("/v1/remediation-settings/webhook-secret", headers=other_project.headers))

    assert settings_of(client, project)["webhook_url"] == "https://a.example.com/"
    assert settings_of(client, other_project)["webhook_url"] is None
    rotated = ok(client.post("/v1/remediation-settings/webhook-secret", headers=project.headers))
    assert rotated["webhook_secret"] != mine["webhook_secret"]


# --- bad input ---------------------------------------------------------------------------------

ITEM = "{item}"  # stands for a real review item's id in the cases below


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code"),
    [
        ("POST", "/v1/actions", b'{"action": "ban_user", ', 400, "invalid_json"),
        ("POST", "/v1/actions", b"", 400, "invalid_json"),
        ("POST", "/v1/actions", b"\xff\xfe", 400, "invalid_encoding"),
        ("POST", "/v1/actions", b"[]", 422, "validation_error"),
        ("POST", "/v1/actions", b"{}", 422, "validation_error"),
        ("POST", "/v1/actions", b'{"action": 5, "user_id": "u1"}', 422, "validation_error"),
        ("POST", "/v1/actions", b'{"action": "Ban_User", "user_id": "u1"}', 422,
         "validation_error"),
        ("POST", "/v1/actions", b'{"action": "ban_user", "user_id": 7}', 422, "validation_error"),
        ("POST", "/v1/actions", b'{"action": "ban_user", "user_id": "u1", "why": "x"}', 422,
         "validation_error"),
        ("POST", "/v1/actions", b'{"action": "hide_content", "event_id": "not-a-uuid"}', 422,
         "validation_error"),
        ("POST", "/v1/actions", b'{"action": "deny_entity", "entity": {"kind": "ip", '
         b'"value": "1.2.3.4"}}', 422, "validation_error"),
        ("POST", "/v1/actions", b'{"action": "deny_entity", "entity": {"kind": "domain", '
         b'"value": "not a domain"}}', 422, "validation_error"),
        ("POST", "/v1/actions", b'{"action": "deny_entity", "entity": "spam.example.com"}', 422,
         "validation_error"),
        ("PUT", "/v1/defined-actions/mine", b'{"action": "ban_user"', 400, "invalid_json"),
        ("PUT", "/v1/defined-actions/mine", b'{"action": "smite_user"}', 422,
         "validation_error"),
        ("PUT", "/v1/defined-actions/mine", b'{"action": "ban_user", "params": []}', 422,
         "validation_error"),
        ("PUT", "/v1/defined-actions/mine", b'{"action": "escalate", "params": '
         b'{"reason": {"nested": 1}}}', 422, "validation_error"),
        ("PUT", "/v1/defined-actions/mine", b'{"action": "ban_user", "colour": "red"}', 422,
         "validation_error"),
        ("PUT", "/v1/defined-actions/mine", b'{"params": {}}', 422, "validation_error"),
        ("POST", f"/v1/reviews/{ITEM}/resolve", b'{"resolution": ', 400, "invalid_json"),
        ("POST", f"/v1/reviews/{ITEM}/resolve", b'{"resolution": "maybe"}', 422,
         "validation_error"),
        ("POST", f"/v1/reviews/{ITEM}/resolve", b'{"resolution": "approve", "deny": "x.com"}',
         422, "validation_error"),
        ("POST", f"/v1/reviews/{ITEM}/resolve", b'{"resolution": "approve", "deny": '
         b'[{"kind": "planet", "value": "mars"}]}', 422, "validation_error"),
        ("POST", f"/v1/reviews/{ITEM}/resolve", b'{"resolution": "approve", "shout": true}', 422,
         "validation_error"),
        ("PATCH", "/v1/remediation-settings", b"{", 400, "invalid_json"),
        ("PATCH", "/v1/remediation-settings", b"[1]", 422, "validation_error"),
        ("PATCH", "/v1/remediation-settings", b'{"rule_actions_per_hour": 1.5}', 422,
         "validation_error"),
    ],
)  # fmt: skip
def test_bad_bodies_are_4xx_json_errors_and_change_nothing(
    api: TestClient,
    project: ApiProject,
    method: str,
    path: str,
    body: bytes,
    status: int,
    code: str,
) -> None:
    hold_a_post(api, project)
    [item] = reviews(api, project)
    before = settings_of(api, project)

    response = api.request(
        method, path.replace(ITEM, item["id"]), content=body, headers={**project.headers, **JSON}
    )

    assert_error(response, status, code)
    assert log(api, project) == []
    assert ok(api.get("/v1/defined-actions", headers=project.headers))["defined_actions"] == []
    assert [i["status"] for i in reviews(api, project)] == ["open"]
    assert settings_of(api, project) == before


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/v1/actions"),
        ("PUT", "/v1/defined-actions/mine"),
        ("POST", f"/v1/reviews/{ITEM}/resolve"),
        ("PATCH", "/v1/remediation-settings"),
    ],
)
def test_a_body_that_is_not_json_is_415(
    api: TestClient, project: ApiProject, method: str, path: str
) -> None:
    hold_a_post(api, project)
    [item] = reviews(api, project)

    response = api.request(
        method,
        path.replace(ITEM, item["id"]),
        content=b'{"action": "ban_user", "user_id": "u1"}',
        headers={**project.headers, "Content-Type": "text/plain"},
    )

    assert_error(response, 415, "unsupported_media_type")
    assert log(api, project) == []


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/v1/actions", {"status": "bogus"}),
        ("/v1/actions", {"status": ""}),
        ("/v1/actions", {"action": "Ban_User"}),
        ("/v1/actions", {"event_id": "not-a-uuid"}),
        ("/v1/actions", {"since": "yesterday"}),
        ("/v1/actions", {"until": "2026-13-45T00:00:00Z"}),
        ("/v1/actions", {"limit": "0"}),
        ("/v1/actions", {"limit": "501"}),
        ("/v1/actions", {"limit": "ten"}),
        ("/v1/actions", {"offset": "-1"}),
        ("/v1/actions", {"user_id": "u" * 201}),
        ("/v1/actions", {"surprise": "1"}),
        ("/v1/actions/metrics", {"hours": "0"}),
        ("/v1/actions/metrics", {"hours": "2161"}),
        ("/v1/actions/metrics", {"hours": "a day"}),
        ("/v1/actions/metrics", {"days": "1"}),
        ("/v1/reviews", {"status": "closed"}),
        ("/v1/reviews", {"kind": "bogus"}),
        ("/v1/reviews", {"limit": "0"}),
        ("/v1/reviews", {"surprise": "1"}),
    ],
)
def test_bad_query_parameters_are_422(
    api: TestClient, project: ApiProject, path: str, params: dict[str, str]
) -> None:
    response = api.get(path, params=params, headers=project.headers)

    assert_error(response, 422, "validation_error")
    assert response.json()["error"]["details"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/actions/not-a-uuid"),
        ("GET", "/v1/actions/123"),
        ("GET", f"/v1/actions/{NO_SUCH_ID}"),
        ("POST", "/v1/actions/not-a-uuid/retry"),
        ("POST", f"/v1/actions/{NO_SUCH_ID}/retry"),
        ("GET", "/v1/reviews/not-a-uuid"),
        ("GET", f"/v1/reviews/{NO_SUCH_ID}"),
        ("POST", "/v1/reviews/not-a-uuid/resolve"),
        ("POST", f"/v1/reviews/{NO_SUCH_ID}/resolve"),
        ("DELETE", "/v1/defined-actions/never_defined"),
        ("DELETE", "/v1/defined-actions/Bad-Name"),
        ("PUT", "/v1/defined-actions/Bad-Name"),
        ("PUT", "/v1/defined-actions/9lives"),
        ("PUT", "/v1/defined-actions/" + "a" * 64),
        ("PUT", "/v1/defined-actions/caf%C3%A9"),
    ],
)
def test_unknown_or_malformed_ids_are_404(
    api: TestClient, project: ApiProject, method: str, path: str
) -> None:
    body = {"resolution": "approve"} if path.endswith("/resolve") else {"action": "ban_user"}

    response = api.request(method, path, json=body, headers=project.headers)

    assert_error(response, 404, "not_found")
    assert ok(api.get("/v1/defined-actions", headers=project.headers))["defined_actions"] == []


ENDPOINTS = [
    ("POST", "/v1/actions"),
    ("GET", "/v1/actions"),
    ("GET", "/v1/actions/metrics"),
    ("GET", f"/v1/actions/{uuid.UUID(int=1)}"),
    ("POST", f"/v1/actions/{uuid.UUID(int=1)}/retry"),
    ("GET", "/v1/defined-actions"),
    ("PUT", "/v1/defined-actions/mine"),
    ("DELETE", "/v1/defined-actions/mine"),
    ("GET", "/v1/reviews"),
    ("GET", f"/v1/reviews/{uuid.UUID(int=1)}"),
    ("POST", f"/v1/reviews/{uuid.UUID(int=1)}/resolve"),
    ("GET", "/v1/remediation-settings"),
    ("PATCH", "/v1/remediation-settings"),
    ("POST", "/v1/remediation-settings/webhook-secret"),
]


@pytest.mark.parametrize("authorization", [None, "Basic dXNlcjpwYXNz", "Bearer sw_not-a-key"])
def test_every_endpoint_wants_a_valid_key(
    api: TestClient, project: ApiProject, authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}

    for method, path in ENDPOINTS:
        response = api.request(method, path, content=b"{not json", headers={**headers, **JSON})

        assert response.status_code == 401, (method, path, response.text)
        assert_error(response, 401, "unauthorized")
        assert response.headers["www-authenticate"] == "Bearer"
    assert log(api, project) == []
    assert settings_of(api, project)["webhook_secret_set"] is False


# --- bad input and manual runs that once failed ------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"since": "2026-03-01T00:00:00"},
        {"until": "2026-03-03T00:00:00"},
        {"since": "9999-12-31T23:59:59-05:00"},
    ],
)
def test_since_and_until_without_a_usable_offset_are_not_a_500(
    api: TestClient, project: ApiProject, params: dict[str, str]
) -> None:
    run(api, project, action="ban_user", user_id="u1")

    response = api.get("/v1/actions", params=params, headers=project.headers)

    assert response.status_code == 422, response.text


@pytest.mark.parametrize("field", ["admin_emails", "rule_actions_per_hour"])
def test_null_for_a_setting_that_cannot_be_unset_is_not_a_500(
    api: TestClient, project: ApiProject, field: str
) -> None:
    before = settings_of(api, project)

    response = patch_settings(api, project, **{field: None})

    assert response.status_code == 422, response.text
    assert settings_of(api, project)[field] == before[field]


@pytest.mark.parametrize("path", ["/v1/actions", "/v1/reviews"])
def test_a_huge_offset_is_not_a_500(api: TestClient, project: ApiProject, path: str) -> None:
    response = api.get(path, params={"offset": str(2**63)}, headers=project.headers)

    assert response.status_code == 422, response.text


@pytest.mark.parametrize(
    ("method", "path", "body", "params"),
    [
        ("POST", "/v1/actions", {"action": "ban_user", "user_id": "a\x00b"}, None),
        ("POST", "/v1/actions", {"action": "ban_user", "user_id": "u1", "note": "a\x00b"}, None),
        ("GET", "/v1/actions", None, {"user_id": "a\x00b"}),
        ("GET", "/v1/actions", None, {"rule": "a\x00b"}),
        ("PUT", "/v1/defined-actions/mine", {"action": "ban_user", "description": "a\x00b"}, None),
        ("PUT", "/v1/defined-actions/mine", {"action": "escalate", "params": {"reason": "\x00"}},
         None),
        ("PATCH", "/v1/remediation-settings", {"admin_emails": ["a\x00b@example.com"]}, None),
    ],
)  # fmt: skip
def test_a_nul_character_is_not_a_500(
    api: TestClient,
    project: ApiProject,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    params: dict[str, str] | None,
) -> None:
    response = api.request(method, path, json=body, params=params, headers=project.headers)

    assert response.status_code == 422, response.text
    assert "NUL characters" in response.json()["error"]["message"]


def test_deny_entity_by_hand_puts_the_entity_on_the_deny_list(
    client: TestClient, project: ApiProject, worker: ActionWorker, clock: Clock
) -> None:
    entity = {"kind": "domain", "value": "spam.example.com"}
    queued = run(client, project, action="deny_entity", entity=entity)

    settled = settle(client, project, worker, clock, queued["id"])

    assert settled["status"] == "done", settled["error"]
    entries = ok(client.get("/v1/lists/deny", headers=project.headers))["entries"]
    assert [(e["kind"], e["value"]) for e in entries] == [("domain", "spam.example.com")]


def test_rate_limit_user_by_hand_is_refused_or_runs(
    api: TestClient, project: ApiProject, worker: ActionWorker, clock: Clock
) -> None:
    response = api.post(
        "/v1/actions", json={"action": "rate_limit_user", "user_id": "u1"}, headers=project.headers
    )

    assert response.status_code == 422, response.text
    assert "duration" in response.text
    queued = run(api, project, action="rate_limit_user", user_id="u1", params={"duration": "1h"})
    settled = settle(api, project, worker, clock, queued["id"])
    assert settled["status"] == "done", settled["error"]


def test_each_retry_gets_as_many_attempts_as_the_first_run(
    client: TestClient, project: ApiProject, worker: ActionWorker, clock: Clock
) -> None:
    failed = failed_webhook_call(client, project, worker, clock)
    ok(client.post(f"/v1/actions/{failed['id']}/retry", headers=project.headers), 202)
    again = settle(client, project, worker, clock, failed["id"])
    assert (again["status"], again["attempts"]) == ("failed", 12)

    retried = ok(client.post(f"/v1/actions/{failed['id']}/retry", headers=project.headers), 202)

    assert retried["max_attempts"] == 18

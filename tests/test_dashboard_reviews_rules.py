"""The review queue and the rule pages of the dashboard, through the ASGI app: each form
changes state through the services the API uses, and the API shows the change; viewers
only look; another project's moderator neither sees nor changes anything; hostile text is
escaped. Every test runs on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from spamward.dashboard import review_pages
from spamward.remediation.worker import ActionWorker
from spamward.runtime import Runtime
from spamward.services.moderators import ModeratorRef, Role, create_moderator
from tests.conftest import ApiProject, Clock
from tests.test_dashboard import EMAIL, PASSWORD, Page, login

VIEWER = "viewer@example.org"
OUTSIDER = "outsider@example.org"
HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
SPAM = "Cheap pills at cheap-pills.com and call +1 202 555 0143 today"
FREE_MONEY = 'matches(event.text, "(?i)free money")'
UNREACHABLE = "http://127.0.0.1:9/"  # the discard port: connecting fails at once


# --- helpers ---------------------------------------------------------------------------------


@pytest.fixture
def moderator(runtime: Runtime, project: ApiProject) -> ModeratorRef:
    return create_moderator(runtime.database, EMAIL, PASSWORD, project.name, Role.MODERATOR)


@pytest.fixture
def worker(runtime: Runtime) -> Iterator[ActionWorker]:
    made = ActionWorker(runtime, concurrency=0, name="dashboard-test-worker")
    yield made
    made.stop()


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def token_of(response: httpx.Response) -> str:
    """The page's form token: the same in every form of the page."""
    tokens = {attrs.get("value") for attrs in Page(response.text).find("input", name="csrf_token")}
    assert len(tokens) == 1, tokens
    token = tokens.pop()
    assert token
    return token


def submit(
    client: TestClient, url: str, token: str, came_from: str = "/rules", **data: Any
) -> httpx.Response:
    """A form posted from the page `came_from` (where an error sends the browser back)."""
    response: httpx.Response = client.post(
        url,
        data={"csrf_token": token, **data},
        headers={"referer": f"http://testserver{came_from}"},
        follow_redirects=False,
    )
    return response


def went_to(response: httpx.Response, where: str) -> None:
    assert response.status_code == 303, response.text
    assert response.headers["location"] == where


def flash(client: TestClient, url: str) -> str:
    """The flash message the page at `url` shows (once)."""
    page = Page(client.get(url).text)
    assert page.find("p", role="status"), "no flash message"
    return " ".join(page.text.split())


def post(client: TestClient, project: ApiProject, user: str, text: str) -> Any:
    event = {"type": "post", "actor": {"id": user}, "content": {"text": text}}
    return ok(client.post("/v1/events", json=event, headers=project.headers))


def quarantine(client: TestClient, project: ApiProject, user: str = "u9") -> None:
    status = {"status": "quarantined"}
    ok(client.put(f"/v1/users/{user}/status", json=status, headers=project.headers))


def hold(client: TestClient, project: ApiProject, text: str = SPAM, user: str = "u9") -> Any:
    """A quarantined user's post: held, and a held_content review item opened for it."""
    quarantine(client, project, user)
    decision = post(client, project, user, text)
    assert decision["verdict"] == "hold"
    return decision


def items(client: TestClient, project: ApiProject, **params: Any) -> list[Any]:
    found: list[Any] = ok(client.get("/v1/reviews", params=params, headers=project.headers))[
        "items"
    ]
    return found


def entries(client: TestClient, project: ApiProject, name: str) -> list[tuple[str, str]]:
    listed = ok(client.get(f"/v1/lists/{name}", headers=project.headers))["entries"]
    return [(entry["kind"], entry["value"]) for entry in listed]


def actions(client: TestClient, project: ApiProject, **params: Any) -> list[Any]:
    found: list[Any] = ok(client.get("/v1/actions", params=params, headers=project.headers))[
        "actions"
    ]
    return found


def review_ids(page: Page) -> list[str]:
    return [str(attrs["id"]).removeprefix("item-") for attrs in page.find("article")]


def signed_in(client: TestClient, runtime: Runtime, project: ApiProject, email: str,
              role: Role) -> None:  # fmt: skip
    create_moderator(runtime.database, email, PASSWORD, project.name, role)
    assert login(client, email).status_code == 303


def rule(client: TestClient, project: ApiProject, name: str) -> Any:
    return ok(client.get(f"/v1/rules/{name}", headers=project.headers))


def policy(client: TestClient, project: ApiProject) -> Any:
    return ok(client.get("/v1/policy", headers=project.headers))


def no_inline_script(page: Page) -> None:
    scripts = [attrs for tag, attrs in page.tags if tag == "script"]
    assert all(str(attrs.get("src") or "").startswith("/static/") for attrs in scripts), scripts
    assert not [attrs for _, attrs in page.tags if any(key.startswith("on") for key in attrs)]
    assert not [attrs for _, attrs in page.tags if "style" in attrs]


# --- the review queue ------------------------------------------------------------------------


@pytest.mark.usefixtures("moderator")
def test_the_queue_lists_held_content_with_its_context(
    client: TestClient, project: ApiProject
) -> None:
    earlier = hold(client, project, "Earlier spam from the same account at pills-again.net")
    decision = post(client, project, "u9", SPAM)
    assert decision["verdict"] == "hold"
    login(client)

    response = client.get("/reviews")

    assert response.status_code == 200
    page = Page(response.text)
    queue = items(client, project)
    assert review_ids(page) == [item["id"] for item in queue]  # oldest first, as the API
    assert len(queue) == 2
    assert [item["event_id"] for item in queue] == [earlier["event_id"], decision["event_id"]]
    text = page.text
    assert SPAM in text
    assert "held: quarantined_user: the account is quarantined" in text
    assert "quarantined_user" in text and "the account is quarantined" in text  # the trace
    assert page.find("tr", **{"class": "outcome-hit", "data-rule": "quarantined_user"})
    assert f"score {decision['score']}" in " ".join(text.split())
    assert page.find("a", href=f"/reviews/{queue[0]['id']}", **{"class": "review-open"})
    # The entities, each a checkbox to list it; the user's recent spam posts.
    assert page.find("input", type="checkbox", name="entity", value="domain:cheap-pills.com")
    assert page.find("input", type="checkbox", name="entity", value="phone:+12025550143")
    assert "recent spam post(s) by u9" in text
    assert "Earlier spam from the same account" in text
    assert len(page.find("button", name="resolution", value="approve")) == 2
    assert not page.find("button", name="resolution", value="retry")  # no action to retry
    # Filtered by kind; the resolved tab is empty.
    held = Page(client.get("/reviews", params={"kind": "held_content"}).text)
    assert review_ids(held) == review_ids(page)
    failed = Page(client.get("/reviews", params={"kind": "action_failed"}).text)
    assert review_ids(failed) == []
    assert "Nothing waits for review of kind action failed" in " ".join(failed.text.split())
    assert review_ids(Page(client.get("/reviews?status=resolved").text)) == []


@pytest.mark.usefixtures("moderator")
def test_the_queue_is_paginated(
    client: TestClient, project: ApiProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(review_pages, "PAGE_SIZE", 2)
    hold(client, project, "first held post")
    for text in ("second held post", "third held post"):
        post(client, project, "u9", text)
    queue = [item["id"] for item in items(client, project)]
    login(client)

    first = Page(client.get("/reviews").text)
    second = Page(client.get("/reviews?status=open&offset=2").text)

    assert review_ids(first) == queue[:2]
    assert first.find("a", rel="next", href="/reviews?status=open&offset=2")
    assert not first.find("a", rel="prev")
    assert review_ids(second) == queue[2:]
    assert second.find("a", rel="prev", href="/reviews?status=open&offset=0")
    assert not second.find("a", rel="next")


@pytest.mark.usefixtures("moderator")
def test_reject_denies_the_checked_entity_and_goes_to_the_next_item(
    client: TestClient, project: ApiProject
) -> None:
    first = hold(client, project)
    post(client, project, "u9", "another held post")
    [one, two] = items(client, project)
    login(client)
    token = token_of(client.get("/reviews"))

    response = submit(client, f"/reviews/{one['id']}", token, resolution="reject",
                      entity=["domain:cheap-pills.com"], note="pill spam")  # fmt: skip

    went_to(response, f"/reviews/{two['id']}")
    message = flash(client, f"/reviews/{two['id']}")
    assert "Rejected: spam. Denied: cheap-pills.com." in message
    assert entries(client, project, "deny") == [("domain", "cheap-pills.com")]
    assert entries(client, project, "allow") == []
    shown = ok(client.get(f"/v1/reviews/{one['id']}", headers=project.headers))
    assert (shown["status"], shown["resolution"], shown["note"]) == (
        "resolved",
        "reject",
        "pill spam",
    )
    assert shown["resolved_by"] == f"moderator:{EMAIL}"
    [delete] = actions(client, project, action="delete_content")
    assert delete["event_id"] == first["event_id"]
    assert [item["id"] for item in items(client, project)] == [two["id"]]
    # The resolved tab shows the answer; the entity is shown on the deny list now.
    resolved = Page(client.get("/reviews?status=resolved").text)
    assert review_ids(resolved) == [one["id"]]
    assert "Resolved: reject by moderator:mod@example.org" in " ".join(resolved.text.split())
    assert "pill spam" in resolved.text
    assert resolved.find("span", **{"class": "entity listed-deny"})
    assert not resolved.find("form", action=f"/reviews/{one['id']}")


@pytest.mark.usefixtures("moderator")
def test_approve_allows_the_checked_entity_and_ends_on_the_queue(
    client: TestClient, project: ApiProject
) -> None:
    decision = hold(client, project)
    [item] = items(client, project)
    login(client)
    detail = client.get(f"/reviews/{item['id']}")
    assert detail.status_code == 200

    response = submit(client, f"/reviews/{item['id']}", token_of(detail), resolution="approve",
                      entity=["domain:cheap-pills.com", "phone:+12025550143"])  # fmt: skip

    went_to(response, "/reviews")  # nothing left open
    message = flash(client, "/reviews")
    assert "Approved: not spam. Allowed: cheap-pills.com, +12025550143." in message
    assert sorted(entries(client, project, "allow")) == [
        ("domain", "cheap-pills.com"),
        ("phone", "+12025550143"),
    ]
    assert entries(client, project, "deny") == []
    [release] = actions(client, project)
    assert (release["kind"], release["event_id"]) == ("release_content", decision["event_id"])
    labels = ok(client.get("/v1/labels", headers=project.headers))["labels"]
    assert [(label["event_id"], label["spam"]) for label in labels] == [
        (decision["event_id"], False)
    ]
    assert items(client, project) == []


@pytest.mark.usefixtures("moderator")
def test_the_next_item_keeps_the_kind_filter_and_follows_the_answered_one(
    client: TestClient, project: ApiProject
) -> None:
    hold(client, project, "one")
    for text in ("two", "three"):
        post(client, project, "u9", text)
    [one, two, three] = items(client, project)
    login(client)
    page = client.get(f"/reviews/{two['id']}?kind=held_content")
    nav = Page(page.text)
    assert nav.find("a", rel="prev", href=f"/reviews/{one['id']}?kind=held_content")
    assert nav.find("a", rel="next", href=f"/reviews/{three['id']}?kind=held_content")

    response = submit(client, f"/reviews/{two['id']}", token_of(page), resolution="approve",
                      kind="held_content")  # fmt: skip

    went_to(response, f"/reviews/{three['id']}?kind=held_content")
    last = submit(client, f"/reviews/{three['id']}", token_of(page), resolution="approve",
                  kind="held_content")  # fmt: skip
    went_to(last, f"/reviews/{one['id']}?kind=held_content")  # back to the front


def failed_webhook_call(
    client: TestClient, project: ApiProject, worker: ActionWorker, clock: Clock
) -> Any:
    """A call_webhook action to an unreachable webhook, failed after all its attempts."""
    settings = {"webhook_url": UNREACHABLE}
    ok(client.patch("/v1/remediation-settings", json=settings, headers=project.headers))
    queued = ok(client.post("/v1/actions", json={"action": "call_webhook"},
                            headers=project.headers), 202)  # fmt: skip
    for _ in range(30):
        while worker.run_once(limit=10):
            pass
        shown = ok(client.get(f"/v1/actions/{queued['id']}", headers=project.headers))
        if shown["status"] == "failed":
            return shown
        clock.advance(hours=2)  # past any backoff
    raise AssertionError("the action never failed")


@pytest.mark.usefixtures("moderator")
def test_retry_queues_the_failed_action_again(
    client: TestClient, project: ApiProject, worker: ActionWorker, clock: Clock
) -> None:
    failed = failed_webhook_call(client, project, worker, clock)
    [item] = items(client, project, kind="action_failed")
    login(client)

    detail = client.get(f"/reviews/{item['id']}")

    page = Page(detail.text)
    assert page.find("button", name="resolution", value="retry", **{"data-key": "t"})
    assert UNREACHABLE in page.text  # the action's error
    assert "call_webhook" in page.text
    assert "failed after 6 of 6 attempt(s)" in " ".join(page.text.split())
    refused = submit(client, f"/reviews/{item['id']}", token_of(detail), f"/reviews/{item['id']}",
                     resolution="retry", entity=["domain:example.com"])  # fmt: skip
    assert refused.status_code == 303
    assert "a retry changes no list" in flash(client, refused.headers["location"])
    assert items(client, project, kind="action_failed")[0]["status"] == "open"

    response = submit(client, f"/reviews/{item['id']}", token_of(detail), resolution="retry",
                      note="the webhook is back")  # fmt: skip

    went_to(response, "/reviews")
    assert "The action is queued again." in flash(client, "/reviews")
    requeued = ok(client.get(f"/v1/actions/{failed['id']}", headers=project.headers))
    assert (requeued["status"], requeued["max_attempts"]) == ("queued", 12)
    assert items(client, project, kind="action_failed") == []


@pytest.mark.usefixtures("moderator")
@pytest.mark.parametrize(
    ("form", "message"),
    [
        pytest.param({"resolution": "maybe"}, "choose approve, reject or retry", id="resolution"),
        pytest.param({"resolution": "retry"}, "only an item about a failed action", id="retry"),
        pytest.param({"resolution": "reject", "note": "x" * 2001}, "longer than 2000", id="note"),
        pytest.param({"resolution": "reject", "entity": "nonsense"}, "not an entity", id="entity"),
    ],
)
def test_a_bad_answer_is_refused_with_a_message_and_changes_nothing(
    client: TestClient, project: ApiProject, form: dict[str, str], message: str
) -> None:
    hold(client, project)
    [item] = items(client, project)
    login(client)
    url = f"/reviews/{item['id']}"

    response = submit(client, url, token_of(client.get(url)), url, **form)

    assert response.status_code == 303
    assert message in flash(client, response.headers["location"])
    assert items(client, project)[0]["status"] == "open"
    assert actions(client, project) == []


@pytest.mark.usefixtures("moderator")
def test_an_item_answered_twice_is_refused(client: TestClient, project: ApiProject) -> None:
    hold(client, project)
    [item] = items(client, project)
    login(client)
    token = token_of(client.get("/reviews"))
    went_to(submit(client, f"/reviews/{item['id']}", token, resolution="reject"), "/reviews")

    again = submit(client, f"/reviews/{item['id']}", token, "/reviews", resolution="approve")

    assert again.status_code == 303
    assert "already resolved" in flash(client, again.headers["location"])
    assert actions(client, project, action="release_content") == []


def test_a_viewer_sees_the_queue_but_cannot_answer(
    client: TestClient, runtime: Runtime, project: ApiProject
) -> None:
    hold(client, project)
    [item] = items(client, project)
    signed_in(client, runtime, project, VIEWER, Role.VIEWER)

    page = client.get("/reviews")
    refused = submit(client, f"/reviews/{item['id']}", token_of(page), resolution="reject")

    assert page.status_code == 200
    assert review_ids(Page(page.text)) == [item["id"]]
    assert not Page(page.text).find("form", action=f"/reviews/{item['id']}")
    assert "Keys:" not in page.text
    assert refused.status_code == 403
    assert items(client, project)[0]["status"] == "open"


@pytest.mark.usefixtures("moderator")
def test_an_answer_without_the_csrf_token_is_refused(
    client: TestClient, project: ApiProject
) -> None:
    hold(client, project)
    [item] = items(client, project)
    login(client)

    missing = client.post(f"/reviews/{item['id']}", data={"resolution": "reject"},
                          follow_redirects=False)  # fmt: skip
    forged = submit(client, f"/reviews/{item['id']}", "forged-token", resolution="reject")

    assert missing.status_code == 403
    assert forged.status_code == 403
    assert items(client, project)[0]["status"] == "open"


def test_another_projects_moderator_neither_sees_nor_answers_its_items(
    client: TestClient, runtime: Runtime, project: ApiProject, other_project: ApiProject
) -> None:
    hold(client, project, "secret held post of site a")
    [item] = items(client, project)
    hold(client, other_project, "a held post of site b", user="b9")
    signed_in(client, runtime, other_project, OUTSIDER, Role.ADMIN)

    queue = client.get("/reviews")
    asked = client.get("/reviews", params={"project": project.name})
    detail = client.get(f"/reviews/{item['id']}")
    answer = submit(client, f"/reviews/{item['id']}", token_of(queue), "/reviews",
                    resolution="reject", entity=["domain:cheap-pills.com"])  # fmt: skip

    for page in (queue, asked):
        assert page.status_code == 200
        assert "a held post of site b" in page.text
        assert "secret held post" not in page.text
        assert item["id"] not in page.text
    assert detail.status_code == 404
    assert "secret held post" not in detail.text
    assert answer.status_code == 303
    assert "no such review item" in flash(client, answer.headers["location"])
    assert items(client, project)[0]["status"] == "open"
    assert entries(client, project, "deny") == entries(client, other_project, "deny") == []
    assert client.get("/reviews/not-a-uuid").status_code == 404


@pytest.mark.usefixtures("moderator")
def test_hostile_post_text_is_escaped_in_the_review_pages(
    client: TestClient, project: ApiProject
) -> None:
    hostile_user = '"><b onmouseover=alert(4)>u'
    hold(client, project, HOSTILE, user=hostile_user)
    [item] = items(client, project)
    login(client)

    for url in ("/reviews", f"/reviews/{item['id']}"):
        response = client.get(url)
        assert response.status_code == 200
        html = response.text
        assert "<script>alert(1)" not in html
        assert "<img src=x" not in html
        assert "<b onmouseover" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        page = Page(html)
        assert not page.tag_names & {"img", "b"}
        no_inline_script(page)
        assert HOSTILE in page.text
        assert hostile_user in page.text


@pytest.mark.usefixtures("moderator")
def test_the_keyboard_shortcuts_are_a_static_script_and_the_page_names_them(
    client: TestClient, project: ApiProject
) -> None:
    hold(client, project)
    login(client)

    page = Page(client.get("/reviews").text)
    script = client.get("/static/reviews.js")
    style = client.get("/static/reviews.css")

    [script_tag] = page.find("script", src="/static/reviews.js")
    assert "defer" in script_tag
    no_inline_script(page)
    assert page.find("link", rel="stylesheet", href="/static/reviews.css")
    assert page.find("p", **{"class": "shortcuts"})
    hint = " ".join(page.text.split())
    assert "Keys: j/k next/previous item, a approve, r reject, t retry" in hint
    assert [tag for tag, _ in page.tags].count("kbd") == 7
    assert page.find("button", value="approve", **{"data-key": "a"})
    assert page.find("button", value="reject", **{"data-key": "r"})
    assert page.find("textarea", name="note")
    assert script.status_code == 200
    assert "javascript" in script.headers["content-type"]
    for needle in ("j: function", "k: function", "[data-review-item]", "button[data-key=",
                   "textarea[name=note]", "a[data-nav=next]"):  # fmt: skip
        assert needle in script.text
    assert style.status_code == 200


# --- the rules -------------------------------------------------------------------------------


@pytest.mark.usefixtures("moderator")
def test_the_rules_page_shows_the_draft_thresholds_and_state(
    client: TestClient, project: ApiProject
) -> None:
    login(client)

    response = client.get("/rules")

    assert response.status_code == 200
    page = Page(response.text)
    draft = ok(client.get("/v1/rules", headers=project.headers))["rules"]
    shown = [attrs["data-rule"] for attrs in page.find("tr") if "data-rule" in attrs]
    assert shown == [r["name"] for r in draft]  # in the order they run
    text = " ".join(page.text.split())
    assert "Live: version 1." in text
    assert "The draft is the live version." in text
    assert 'any(e.list == "deny" for e in entities)' in page.text
    assert page.find("tr", **{"data-rule": "classifier_spam_likely", "class": "mode-shadow"})
    assert page.find("form", action="/rules/publish")
    assert page.find("form", action="/rules/backtests")
    assert page.find("a", href="/rules/new")
    assert page.find("a", href="/rules/deny_list")
    assert page.find("form", action="/rules/deny_list/mode")
    assert page.find("button", name="mode", value="shadow")
    thresholds = policy(client, project)["draft"]["scoring"]["thresholds"]
    for verdict, score in thresholds.items():
        assert page.find("input", name=f"threshold_{verdict}", value=str(score))
    assert "Shadow report" in text


@pytest.mark.usefixtures("moderator")
def test_a_rule_with_an_error_is_shown_again_as_typed_then_fixed_saved_and_published(
    client: TestClient, project: ApiProject
) -> None:
    before = rule(client, project, "quarantined_user")
    login(client)
    form_page = client.get("/rules/quarantined_user")
    assert form_page.status_code == 200
    shown = Page(form_page.text)
    assert shown.find("input", name="name", value="quarantined_user")
    assert before["condition"] in shown.text
    typed = {
        "name": "quarantined_user",
        "description": "Typed <b>description</b> kept",
        "condition": 'actor.status == "quarantined" or evnt.text == "x"',
        "verdict": "hold",
        "weight": "2.5",
        "priority": "30",
        "mode": "active",
        "reason": "held for review",
        "effects": "- action: escalate\n",
    }

    refused = submit(client, "/rules/quarantined_user", token_of(form_page), **typed)

    assert refused.status_code == 422
    page = Page(refused.text)
    [problem] = [p for p in page.find("div", role="alert") if p.get("id") == "problem-condition-1"]
    assert problem["class"] == "problem"
    text = " ".join(page.text.split())
    assert "line 1, column 34: unknown name 'evnt' (did you mean 'event'?)" in text
    assert page.find(
        "textarea",
        name="condition",
        **{"aria-invalid": "true", "aria-describedby": "problem-condition-1"},
    )
    assert typed["condition"] in page.text  # kept as typed
    assert "Typed <b>description</b> kept" in page.text
    assert page.find("input", name="weight", value="2.5")
    assert page.find("input", name="reason", value="held for review")
    assert [o["value"] for o in page.find("option") if "selected" in o] == [
        "site-a",
        "hold",
        "active",
        "",
    ]
    assert "- action: escalate" in page.text
    assert rule(client, project, "quarantined_user") == before  # nothing saved

    fixed = submit(
        client,
        "/rules/quarantined_user",
        token_of(refused),
        **{**typed, "condition": 'actor.status == "quarantined" or event.text == "x"'},
    )
    went_to(fixed, "/rules")
    assert "Rule quarantined_user saved to the draft" in flash(client, "/rules")
    saved = rule(client, project, "quarantined_user")
    assert saved["condition"] == 'actor.status == "quarantined" or event.text == "x"'
    assert (saved["weight"], saved["effects"]) == (2.5, [{"action": "escalate", "params": {}}])
    assert policy(client, project)["unpublished_changes"] is True
    rules_page = client.get("/rules")
    assert "The draft has unpublished changes." in rules_page.text
    assert Page(rules_page.text).find("span", **{"class": "status status-queued"})

    published = submit(client, "/rules/publish", token_of(rules_page), note="quarantine tweak")

    went_to(published, "/rules")
    assert "Published the draft as version 2" in flash(client, "/rules")
    now = policy(client, project)
    assert (now["live_version"], now["unpublished_changes"]) == (2, False)
    versions = ok(client.get("/v1/policy/versions", headers=project.headers))["versions"]
    assert (versions[0]["version"], versions[0]["note"]) == (2, "quarantine tweak")
    assert versions[0]["published_by"] == f"moderator:{EMAIL}"


@pytest.mark.usefixtures("moderator")
def test_every_problem_of_a_rule_is_placed_next_to_its_field(
    client: TestClient, project: ApiProject
) -> None:
    login(client)
    form_page = client.get("/rules/new")
    typed = {"name": "Bad Name", "condition": "event.text ==\n  evnt.title", "weight": "heavy",
             "verdict": "flag", "mode": "active", "effects": "- action: [unclosed"}  # fmt: skip

    response = submit(client, "/rules/new", token_of(form_page), **typed)

    assert response.status_code == 422
    page = Page(response.text)
    problems = {str(p["id"]).rsplit("-", 1)[0] for p in page.find("div", role="alert")}
    assert {"problem-name", "problem-condition", "problem-weight", "problem-effects"} <= problems
    text = " ".join(page.text.split())
    assert "line 2, column 3: unknown name 'evnt'" in text
    assert "valid number" in text
    assert page.find("pre", **{"class": "rules-caret"})
    assert "  evnt.title\n  ^" in page.text  # the line, and a caret under the column
    assert page.find("input", name="name", value="Bad Name")
    assert "event.text ==\n  evnt.title" in page.text
    assert "Bad Name" not in str(ok(client.get("/v1/rules", headers=project.headers)))


@pytest.mark.usefixtures("moderator")
def test_a_new_rule_is_added_to_the_draft_and_a_taken_name_refused(
    client: TestClient, project: ApiProject
) -> None:
    login(client)
    token = token_of(client.get("/rules/new"))
    typed = {"name": "free_money", "condition": FREE_MONEY, "verdict": "hold", "weight": "",
             "priority": "", "mode": "shadow", "challenge": "", "retry_after_seconds": "",
             "effects": '[{"action": "escalate"}]'}  # fmt: skip

    went_to(submit(client, "/rules/new", token, **typed), "/rules")
    taken = submit(client, "/rules/new", token, **{**typed, "verdict": "block"})

    added = rule(client, project, "free_money")
    assert (added["verdict"], added["mode"], added["weight"], added["priority"]) == (
        "hold", "shadow", 0.0, 100,
    )  # fmt: skip
    assert added["effects"] == [{"action": "escalate", "params": {}}]
    assert taken.status_code == 409
    assert "a rule named 'free_money' already exists" in Page(taken.text).text
    assert "block" in [o["value"] for o in Page(taken.text).find("option") if "selected" in o]
    assert rule(client, project, "free_money")["verdict"] == "hold"
    rules_page = Page(client.get("/rules").text)
    assert rules_page.find("tr", **{"data-rule": "free_money", "class": "mode-shadow"})
    assert "new" in " ".join(rules_page.text.split())


@pytest.mark.usefixtures("moderator")
def test_the_mode_switch_and_delete_change_the_draft(
    client: TestClient, project: ApiProject
) -> None:
    login(client)
    token = token_of(client.get("/rules"))

    active = submit(client, "/rules/classifier_spam_likely/mode", token, mode="active")
    disabled = submit(client, "/rules/many_links/mode", token, mode="disabled")
    bad = submit(client, "/rules/many_links/mode", token, mode="loud")
    deleted = submit(client, "/rules/shortened_link/delete", token)

    for response in (active, disabled, deleted):
        went_to(response, "/rules")
    assert rule(client, project, "classifier_spam_likely")["mode"] == "active"
    assert rule(client, project, "many_links")["mode"] == "disabled"
    assert bad.status_code == 303
    assert client.get("/v1/rules/shortened_link", headers=project.headers).status_code == 404
    page = Page(client.get("/rules").text)
    assert page.find("tr", **{"data-rule": "many_links", "class": "mode-disabled"})
    assert "Deleted in the draft: shortened_link" in " ".join(page.text.split())
    assert policy(client, project)["live_version"] == 1  # nothing published


@pytest.mark.usefixtures("moderator")
def test_a_rule_named_like_a_page_is_edited_at_its_own_path(
    client: TestClient, project: ApiProject
) -> None:
    body = {"name": "versions", "condition": FREE_MONEY}
    ok(client.post("/v1/rules", json=body, headers=project.headers), 201)
    login(client)

    rules_page = Page(client.get("/rules").text)
    form_page = client.get("/rules/edit/versions")

    assert rules_page.find("a", href="/rules/edit/versions")
    assert Page(form_page.text).find("form", action="/rules/edit/versions")
    changed = {"name": "versions", "condition": FREE_MONEY, "verdict": "flag", "mode": "active"}
    went_to(submit(client, "/rules/edit/versions", token_of(form_page), **changed), "/rules")
    assert rule(client, project, "versions")["verdict"] == "flag"


@pytest.mark.usefixtures("moderator")
def test_scoring_thresholds_are_saved_to_the_draft(client: TestClient, project: ApiProject) -> None:
    login(client)
    token = token_of(client.get("/rules"))

    saved = submit(client, "/rules/scoring", token, threshold_flag="2", threshold_hold="7.5",
                   threshold_block="")  # fmt: skip
    disordered = submit(client, "/rules/scoring", token, threshold_flag="9", threshold_hold="1")

    went_to(saved, "/rules")
    assert policy(client, project)["draft"]["scoring"] == {"thresholds": {"flag": 2.0, "hold": 7.5}}
    assert disordered.status_code == 303
    assert "below" in flash(client, disordered.headers["location"])
    assert policy(client, project)["draft"]["scoring"]["thresholds"] == {"flag": 2.0, "hold": 7.5}


@pytest.mark.usefixtures("moderator")
def test_rollback_publishes_an_earlier_version_again(
    client: TestClient, project: ApiProject
) -> None:
    login(client)
    token = token_of(client.get("/rules"))
    went_to(submit(client, "/rules/many_links/delete", token), "/rules")
    went_to(submit(client, "/rules/publish", token, note="without many_links"), "/rules")
    versions = client.get("/rules/versions")
    page = Page(versions.text)
    assert [attrs["data-version"] for attrs in page.find("tr") if "data-version" in attrs] == [
        "2", "1",
    ]  # fmt: skip
    assert "without many_links" in page.text
    assert not page.find("form", action="/rules/versions/2/rollback")  # the live one
    assert page.find("form", action="/rules/versions/1/rollback")

    response = submit(client, "/rules/versions/1/rollback", token_of(versions))

    went_to(response, "/rules/versions")
    assert "Rolled back to version 1: live now as version 3" in flash(client, "/rules/versions")
    now = policy(client, project)
    assert (now["live_version"], now["unpublished_changes"]) == (3, False)
    assert rule(client, project, "many_links")["name"] == "many_links"
    missing = submit(client, "/rules/versions/99/rollback", token_of(versions))
    assert missing.status_code == 303
    assert "no policy version 99" in flash(client, missing.headers["location"])
    assert policy(client, project)["live_version"] == 3


@pytest.mark.usefixtures("moderator")
def test_a_backtest_of_the_draft_runs_and_shows_its_report(
    client: TestClient, runtime: Runtime, project: ApiProject
) -> None:
    for text in ("free money inside", "hello", "want FREE MONEY?"):
        post(client, project, "u1", text)
    free_money = {"name": "free_money", "condition": FREE_MONEY, "verdict": "hold"}
    ok(client.post("/v1/rules", json=free_money, headers=project.headers), 201)
    login(client)
    token = token_of(client.get("/rules"))

    response = submit(client, "/rules/backtests", token, days="7")

    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith("/rules/backtests/")
    job_id = location.rsplit("/", 1)[1]
    runtime.jobs.drain()
    job = ok(client.get(f"/v1/policy/backtests/{job_id}", headers=project.headers))
    assert (job["status"], job["days"]) == ("done", 7)
    page = Page(client.get(location).text)
    text = " ".join(page.text.split())
    assert page.find("span", id="backtest-status", **{"class": "status status-done"})
    assert "2 of 3 event(s) would get another verdict" in text
    assert "free money inside" in page.text and "want FREE MONEY?" in page.text
    assert "free_money" in text
    assert not page.find("meta", **{"http-equiv": "refresh"})  # done: no more reloading
    for days in ("0", "400", "many"):
        refused = submit(client, "/rules/backtests", token, days=days)
        assert "a backtest covers 1 to 365 days" in flash(client, refused.headers["location"])
    assert client.get("/rules/backtests/not-a-uuid").status_code == 404


@pytest.mark.usefixtures("moderator")
def test_a_waiting_backtest_page_reloads_itself(
    client: TestClient, runtime: Runtime, project: ApiProject
) -> None:
    busy = threading.Event()

    def occupy() -> None:  # the one job thread, taken until the test lets it go
        busy.wait(30)

    runtime.jobs.submit(occupy)
    try:
        login(client)
        token = token_of(client.get("/rules"))
        location = submit(client, "/rules/backtests", token, days="3").headers["location"]

        waiting = Page(client.get(location).text)
    finally:
        busy.set()
    runtime.jobs.drain()
    done = Page(client.get(location).text)

    assert waiting.find("span", id="backtest-status", **{"class": "status status-queued"})
    assert waiting.find("meta", **{"http-equiv": "refresh", "content": "3"})
    assert "reloads itself" in waiting.text
    assert done.find("span", id="backtest-status", **{"class": "status status-done"})
    assert not done.find("meta", **{"http-equiv": "refresh"})


@pytest.mark.usefixtures("moderator")
def test_the_shadow_report_counts_a_shadow_rules_hits(
    client: TestClient, project: ApiProject
) -> None:
    body = {"name": "free_money", "condition": FREE_MONEY, "verdict": "block", "mode": "shadow"}
    ok(client.post("/v1/rules", json=body, headers=project.headers), 201)
    ok(client.post("/v1/policy/publish", json={}, headers=project.headers), 201)
    post(client, project, "u1", "free money for you")
    post(client, project, "u2", "a gardening tip")
    login(client)

    page = Page(client.get("/rules").text)

    [row] = [attrs for attrs in page.find("tr") if attrs.get("data-shadow-rule") == "free_money"]
    assert row
    text = " ".join(page.text.split())
    assert "2 decision(s)" in text
    assert "allow → block: 1" in text


def test_a_viewer_sees_the_rules_but_changes_nothing(
    client: TestClient, runtime: Runtime, project: ApiProject
) -> None:
    signed_in(client, runtime, project, VIEWER, Role.VIEWER)

    page = client.get("/rules")
    form_page = client.get("/rules/deny_list")
    token = token_of(page)
    tries = [
        submit(client, "/rules/publish", token),
        submit(client, "/rules/deny_list/mode", token, mode="disabled"),
        submit(client, "/rules/deny_list/delete", token),
        submit(client, "/rules/deny_list", token, name="deny_list", condition="true"),
        submit(client, "/rules/new", token, name="x", condition="true"),
        submit(client, "/rules/scoring", token, threshold_flag="1"),
        submit(client, "/rules/versions/1/rollback", token),
        submit(client, "/rules/backtests", token, days="7"),
    ]

    assert page.status_code == form_page.status_code == 200
    shown = Page(page.text)
    assert shown.find("tr", **{"data-rule": "deny_list"})
    assert not shown.find("form", action="/rules/publish")
    assert not shown.find("form", action="/rules/deny_list/mode")
    assert not Page(form_page.text).find("button", type="submit", **{"class": "danger"})
    assert [response.status_code for response in tries] == [403] * len(tries)
    assert policy(client, project)["live_version"] == 1
    assert policy(client, project)["unpublished_changes"] is False
    assert rule(client, project, "deny_list")["mode"] == "active"
    assert (
        client.get("/v1/policy/versions", headers=project.headers).json()["versions"][0]["version"]
        == 1
    )


@pytest.mark.usefixtures("moderator")
def test_rule_forms_without_the_csrf_token_are_refused(
    client: TestClient, project: ApiProject
) -> None:
    login(client)
    client.get("/rules")

    for url, form in (("/rules/publish", {}), ("/rules/deny_list/mode", {"mode": "shadow"}),
                      ("/rules/deny_list/delete", {})):  # fmt: skip
        assert client.post(url, data=form, follow_redirects=False).status_code == 403
    assert policy(client, project)["live_version"] == 1
    assert rule(client, project, "deny_list")["mode"] == "active"


def test_another_projects_moderator_neither_sees_nor_changes_its_rules(
    client: TestClient, runtime: Runtime, project: ApiProject, other_project: ApiProject
) -> None:
    secret = {"name": "site_a_secret", "condition": 'event.text == "site a secret"'}
    ok(client.post("/v1/rules", json=secret, headers=project.headers), 201)
    job = ok(client.post("/v1/policy/backtests", json={"days": 1}, headers=project.headers), 202)
    signed_in(client, runtime, other_project, OUTSIDER, Role.ADMIN)
    page = client.get("/rules")
    token = token_of(page)

    asked = client.get("/rules", params={"project": project.name})
    detail = client.get("/rules/site_a_secret")
    backtest = client.get(f"/rules/backtests/{job['id']}")
    changed = submit(client, "/rules/site_a_secret/mode", token, mode="disabled")
    deleted = submit(client, "/rules/site_a_secret/delete", token)

    for shown in (page, asked):
        assert "site_a_secret" not in shown.text
        assert "site a secret" not in shown.text
    assert detail.status_code == 404
    assert backtest.status_code == 404
    assert "no rule named 'site_a_secret'" in flash(client, changed.headers["location"])
    assert deleted.status_code == 303
    assert rule(client, project, "site_a_secret")["mode"] == "active"
    assert policy(client, other_project)["unpublished_changes"] is False
    runtime.jobs.drain()


@pytest.mark.usefixtures("moderator")
def test_hostile_rule_and_backtest_text_is_escaped(
    client: TestClient, runtime: Runtime, project: ApiProject
) -> None:
    hostile_rule = {
        "name": "hostile",
        "description": HOSTILE,
        "reason": HOSTILE,
        "condition": 'event.text == "<script>alert(1)</script>"',
        "verdict": "block",
    }
    ok(client.post("/v1/rules", json=hostile_rule, headers=project.headers), 201)
    post(client, project, "u1", "<script>alert(1)</script>")
    job = ok(client.post("/v1/policy/backtests", json={"days": 1}, headers=project.headers), 202)
    runtime.jobs.drain()
    login(client)

    for url in ("/rules", "/rules/hostile", f"/rules/backtests/{job['id']}"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "<script>alert(1)" not in response.text
        assert "<img src=x" not in response.text
        page = Page(response.text)
        assert "img" not in page.tag_names
        no_inline_script(page)
        assert "<script>alert(1)</script>" in page.text

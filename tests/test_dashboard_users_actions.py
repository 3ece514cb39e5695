"""The dashboard's Users tab, the actions log and the defined actions, through the ASGI app.

A moderator bans a user from the user's page (after a confirmation step), a worker runs
the action, and the log and the user's page show the outcome; a failed action is retried
from the log; defined actions are made, changed and deleted. Viewers change nothing, a
moderator of another project sees nothing of this one, and hostile text stays text.

The test settings leave the embedded worker off: tests run queued actions with a worker of
their own and move the clock instead of sleeping. Every test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote, urlencode

import httpx
import pytest
from starlette.testclient import TestClient

from spamward.remediation.catalog import ActionKind
from spamward.remediation.worker import ActionWorker
from spamward.runtime import Runtime
from spamward.services import accounts, actions, defined_actions, remediation_settings
from spamward.services.moderators import ModeratorRef, Role, create_moderator
from spamward.storage.repositories.actions import LogFilter
from tests.conftest import EXAMPLE_POST, ApiProject, Clock
from tests.test_dashboard import EMAIL, PASSWORD, Page, assert_forbidden_json, csrf_of, login

UNREACHABLE = "http://127.0.0.1:9/"  # the discard port: nothing listens, connecting fails at once
HOSTILE_USER = '"><img src=x onerror=alert(1)>/<script>alert(2)</script>'
HOSTILE_TEXT = "<script>alert(3)</script> see https://spam.example/x"
VIEWER = "viewer@example.org"
STRANGER = "stranger@example.org"


# --- helpers ---------------------------------------------------------------------------------


@dataclass
class Form:
    attrs: dict[str, str | None]
    page: str  # the page it is on: a browser sends it as the referrer
    fields: dict[str, str] = field(default_factory=dict)


@dataclass
class Row:
    attrs: dict[str, str | None]
    tags: list[tuple[str, dict[str, str | None]]] = field(default_factory=list)
    text: str = ""


class Html(HTMLParser):
    """A page's forms (with the values they would send) and its table rows."""

    def __init__(self, html: str, url: str = "") -> None:
        super().__init__(convert_charrefs=True)
        self.url = url
        self.forms: list[Form] = []
        self.rows: list[Row] = []
        self._form: Form | None = None
        self._row: Row | None = None
        self._select: str | None = None
        self._textarea: str | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if self._row is not None:
            self._row.tags.append((tag, found))
        if tag == "tr":
            self._row = Row(found)
        elif tag == "form":
            self._form = Form(found, self.url)
            self.forms.append(self._form)
        elif self._form is not None:
            self._field(tag, found)

    def _field(self, tag: str, found: dict[str, str | None]) -> None:
        assert self._form is not None
        name = found.get("name")
        if tag == "input" and name:
            self._form.fields[name] = found.get("value") or ""
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select is not None:
            value = found.get("value") or ""
            if self._select not in self._form.fields or "selected" in found:
                self._form.fields[self._select] = value
        elif tag == "textarea" and name:
            self._textarea = name
            self._form.fields[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None
        elif tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._row is not None:
            self._row.text += data
        if self._form is not None and self._textarea is not None:
            self._form.fields[self._textarea] += data

    def form(self, **attrs: str) -> Form:
        found = [f for f in self.forms if all(f.attrs.get(k) == v for k, v in attrs.items())]
        assert len(found) == 1, (attrs, [f.attrs for f in self.forms])
        return found[0]

    def has_form(self, **attrs: str) -> bool:
        return any(all(f.attrs.get(k) == v for k, v in attrs.items()) for f in self.forms)

    def row(self, **attrs: str) -> Row:
        found = [r for r in self.rows if all(r.attrs.get(k) == v for k, v in attrs.items())]
        assert len(found) == 1, (attrs, [r.attrs for r in self.rows])
        return found[0]

    def row_ids(self, key: str) -> list[str]:
        return [str(r.attrs[key]) for r in self.rows if key in r.attrs]


def has_class(row: Row, tag: str, css_class: str) -> bool:
    return any(name == tag and attrs.get("class") == css_class for name, attrs in row.tags)


def submit(client: TestClient, form: Form, **changes: str) -> httpx.Response:
    action = form.attrs.get("action")
    assert form.attrs.get("method") == "post" and action
    headers = {"referer": f"{client.base_url}{form.page}"} if form.page else {}
    response: httpx.Response = client.post(
        action, data={**form.fields, **changes}, headers=headers, follow_redirects=False
    )
    return response


def page_of(client: TestClient, url: str) -> Html:
    return Html(get(client, url).text, url)


def get(client: TestClient, url: str, status: int = 200) -> httpx.Response:
    response: httpx.Response = client.get(url, follow_redirects=False)
    assert response.status_code == status, response.text
    return response


def follow(client: TestClient, response: httpx.Response) -> httpx.Response:
    """The page a form's 303 leads to."""
    assert response.status_code == 303, response.text
    return get(client, response.headers["location"])


FLASH = re.compile(r'<p class="flash flash-(ok|error)" role="status">(.*?)</p>', re.DOTALL)


def flashed(client: TestClient, response: httpx.Response) -> tuple[str, str]:
    """(kind, message) of the flash shown on the page a form redirected to."""
    found = FLASH.findall(follow(client, response).text)
    assert len(found) == 1, response.headers["location"]
    kind, message = found[0]
    return kind, html.unescape(message)


def actions_of(runtime: Runtime, project: ApiProject, **where: Any) -> list[dict[str, Any]]:
    return actions.action_log(runtime, project.id, LogFilter(**where), 100)


def drain(worker: ActionWorker) -> int:
    """Run every due action; how many runs there were."""
    ran = 0
    for _ in range(100):
        count = worker.run_once(limit=10)
        if count == 0:
            return ran
        ran += count
    raise AssertionError("the queue never emptied")


def post_event(client: TestClient, project: ApiProject, user: str, text: str) -> None:
    event = {"type": "post", "actor": {"id": user}, "content": {"text": text}}
    response = client.post("/v1/events", json=event, headers=project.headers)
    assert response.status_code == 200, response.text


def user_href(user_id: str) -> str:
    return "/users/" + quote(user_id, safe="")


def user_page(client: TestClient, user_id: str) -> Html:
    return page_of(client, user_href(user_id))


def ask(client: TestClient, user_id: str, action: str, **fields: str) -> httpx.Response:
    """Press an action's button on the user's page: the confirmation step."""
    form = user_page(client, user_id).form(**{"data-action-form": action})
    response = submit(client, form, **fields)
    assert response.status_code == 200, response.text
    return response


def confirm(client: TestClient, confirmation: httpx.Response) -> httpx.Response:
    form = Html(confirmation.text, confirmation.url.raw_path.decode()).form(
        **{"class": "toolbar confirm-form"}
    )
    assert form.fields["confirm"] == "yes"
    return submit(client, form)


def failed_webhook_call(
    runtime: Runtime, project: ApiProject, worker: ActionWorker, clock: Clock
) -> str:
    """A call_webhook action to an unreachable webhook, failed after all its attempts."""
    remediation_settings.update_remediation_settings(
        runtime, project.id, {"webhook_url": UNREACHABLE}, "test"
    )
    queued = actions.run_action(runtime, project.id, "call_webhook", actions.ManualTarget(),
                                "test")  # fmt: skip
    for _ in range(30):
        drain(worker)
        if actions.get_action(runtime, project.id, uuid.UUID(queued["id"]))["status"] == "failed":
            return str(queued["id"])
        clock.advance(hours=2)  # past any backoff (capped at an hour)
    raise AssertionError("the webhook call never failed for good")


def put_rule(client: TestClient, project: ApiProject, name: str, *effects: str) -> None:
    rule = {
        "name": name,
        "condition": 'matches(event.text, "(?i)free money")',
        "effects": [{"action": effect} for effect in effects],
    }
    response = client.post("/v1/rules", json=rule, headers=project.headers)
    assert response.status_code in (200, 201), response.text


@pytest.fixture
def worker(runtime: Runtime) -> Iterator[ActionWorker]:
    """An action worker without threads: tests call run_once themselves."""
    made = ActionWorker(runtime, concurrency=0, name="dashboard-test-worker")
    yield made
    made.stop()


@pytest.fixture
def moderator(runtime: Runtime, project: ApiProject) -> ModeratorRef:
    return create_moderator(runtime.database, EMAIL, PASSWORD, project.name, Role.MODERATOR)


@pytest.fixture
def signed_in(client: TestClient, moderator: ModeratorRef) -> TestClient:
    assert login(client).status_code == 303
    return client


# --- the users list ----------------------------------------------------------------------------


def test_users_lists_spam_users_with_their_spam_and_last_action(
    signed_in: TestClient, runtime: Runtime, project: ApiProject, clock: Clock
) -> None:
    post_event(signed_in, project, "u1", EXAMPLE_POST)
    clock.advance(minutes=5)
    post_event(signed_in, project, "u1", EXAMPLE_POST)
    clock.advance(minutes=5)
    post_event(signed_in, project, "u2", "Cheap pills at https://pills.example/buy now")
    post_event(signed_in, project, "u3", "A perfectly ordinary comment about gardening.")
    actions.run_action(runtime, project.id, "quarantine_user", actions.ManualTarget("u1"), "t")
    clock.advance(minutes=1)
    banned = actions.run_action(runtime, project.id, "ban_user", actions.ManualTarget("u1"), "t")

    page = Html(get(signed_in, "/users").text)

    assert page.row_ids("data-user") == ["u2", "u1"]  # most recent spam first; u3 posts none
    u1 = page.row(**{"data-user": "u1"})
    assert "bit.ly" in u1.text
    assert ("a", {"href": "/users/u1"}) in u1.tags
    assert ("a", {"href": f"/actions/{banned['id']}"}) in u1.tags  # the newest action
    assert "ban_user" in u1.text and "quarantine_user" not in u1.text
    assert has_class(u1, "span", "status status-queued")
    u1_posts = [cell for cell in u1.text.split() if cell.isdigit()]
    assert "2" in u1_posts
    u2 = page.row(**{"data-user": "u2"})
    assert "pills.example" in u2.text
    assert "ban_user" not in u2.text


def test_users_list_pages(
    signed_in: TestClient, project: ApiProject, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("spamward.dashboard.user_pages.PAGE_SIZE", 2)
    for user in ("u1", "u2", "u3"):
        post_event(signed_in, project, user, f"buy at https://{user}-spam.example/now")
        clock.advance(minutes=1)

    first = Html(get(signed_in, "/users").text)
    second_link = Page(get(signed_in, "/users").text).find("a", rel="next")
    second = Html(get(signed_in, "/users?offset=2").text)

    assert first.row_ids("data-user") == ["u3", "u2"]
    assert second_link == [{"href": "/users?offset=2", "rel": "next"}]
    assert second.row_ids("data-user") == ["u1"]
    assert not Page(get(signed_in, "/users?offset=2").text).find("a", rel="next")
    assert Html(get(signed_in, "/users?offset=junk").text).row_ids("data-user") == ["u3", "u2"]


# --- one user: the ban with its confirmation step ---------------------------------------------


def test_ban_from_the_users_tab_runs_and_shows_in_the_log_and_the_account(
    signed_in: TestClient, runtime: Runtime, project: ApiProject, worker: ActionWorker
) -> None:
    post_event(signed_in, project, "u1", EXAMPLE_POST)
    assert "Earn bitcoin" in Page(get(signed_in, "/users/u1").text).text

    confirmation = ask(signed_in, "u1", "ban_user", note="spam run")

    question = Page(confirmation.text).text
    assert "Ban user \u2068u1\u2069? This blocks all their posts." in question
    assert actions_of(runtime, project) == []  # nothing is queued before the confirmation
    done = confirm(signed_in, confirmation)
    assert done.headers["location"] == "/users/u1"
    assert flashed(signed_in, done) == ("ok", "Queued ban_user for u1")
    [queued] = actions_of(runtime, project)
    assert (queued["name"], queued["user_id"], queued["status"]) == ("ban_user", "u1", "queued")
    assert queued["requested_by"] == f"moderator:{EMAIL}"
    assert accounts.get_account(runtime, project.id, "u1").status == "active"

    assert drain(worker) == 1

    log = Html(get(signed_in, "/actions").text)
    row = log.row(**{"data-action": queued["id"]})
    assert has_class(row, "span", "status status-done")
    assert "ban_user" in row.text and f"moderator:{EMAIL}" in row.text
    account = Page(get(signed_in, "/users/u1").text)
    assert account.find("span", **{"class": "status status-banned"})
    assert accounts.get_account(runtime, project.id, "u1").status == "banned"
    detail = Html(get(signed_in, f"/actions/{queued['id']}").text)
    assert detail.row_ids("data-attempt") == ["1"]
    assert has_class(detail.rows[-1], "span", "status status-done")


def test_suspend_asks_with_the_duration_and_the_account_shows_its_end(
    signed_in: TestClient, runtime: Runtime, project: ApiProject, worker: ActionWorker, clock: Clock
) -> None:
    post_event(signed_in, project, "u1", EXAMPLE_POST)

    confirmation = ask(signed_in, "u1", "suspend_user", duration="2d")

    assert (
        "Suspend user \u2068u1\u2069? This blocks their posts for 2d."
        in Page(confirmation.text).text
    )
    assert flashed(signed_in, confirm(signed_in, confirmation))[0] == "ok"
    [queued] = actions_of(runtime, project)
    assert queued["params"] == {"duration": 2 * 86400}
    drain(worker)
    page = get(signed_in, "/users/u1").text
    assert Page(page).find("span", **{"class": "status status-suspended"})
    assert '<time datetime="2026-03-04T12:00:00+00:00">2026-03-04 12:00:00</time>' in page
    clock.advance(days=3)  # the suspension is over: the account reads as active again
    assert Page(get(signed_in, "/users/u1").text).find("span", **{"class": "status status-active"})


@pytest.mark.parametrize("duration", ["forever", "0", "400d", "9" * 5000])
def test_a_bad_duration_is_flashed_and_nothing_is_queued(
    signed_in: TestClient, runtime: Runtime, project: ApiProject, duration: str
) -> None:
    post_event(signed_in, project, "u1", EXAMPLE_POST)

    refused = ask_refused(signed_in, "u1", "rate_limit_user", duration=duration)

    kind, message = flashed(signed_in, refused)
    assert kind == "error"
    assert "duration" in message
    assert actions_of(runtime, project) == []


def ask_refused(client: TestClient, user_id: str, action: str, **fields: str) -> httpx.Response:
    form = user_page(client, user_id).form(**{"data-action-form": action})
    response = submit(client, form, **fields)
    assert response.status_code == 303, response.text
    return response


def test_a_forged_action_name_is_refused(
    signed_in: TestClient, runtime: Runtime, project: ApiProject
) -> None:
    post_event(signed_in, project, "u1", EXAMPLE_POST)
    form = user_page(signed_in, "u1").form(**{"data-action-form": "ban_user"})

    for name in ("hide_content", "deny_entity", "no_such_action", ""):
        refused = submit(signed_in, form, action=name, confirm="yes")
        kind, message = flashed(signed_in, refused)
        assert kind == "error", name
        assert "no user action named" in message

    assert actions_of(runtime, project) == []


def test_a_defined_action_runs_from_the_users_page(
    signed_in: TestClient, runtime: Runtime, project: ApiProject, worker: ActionWorker
) -> None:
    post_event(signed_in, project, "u1", EXAMPLE_POST)
    defined_actions.put_defined(runtime, project.id, "suspend_week",
                                ActionKind.SUSPEND_USER, {"duration": "7d"},
                                "A week off", "test")  # fmt: skip
    defined_actions.put_defined(runtime, project.id, "hide_it", ActionKind.HIDE_CONTENT, {}, "",
                                "test")  # fmt: skip

    page = user_page(signed_in, "u1")
    confirmation = ask(signed_in, "u1", "suspend_week", note="again")

    assert not page.has_form(**{"data-action-form": "hide_it"})  # needs a post, not a user
    text = Page(confirmation.text).text
    assert "Run suspend_week on user \u2068u1\u2069? This blocks their posts for 7d." in text
    assert "A week off" in text
    assert flashed(signed_in, confirm(signed_in, confirmation)) == (
        "ok",
        "Queued suspend_week for u1",
    )
    [queued] = actions_of(runtime, project)
    assert (queued["name"], queued["kind"]) == ("suspend_week", "suspend_user")
    drain(worker)
    assert accounts.get_account(runtime, project.id, "u1").status == "suspended"


def test_set_status_changes_the_account_at_once(
    signed_in: TestClient, runtime: Runtime, project: ApiProject
) -> None:
    post_event(signed_in, project, "u1", EXAMPLE_POST)
    form = user_page(signed_in, "u1").form(**{"data-action-form": "status"})
    assert form.fields["status"] == "active"

    response = submit(signed_in, form, status="flagged", note="watch")

    assert flashed(signed_in, response) == ("ok", "Status of u1 set to flagged")
    assert accounts.get_account(runtime, project.id, "u1").status == "flagged"
    assert user_page(signed_in, "u1").form(**{"data-action-form": "status"}).fields == {
        **form.fields,
        "status": "flagged",
    }
    refused = submit(signed_in, form, status="deleted")
    assert flashed(signed_in, refused)[0] == "error"
    assert accounts.get_account(runtime, project.id, "u1").status == "flagged"


@pytest.mark.parametrize("user_id", ["nobody", "u1%00", "x" * 300, ""])
def test_an_unknown_user_is_404(signed_in: TestClient, project: ApiProject, user_id: str) -> None:
    post_event(signed_in, project, "u1", EXAMPLE_POST)

    response = signed_in.get(f"/users/{user_id}", follow_redirects=False)

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


# --- the actions log ---------------------------------------------------------------------------


def test_retry_a_failed_action_from_the_log(
    signed_in: TestClient, runtime: Runtime, project: ApiProject, worker: ActionWorker, clock: Clock
) -> None:
    failed = failed_webhook_call(runtime, project, worker, clock)
    done = actions.run_action(runtime, project.id, "ban_user", actions.ManualTarget("u1"), "t")
    drain(worker)

    log = page_of(signed_in, "/actions?status=failed")

    assert log.row_ids("data-action") == [failed]
    row = log.row(**{"data-action": failed})
    assert has_class(row, "span", "status status-failed")
    assert "6/6" in row.text
    assert "127.0.0.1" in row.text or "connect" in row.text.lower()  # the error is shown
    everything = Html(get(signed_in, "/actions").text)
    assert not everything.has_form(action=f"/actions/{done['id']}/retry")  # done: no retry
    detail = Html(get(signed_in, f"/actions/{failed}").text)
    assert detail.row_ids("data-attempt") == ["1", "2", "3", "4", "5", "6"]

    retry = log.form(action=f"/actions/{failed}/retry")
    response = submit(signed_in, retry)

    assert response.headers["location"] == "/actions?status=failed"
    assert flashed(signed_in, response) == ("ok", "Queued call_webhook again")
    shown = actions.get_action(runtime, project.id, uuid.UUID(failed))
    assert shown["status"] == "queued"
    assert shown["max_attempts"] == 12
    again = submit(signed_in, retry)  # queued now: a second retry is refused
    kind, message = flashed(signed_in, again)
    assert kind == "error"
    assert "only a failed or skipped action" in message


def test_the_log_filters_by_status_action_user_rule_and_days(
    signed_in: TestClient, runtime: Runtime, project: ApiProject, worker: ActionWorker, clock: Clock
) -> None:
    put_rule(signed_in, project, "free_money", "quarantine_user")
    assert signed_in.post("/v1/policy/publish", json={}, headers=project.headers).is_success
    banned = actions.run_action(runtime, project.id, "ban_user", actions.ManualTarget("u1"), "t")
    drain(worker)
    clock.advance(days=2)
    post_event(signed_in, project, "u2", "free money for everyone")
    clock.advance(seconds=1)
    [by_rule] = actions_of(runtime, project, rule="free_money")
    notified = actions.run_action(runtime, project.id, "notify_user", actions.ManualTarget("u3"),
                                  "t")  # fmt: skip

    def ids(query: str) -> list[str]:
        return Html(get(signed_in, f"/actions?{query}").text).row_ids("data-action")

    assert ids("") == [notified["id"], by_rule["id"], banned["id"]]
    assert ids("status=done") == [banned["id"]]
    assert ids("status=queued") == [notified["id"], by_rule["id"]]
    assert ids("action=notify_user") == [notified["id"]]
    assert ids("user=u2") == [by_rule["id"]]
    assert ids("rule=free_money") == [by_rule["id"]]
    assert ids("since=2026-03-04") == [notified["id"], by_rule["id"]]
    assert ids("until=2026-03-02") == [banned["id"]]
    assert ids("since=2026-03-03&until=2026-03-03") == []
    assert ids("status=queued&user=u3") == [notified["id"]]
    rule_row = Html(get(signed_in, "/actions?rule=free_money").text).row(
        **{"data-action": by_rule["id"]}
    )
    assert "rule free_money" in rule_row.text
    # The form shows the filters again.
    form = Html(get(signed_in, "/actions?status=done&user=u1&since=2026-03-01").text).form(
        **{"class": "toolbar filters"}
    )
    assert (form.fields["status"], form.fields["user"], form.fields["since"]) == (
        "done",
        "u1",
        "2026-03-01",
    )


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ("since=yesterday", "since: a date"),
        ("until=2026-13-40", "until: a date"),
        ("status=lost", "status: one of"),
        ("user=u1%00", "user: at most"),
        ("since=0001-01-01", "since: a date between"),
    ],
)
def test_a_filter_that_cannot_be_read_is_named_and_left_out(
    signed_in: TestClient, runtime: Runtime, project: ApiProject, query: str, problem: str
) -> None:
    queued = actions.run_action(runtime, project.id, "ban_user", actions.ManualTarget("u1"), "t")

    response = get(signed_in, f"/actions?{query}")

    assert problem in Page(response.text).text
    assert Html(response.text).row_ids("data-action") == [queued["id"]]


def test_the_log_pages_by_fifty(signed_in: TestClient, runtime: Runtime, project: ApiProject,
                                clock: Clock) -> None:  # fmt: skip
    made = []
    for number in range(51):
        target = actions.ManualTarget(f"u{number}")
        made.append(actions.run_action(runtime, project.id, "ban_user", target, "t")["id"])
        clock.advance(seconds=1)

    first = get(signed_in, "/actions?status=queued")
    [older] = Page(first.text).find("a", rel="next")
    second = get(signed_in, str(older["href"]))

    assert Html(first.text).row_ids("data-action") == made[::-1][:50]
    assert older["href"] == "/actions?status=queued&offset=50"
    assert Html(second.text).row_ids("data-action") == [made[0]]
    assert Page(second.text).find("a", rel="prev", href="/actions?status=queued")


@pytest.mark.parametrize("action_id", ["not-a-uuid", str(uuid.UUID(int=7))])
def test_an_unknown_action_is_404(signed_in: TestClient, action_id: str) -> None:
    response = signed_in.get(f"/actions/{action_id}", follow_redirects=False)

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


# --- defined actions ---------------------------------------------------------------------------


def defined_form(client: TestClient, query: str = "") -> Form:
    return page_of(client, f"/defined-actions{query}").form(**{"class": "define-form"})


def test_define_change_and_delete_an_action(
    signed_in: TestClient, runtime: Runtime, project: ApiProject
) -> None:
    form = defined_form(signed_in)

    made = submit(signed_in, form, name="suspend_week", action="suspend_user",
                  params="duration=7d\n", description="A week off")  # fmt: skip

    assert flashed(signed_in, made) == ("ok", "Saved suspend_week (suspend_user)")
    [stored] = defined_actions.list_defined(runtime, project.id)
    assert (stored["name"], stored["action"], stored["params"]) == (
        "suspend_week",
        "suspend_user",
        {"duration": 604800},
    )
    page = Html(get(signed_in, "/defined-actions").text)
    row = page.row(**{"data-defined": "suspend_week"})
    assert "A week off" in row.text and "duration=7d" in row.text
    editing = defined_form(signed_in, "?edit=suspend_week")
    assert (editing.fields["name"], editing.fields["action"]) == ("suspend_week", "suspend_user")
    assert editing.fields["params"] == "duration=7d"

    changed = submit(signed_in, editing, params="duration=2w", description="Two weeks off")

    assert flashed(signed_in, changed)[0] == "ok"
    [stored] = defined_actions.list_defined(runtime, project.id)
    assert (stored["params"], stored["description"]) == ({"duration": 1209600}, "Two weeks off")
    deny = submit(signed_in, form, name="deny_links", action="deny_entity",
                  params="kinds=domain, url\nprobation_days=3")  # fmt: skip
    assert flashed(signed_in, deny)[0] == "ok"
    by_name = {d["name"]: d for d in defined_actions.list_defined(runtime, project.id)}
    assert by_name["deny_links"]["params"]["kinds"] == ["domain", "url"]
    assert by_name["deny_links"]["params"]["probation_days"] == 3

    delete = page_of(signed_in, "/defined-actions").form(
        action="/defined-actions/suspend_week/delete"
    )
    deleted = submit(signed_in, delete)

    assert flashed(signed_in, deleted) == ("ok", "Deleted suspend_week")
    assert [d["name"] for d in defined_actions.list_defined(runtime, project.id)] == ["deny_links"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"params": "duration=forever"}, "duration"),
        ({"params": "duration"}, "line 1: write key=value"),
        ({"params": "colour=red"}, "unknown parameter 'colour'"),
        ({"name": "ban_user"}, "is a catalog action"),
        ({"name": "Bad Name"}, "name: a lowercase letter"),
        ({"action": "explode"}, "choose a catalog action"),
        ({"description": "x" * 1001}, "description: at most 1000"),
        ({"params": "reason=\x00"}, "params: at most"),
    ],
)
def test_a_wrong_defined_action_is_flashed_and_not_saved(
    signed_in: TestClient, runtime: Runtime, project: ApiProject, fields: dict[str, str],
    message: str,
) -> None:  # fmt: skip
    form = defined_form(signed_in)
    good = {"name": "suspend_week", "action": "suspend_user", "params": "duration=7d"}

    response = submit(signed_in, form, **{**good, **fields})

    kind, flashed_message = flashed(signed_in, response)
    assert kind == "error"
    assert message in flashed_message
    assert defined_actions.list_defined(runtime, project.id) == []


def test_a_defined_action_a_rule_uses_is_not_deleted(
    signed_in: TestClient, runtime: Runtime, project: ApiProject
) -> None:
    defined_actions.put_defined(runtime, project.id, "suspend_week",
                                ActionKind.SUSPEND_USER, {"duration": "7d"},
                                "", "test")  # fmt: skip
    put_rule(signed_in, project, "money_rule", "suspend_week")
    delete = page_of(signed_in, "/defined-actions").form(
        action="/defined-actions/suspend_week/delete"
    )

    response = submit(signed_in, delete)

    kind, message = flashed(signed_in, response)
    assert kind == "error"
    assert "used by rule(s) money_rule" in message
    assert [d["name"] for d in defined_actions.list_defined(runtime, project.id)] == [
        "suspend_week"
    ]


# --- roles, CSRF and projects ----------------------------------------------------------------


def posts_to_try(runtime: Runtime, project: ApiProject) -> list[tuple[str, dict[str, str]]]:
    """A failed-looking action, a defined action and a user, and every form post on them."""
    defined_actions.put_defined(runtime, project.id, "suspend_week",
                                ActionKind.SUSPEND_USER, {"duration": "7d"},
                                "", "test")  # fmt: skip
    queued = actions.run_action(runtime, project.id, "ban_user", actions.ManualTarget("u1"), "t")
    return [
        ("/users/u1", {"do": "action", "action": "ban_user", "confirm": "yes"}),
        ("/users/u1", {"do": "status", "status": "banned"}),
        (f"/actions/{queued['id']}/retry", {}),
        ("/defined-actions", {"name": "other", "action": "ban_user", "params": ""}),
        ("/defined-actions/suspend_week/delete", {}),
    ]


def unchanged(runtime: Runtime, project: ApiProject) -> None:
    assert len(actions_of(runtime, project)) == 1
    assert [d["name"] for d in defined_actions.list_defined(runtime, project.id)] == [
        "suspend_week"
    ]
    assert accounts.get_account(runtime, project.id, "u1").status == "active"


def test_a_viewer_sees_the_pages_without_forms_and_may_not_post(
    client: TestClient, runtime: Runtime, project: ApiProject
) -> None:
    post_event(client, project, "u1", EXAMPLE_POST)
    tries = posts_to_try(runtime, project)
    create_moderator(runtime.database, VIEWER, PASSWORD, project.name, Role.VIEWER)
    login(client, VIEWER)

    page = user_page(client, "u1")
    token = csrf_of(get(client, "/actions"))

    assert page.rows  # the viewer sees the user's actions and posts
    assert not [f for f in page.forms if f.attrs.get("method") == "post"
                and f.attrs.get("action") != "/logout"]  # fmt: skip
    assert not Html(get(client, "/defined-actions").text).has_form(
        method="post", action="/defined-actions"
    )
    for url, form in tries:
        assert_forbidden_json(
            client.post(url, data={**form, "csrf_token": token}, follow_redirects=False)
        )
    unchanged(runtime, project)


def test_a_post_without_the_csrf_token_is_refused(
    signed_in: TestClient, runtime: Runtime, project: ApiProject
) -> None:
    post_event(signed_in, project, "u1", EXAMPLE_POST)
    tries = posts_to_try(runtime, project)

    for url, form in tries:
        assert_forbidden_json(signed_in.post(url, data=form, follow_redirects=False))
        forged = {**form, "csrf_token": "forged"}
        assert_forbidden_json(signed_in.post(url, data=forged, follow_redirects=False))
    unchanged(runtime, project)


def test_a_moderator_of_another_project_sees_and_changes_nothing_here(
    client: TestClient,
    runtime: Runtime,
    project: ApiProject,
    other_project: ApiProject,
    worker: ActionWorker,
    clock: Clock,
) -> None:
    post_event(client, project, "u1", EXAMPLE_POST)
    failed = failed_webhook_call(runtime, project, worker, clock)
    defined_actions.put_defined(runtime, project.id, "suspend_week",
                                ActionKind.SUSPEND_USER, {"duration": "7d"},
                                "secret plan", "test")  # fmt: skip
    create_moderator(runtime.database, STRANGER, PASSWORD, other_project.name, Role.ADMIN)
    login(client, STRANGER)
    token = csrf_of(get(client, "/users"))

    assert client.get("/users/u1", follow_redirects=False).status_code == 404
    assert client.get(f"/actions/{failed}", follow_redirects=False).status_code == 404
    for url in ("/users", "/actions", "/defined-actions", f"/users?project={project.name}"):
        text = get(client, url).text
        assert "u1" not in Html(text).row_ids("data-user")
        assert failed not in text, url
        assert "secret plan" not in text and "bit.ly" not in text
    for url, form in [
        ("/users/u1", {"do": "action", "action": "ban_user", "confirm": "yes"}),
        ("/users/u1", {"do": "status", "status": "banned"}),
        (f"/actions/{failed}/retry", {}),
        ("/defined-actions/suspend_week/delete", {}),
    ]:
        response = client.post(url, data={**form, "csrf_token": token},
                               headers={"referer": f"{client.base_url}/users"},
                               follow_redirects=False)  # fmt: skip
        assert flashed(client, response)[0] == "error", url
    assert actions.get_action(runtime, project.id, uuid.UUID(failed))["status"] == "failed"
    assert len(actions_of(runtime, project)) == 1
    assert accounts.get_account(runtime, project.id, "u1").status == "active"
    assert [d["name"] for d in defined_actions.list_defined(runtime, project.id)] == [
        "suspend_week"
    ]
    assert actions_of(runtime, other_project) == []


# --- hostile text ------------------------------------------------------------------------------


def assert_inert(text: str) -> None:
    page = Page(text)
    assert not page.tag_names & {"script", "img"}
    assert not [attrs for _, attrs in page.tags if any(key.startswith("on") for key in attrs)]
    assert "<script>alert" not in text and "<img src=x" not in text


def test_hostile_user_ids_and_texts_are_escaped(
    signed_in: TestClient, runtime: Runtime, project: ApiProject, worker: ActionWorker
) -> None:
    post_event(signed_in, project, HOSTILE_USER, HOSTILE_TEXT)
    defined_actions.put_defined(runtime, project.id, "warn",
                                ActionKind.ESCALATE, {"reason": HOSTILE_TEXT},
                                HOSTILE_TEXT, "test")  # fmt: skip

    users = get(signed_in, "/users").text
    link = user_href(HOSTILE_USER)
    page = get(signed_in, link).text
    confirmation = ask(signed_in, HOSTILE_USER, "ban_user", note=HOSTILE_TEXT)
    done = confirm(signed_in, confirmation)
    assert done.headers["location"] == link
    assert flashed(signed_in, done) == ("ok", f"Queued ban_user for {HOSTILE_USER}")
    drain(worker)
    log = get(signed_in, "/actions").text
    filtered = get(signed_in, "/actions?" + urlencode({"user": HOSTILE_USER}))
    defined = get(signed_in, "/defined-actions").text

    assert Html(users).row_ids("data-user") == [HOSTILE_USER]
    assert Page(users).find("a", href=link)
    assert HOSTILE_TEXT in Page(page).text
    assert (
        f"Ban user \u2068{HOSTILE_USER}\u2069? This blocks all their posts."
        in Page(confirmation.text).text
    )
    confirm_form = Html(confirmation.text).form(method="post", action=link)  # quoted
    assert confirm_form.fields["note"] == HOSTILE_TEXT
    assert accounts.get_account(runtime, project.id, HOSTILE_USER).status == "banned"
    assert HOSTILE_USER in Page(log).text
    assert len(Html(filtered.text).row_ids("data-action")) == 1
    assert HOSTILE_TEXT in Page(defined).text
    for text in (users, page, confirmation.text, log, filtered.text, defined):
        assert_inert(text)

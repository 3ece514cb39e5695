"""The Spam Manager's list semantics (issue 4), each through the HTTP API on SQLite and
PostgreSQL, with time moved by the test clock: tabs, Allow/Deny/Ignore, domain coverage,
the rolling window, duplicate text, spam users, retention and the moderation log."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from httpx import Response
from starlette.testclient import TestClient

from spamward.runtime import Runtime
from spamward.services.retention import run_retention
from spamward.storage.repositories import spam_manager as spam_manager_repo
from spamward.storage.repositories.moderation import log_page
from tests.conftest import ApiProject, Clock

Json = dict[str, Any]

KINDS = ("domain", "url", "phone", "email", "text")
WORDS = ("alpha", "bravo", "charlie", "delta")
LONG_TEXT = "Earn real money from home with this amazing secret program, no experience needed"


def sample(kind: str, n: int) -> tuple[str, str]:
    """A post holding the n-th entity of `kind`, and how that entity is shown (and listed)."""
    word = WORDS[n]
    if kind == "domain":
        return f"see {word}.com today", f"{word}.com"
    if kind == "url":
        return f"see https://shop.com/{word}", f"shop.com/{word}"
    if kind == "phone":
        return f"call 212-555-010{n} now", f"212-555-010{n}"
    if kind == "email":
        return f"write {word}@mail.com", f"{word}@mail.com"
    text = f"Limited offer for {word}: earn real money from home with our amazing program"
    return text, text


# --- the API, one helper per call -------------------------------------------------------


def post(client: TestClient, project: ApiProject, text: str, user: str = "user-1") -> Json:
    event = {"type": "post", "actor": {"id": user}, "content": {"text": text}}
    response = client.post("/v1/events", json=event, headers=project.headers)
    assert response.status_code == 200, response.text
    decision: Json = response.json()
    return decision


def get(client: TestClient, project: ApiProject, path: str, **params: Any) -> Json:
    response = client.get(path, params=params, headers=project.headers)
    assert response.status_code == 200, response.text
    body: Json = response.json()
    return body


def tab(client: TestClient, project: ApiProject, kind: str, **params: Any) -> list[Json]:
    rows: list[Json] = get(client, project, "/v1/entities", kind=kind, **params)["entities"]
    return rows


def shown(client: TestClient, project: ApiProject, kind: str, **params: Any) -> list[str]:
    return [row["display"] for row in tab(client, project, kind, **params)]


def row_of(client: TestClient, project: ApiProject, kind: str, display: str) -> Json:
    return next(row for row in tab(client, project, kind) if row["display"] == display)


def entity(client: TestClient, project: ApiProject, entity_id: int) -> Json:
    return get(client, project, f"/v1/entities/{entity_id}")


def history(client: TestClient, project: ApiProject, entity_id: int) -> list[Json]:
    posts: list[Json] = get(client, project, f"/v1/entities/{entity_id}/posts")["posts"]
    return posts


def add(client: TestClient, project: ApiProject, list_name: str, kind: str, value: str) -> Response:
    body = {"kind": kind, "value": value}
    response: Response = client.post(f"/v1/lists/{list_name}", json=body, headers=project.headers)
    return response


def listed(client: TestClient, project: ApiProject, list_name: str, kind: str, value: str) -> Json:
    response = add(client, project, list_name, kind, value)
    assert response.status_code == 201, response.text
    entry: Json = response.json()
    return entry


def unlist(client: TestClient, project: ApiProject, list_name: str, entry_id: int) -> None:
    response = client.delete(f"/v1/lists/{list_name}/{entry_id}", headers=project.headers)
    assert response.status_code == 204, response.text


def entries(client: TestClient, project: ApiProject, list_name: str) -> list[Json]:
    found: list[Json] = get(client, project, f"/v1/lists/{list_name}")["entries"]
    return found


def patch_settings(client: TestClient, project: ApiProject, **changes: int) -> Response:
    response: Response = client.patch("/v1/settings", json=changes, headers=project.headers)
    return response


def spam_users(client: TestClient, project: ApiProject) -> list[Json]:
    users: list[Json] = get(client, project, "/v1/spam-users")["users"]
    return users


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


# --- 1. tabs ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_tab_counts_sorts_pages_and_filters(
    client: TestClient, project: ApiProject, other_project: ApiProject, clock: Clock, kind: str
) -> None:
    (a_text, a), (b_text, b), (c_text, c), (d_text, d) = (sample(kind, n) for n in range(4))
    started = clock.now
    for text, user in [(a_text, "u1"), (a_text, "u2"), (a_text, "u1"), (b_text, "u1"),
                       (b_text, "u1"), (c_text, "u1"), (c_text, "u3")]:  # fmt: skip
        post(client, project, text, user)
        clock.advance(hours=1)
    for text in (a_text, a_text, a_text, a_text, d_text, d_text):
        post(client, other_project, text)

    rows = tab(client, project, kind)

    assert [row["display"] for row in rows] == [a, c, b]  # posts, then last posted
    assert [(row["posts"], row["users"]) for row in rows] == [(3, 2), (2, 2), (2, 1)]
    assert moment(rows[0]["first_posted_at"]) == started
    assert moment(rows[0]["last_posted_at"]) == started + timedelta(hours=2)
    assert {row["kind"] for row in rows} == {kind}
    assert {row["list"] for row in rows} == {None}
    assert shown(client, project, kind, limit=1, offset=1) == [c]
    assert shown(client, project, kind, limit=2) == [a, c]
    assert shown(client, project, kind, q=b.upper()) == [b]
    assert shown(client, other_project, kind) == [a, d]
    assert row_of(client, other_project, kind, a)["posts"] == 4


def test_unknown_kind_is_422(client: TestClient, project: ApiProject) -> None:
    response = client.get("/v1/entities", params={"kind": "ip"}, headers=project.headers)
    missing = client.get("/v1/entities", headers=project.headers)

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"
    assert missing.status_code == 422


# --- 2. allow and deny take an entity out of its tab -------------------------------------


@pytest.mark.parametrize("list_name", ["allow", "deny"])
@pytest.mark.parametrize("kind", KINDS)
def test_listed_entity_leaves_its_tab_for_good(
    client: TestClient, project: ApiProject, kind: str, list_name: str
) -> None:
    (a_text, a), (b_text, b) = sample(kind, 0), sample(kind, 1)
    for text in (a_text, a_text, b_text, b_text):
        post(client, project, text)
    a_id = row_of(client, project, kind, a)["id"]

    entry = listed(client, project, list_name, kind, a)
    hidden_at_once = shown(client, project, kind)
    decision = post(client, project, a_text)

    assert hidden_at_once == [b]
    assert shown(client, project, kind) == [b]
    assert [(e["kind"], e["display"]) for e in entries(client, project, list_name)] == [(kind, a)]
    assert entry["list"] == list_name
    assert [e["list"] for e in decision["entities"][f"{kind}s"]] == [list_name]
    posts = history(client, project, a_id)
    assert [len(posts), posts[0]["event_id"]] == [3, decision["event_id"]]
    detail = entity(client, project, a_id)
    assert (detail["posts"], detail["list"]) == (3, list_name)


# --- 3. deleting an entry brings the entity back only when posted again ------------------


@pytest.mark.parametrize("list_name", ["allow", "deny"])
def test_deleted_entry_returns_to_its_tab_on_the_next_post(
    client: TestClient, project: ApiProject, list_name: str
) -> None:
    text, domain = sample("domain", 0)
    post(client, project, text)
    entry = listed(client, project, list_name, "domain", domain)

    unlist(client, project, list_name, entry["id"])
    after_delete = (shown(client, project, "domain"), shown(client, project, "url"))
    decision = post(client, project, text)

    assert after_delete == ([], [])  # the domain, and the URL it covers, stay out
    assert entries(client, project, list_name) == []
    assert decision["entities"]["domains"][0]["list"] is None
    assert shown(client, project, "domain") == [domain]
    assert shown(client, project, "url") == [domain]
    assert row_of(client, project, "domain", domain)["posts"] == 2


# --- 4. a denied domain covers its URLs --------------------------------------------------


def test_denied_domain_takes_its_urls_out_of_the_tab(
    client: TestClient, project: ApiProject, other_project: ApiProject
) -> None:
    for url in ("example.com/a", "sub.example.com/b", "other.org/c", "notexample.com/d"):
        post(client, project, f"see https://{url}")
    post(client, project, "write sales@sub.example.com")
    post(client, other_project, "see https://sub.example.com/b")

    listed(client, project, "deny", "domain", "example.com")
    decision = post(client, project, "new one: https://deep.new.example.com/e")
    other = post(client, project, "and https://other.org/f")

    assert sorted(shown(client, project, "url")) == [
        "notexample.com/d",
        "other.org/c",
        "other.org/f",
    ]
    assert shown(client, project, "domain") == ["other.org", "notexample.com"]
    assert shown(client, project, "email") == []
    assert [u["list"] for u in decision["entities"]["urls"]] == ["deny"]
    assert decision["verdict"] == "block"
    assert decision["rules"][0]["rule"] == "deny_list"
    assert decision["rules"][0]["outcome"] == "hit"
    assert (other["verdict"], other["entities"]["urls"][0]["list"]) == ("allow", None)
    assert shown(client, other_project, "url") == ["sub.example.com/b"]  # its own lists only
    assert post(client, other_project, "https://sub.example.com/b")["verdict"] == "allow"


def test_denied_subdomain_covers_only_urls_below_it(
    client: TestClient, project: ApiProject
) -> None:
    for url in ("spam.example.com/a", "deep.spam.example.com/b", "www.example.com/c"):
        post(client, project, f"see https://{url}")

    listed(client, project, "deny", "domain", "spam.example.com")

    assert shown(client, project, "url") == ["www.example.com/c"]
    assert post(client, project, "https://x.spam.example.com/d")["verdict"] == "block"
    assert post(client, project, "https://example.com/e")["verdict"] == "allow"


def test_denied_domain_hides_a_url_whose_ignore_expired(
    client: TestClient, project: ApiProject, clock: Clock
) -> None:
    # An expired ignore entry (not yet swept by retention) must not shield the URL from
    # its domain's deny: the engine already counts it as denied.
    post(client, project, "see https://sub.example.com/b")
    listed(client, project, "ignore", "url", "sub.example.com/b")
    clock.advance(days=15)
    post(client, project, "see https://sub.example.com/b")  # the ignore is over: it is back
    back = shown(client, project, "url")

    listed(client, project, "deny", "domain", "example.com")

    assert back == ["sub.example.com/b"]
    assert shown(client, project, "url") == []


# --- 5. ignore hides for ignore_days -----------------------------------------------------


def test_ignore_hides_until_expiry_then_posting_brings_it_back(
    client: TestClient, project: ApiProject, clock: Clock
) -> None:
    text, phone = sample("phone", 0)
    post(client, project, text)

    entry = listed(client, project, "ignore", "phone", phone)
    clock.advance(days=13)
    during = post(client, project, text)
    hidden_during = shown(client, project, "phone")
    clock.advance(days=1, seconds=1)
    expired_entries = entries(client, project, "ignore")
    hidden_after_expiry = shown(client, project, "phone")
    after = post(client, project, text)

    assert moment(entry["expires_at"]) == moment(entry["created_at"]) + timedelta(days=14)
    assert during["entities"]["phones"][0]["list"] == "ignore"
    assert hidden_during == []
    assert expired_entries == []
    assert hidden_after_expiry == []  # not posted since: stays hidden
    assert after["entities"]["phones"][0]["list"] is None
    assert shown(client, project, "phone") == [phone]


def test_ignore_days_setting_and_expiry_without_posts(
    client: TestClient, project: ApiProject, runtime: Runtime, clock: Clock
) -> None:
    text, email = sample("email", 0)
    post(client, project, text)
    changed = patch_settings(client, project, ignore_days=3)

    entry = listed(client, project, "ignore", "email", email)
    clock.advance(days=3)
    report = run_retention(runtime)

    assert changed.status_code == 200
    assert changed.json()["ignore_days"] == 3
    assert get(client, project, "/v1/settings")["ignore_days"] == 3
    assert moment(entry["expires_at"]) == moment(entry["created_at"]) + timedelta(days=3)
    assert report.ignores_expired == 1
    assert entries(client, project, "ignore") == []
    assert shown(client, project, "email") == []  # expired, but not posted again


# --- 6. moving between lists -------------------------------------------------------------


def test_moving_between_lists_keeps_one_entry(client: TestClient, project: ApiProject) -> None:
    text, domain = sample("domain", 0)
    post(client, project, text)
    ignored = listed(client, project, "ignore", "domain", domain)

    denied = listed(client, project, "deny", "domain", domain)
    again = add(client, project, "deny", "domain", domain)

    assert ignored["expires_at"] is not None
    assert denied["expires_at"] is None
    assert entries(client, project, "ignore") == []
    assert [e["id"] for e in entries(client, project, "deny")] == [denied["id"]]
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "conflict"
    assert post(client, project, text)["verdict"] == "block"
    assert shown(client, project, "domain") == []


def test_allowed_then_denied_moves_and_blocks(client: TestClient, project: ApiProject) -> None:
    text, phone = sample("phone", 0)
    allowed = listed(client, project, "allow", "phone", phone)
    first = post(client, project, text)

    listed(client, project, "deny", "phone", phone)
    second = post(client, project, text)

    assert (first["verdict"], first["entities"]["phones"][0]["list"]) == ("allow", "allow")
    assert (second["verdict"], second["entities"]["phones"][0]["list"]) == ("block", "deny")
    assert entries(client, project, "allow") == []
    assert [e["display"] for e in entries(client, project, "deny")] == [phone]
    assert allowed["list"] == "allow"


# --- 7. bulk -----------------------------------------------------------------------------


def test_bulk_keeps_good_entries_and_reports_bad_ones(
    client: TestClient, project: ApiProject
) -> None:
    for n in range(3):
        post(client, project, sample("domain", n)[0])
    listed(client, project, "deny", "domain", "charlie.com")
    body = {
        "entries": [
            {"kind": "domain", "value": "alpha.com"},
            {"kind": "domain", "value": "not a domain"},
            {"kind": "phone", "value": "212-555-0100"},
            {"kind": "domain", "value": "ALPHA.com"},
            {"kind": "domain", "value": "charlie.com"},
            {"kind": "domain", "value": "bravo.com", "note": "spam wave"},
        ]
    }

    response = client.post("/v1/lists/deny/bulk", json=body, headers=project.headers)

    assert response.status_code == 200, response.text
    outcome = response.json()
    assert [e["display"] for e in outcome["added"]] == ["alpha.com", "212-555-0100", "bravo.com"]
    assert [(e["index"], e["code"]) for e in outcome["errors"]] == [
        (1, "validation_error"),
        (3, "conflict"),
        (4, "conflict"),
    ]
    assert len(entries(client, project, "deny")) == 4
    assert shown(client, project, "domain") == []
    assert post(client, project, "call 212 555 0100")["verdict"] == "block"


# --- 8. the rolling window ---------------------------------------------------------------


def test_window_drops_old_posts_and_users_after_retention(
    client: TestClient, project: ApiProject, runtime: Runtime, clock: Clock
) -> None:
    text, domain = sample("domain", 0)
    started = clock.now
    post(client, project, text, "u1")
    clock.advance(hours=1)
    post(client, project, text, "u2")
    clock.advance(days=10)
    post(client, project, text, "u2")
    before = row_of(client, project, "domain", domain)

    clock.advance(days=5)
    run_retention(runtime)
    partly = row_of(client, project, "domain", domain)
    clock.advance(days=10)
    run_retention(runtime)

    assert (before["posts"], before["users"]) == (3, 2)
    assert (partly["posts"], partly["users"]) == (1, 1)
    assert shown(client, project, "domain") == []
    posts = history(client, project, before["id"])  # outlives the window, newest first
    assert [(p["user_id"], moment(p["posted_at"])) for p in posts] == [
        ("u2", started + timedelta(days=10, hours=1)),
        ("u2", started + timedelta(hours=1)),
        ("u1", started),
    ]
    assert [p["verdict"] for p in posts] == ["allow"] * 3
    others = [[e["display"] for e in p["entities"]] for p in posts]
    assert others == [[domain]] * 3  # each post's other entity: the URL "alpha.com"


def test_posts_counted_in_the_window_keep_their_history(
    client: TestClient, project: ApiProject, runtime: Runtime, clock: Clock
) -> None:
    text = sample("phone", 0)[0]
    assert patch_settings(client, project, retention_days=14).status_code == 200  # = window
    post(client, project, text)
    clock.advance(days=14, hours=1)

    run_retention(runtime)

    # The window starts at midnight, so this post still counts; its history must too.
    rows = tab(client, project, "phone")
    counted = sum(row["posts"] for row in rows)
    found = sum(len(history(client, project, row["id"])) for row in rows)
    assert counted == found, f"{counted} posts in the tab, {found} in their history"


def test_window_days_setting_applies(
    client: TestClient, project: ApiProject, runtime: Runtime, clock: Clock
) -> None:
    old_text, old = sample("url", 0)
    new_text, new = sample("url", 1)
    post(client, project, old_text)
    post(client, project, new_text)
    clock.advance(days=4)
    post(client, project, new_text)

    changed = patch_settings(client, project, window_days=3)
    before_retention = shown(client, project, "url")
    run_retention(runtime)

    assert changed.json()["window_days"] == 3
    assert before_retention == [new]  # `old` was last posted before the new window
    assert row_of(client, project, "url", new)["posts"] == 1
    assert old not in shown(client, project, "url")


# --- 9. duplicate text -------------------------------------------------------------------


def test_duplicate_text_needs_two_posts(client: TestClient, project: ApiProject) -> None:
    first = post(client, project, f"{LONG_TEXT} https://spam-a.com/1", "u1")
    alone = shown(client, project, "text")

    second = post(
        client, project, f"  {LONG_TEXT.replace(' ', '   ')}\n https://spam-b.net/2", "u2"
    )

    assert alone == []
    assert len(first["entities"]["texts"]) == 1
    assert first["entities"]["texts"][0]["value"] == second["entities"]["texts"][0]["value"]
    rows = tab(client, project, "text")
    assert [(row["value"], row["posts"], row["users"]) for row in rows] == [
        (first["entities"]["texts"][0]["value"], 2, 2)
    ]


def test_text_shorter_than_the_project_limit_is_no_entity(
    client: TestClient, project: ApiProject
) -> None:
    changed = patch_settings(client, project, duplicate_text_min_chars=200)

    decisions = [post(client, project, LONG_TEXT) for _ in range(3)]

    assert changed.json()["duplicate_text_min_chars"] == 200
    assert [d["entities"]["texts"] for d in decisions] == [[], [], []]
    assert shown(client, project, "text") == []
    assert patch_settings(client, project, duplicate_text_min_chars=50).status_code == 200
    assert post(client, project, LONG_TEXT)["entities"]["texts"] != []


# --- 10. spam users ----------------------------------------------------------------------


def test_spam_users_are_those_with_denied_or_uncategorised_entities(
    client: TestClient, project: ApiProject, clock: Clock
) -> None:
    listed(client, project, "deny", "domain", "spam.com")
    listed(client, project, "allow", "domain", "good.org")
    post(client, project, "buy at https://spam.com/x", "spammer")
    clock.advance(hours=1)
    post(client, project, "call 212-555-0100", "caller")
    clock.advance(hours=1)
    post(client, project, "see https://good.org/help", "helper")
    post(client, project, "hello there", "quiet")
    clock.advance(hours=1)
    post(client, project, "cheap at https://spam.com/y", "spammer")
    clock.advance(hours=1)
    post(client, project, "and https://good.org/faq", "spammer")  # not spam: allowed only

    users = spam_users(client, project)

    assert [u["user_id"] for u in users] == ["spammer", "caller"]
    assert [u["spam_posts"] for u in users] == [2, 1]
    assert moment(users[0]["last_spam_at"]) == clock.now - timedelta(hours=1)
    assert moment(users[1]["last_spam_at"]) == clock.now - timedelta(hours=3)
    assert users[0]["top_spam_strings"][0] == {"kind": "domain", "display": "spam.com", "posts": 2}
    assert users[1]["top_spam_strings"] == [
        {"kind": "phone", "display": "212-555-0100", "posts": 1}
    ]


def test_spam_users_page_through_many_scan_batches_and_tied_times(
    client: TestClient, project: ApiProject, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(spam_manager_repo, "SCAN_BATCH", 2)  # many batches over few posts
    for n in range(7):
        for word in WORDS[: n % 3 + 1]:  # runs of equal times, longer than a batch
            post(client, project, f"see {word}.com", f"user-{n}")
        if n != 3:
            clock.advance(minutes=1)  # user-3 and user-4 post at the same time
    post(client, project, "again at alpha.com", "user-0")  # user-0 becomes the latest

    first = get(client, project, "/v1/spam-users", limit=3)["users"]
    rest = get(client, project, "/v1/spam-users", limit=3, offset=3)["users"]
    last = get(client, project, "/v1/spam-users", limit=3, offset=6)["users"]
    everyone = get(client, project, "/v1/spam-users", limit=10)["users"]

    users = first + rest
    assert [u["user_id"] for u in first] == ["user-0", "user-6", "user-5"]
    assert sorted(u["user_id"] for u in rest) == ["user-2", "user-3", "user-4"]
    assert [moment(u["last_spam_at"]) for u in users] == sorted(
        (moment(u["last_spam_at"]) for u in users), reverse=True
    )
    assert users[0]["spam_posts"] == 2
    assert [u["user_id"] for u in everyone] == [u["user_id"] for u in users + last]
    assert last[0]["user_id"] == "user-1"


def test_spam_users_show_the_last_action_taken_on_each(
    client: TestClient, project: ApiProject, clock: Clock
) -> None:
    post(client, project, "buy at https://spam.com/x", "spammer")
    post(client, project, "call 212-555-0100", "caller")
    for action in ("quarantine_user", "ban_user"):
        body = {"action": action, "user_id": "spammer"}
        response = client.post("/v1/actions", json=body, headers=project.headers)
        assert response.status_code in (201, 202), response.text
        clock.advance(minutes=1)

    users = {u["user_id"]: u for u in spam_users(client, project)}

    assert users["spammer"]["last_action"]["name"] == "ban_user"
    assert users["spammer"]["last_action"]["user_id"] == "spammer"
    assert users["caller"]["last_action"] is None


def test_user_posts_newest_first_with_entities(client: TestClient, project: ApiProject) -> None:
    post(client, project, "buy at https://spam.com/x", "spammer")
    post(client, project, "call 212-555-0100", "spammer")

    posts = get(client, project, "/v1/spam-users/spammer/posts")["posts"]
    unknown = client.get("/v1/spam-users/nobody/posts", headers=project.headers)

    assert [p["text"] for p in posts] == ["call 212-555-0100", "buy at https://spam.com/x"]
    assert {p["user_id"] for p in posts} == {"spammer"}
    assert [e["display"] for e in posts[0]["entities"]] == ["212-555-0100"]
    assert sorted(e["display"] for e in posts[1]["entities"]) == ["spam.com", "spam.com/x"]
    assert unknown.status_code == 404


# --- 11. retention -----------------------------------------------------------------------


def test_retention_purges_posts_and_keeps_list_entries(
    client: TestClient, project: ApiProject, runtime: Runtime, clock: Clock
) -> None:
    text, domain = sample("domain", 0)
    old = post(client, project, text, "spammer")
    entity_id = row_of(client, project, "domain", domain)["id"]
    listed(client, project, "deny", "domain", domain)
    clock.advance(days=20)
    recent = post(client, project, text, "spammer")

    clock.advance(days=11)
    report = run_retention(runtime)

    old_decision = client.get(f"/v1/decisions/{old['id']}", headers=project.headers)
    assert report.events_purged == 1
    assert old_decision.status_code == 404
    assert get(client, project, f"/v1/decisions/{recent['id']}")["id"] == recent["id"]
    assert [p["event_id"] for p in history(client, project, entity_id)] == [recent["event_id"]]
    assert [e["display"] for e in entries(client, project, "deny")] == [domain]
    assert spam_users(client, project)[0]["spam_posts"] == 1


def test_retention_days_setting(
    client: TestClient, project: ApiProject, runtime: Runtime, clock: Clock
) -> None:
    too_short = patch_settings(client, project, retention_days=7)
    wider_window = patch_settings(client, project, window_days=40)
    changed = patch_settings(client, project, retention_days=20)
    old = post(client, project, "call 212-555-0100")
    clock.advance(days=2)
    kept = post(client, project, "call 212-555-0100")
    clock.advance(days=19)

    run_retention(runtime)

    assert (too_short.status_code, wider_window.status_code) == (422, 422)
    assert changed.json() == {
        "window_days": 14,
        "ignore_days": 14,
        "retention_days": 20,
        "duplicate_text_min_chars": 50,
    }
    assert client.get(f"/v1/decisions/{old['id']}", headers=project.headers).status_code == 404
    assert get(client, project, f"/v1/decisions/{kept['id']}")["verdict"] == kept["verdict"]


# --- 12. who did it ----------------------------------------------------------------------


def test_moderator_actions_are_logged_with_the_key(
    client: TestClient, project: ApiProject, runtime: Runtime
) -> None:
    who = f"api-key:default:{project.key[:10]}"
    entry = listed(client, project, "deny", "domain", "spam.com")
    unlist(client, project, "deny", entry["id"])
    patch_settings(client, project, window_days=7)

    with runtime.database.read() as session:
        rows = log_page(session, project.id, 10, 0)
        logged = [(row.who, row.action, row.detail) for row in reversed(rows)]

    assert entry["created_by"] == who
    assert logged == [
        (who, "list.deny", {"kind": "domain", "value": "spam.com"}),
        (who, "unlist.deny", {"kind": "domain", "value": "spam.com"}),
        (who, "settings", {"window_days": 7}),
    ]


def test_another_projects_entities_and_entries_are_404(
    client: TestClient, project: ApiProject, other_project: ApiProject
) -> None:
    text, domain = sample("domain", 0)
    post(client, project, text)
    entity_id = row_of(client, project, "domain", domain)["id"]
    entry = listed(client, project, "deny", "domain", domain)

    paths = [f"/v1/entities/{entity_id}", f"/v1/entities/{entity_id}/posts"]
    foreign_reads = [client.get(path, headers=other_project.headers) for path in paths]
    foreign_delete = client.delete(f"/v1/lists/deny/{entry['id']}", headers=other_project.headers)

    assert [r.status_code for r in foreign_reads] == [404, 404]
    assert foreign_delete.status_code == 404
    assert [e["id"] for e in entries(client, project, "deny")] == [entry["id"]]
    assert entries(client, other_project, "deny") == []


def test_user_history_lists_only_spam_posts_with_their_entity_counts(
    client: TestClient, project: ApiProject, clock: Clock
) -> None:
    listed(client, project, "allow", "domain", "example.org")
    post(client, project, "see https://trusted.example.org/a", user="mixed")
    clock.advance(minutes=5)
    post(client, project, "buy at https://pills.example.net/x or call 555-123-4567", user="mixed")

    history = get(client, project, "/v1/spam-users/mixed/posts")["posts"]

    assert [p["text"] for p in history] == [
        "buy at https://pills.example.net/x or call 555-123-4567"
    ]
    assert history[0]["entity_count"] == len(history[0]["entities"]) == 3  # domain, url, phone

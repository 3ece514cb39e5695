"""The Spam Manager pages: tabs, an entity's history, Allow / Deny / Ignore (one row, many
rows, the entity page), the lists with Delete, roles, CSRF, escaping and project scope.

Every test runs on SQLite and on PostgreSQL (the `client` fixture is parametrised by backend).
"""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from spamward.domain.decision import ListName
from spamward.domain.entity import EntityKind
from spamward.runtime import Runtime
from spamward.services import lists
from spamward.services.moderators import ModeratorRef, Role, create_moderator
from spamward.storage.repositories import lists as list_repo
from spamward.storage.repositories.spam_entities import entities_by_id
from tests.conftest import ApiProject, Clock
from tests.test_dashboard import EMAIL, PASSWORD, Page, grant, login

VIEWER = "viewer@example.org"
SPAM_TEXT = (
    "Cheap watches and bags at unbeatable prices, order today and get free shipping "
    "to your door, limited stock"
)
FLASH = re.compile(r'<p class="flash flash-(\w+)" role="status">(.*?)</p>', re.DOTALL)
HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(1)>'


# --- helpers ---------------------------------------------------------------------------


class Rows(HTMLParser):
    """The rows of a page's tables that carry `data-<key>`: (that value, the cells' text)."""

    def __init__(self, html: str, key: str) -> None:
        super().__init__(convert_charrefs=True)
        self.key = f"data-{key}"
        self.rows: list[tuple[str, list[str]]] = []
        self._cell: list[str] | None = None
        self._in_row = False
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "tr" and self.key in found:
            self.rows.append((str(found[self.key]), []))
            self._in_row = True
        elif tag == "td" and self._in_row:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None:
            self.rows[-1][1].append(" ".join(" ".join(self._cell).split()))
            self._cell = None
        elif tag == "tr":
            self._in_row = False

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def post(
    client: TestClient, project: ApiProject, text: str, user: str = "u1", **content: str
) -> dict[str, Any]:
    body = {"type": "post", "actor": {"id": user}, "content": {"text": text, **content}}
    response = client.post("/v1/events", json=body, headers=project.headers)
    assert response.status_code == 200, response.text
    decision: dict[str, Any] = response.json()
    return decision


def get_page(client: TestClient, url: str, **params: str | int) -> httpx.Response:
    response: httpx.Response = client.get(url, params=params, follow_redirects=False)
    assert response.status_code == 200, response.text
    return response


def tab_rows(client: TestClient, tab: str, **params: str | int) -> list[list[str]]:
    """A tab's rows as [shown value, posts, users] (the cells a viewer and a moderator see)."""
    html = get_page(client, f"/spam/{tab}", **params).text
    return [_value_cells(cells) for _, cells in Rows(html, "entity").rows]


def _value_cells(cells: list[str]) -> list[str]:
    # A moderator's rows start with a checkbox cell and end with the buttons.
    start = 1 if len(cells) == 6 else 0
    return cells[start : start + 3]


def tab_ids(client: TestClient, tab: str, **params: str | int) -> dict[str, int]:
    """A tab's entities: shown value -> id."""
    html = get_page(client, f"/spam/{tab}", **params).text
    return {_value_cells(cells)[0]: int(key) for key, cells in Rows(html, "entity").rows}


def token(response: httpx.Response) -> str:
    """The page's CSRF token (every form on it carries the same one)."""
    values = {attrs.get("value") for attrs in Page(response.text).find("input", name="csrf_token")}
    assert len(values) == 1, values
    found = values.pop()
    assert found
    return found


def submit(client: TestClient, url: str, data: dict[str, Any]) -> httpx.Response:
    """Post a form as the browser would: with the session's token, without following."""
    form = {"csrf_token": token(get_page(client, "/spam/lists")), **data}
    response: httpx.Response = client.post(url, data=form, follow_redirects=False)
    return response


def flash(client: TestClient, response: httpx.Response, at: str = "") -> tuple[str, str]:
    """After a form's redirect: the flash message the next page (or `at`) shows, and its
    kind."""
    assert response.status_code == 303, response.text
    html = get_page(client, at or response.headers["location"]).text
    shown = FLASH.findall(html)
    assert len(shown) == 1, html
    kind, message = shown[0]
    return unescape(message), kind


def entries(runtime: Runtime, project: ApiProject, list_name: ListName) -> list[tuple[str, str]]:
    return [
        (view.kind, view.value)
        for view in lists.list_entries(runtime, project.id, list_name, limit=1000)
    ]


def list_rows(client: TestClient, list_name: str, **params: str) -> list[tuple[int, list[str]]]:
    html = get_page(client, "/spam/lists", list=list_name, **params).text
    return [(int(key), cells) for key, cells in Rows(html, "entry").rows]


@pytest.fixture
def moderator(runtime: Runtime, project: ApiProject) -> ModeratorRef:
    return create_moderator(runtime.database, EMAIL, PASSWORD, project.name, Role.MODERATOR)


@pytest.fixture
def signed_in(client: TestClient, moderator: ModeratorRef) -> TestClient:
    assert login(client).status_code == 303
    return client


# --- tabs --------------------------------------------------------------------------------


def test_spam_opens_on_the_domains_tab(signed_in: TestClient) -> None:
    response = signed_in.get("/spam", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/spam/domains"
    page = Page(get_page(signed_in, "/spam/domains").text)
    tabs = [attrs for attrs in page.find("a") if str(attrs.get("href")).startswith("/spam/")]
    assert [attrs["href"] for attrs in tabs] == [
        "/spam/domains",
        "/spam/urls",
        "/spam/phones",
        "/spam/emails",
        "/spam/texts",
        "/spam/lists",
    ]
    assert [attrs["href"] for attrs in tabs if attrs.get("aria-current") == "page"] == [
        "/spam/domains"
    ]
    assert "Allow/Deny list" in page.text
    assert "Duplicate text" in page.text


@pytest.mark.parametrize("tab", ["nope", "domain", "lists2", "entity"])
def test_an_unknown_tab_is_404(signed_in: TestClient, tab: str) -> None:
    response = signed_in.get(f"/spam/{tab}")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_tabs_list_entities_by_post_count_with_their_counts(
    signed_in: TestClient, project: ApiProject, clock: Clock
) -> None:
    for text, user in [
        ("visit https://alpha-deals.com/a", "u1"),
        ("visit https://alpha-deals.com/b", "u2"),
        ("visit https://beta-deals.net/a", "u1"),
        ("visit https://alpha-deals.com/a or call +1 415 555 0100", "u1"),
        ("visit https://gamma-deals.org/x or call +1 415 555 0100", "u3"),
        ("mail sales@gamma-deals.org now", "u3"),
        (SPAM_TEXT, "u4"),
        (SPAM_TEXT, "u5"),
        (SPAM_TEXT, "u4"),
    ]:
        post(signed_in, project, text, user)
        clock.advance(minutes=1)

    assert tab_rows(signed_in, "domains") == [
        ["alpha-deals.com", "3", "2"],
        ["gamma-deals.org", "1", "1"],  # equal counts: most recently posted first
        ["beta-deals.net", "1", "1"],
    ]
    assert tab_rows(signed_in, "urls") == [
        ["alpha-deals.com/a", "2", "1"],
        ["gamma-deals.org/x", "1", "1"],
        ["beta-deals.net/a", "1", "1"],
        ["alpha-deals.com/b", "1", "1"],
    ]
    assert tab_rows(signed_in, "phones") == [["+1 415 555 0100", "2", "2"]]
    assert tab_rows(signed_in, "emails") == [["sales@gamma-deals.org", "1", "1"]]
    assert tab_rows(signed_in, "texts") == [[SPAM_TEXT, "3", "2"]]
    html = get_page(signed_in, "/spam/domains").text
    assert Rows(html, "entity").rows[0][1][4] == "2026-03-02 12:03"  # alpha's last post
    assert '<time datetime="2026-03-02T12:03:00' in html


def test_a_text_posted_once_is_not_on_the_duplicate_text_tab(
    signed_in: TestClient, project: ApiProject
) -> None:
    post(signed_in, project, SPAM_TEXT)

    assert tab_rows(signed_in, "texts") == []
    assert "Nothing to moderate here" in get_page(signed_in, "/spam/texts").text


# --- Allow / Deny / Ignore ----------------------------------------------------------------


def test_denying_a_domain_takes_its_urls_off_the_urls_tab(
    signed_in: TestClient, runtime: Runtime, project: ApiProject
) -> None:
    post(signed_in, project, "deals at https://spam-shop.com/a and https://spam-shop.com/b")
    post(signed_in, project, "mail offers@spam-shop.com or see https://fine.org/x")
    assert sorted(row[0] for row in tab_rows(signed_in, "urls")) == [
        "fine.org/x",
        "spam-shop.com/a",
        "spam-shop.com/b",
    ]
    domain_id = tab_ids(signed_in, "domains")["spam-shop.com"]

    response = submit(signed_in, "/spam/domains", {"entity": domain_id, "list": "deny"})

    assert response.headers["location"] == "/spam/domains"
    assert flash(signed_in, response) == ("Denied domain spam-shop.com", "ok")
    assert entries(runtime, project, ListName.DENY) == [("domain", "spam-shop.com")]
    assert [row[0] for row in tab_rows(signed_in, "domains")] == ["fine.org"]
    assert [row[0] for row in tab_rows(signed_in, "urls")] == ["fine.org/x"]
    assert tab_rows(signed_in, "emails") == []
    assert [cells[0] for _, cells in list_rows(signed_in, "deny")] == ["spam-shop.com"]
    # The deny rule now blocks a post with one of its URLs, first posted or not.
    assert post(signed_in, project, "again https://spam-shop.com/new")["verdict"] == "block"
    assert [row[0] for row in tab_rows(signed_in, "urls")] == ["fine.org/x"]


def test_ignoring_an_entity_on_its_page_moves_it_to_the_ignore_list(
    signed_in: TestClient, runtime: Runtime, project: ApiProject
) -> None:
    post(signed_in, project, "call +1 415 555 0100 today")
    post(signed_in, project, "or call +1 415 555 0199")
    phone_id = tab_ids(signed_in, "phones")["+1 415 555 0100"]

    response = submit(signed_in, f"/spam/entity/{phone_id}", {"list": "ignore"})

    assert response.headers["location"] == f"/spam/entity/{phone_id}"
    assert flash(signed_in, response) == ("Ignored phone +1 415 555 0100", "ok")
    assert [row[0] for row in tab_rows(signed_in, "phones")] == ["+1 415 555 0199"]
    ignored = list_rows(signed_in, "ignore")
    assert [cells[:2] for _, cells in ignored] == [["+1 415 555 0100 +14155550100", "phone"]]
    assert ignored[0][1][3] == f"moderator:{EMAIL}"
    assert ignored[0][1][5] == "until 2026-03-16 12:00"  # ignore_days: 14
    assert list_rows(signed_in, "deny") == []
    assert entries(runtime, project, ListName.IGNORE) == [("phone", "+14155550100")]
    entity_page = Page(get_page(signed_in, f"/spam/entity/{phone_id}").text)
    assert entity_page.find("span", **{"class": "entity listed-ignore"})


@pytest.mark.parametrize(
    ("button", "verb"), [("allow", "Allowed"), ("deny", "Denied"), ("ignore", "Ignored")]
)
def test_each_row_button_lists_the_entity_and_keeps_search_and_page(
    signed_in: TestClient, runtime: Runtime, project: ApiProject, button: str, verb: str
) -> None:
    post(signed_in, project, "see https://listed-one.com and https://other-two.com")
    listed = tab_ids(signed_in, "domains")["listed-one.com"]
    url = "/spam/domains?q=listed&offset=0"

    response = submit(signed_in, url, {"entity": listed, "list": button})

    assert response.headers["location"] == url
    assert flash(signed_in, response) == (f"{verb} domain listed-one.com", "ok")
    assert entries(runtime, project, ListName(button)) == [("domain", "listed-one.com")]
    assert list(tab_ids(signed_in, "domains")) == ["other-two.com"]


def test_duplicate_text_is_listed_by_its_fingerprint(
    signed_in: TestClient, runtime: Runtime, project: ApiProject
) -> None:
    long_text = SPAM_TEXT + " and much more text after the first hundred and twenty characters"
    post(signed_in, project, long_text)
    post(signed_in, project, long_text)
    [(sample, text_id)] = tab_ids(signed_in, "texts").items()
    assert long_text.startswith(sample.removesuffix("…").rstrip("."))

    response = submit(signed_in, "/spam/texts", {"entity": text_id, "list": "deny"})

    assert flash(signed_in, response)[1] == "ok"
    assert tab_ids(signed_in, "texts") == {}
    assert post(signed_in, project, long_text)["verdict"] == "block"


def test_bulk_lists_the_selected_rows_and_reports_the_refused_ones(
    signed_in: TestClient, runtime: Runtime, project: ApiProject
) -> None:
    post(signed_in, project, " ".join(f"https://bulk{n}.com" for n in range(5)))
    ids = tab_ids(signed_in, "domains")
    assert len(ids) == 5
    # Someone else denies bulk3.com while the page is open.
    lists.add_to_list(
        runtime,
        project.id,
        ListName.DENY,
        lists.NewEntry(EntityKind.DOMAIN, "bulk3.com"),
        "api-key:other",
    )
    picked = [ids["bulk0.com"], ids["bulk1.com"], ids["bulk2.com"], ids["bulk3.com"]]

    response = submit(signed_in, "/spam/domains", {"entity": picked, "list": "deny"})

    message, kind = flash(signed_in, response)
    assert message == "3 added, 1 error: domain bulk3.com is already on the deny list"
    assert kind == "error"
    assert sorted(entries(runtime, project, ListName.DENY)) == [
        ("domain", f"bulk{n}.com") for n in range(4)
    ]
    assert list(tab_ids(signed_in, "domains")) == ["bulk4.com"]


def test_bulk_without_a_selection_changes_nothing(
    signed_in: TestClient, runtime: Runtime, project: ApiProject
) -> None:
    post(signed_in, project, "see https://kept.com")

    response = submit(signed_in, "/spam/domains", {"list": "deny"})

    assert flash(signed_in, response) == ("Select at least one row first.", "error")
    assert entries(runtime, project, ListName.DENY) == []
    assert list(tab_ids(signed_in, "domains")) == ["kept.com"]


@pytest.mark.parametrize(
    "form",
    [
        pytest.param({"entity": "1", "list": "block"}, id="unknown-list"),
        pytest.param({"entity": "x1", "list": "deny"}, id="bad-id"),
        pytest.param({"entity": "²", "list": "deny"}, id="superscript-id"),
    ],
)
def test_bad_list_forms_are_flashed_and_change_nothing(
    signed_in: TestClient, runtime: Runtime, project: ApiProject, form: dict[str, str]
) -> None:
    post(signed_in, project, "see https://kept.com")

    response = submit(signed_in, "/spam/domains", form)

    assert flash(signed_in, response)[1] == "error"
    assert entries(runtime, project, ListName.DENY) == []
    assert list(tab_ids(signed_in, "domains")) == ["kept.com"]


# --- an entity's history -------------------------------------------------------------------


def test_an_entity_page_shows_its_counts_and_its_posts_newest_first(
    signed_in: TestClient, project: ApiProject, clock: Clock
) -> None:
    post(signed_in, project, "first https://history.com/a", "alice")
    clock.advance(hours=1)
    post(signed_in, project, "second https://history.com/a call +1 415 555 0100", "bob")
    url_id = tab_ids(signed_in, "urls")["history.com/a"]
    domain_id = tab_ids(signed_in, "domains")["history.com"]
    submit(signed_in, "/spam/domains", {"entity": domain_id, "list": "deny"})
    clock.advance(hours=1)
    post(signed_in, project, "third https://history.com/a", "carol")

    response = get_page(signed_in, f"/spam/entity/{url_id}")

    page = Page(response.text)
    assert "history.com/a" in page.text
    assert [cells[:4] for _, cells in Rows(response.text, "event").rows] == [
        ["2026-03-02 14:00", "carol", "block", "third https://history.com/a"],
        ["2026-03-02 13:00", "bob", "allow", "second https://history.com/a call +1 415 555 0100"],
        ["2026-03-02 12:00", "alice", "allow", "first https://history.com/a"],
    ]
    assert '<dd class="spam-posts">3</dd>' in response.text
    assert '<dd class="spam-users">3</dd>' in response.text
    # Its list state (covered by its denied domain), and links to the posts' other entities.
    assert page.find("span", **{"class": "entity listed-deny"})
    links = {attrs["href"] for attrs in page.find("a") if "entity" in str(attrs.get("class"))}
    phone_id = tab_ids(signed_in, "phones")["+1 415 555 0100"]
    assert f"/spam/entity/{phone_id}" in links
    assert f"/spam/entity/{domain_id}" in links
    assert f"/spam/entity/{url_id}" not in links
    # The tab it belongs to is the one marked.
    assert page.find("a", href="/spam/urls", **{"aria-current": "page"})


def test_entity_history_is_paginated(signed_in: TestClient, project: ApiProject) -> None:
    for n in range(52):
        post(signed_in, project, f"post {n} https://paged.com/x", f"user{n}")
    url_id = tab_ids(signed_in, "urls")["paged.com/x"]

    first = get_page(signed_in, f"/spam/entity/{url_id}")
    second = get_page(signed_in, f"/spam/entity/{url_id}", offset=50)

    assert len(Rows(first.text, "event").rows) == 50
    assert [cells[1] for _, cells in Rows(second.text, "event").rows] == ["user1", "user0"]
    assert Page(first.text).find("a", rel="next", href=f"/spam/entity/{url_id}?offset=50")
    assert not Page(first.text).find("a", rel="prev")
    assert Page(second.text).find("a", rel="prev", href=f"/spam/entity/{url_id}")
    assert not Page(second.text).find("a", rel="next")


@pytest.mark.parametrize("entity_id", ["999999", "abc", "99999999999999999999999", "²"])
def test_an_unknown_entity_is_404(signed_in: TestClient, entity_id: str) -> None:
    response = signed_in.get(f"/spam/entity/{entity_id}")

    assert response.status_code == 404


# --- search and pagination ----------------------------------------------------------------


def test_search_and_pagination_keep_each_other(signed_in: TestClient, project: ApiProject) -> None:
    post(signed_in, project, " ".join(f"https://promo{n}.com" for n in range(52)))
    post(signed_in, project, " ".join(f"https://other{n}.net" for n in range(3)))
    post(signed_in, project, "again https://other0.net")  # most posted: first

    everything = get_page(signed_in, "/spam/domains")
    rest = get_page(signed_in, "/spam/domains", offset=50)
    promo = get_page(signed_in, "/spam/domains", q="PROMO")
    promo_rest = get_page(signed_in, "/spam/domains", q="PROMO", offset=50)

    first_rows = [cells for _, cells in Rows(everything.text, "entity").rows]
    assert len(first_rows) == 50
    assert first_rows[0][1] == "other0.net"
    assert len(Rows(rest.text, "entity").rows) == 5
    page = Page(everything.text)
    assert page.find("a", rel="next", href="/spam/domains?offset=50")
    assert not page.find("a", rel="prev")
    assert Page(rest.text).find("a", rel="prev", href="/spam/domains")
    assert not Page(rest.text).find("a", rel="next")
    promo_values = [cells[1] for _, cells in Rows(promo.text, "entity").rows]
    promo_values += [cells[1] for _, cells in Rows(promo_rest.text, "entity").rows]
    assert sorted(promo_values) == sorted(f"promo{n}.com" for n in range(52))
    assert Page(promo.text).find("a", rel="next", href="/spam/domains?q=PROMO&offset=50")
    assert Page(promo_rest.text).find("a", rel="prev", href="/spam/domains?q=PROMO")
    assert Page(promo.text).find("input", name="q", value="PROMO")
    assert tab_rows(signed_in, "domains", q="nothing-like-this") == []
    # A literal search: % and _ match themselves only.
    assert tab_rows(signed_in, "domains", q="%") == []
    assert len(tab_rows(signed_in, "domains", q="o_her")) == 0


@pytest.mark.parametrize("offset", ["-5", "x", "1e3", "99999999999999999999", "²"])
def test_a_bad_offset_reads_as_the_first_page(
    signed_in: TestClient, project: ApiProject, offset: str
) -> None:
    post(signed_in, project, "see https://only.com")

    assert tab_rows(signed_in, "domains", offset=offset) == [["only.com", "1", "1"]]


def test_a_row_action_on_a_later_page_returns_to_that_page(
    signed_in: TestClient, project: ApiProject
) -> None:
    post(signed_in, project, " ".join(f"https://promo{n}.com" for n in range(55)))
    html = get_page(signed_in, "/spam/domains", q="promo", offset=50).text
    forms = Page(html).find("form", **{"class": "spam-row-actions"})
    assert {attrs["action"] for attrs in forms} == {"/spam/domains?q=promo&offset=50"}
    assert Page(html).find("form", id="bulk", action="/spam/domains?q=promo&offset=50")
    entity_id = Rows(html, "entity").rows[0][0]

    response = submit(
        signed_in, "/spam/domains?q=promo&offset=50", {"entity": entity_id, "list": "ignore"}
    )

    assert response.headers["location"] == "/spam/domains?q=promo&offset=50"
    assert len(tab_rows(signed_in, "domains", q="promo")) == 50
    assert len(tab_rows(signed_in, "domains", q="promo", offset=50)) == 4


# --- the lists ------------------------------------------------------------------------------


def test_deleting_a_list_entry_puts_the_entity_back_once_posted_again(
    signed_in: TestClient, runtime: Runtime, project: ApiProject
) -> None:
    post(signed_in, project, "see https://comeback.com and https://stays.com")
    ids = tab_ids(signed_in, "domains")
    submit(
        signed_in,
        "/spam/domains",
        {"entity": [ids["comeback.com"], ids["stays.com"]], "list": "deny"},
    )
    rows = {cells[0]: entry_id for entry_id, cells in list_rows(signed_in, "deny")}
    assert set(rows) == {"comeback.com", "stays.com"}

    response = submit(
        signed_in, "/spam/lists?list=deny", {"action": "delete", "entry": rows["comeback.com"]}
    )

    assert response.headers["location"] == "/spam/lists?list=deny"
    assert flash(signed_in, response) == ("Removed the entry from the deny list.", "ok")
    assert [cells[0] for _, cells in list_rows(signed_in, "deny")] == ["stays.com"]
    assert entries(runtime, project, ListName.DENY) == [("domain", "stays.com")]
    assert tab_ids(signed_in, "domains") == {}
    post(signed_in, project, "back at https://comeback.com")
    assert list(tab_ids(signed_in, "domains")) == ["comeback.com"]


def test_lists_are_filtered_by_list_and_kind(
    signed_in: TestClient, runtime: Runtime, project: ApiProject
) -> None:
    for list_name, kind, value in [
        (ListName.DENY, EntityKind.DOMAIN, "denied.com"),
        (ListName.DENY, EntityKind.PHONE, "+1 415 555 0100"),
        (ListName.ALLOW, EntityKind.DOMAIN, "friend.org"),
    ]:
        lists.add_to_list(
            runtime, project.id, list_name, lists.NewEntry(kind, value, "a note"), "api-key:k"
        )

    deny = list_rows(signed_in, "deny")
    deny_domains = list_rows(signed_in, "deny", kind="domain")
    allow = list_rows(signed_in, "allow")

    assert [cells[:4] for _, cells in deny] == [
        ["+1 415 555 0100 +14155550100", "phone", "a note", "api-key:k"],
        ["denied.com", "domain", "a note", "api-key:k"],
    ]
    assert [cells[0] for _, cells in deny_domains] == ["denied.com"]
    assert [cells[0] for _, cells in allow] == ["friend.org"]
    assert deny[1][1][5] == "never"
    page = Page(get_page(signed_in, "/spam/lists", list="allow").text)
    assert page.find("a", href="/spam/lists?list=allow", **{"aria-current": "page"})
    assert page.find("a", href="/spam/lists", **{"aria-current": "page"})
    assert signed_in.get("/spam/lists", params={"list": "block"}).status_code == 404
    assert signed_in.get("/spam/lists", params={"kind": "ip"}).status_code == 422


def test_a_value_added_by_hand_is_listed_canonical(
    signed_in: TestClient, runtime: Runtime, project: ApiProject
) -> None:
    url = "/spam/lists?list=allow"
    form = {"action": "add", "kind": "domain", "value": " Partner.EXAMPLE.com. ", "note": "ok"}

    added = submit(signed_in, url, form)

    assert added.headers["location"] == url
    assert flash(signed_in, added) == ("Allowed domain partner.example.com", "ok")
    assert flash(signed_in, submit(signed_in, url, form)) == (
        "domain partner.example.com is already on the allow list",
        "error",
    )
    empty = submit(signed_in, url, {**form, "value": "  "})
    assert flash(signed_in, empty) == ("Type the value to add.", "error")
    invalid = submit(signed_in, url, {**form, "value": "not a domain"})
    assert flash(signed_in, invalid) == ("'not a domain' is not a valid domain", "error")
    no_kind = submit(signed_in, url, {**form, "kind": ""})
    assert flash(signed_in, no_kind) == ("Choose what kind of value to add.", "error")
    assert entries(runtime, project, ListName.ALLOW) == [("domain", "partner.example.com")]


def test_a_deny_entry_on_probation_says_until_when(
    signed_in: TestClient, runtime: Runtime, project: ApiProject, clock: Clock
) -> None:
    now = clock.now
    with runtime.database.write() as session:
        entry = list_repo.insert_entry(
            session,
            project.id,
            ListName.DENY,
            EntityKind.DOMAIN,
            "probed.com",
            "probed.com",
            "on probation, by rule:x",
            now,
            who="rule:x",
            expires_at=now.replace(day=9),
        )
        entry.probation = True
    lists.add_to_list(
        runtime,
        project.id,
        ListName.DENY,
        lists.NewEntry(EntityKind.DOMAIN, "forever.com"),
        "api-key:k",
    )

    rows = {cells[0]: cells for _, cells in list_rows(signed_in, "deny")}

    assert rows["probed.com"][5] == "on probation until 2026-03-09 12:00"
    assert rows["forever.com"][5] == "never"
    views = {view.value: view for view in lists.list_entries(runtime, project.id, ListName.DENY)}
    assert views["probed.com"].to_json()["probation"] is True
    assert views["forever.com"].to_json()["probation"] is False


# --- escaping -----------------------------------------------------------------------------


def test_hostile_text_user_search_and_note_are_escaped(
    signed_in: TestClient, runtime: Runtime, project: ApiProject
) -> None:
    hostile_text = HOSTILE + " " + SPAM_TEXT
    hostile_user = "<b onmouseover=alert(2)>u</b>"
    post(signed_in, project, hostile_text, hostile_user)
    post(signed_in, project, hostile_text, hostile_user)
    [text_id] = tab_ids(signed_in, "texts").values()
    submit(
        signed_in,
        "/spam/lists?list=deny",
        {"action": "add", "kind": "domain", "value": "evil.com", "note": HOSTILE},
    )

    pages = [
        get_page(signed_in, "/spam/texts"),
        get_page(signed_in, f"/spam/entity/{text_id}"),
        get_page(signed_in, "/spam/domains", q=HOSTILE),
        get_page(signed_in, "/spam/lists", list="deny"),
    ]

    for response in pages:
        html = response.text
        for raw in ("<script>alert(1)", "<img src=x", "<b onmouseover"):
            assert raw not in html
        page = Page(html)
        assert not page.tag_names & {"script", "img", "b"}
        assert not [attrs for _, attrs in page.tags if any(key.startswith("on") for key in attrs)]
    texts, entity, search, deny = (Page(response.text) for response in pages)
    assert HOSTILE in texts.text
    assert HOSTILE in entity.text
    assert hostile_user in entity.text
    assert search.find("input", name="q", value=HOSTILE)
    assert HOSTILE in deny.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&#34;&gt;&lt;img" in pages[1].text


def test_long_words_are_wrapped_not_overflowing(signed_in: TestClient, project: ApiProject) -> None:
    long_path = "a" * 400
    post(signed_in, project, f"https://wide.com/{long_path}")

    html = get_page(signed_in, "/spam/urls").text

    page = Page(html)
    assert page.find("table", **{"class": "grid spam-entities"})
    assert page.find("link", rel="stylesheet", href="/static/spam.css")
    css = signed_in.get("/static/spam.css")
    assert css.status_code == 200
    assert "overflow-wrap: anywhere" in css.text
    assert not [attrs for _, attrs in page.tags if "style" in attrs]


# --- roles, CSRF and projects ---------------------------------------------------------------


@pytest.fixture
def viewer(client: TestClient, runtime: Runtime, project: ApiProject) -> TestClient:
    create_moderator(runtime.database, VIEWER, PASSWORD, project.name, Role.VIEWER)
    assert login(client, VIEWER).status_code == 303
    return client


def test_a_viewer_sees_the_tabs_and_lists_without_any_button(
    viewer: TestClient, runtime: Runtime, project: ApiProject
) -> None:
    post(viewer, project, "see https://seen.com")
    lists.add_to_list(
        runtime,
        project.id,
        ListName.DENY,
        lists.NewEntry(EntityKind.DOMAIN, "listed.com"),
        "api-key:k",
    )
    domain_id = tab_ids(viewer, "domains")["seen.com"]

    pages = [
        get_page(viewer, "/spam/domains"),
        get_page(viewer, f"/spam/entity/{domain_id}"),
        get_page(viewer, "/spam/lists", list="deny"),
    ]

    assert tab_rows(viewer, "domains") == [["seen.com", "1", "1"]]
    assert [cells[0] for _, cells in list_rows(viewer, "deny")] == ["listed.com"]
    for response in pages:
        page = Page(response.text)
        posting = page.find("form", method="post")
        assert [attrs["action"] for attrs in posting] == ["/logout"]
        assert not page.find("input", type="checkbox")
        for label in ("Allow", "Deny", "Ignore", "Delete", "Apply to selected"):
            assert f">{label}</button>" not in response.text


def test_a_viewer_may_not_post(viewer: TestClient, runtime: Runtime, project: ApiProject) -> None:
    post(viewer, project, "see https://seen.com")
    lists.add_to_list(
        runtime,
        project.id,
        ListName.DENY,
        lists.NewEntry(EntityKind.DOMAIN, "listed.com"),
        "api-key:k",
    )
    domain_id = tab_ids(viewer, "domains")["seen.com"]
    [(entry_id, _)] = list_rows(viewer, "deny")

    refused = [
        submit(viewer, "/spam/domains", {"entity": domain_id, "list": "deny"}),
        submit(viewer, f"/spam/entity/{domain_id}", {"list": "allow"}),
        submit(viewer, "/spam/lists?list=deny", {"action": "delete", "entry": entry_id}),
        submit(
            viewer, "/spam/lists?list=allow", {"action": "add", "kind": "domain", "value": "x.com"}
        ),
    ]

    for response in refused:
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "forbidden"
    assert entries(runtime, project, ListName.DENY) == [("domain", "listed.com")]
    assert entries(runtime, project, ListName.ALLOW) == []
    assert tab_rows(viewer, "domains") == [["seen.com", "1", "1"]]


@pytest.mark.parametrize("csrf", [None, "", "forged"])
def test_a_post_without_the_csrf_token_is_refused(
    signed_in: TestClient, runtime: Runtime, project: ApiProject, csrf: str | None
) -> None:
    post(signed_in, project, "see https://seen.com")
    domain_id = tab_ids(signed_in, "domains")["seen.com"]
    form: dict[str, Any] = {"entity": domain_id, "list": "deny"}
    if csrf is not None:
        form["csrf_token"] = csrf

    response = signed_in.post("/spam/domains", data=form, follow_redirects=False)

    assert response.status_code == 403
    assert entries(runtime, project, ListName.DENY) == []
    assert list(tab_ids(signed_in, "domains")) == ["seen.com"]


def test_signed_out_the_pages_send_to_login(client: TestClient) -> None:
    for url in ("/spam/domains", "/spam/lists", "/spam/entity/1"):
        response = client.get(url, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login?next=")


def test_another_projects_entities_and_entries_are_out_of_reach(
    signed_in: TestClient,
    runtime: Runtime,
    project: ApiProject,
    other_project: ApiProject,
) -> None:
    post(signed_in, project, "ours https://ours.com")
    post(signed_in, other_project, "theirs https://theirs-secret.com/path")
    lists.add_to_list(
        runtime,
        other_project.id,
        ListName.DENY,
        lists.NewEntry(EntityKind.DOMAIN, "their-denied.com"),
        "api-key:b",
    )
    [their_entry] = lists.list_entries(runtime, other_project.id, ListName.DENY)
    with runtime.database.read() as session:
        theirs = [row.id for row in entities_by_id(session, other_project.id, range(1, 100))]
    assert theirs

    assert list(tab_ids(signed_in, "domains")) == ["ours.com"]
    assert list(tab_ids(signed_in, "urls")) == ["ours.com"]
    assert list_rows(signed_in, "deny") == []
    for entity_id in theirs:
        shown = signed_in.get(f"/spam/entity/{entity_id}")
        assert shown.status_code == 404
        assert "theirs" not in shown.text
    changes: list[tuple[str, dict[str, Any]]] = [
        (f"/spam/entity/{theirs[0]}", {"list": "deny"}),
        ("/spam/domains", {"entity": theirs, "list": "deny"}),
        ("/spam/lists?list=deny", {"action": "delete", "entry": their_entry.id}),
    ]
    for url, form in changes:
        message, kind = flash(signed_in, submit(signed_in, url, form), at="/spam/lists")
        assert kind == "error"
        assert "no such" in message
        assert "theirs" not in message
    assert entries(runtime, project, ListName.DENY) == []
    assert entries(runtime, other_project, ListName.DENY) == [("domain", "their-denied.com")]


def test_a_moderator_of_two_projects_lists_in_the_project_in_view(
    signed_in: TestClient,
    runtime: Runtime,
    project: ApiProject,
    other_project: ApiProject,
    moderator: ModeratorRef,
) -> None:
    grant(runtime, other_project, moderator, Role.MODERATOR)
    post(signed_in, project, "ours https://shared-name.com")
    post(signed_in, other_project, "theirs https://shared-name.com")
    theirs = tab_ids(signed_in, "domains", project=other_project.name)["shared-name.com"]

    response = submit(signed_in, "/spam/domains", {"entity": theirs, "list": "deny"})

    assert flash(signed_in, response) == ("Denied domain shared-name.com", "ok")
    assert entries(runtime, other_project, ListName.DENY) == [("domain", "shared-name.com")]
    assert entries(runtime, project, ListName.DENY) == []
    assert list(tab_ids(signed_in, "domains", project=project.name)) == ["shared-name.com"]

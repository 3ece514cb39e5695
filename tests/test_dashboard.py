"""The dashboard through the ASGI app: login, CSRF, escaping, security headers, project scope.

Every test runs on SQLite and on PostgreSQL (the `client` fixture is parametrised by backend).
"""

from __future__ import annotations

from datetime import UTC, datetime
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from starlette.testclient import TestClient

from spamward.runtime import Runtime
from spamward.services.moderators import ModeratorRef, Role, create_moderator
from spamward.storage.repositories import moderators as moderator_repo
from tests.conftest import EXAMPLE_POST, ApiProject, make_project

EMAIL = "mod@example.org"
PASSWORD = "correct horse battery staple"
SESSION_COOKIE = "spamward_session"
LOGIN_ERROR = "Wrong e-mail or password."
HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)>"


# --- helpers ---------------------------------------------------------------------------


class Page(HTMLParser):
    """A parsed page: every start tag with its attributes, and the text a reader sees."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self._text: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        self._text.append(data)

    @property
    def text(self) -> str:
        return "".join(self._text)

    def find(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        return [
            found
            for name, found in self.tags
            if name == tag and all(found.get(key) == value for key, value in attrs.items())
        ]

    @property
    def tag_names(self) -> set[str]:
        return {name for name, _ in self.tags}

    def decision_ids(self) -> list[str]:
        return [
            str(attrs["data-decision"]) for attrs in self.find("tr") if "data-decision" in attrs
        ]


def csrf_of(response: httpx.Response) -> str:
    inputs = Page(response.text).find("input", name="csrf_token")
    assert len(inputs) == 1, response.text
    assert inputs[0].get("type") == "hidden"
    token = inputs[0].get("value")
    assert token is not None
    assert len(token) >= 32  # 256 bits from secrets.token_urlsafe
    return token


def login(client: TestClient, email: str = EMAIL, password: str = PASSWORD) -> httpx.Response:
    token = csrf_of(client.get("/login"))
    response: httpx.Response = client.post(
        "/login",
        data={"csrf_token": token, "email": email, "password": password},
        follow_redirects=False,
    )
    return response


def logged_in(client: TestClient) -> bool:
    response = client.get("/decisions", follow_redirects=False)
    if response.status_code == 303:
        assert response.headers["location"] == "/login?next=%2Fdecisions"
        return False
    assert response.status_code == 200, response.text
    return True


def record(client: TestClient, project: ApiProject, text: str, **event: Any) -> str:
    body = {"type": "post", "actor": {"id": "u1"}, "content": {"text": text}, **event}
    response = client.post("/v1/events", json=body, headers=project.headers)
    assert response.status_code == 200, response.text
    decision_id = response.json()["id"]
    assert isinstance(decision_id, str)
    return decision_id


def decisions_page(client: TestClient, project_name: str | None = None) -> Page:
    params = {"project": project_name} if project_name is not None else None
    response = client.get("/decisions", params=params, follow_redirects=False)
    assert response.status_code == 200, response.text
    return Page(response.text)


def session_cookie(response: httpx.Response) -> SimpleCookie:
    headers = [
        header
        for header in response.headers.get_list("set-cookie")
        if header.startswith(f"{SESSION_COOKIE}=")
    ]
    assert len(headers) == 1, response.headers
    cookie: SimpleCookie = SimpleCookie()
    cookie.load(headers[0])
    return cookie


def assert_forbidden_json(response: httpx.Response) -> None:
    assert response.status_code == 403, response.text
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == "forbidden"
    assert error["message"]


def grant(runtime: Runtime, project: ApiProject, moderator: ModeratorRef, role: Role) -> None:
    with runtime.database.write() as session:
        moderator_repo.grant_role(session, project.id, moderator.id, role.value)


@pytest.fixture
def moderator(runtime: Runtime, project: ApiProject) -> ModeratorRef:
    return create_moderator(runtime.database, EMAIL, PASSWORD, project.name, Role.MODERATOR)


# --- the login form ----------------------------------------------------------------------


def test_login_page_is_a_form_with_a_csrf_token(client: TestClient) -> None:
    response = client.get("/login")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = Page(response.text)
    assert page.find("form", method="post", action="/login")
    assert page.find("input", name="email", type="email")
    assert page.find("input", name="password", type="password")
    token = csrf_of(response)
    # The token is tied to a session, which the page starts.
    assert SESSION_COOKIE in client.cookies
    # The same session keeps its token; another session gets another one.
    assert csrf_of(client.get("/login")) == token
    client.cookies.clear()
    assert csrf_of(client.get("/login")) != token


@pytest.mark.usefixtures("moderator")
@pytest.mark.parametrize(
    "form",
    [
        pytest.param({}, id="no-token"),
        pytest.param({"csrf_token": ""}, id="empty-token"),
        pytest.param({"csrf_token": "not-the-token"}, id="wrong-token"),
    ],
)
def test_login_without_the_right_csrf_token_is_refused(
    client: TestClient, form: dict[str, str]
) -> None:
    csrf_of(client.get("/login"))  # a session with a token exists

    response = client.post(
        "/login", data={**form, "email": EMAIL, "password": PASSWORD}, follow_redirects=False
    )

    assert_forbidden_json(response)
    assert not logged_in(client)


@pytest.mark.usefixtures("moderator")
def test_login_with_a_token_of_another_session_is_refused(client: TestClient) -> None:
    foreign_token = csrf_of(client.get("/login"))
    client.cookies.clear()
    csrf_of(client.get("/login"))  # this browser's own session and token

    response = client.post(
        "/login",
        data={"csrf_token": foreign_token, "email": EMAIL, "password": PASSWORD},
        follow_redirects=False,
    )

    assert_forbidden_json(response)
    assert not logged_in(client)


@pytest.mark.usefixtures("moderator")
@pytest.mark.parametrize(
    ("email", "password"),
    [
        pytest.param(EMAIL, "wrong password", id="wrong-password"),
        pytest.param("nobody@example.org", PASSWORD, id="unknown-email"),
        pytest.param(EMAIL, "", id="empty-password"),
    ],
)
def test_failed_login_answers_401_with_the_same_message(
    client: TestClient, email: str, password: str
) -> None:
    response = login(client, email, password)

    assert response.status_code == 401
    assert response.headers["content-type"].startswith("text/html")
    page = Page(response.text)
    alerts = page.find("p", role="alert")
    assert len(alerts) == 1
    assert LOGIN_ERROR in page.text
    # The form is shown again, with the e-mail kept and a fresh form token.
    assert page.find("input", name="email", value=email)
    assert all(not attrs.get("value") for attrs in page.find("input", name="password"))
    csrf_of(response)
    assert not logged_in(client)


@pytest.mark.usefixtures("moderator")
@pytest.mark.parametrize("email", [EMAIL, "  MOD@Example.ORG "])
def test_login_redirects_to_decisions_which_lists_recorded_decisions(
    client: TestClient, project: ApiProject, email: str
) -> None:
    first = record(client, project, EXAMPLE_POST)
    second = record(client, project, "A perfectly ordinary comment about gardening.")
    assert client.post(
        "/v1/lists/deny", json={"kind": "domain", "value": "bit.ly"}, headers=project.headers
    ).is_success
    third = record(client, project, EXAMPLE_POST)

    response = login(client, email)

    assert response.status_code == 303
    assert response.headers["location"] == "/"
    page = decisions_page(client)
    assert page.decision_ids() == [third, second, first]  # newest first
    assert page.find("span", **{"class": "verdict verdict-block"})
    assert len(page.find("span", **{"class": "verdict verdict-allow"})) == 2
    assert "gardening" in page.text
    assert page.find("span", **{"class": "entity entity-domains listed-deny", "title": "domains"})
    assert page.find("span", **{"class": "entity entity-domains", "title": "domains"})
    assert "denied domain bit.ly" in page.text
    # Signed in, the login page sends the moderator on.
    again = client.get("/login", follow_redirects=False)
    assert again.status_code == 303
    assert again.headers["location"] == "/"


def test_login_cookie_is_httponly_samesite_lax_and_a_fresh_session(
    client: TestClient, moderator: ModeratorRef
) -> None:
    before = client.get("/login")
    anonymous_token = csrf_of(before)
    anonymous_cookie = session_cookie(before)[SESSION_COOKIE]

    response = login(client)

    assert response.status_code == 303
    morsel = session_cookie(response)[SESSION_COOKIE]
    assert morsel["httponly"] is True
    assert str(morsel["samesite"]).lower() == "lax"
    assert morsel["path"] == "/"
    assert morsel.value != anonymous_cookie.value
    # Login starts a new session: the anonymous form token no longer works.
    signed_in_token = csrf_of(client.get("/decisions"))
    assert signed_in_token != anonymous_token
    refused = client.post("/logout", data={"csrf_token": anonymous_token}, follow_redirects=False)
    assert_forbidden_json(refused)
    assert logged_in(client)


def test_decisions_without_login_redirect_to_login(client: TestClient) -> None:
    response = client.get("/decisions", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fdecisions"
    home = client.get("/", follow_redirects=True)
    assert home.url.path == "/login"
    assert Page(home.text).find("form", action="/login")


# --- escaping and the Content-Security-Policy -------------------------------------------


@pytest.mark.usefixtures("moderator")
def test_hostile_site_text_is_escaped(client: TestClient, project: ApiProject) -> None:
    hostile_title = '"><script>alert(3)</script>'
    hostile_user = "<b onmouseover=alert(4)>u</b>"
    record(
        client,
        project,
        HOSTILE,
        actor={"id": hostile_user},
        content={"text": HOSTILE, "title": hostile_title},
    )
    login(client)

    response = client.get("/decisions")

    assert response.status_code == 200
    html = response.text
    for raw in ("<script>alert(1)</script>", "<img src=x", "<script>alert(3)", "<b onmouseover"):
        assert raw not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;" in html
    page = Page(html)
    assert not page.tag_names & {"script", "img", "b"}
    assert not [attrs for _, attrs in page.tags if any(key.startswith("on") for key in attrs)]
    # What the moderator reads is the literal text the site sent.
    assert HOSTILE in page.text
    assert hostile_title in page.text
    assert hostile_user in page.text


def test_login_error_page_escapes_the_submitted_email(client: TestClient) -> None:
    hostile_email = '"><script>alert(5)</script>'

    response = login(client, hostile_email, "whatever")

    assert response.status_code == 401
    assert "<script>alert(5)" not in response.text
    page = Page(response.text)
    assert "script" not in page.tag_names
    assert page.find("input", name="email", value=hostile_email)


def csp_directives(response: httpx.Response) -> dict[str, list[str]]:
    header = response.headers.get("content-security-policy")
    assert header, f"no Content-Security-Policy on {response.url}"
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name.lower()] = sources
    return directives


@pytest.mark.usefixtures("moderator")
@pytest.mark.parametrize("page_name", ["login", "failed-login", "decisions"])
def test_pages_send_a_csp_that_forbids_inline_script(
    client: TestClient, project: ApiProject, page_name: str
) -> None:
    record(client, project, EXAMPLE_POST)
    if page_name == "login":
        response = client.get("/login")
    elif page_name == "failed-login":
        response = login(client, EMAIL, "wrong password")
    else:
        login(client)
        response = client.get("/decisions")

    directives = csp_directives(response)
    scripts = directives.get("script-src", directives.get("default-src"))
    assert scripts is not None, "no script-src or default-src: any script would run"
    assert "'unsafe-inline'" not in scripts
    assert "'unsafe-eval'" not in scripts
    assert "*" not in scripts
    assert not [source for source in scripts if source.rstrip(":") in {"data", "http", "https"}]
    assert directives.get("frame-ancestors") == ["'none'"]
    assert response.headers["x-content-type-options"] == "nosniff"
    # The pages keep their side of the bargain: no inline script, no event handler.
    page = Page(response.text)
    assert not [attrs for tag, attrs in page.tags if tag == "script" and not attrs.get("src")]
    assert not [attrs for _, attrs in page.tags if any(key.startswith("on") for key in attrs)]


# --- logout -------------------------------------------------------------------------------


@pytest.mark.usefixtures("moderator")
@pytest.mark.parametrize(
    "form",
    [
        pytest.param({}, id="no-token"),
        pytest.param({"csrf_token": "forged"}, id="wrong-token"),
    ],
)
def test_logout_without_the_csrf_token_is_refused(client: TestClient, form: dict[str, str]) -> None:
    login(client)
    assert logged_in(client)

    response = client.post("/logout", data=form, follow_redirects=False)

    assert_forbidden_json(response)
    assert logged_in(client)


@pytest.mark.usefixtures("moderator")
def test_logout_clears_the_session(client: TestClient) -> None:
    login(client)
    token = csrf_of(client.get("/decisions"))

    response = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    session_cookie(response)  # the response rewrites the cookie: the browser drops it
    assert SESSION_COOKIE not in client.cookies
    assert not logged_in(client)
    # The signed-out browser is shown the form again, with a new token.
    page = client.get("/login", follow_redirects=False)
    assert page.status_code == 200
    assert csrf_of(page) != token


@pytest.mark.usefixtures("moderator")
def test_a_cookie_replayed_after_logout_no_longer_signs_in(client: TestClient) -> None:
    login(client)
    assert logged_in(client)
    token = csrf_of(client.get("/decisions"))
    stolen = client.cookies[SESSION_COOKIE]

    client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, stolen)

    assert not logged_in(client)
    client.cookies.clear()
    login(client)  # a new login starts a session of the new epoch
    assert logged_in(client)


# --- projects -----------------------------------------------------------------------------


def test_moderator_of_two_projects_switches_and_sees_only_that_project(
    client: TestClient,
    runtime: Runtime,
    project: ApiProject,
    other_project: ApiProject,
    moderator: ModeratorRef,
) -> None:
    grant(runtime, other_project, moderator, Role.VIEWER)
    foreign = make_project(runtime, "site-c")
    in_a = record(client, project, "post on site a")
    in_b = record(client, other_project, "post on site b")
    in_c = record(client, foreign, "post on site c, where the moderator has no role")
    login(client)

    default = decisions_page(client)
    site_a = decisions_page(client, "site-a")
    site_b = decisions_page(client, "site-b")
    site_c = decisions_page(client, "site-c")

    assert default.decision_ids() == [in_a]
    assert site_a.decision_ids() == [in_a]
    assert site_b.decision_ids() == [in_b]
    assert "post on site b" in site_b.text
    assert "post on site a" not in site_b.text
    # Asking for a project without a role falls back to one's own: never the other's rows.
    assert site_c.decision_ids() == [in_a]
    for page in (default, site_a, site_b, site_c):
        assert in_c not in page.decision_ids()
        assert "site c" not in page.text
        options = [attrs["value"] for attrs in page.find("option")]
        assert options == ["site-a", "site-b"]
    assert [attrs["value"] for attrs in site_b.find("option") if "selected" in attrs] == ["site-b"]
    assert "site-b (viewer)" in site_b.text
    assert [attrs["value"] for attrs in site_c.find("option") if "selected" in attrs] == ["site-a"]


def test_moderator_without_a_project_sees_why_and_can_sign_out(
    client: TestClient, runtime: Runtime, project: ApiProject
) -> None:
    record(client, project, EXAMPLE_POST)
    with runtime.database.write() as session:
        moderator_repo.insert_moderator(
            session, "loner@example.org", PasswordHasher().hash(PASSWORD), datetime.now(UTC)
        )

    response = login(client, "loner@example.org")

    assert response.status_code == 303
    forbidden = client.get("/decisions", follow_redirects=False)
    assert forbidden.status_code == 403
    assert "This account has no project" in forbidden.text
    assert "Earn bitcoin" not in forbidden.text
    elsewhere = client.get("/decisions", params={"project": project.name})
    assert elsewhere.status_code == 403
    assert "Earn bitcoin" not in elsewhere.text
    token = csrf_of(forbidden)
    signed_out = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert signed_out.headers["location"] == "/login"
    after = client.get("/decisions", follow_redirects=False)
    assert after.headers["location"] == "/login?next=%2Fdecisions"

"""Dashboard settings for who may use a project: its API keys (shown once, scoped, revoked)
and its moderators (added, given roles, removed), each project's own."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from spamward.runtime import Runtime
from spamward.services.moderators import ModeratorRef, Role, authenticate, create_moderator
from spamward.storage.models import ApiKey, Membership, Moderator
from tests.conftest import ApiProject
from tests.test_dashboard import HOSTILE, PASSWORD, Page
from tests.test_dashboard_overview_settings import (
    ADMIN,
    VIEWER,
    flash_after,
    post,
    sign_in,
)
from tests.test_dashboard_overview_settings import staff as staff  # noqa: PLC0414 (a fixture)

# --- settings: API keys -----------------------------------------------------------------


@pytest.mark.usefixtures("staff")
def test_a_new_api_key_is_shown_once_works_and_stops_working_when_revoked(
    client: TestClient, project: ApiProject, runtime: Runtime
) -> None:
    sign_in(client, ADMIN)

    created = post(client, "/settings/api-keys", {"name": HOSTILE, "scope": "admin"},
                   "/settings/api-keys")  # fmt: skip

    assert created.status_code == 200
    match = re.search(r'<code class="secret" id="new-token">([^<]+)</code>', created.text)
    assert match
    token = match.group(1)
    assert "<script>alert(1)</script>" not in created.text  # the key's name, escaped
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/v1/settings", headers=headers).status_code == 200
    listing = client.get("/settings/api-keys")
    assert token not in listing.text and HOSTILE in Page(listing.text).text
    key_id = _key_id(runtime, project, HOSTILE)
    assert Page(listing.text).find("tr", **{"data-key": str(key_id)})

    revoked = post(client, f"/settings/api-keys/{key_id}/revoke", {}, "/settings/api-keys")

    assert "revoked: it no longer works" in flash_after(client, revoked)
    assert client.get("/v1/settings", headers=headers).status_code == 401
    assert client.get("/v1/settings", headers=project.headers).status_code == 200
    row = Page(client.get("/settings/api-keys").text).find("tr", **{"data-key": str(key_id)})
    assert row and row[0].get("class") == "revoked"
    again = post(client, f"/settings/api-keys/{key_id}/revoke", {}, "/settings/api-keys")
    assert "already revoked" in flash_after(client, again)


@pytest.mark.usefixtures("staff")
def test_a_key_is_an_ingest_key_unless_admin_is_chosen(client: TestClient) -> None:
    sign_in(client, ADMIN)

    created = post(client, "/settings/api-keys", {"name": "site"}, "/settings/api-keys")

    match = re.search(r'<code class="secret" id="new-token">([^<]+)</code>', created.text)
    assert match
    headers = {"Authorization": f"Bearer {match.group(1)}"}
    event = {"type": "post", "content": {"text": "hello"}}
    assert client.post("/v1/events", json=event, headers=headers).status_code == 200
    assert client.get("/v1/settings", headers=headers).status_code == 403
    assert "ingest" in Page(client.get("/settings/api-keys").text).text


@pytest.mark.usefixtures("staff")
def test_an_unknown_key_scope_is_refused(
    client: TestClient, runtime: Runtime, project: ApiProject
) -> None:
    sign_in(client, ADMIN)

    response = post(client, "/settings/api-keys", {"name": "x", "scope": "root"},
                    "/settings/api-keys")  # fmt: skip

    assert "scope: ingest or admin" in flash_after(client, response)
    with runtime.database.read() as session:
        names = session.scalars(select(ApiKey.name).where(ApiKey.project_id == project.id)).all()
    assert names == ["default"]


def _key_id(runtime: Runtime, project: ApiProject, name: str) -> int:
    with runtime.database.read() as session:
        key_id = session.scalar(
            select(ApiKey.id).where(ApiKey.project_id == project.id, ApiKey.name == name)
        )
    assert key_id is not None
    return key_id


@pytest.mark.usefixtures("staff")
@pytest.mark.parametrize("key_id", ["other", "0", "99999999999", "abc", "１"])
def test_a_key_of_another_project_or_no_key_cannot_be_revoked(
    client: TestClient, runtime: Runtime, other_project: ApiProject, key_id: str
) -> None:
    other_key = _key_id(runtime, other_project, "default")
    path_id = str(other_key) if key_id == "other" else key_id
    sign_in(client, ADMIN)

    response = post(client, f"/settings/api-keys/{path_id}/revoke", {}, "/settings/api-keys")

    assert "no such" in flash_after(client, response)
    assert client.get("/v1/settings", headers=other_project.headers).status_code == 200


@pytest.mark.usefixtures("staff")
def test_an_empty_key_name_is_refused(
    client: TestClient, runtime: Runtime, project: ApiProject
) -> None:
    sign_in(client, ADMIN)

    response = post(client, "/settings/api-keys", {"name": "  "}, "/settings/api-keys")

    assert "a key name is 1 to 100 characters" in flash_after(client, response)
    with runtime.database.read() as session:
        names = session.scalars(select(ApiKey.name).where(ApiKey.project_id == project.id)).all()
    assert names == ["default"]


# --- settings: moderators ---------------------------------------------------------------


@pytest.mark.usefixtures("staff")
def test_admin_adds_a_new_moderator_who_can_sign_in_with_that_role(
    client: TestClient, runtime: Runtime, project: ApiProject
) -> None:
    sign_in(client, ADMIN)

    response = post(client, "/settings/moderators", {
        "email": "New@Example.org", "role": "viewer", "password": "a long password",
    }, "/settings/moderators")  # fmt: skip

    assert "new@example.org is now viewer of site-a" in flash_after(client, response)
    assert authenticate(runtime.database, "new@example.org", "a long password") is not None
    assert _role_of(runtime, project, "new@example.org") == "viewer"
    sign_in(client, "new@example.org", "a long password")
    assert client.get("/settings").status_code == 200


@pytest.mark.usefixtures("staff")
def test_an_existing_account_gets_a_role_without_a_password(
    client: TestClient, runtime: Runtime, project: ApiProject, other_project: ApiProject
) -> None:
    elsewhere = create_moderator(runtime.database, "else@example.org", PASSWORD,
                                 other_project.name, Role.ADMIN)  # fmt: skip
    sign_in(client, ADMIN)

    response = post(client, "/settings/moderators", {
        "email": "else@example.org", "role": "moderator", "password": "",
    }, "/settings/moderators")  # fmt: skip

    assert "is now moderator of site-a" in flash_after(client, response)
    assert _role_of(runtime, project, elsewhere.email) == "moderator"
    assert _role_of(runtime, other_project, elsewhere.email) == "admin"  # unchanged there
    twice = post(client, "/settings/moderators", {"email": "else@example.org", "role": "viewer"},
                 "/settings/moderators")  # fmt: skip
    assert "already a moderator" in flash_after(client, twice)


@pytest.mark.usefixtures("staff")
@pytest.mark.parametrize(
    ("form", "message"),
    [
        pytest.param({"email": "fresh@example.org", "role": "viewer", "password": "short"},
                     "at least 8 characters", id="short-password"),
        pytest.param({"email": "fresh@example.org", "role": "owner", "password": "long enough"},
                     "choose admin, moderator or viewer", id="unknown-role"),
        pytest.param({"email": "no-at-sign", "role": "viewer", "password": "long enough"},
                     "is not an e-mail address", id="bad-email"),
    ],
)  # fmt: skip
def test_a_wrong_new_moderator_is_refused(
    client: TestClient, runtime: Runtime, form: dict[str, str], message: str
) -> None:
    sign_in(client, ADMIN)

    response = post(client, "/settings/moderators", form, "/settings/moderators")

    assert message in flash_after(client, response)
    assert authenticate(runtime.database, form["email"], form["password"]) is None


def test_admin_changes_a_role_and_removes_a_moderator_but_not_themselves(
    client: TestClient, runtime: Runtime, project: ApiProject, staff: dict[Role, ModeratorRef]
) -> None:
    sign_in(client, ADMIN)
    viewer, me = staff[Role.VIEWER], staff[Role.ADMIN]

    changed = post(client, f"/settings/moderators/{viewer.id}/role", {"role": "moderator"},
                   "/settings/moderators")  # fmt: skip
    assert "Role changed to moderator." in flash_after(client, changed)
    assert _role_of(runtime, project, VIEWER) == "moderator"

    removed = post(client, f"/settings/moderators/{viewer.id}/remove", {}, "/settings/moderators")
    assert "removed from the project" in flash_after(client, removed)
    assert _role_of(runtime, project, VIEWER) is None
    assert authenticate(runtime.database, VIEWER, PASSWORD) is not None  # the account stays

    for path, form in ((f"/settings/moderators/{me.id}/remove", {}),
                       (f"/settings/moderators/{me.id}/role", {"role": "viewer"})):  # fmt: skip
        assert "your own role" in flash_after(
            client, post(client, path, form, "/settings/moderators")
        )
    assert _role_of(runtime, project, ADMIN) == "admin"
    page = Page(client.get("/settings/moderators").text)
    assert not page.find("form", action=f"/settings/moderators/{me.id}/remove?project=site-a")


@pytest.mark.usefixtures("staff")
def test_a_moderator_of_another_project_cannot_be_changed_from_this_one(
    client: TestClient, runtime: Runtime, other_project: ApiProject
) -> None:
    outsider = create_moderator(runtime.database, "out@example.org", PASSWORD,
                                other_project.name, Role.VIEWER)  # fmt: skip
    sign_in(client, ADMIN)

    for path, form in ((f"/settings/moderators/{outsider.id}/role", {"role": "admin"}),
                       (f"/settings/moderators/{outsider.id}/remove", {})):  # fmt: skip
        response = post(client, path, form, "/settings/moderators")
        assert "no such moderator in this project" in flash_after(client, response)
    assert _role_of(runtime, other_project, "out@example.org") == "viewer"
    assert "out@example.org" not in client.get("/settings/moderators").text


def _role_of(runtime: Runtime, project: ApiProject, email: str) -> str | None:
    with runtime.database.read() as session:
        return session.scalar(
            select(Membership.role)
            .join(Moderator, Moderator.id == Membership.moderator_id)
            .where(Membership.project_id == project.id, Moderator.email == email)
        )

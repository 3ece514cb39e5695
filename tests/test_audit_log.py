"""The audit log: what moderators, API keys and spamward changed in a project, through the
API (admin keys) and on the dashboard's Settings › Audit log, each project's own only."""

from __future__ import annotations

from starlette.testclient import TestClient

from spamward.runtime import Runtime
from spamward.services.moderators import Role, create_moderator
from tests.conftest import ApiProject
from tests.test_dashboard import HOSTILE, PASSWORD, Page
from tests.test_dashboard_overview_settings import post, sign_in

ADMIN = "auditor@example.org"


def audit(client: TestClient, project: ApiProject, query: str = "") -> list[dict[str, object]]:
    response = client.get(f"/v1/audit-log{query}", headers=project.headers)
    assert response.status_code == 200, response.text
    entries: list[dict[str, object]] = response.json()["entries"]
    return entries


def test_changes_through_the_api_are_logged_newest_first_with_the_key(
    client: TestClient, project: ApiProject, other_project: ApiProject
) -> None:
    entry = {"kind": "domain", "value": "cheap-pills-shop.com"}
    assert client.post("/v1/lists/deny", json=entry, headers=project.headers).status_code == 201
    patch = {"window_days": 7}
    assert client.patch("/v1/settings", json=patch, headers=project.headers).status_code == 200

    entries = audit(client, project)

    assert [e["action"] for e in entries] == ["settings", "list.deny"]
    assert {e["who"] for e in entries} == {f"api-key:default:{project.key[:10]}"}
    assert entries[0]["detail"] == {"window_days": 7}
    assert entries[1]["detail"]["value"] == "cheap-pills-shop.com"  # type: ignore[index]
    assert audit(client, other_project) == []  # another project's log is its own
    assert [e["action"] for e in audit(client, project, "?limit=1&offset=1")] == ["list.deny"]


def test_the_dashboard_shows_the_log_escaped(
    client: TestClient, runtime: Runtime, project: ApiProject
) -> None:
    create_moderator(runtime.database, ADMIN, PASSWORD, project.name, Role.ADMIN)
    sign_in(client, ADMIN)
    post(client, "/settings/api-keys", {"name": HOSTILE, "scope": "ingest"}, "/settings/api-keys")

    page = client.get("/settings/audit-log")

    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.text
    rows = Page(page.text).text
    assert f"moderator:{ADMIN}" in rows and "api_key_created" in rows and HOSTILE in rows
    assert "scope: ingest" in rows

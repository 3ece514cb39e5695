"""Secrets never reach the logs, even at DEBUG with every statement logged: API key
tokens, webhook secrets, moderator passwords, the SMTP password, session cookies and form
tokens."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
from pydantic import SecretStr
from starlette.testclient import TestClient

from spamward.app import create_app
from spamward.runtime import Runtime, build_runtime
from spamward.services.moderators import Role, create_moderator
from spamward.settings import Settings
from tests.conftest import EXAMPLE_POST, ApiProject, Clock, make_project
from tests.test_dashboard import login
from tests.test_dashboard_overview_settings import token_of

PASSWORD = "correct horse battery staple 42"
SMTP_PASSWORD = "smtp-secret-never-logged"


@pytest.fixture
def verbose(settings: Settings, clock: Clock) -> Iterator[tuple[TestClient, Runtime]]:
    loud = settings.model_copy(update={
        "log_level": "debug", "log_format": "json", "smtp_host": "127.0.0.1",
        "smtp_password": SecretStr(SMTP_PASSWORD), "smtp_username": "spamward",
    })  # fmt: skip
    runtime = build_runtime(loud, clock)
    with TestClient(create_app(loud, runtime)) as client:
        yield client, runtime


def everything_logged(records: list[logging.LogRecord]) -> str:
    """Each record as the JSON formatter sees it: message, arguments and extra fields."""
    return "\n".join(
        json.dumps({**record.__dict__, "message": record.getMessage()}, default=str)
        for record in records
    )


def test_no_secret_is_ever_logged(
    verbose: tuple[TestClient, Runtime], caplog: pytest.LogCaptureFixture
) -> None:
    client, runtime = verbose
    caplog.set_level(logging.DEBUG)
    project: ApiProject = make_project(runtime, "site")
    create_moderator(runtime.database, "mod@example.org", PASSWORD, project.name, Role.ADMIN)

    event = {"type": "post", "actor": {"id": "u1"}, "content": {"text": EXAMPLE_POST}}
    assert client.post("/v1/events", json=event, headers=project.headers).status_code == 200
    rotated = client.post("/v1/remediation-settings/webhook-secret", headers=project.headers)
    webhook_secret = rotated.json()["webhook_secret"]
    assert login(client, "mod@example.org", "wrong " + PASSWORD).status_code == 401
    assert login(client, "mod@example.org", PASSWORD).status_code == 303
    form_token = token_of(client.get("/settings/api-keys"))
    made = client.post("/settings/api-keys", data={"csrf_token": form_token, "name": "new",
                                                   "scope": "admin"})  # fmt: skip
    new_token = made.text.split('id="new-token">')[1].split("<")[0]
    cookie = client.cookies["spamward_session"]

    logged = everything_logged(caplog.records)
    assert "decision" in logged and "SELECT" in logged  # the logs did say things
    for secret in (project.key, webhook_secret, PASSWORD, SMTP_PASSWORD, new_token, cookie,
                   form_token):  # fmt: skip
        assert secret not in logged

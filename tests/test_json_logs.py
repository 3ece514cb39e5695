"""Structured logs: JSON lines with the decision's project and id, and no secrets anywhere.

The app under test logs as production would (`log_format = "json"`), to the standard error
that pytest captures; every line must parse. Lines logged while a decision is judged carry
its project; the decision id joins once it is known (the `decision` line); lines of other
requests carry neither.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from pydantic import SecretStr
from starlette.testclient import TestClient

from spamward.app import create_app
from spamward.observability.logs import JsonFormatter, SpamwardHandler
from spamward.remediation.worker import ActionWorker
from spamward.runtime import Runtime
from spamward.services import policies
from spamward.services.moderators import Role, create_moderator
from spamward.settings import Settings
from tests.conftest import EXAMPLE_POST, ApiProject
from tests.test_dashboard import login

PASSWORD = "correct horse battery staple 93!"
SMTP_PASSWORD = "smtp-password-never-logged-4711"
UNREACHABLE = "http://127.0.0.1:9/"  # the discard port: connecting fails at once
SQL_LOGGER = "sqlalchemy.engine"
DRIVER_SQL = "spamward.sql"  # the decision path's own statements (storage/driver_sql.py)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The shared test settings, logging as in production, with an SMTP login to keep."""
    return settings.model_copy(
        update={
            "log_format": "json",
            "log_level": "debug",
            "smtp_host": "127.0.0.1",
            "smtp_port": 9,  # nothing listens: a mail action fails at once
            "smtp_username": "mailer",
            "smtp_password": SecretStr(SMTP_PASSWORD),
        }
    )


@pytest.fixture(autouse=True)
def logging_restored() -> Iterator[None]:
    """The app reconfigures the root logger: give the next tests the one they had."""
    root = logging.getLogger()
    level, ours = root.level, [h for h in root.handlers if isinstance(h, SpamwardHandler)]
    sql_level = logging.getLogger(SQL_LOGGER).level
    yield
    for handler in [h for h in root.handlers if isinstance(h, SpamwardHandler)]:
        root.removeHandler(handler)
    for handler in ours:
        root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger(SQL_LOGGER).setLevel(sql_level)


def json_lines(captured: str) -> list[dict[str, Any]]:
    lines = [orjson.loads(line) for line in captured.splitlines() if line.strip()]
    for line in lines:
        assert {"ts", "level", "logger", "message"} <= line.keys(), line
        assert line["ts"].endswith("Z")
    return lines


def judge(client: TestClient, project: ApiProject, text: str) -> dict[str, Any]:
    body = {"type": "post", "actor": {"id": "u1"}, "content": {"text": text}}
    response = client.post("/v1/events", json=body, headers=project.headers)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


# --- the decision's context ------------------------------------------------------------------


def test_lines_logged_while_deciding_carry_the_project_then_the_decision_id(
    client: TestClient, project: ApiProject, capsys: pytest.CaptureFixture[str]
) -> None:
    logging.getLogger(SQL_LOGGER).setLevel(logging.INFO)  # lines from inside decide()
    capsys.readouterr()

    answer = judge(client, project, EXAMPLE_POST)
    during = json_lines(capsys.readouterr().err)
    assert client.get(f"/v1/decisions/{answer['id']}", headers=project.headers).status_code == 200
    after = json_lines(capsys.readouterr().err)

    [decision] = [line for line in during if line["message"] == "decision"]
    assert decision["logger"] == "spamward.decisions"
    assert decision["level"] == "INFO"
    assert (decision["project"], decision["decision_id"]) == (project.id, answer["id"])
    assert (decision["verdict"], decision["event_type"]) == (answer["verdict"], "post")
    assert decision["latency_ms"] > 0
    # Evaluation reads in the request's thread: its lines carry the project. The write runs
    # in the group-commit thread, one transaction for several decisions: it carries neither.
    sql = [line for line in during if line["logger"].startswith((SQL_LOGGER, DRIVER_SQL))]
    driver = [line for line in sql if line["logger"] == DRIVER_SQL]
    [account_read] = [x for x in driver if "FROM actors" in x["message"]]
    [lists_in_the_write] = [x for x in driver if "FROM list_entries" in x["message"]]
    assert account_read.get("project") == project.id
    assert "project" not in lists_in_the_write
    assert {line.get("project") for line in sql} <= {project.id, None}
    assert [line for line in sql if "decision_id" in line] == []  # not known until decided
    assert after, "the second request logged its SQL too"
    assert all("project" not in line and "decision_id" not in line for line in after)


def test_the_text_format_shows_the_same_fields(
    settings: Settings, runtime: Runtime, project: ApiProject, capsys: pytest.CaptureFixture[str]
) -> None:
    app = create_app(settings.model_copy(update={"log_format": "text"}), runtime)
    capsys.readouterr()

    answer = judge(TestClient(app), project, EXAMPLE_POST)

    [line] = [x for x in capsys.readouterr().err.splitlines() if "spamward.decisions:" in x]
    assert line.startswith("INFO:spamward.decisions:decision verdict=")
    assert f" project={project.id} " in line
    assert line.endswith(f" decision_id={answer['id']}")


def test_an_exception_and_its_traceback_make_one_json_line() -> None:
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        record = logging.LogRecord(
            "spamward.test", logging.ERROR, __file__, 1, "failed: %s", ("x",), sys.exc_info()
        )

    [line] = JsonFormatter().format(record).splitlines()

    parsed = orjson.loads(line)
    assert parsed["message"] == "failed: x"
    assert "RuntimeError: boom" in parsed["exc"]


# --- secrets ---------------------------------------------------------------------------------


def test_secrets_leave_no_trace_in_the_logs(
    client: TestClient, project: ApiProject, runtime: Runtime,
    caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    caplog.set_level(logging.DEBUG)
    create_moderator(runtime.database, "mod@example.org", PASSWORD, project.name, Role.ADMIN)
    assert login(client, password=PASSWORD + "-wrong").status_code == 401
    assert login(client, password=PASSWORD).status_code == 303
    unknown_key = "sw_" + "k" * 43
    refused = client.get("/v1/actions", headers={"Authorization": f"Bearer {unknown_key}"})
    assert refused.status_code == 401
    where = {"webhook_url": UNREACHABLE, "admin_emails": ["admins@example.org"]}
    changed = client.patch("/v1/remediation-settings", json=where, headers=project.headers)
    assert changed.status_code == 200, changed.text
    rotated = client.post("/v1/remediation-settings/webhook-secret", headers=project.headers)
    rule = {"name": "casino", "condition": '"casino" in event.text', "verdict": "block",
            "effects": [{"action": "call_webhook"}, {"action": "notify_admins"}]}  # fmt: skip
    policies.add_rule(runtime, project.id, rule, "tester")
    policies.publish(runtime, project.id, "tester")
    judge(client, project, "best casino bonus here")
    worker = ActionWorker(runtime, concurrency=0, name="logs-test-worker")
    try:
        assert worker.run_once(limit=10) == 2  # both fail: their errors are logged
    finally:
        worker.stop()

    logged = "\n".join([
        capsys.readouterr().err,
        caplog.text,
        *(repr(record.__dict__) for record in caplog.records),
    ])  # fmt: skip
    assert "call_webhook" in logged and "notify_admins" in logged  # the failures are there
    assert "decision" in logged
    secrets = {
        "API key": project.key,
        "unknown API key": unknown_key,
        "password": PASSWORD,
        "first webhook secret": changed.json()["webhook_secret"],
        "rotated webhook secret": rotated.json()["webhook_secret"],
        "SMTP password": SMTP_PASSWORD,
    }
    leaked = [name for name, secret in secrets.items() if secret in logged]
    assert leaked == []

"""The retention job as the server runs it in the background, and as `spamward retention run`."""

from __future__ import annotations

import json
import threading

from click.testing import CliRunner
from sqlalchemy import func, select

from spamward.cli import main
from spamward.maintenance import MaintenanceWorker
from spamward.runtime import Runtime
from spamward.services.decisions import decide
from spamward.services.retention import RetentionReport
from spamward.settings import Settings
from spamward.storage import models
from tests.conftest import EXAMPLE_POST, ApiProject, Clock
from tests.policy_helpers import post


def events(runtime: Runtime) -> int:
    with runtime.database.read() as session:
        return session.scalar(select(func.count()).select_from(models.Event)) or 0


def test_the_worker_purges_old_posts_then_stops(
    runtime: Runtime, clock: Clock, project: ApiProject
) -> None:
    decide(runtime, project.id, post(EXAMPLE_POST))
    clock.advance(days=31)
    reports: list[RetentionReport] = []
    ran = threading.Event()

    def record(report: RetentionReport) -> None:
        reports.append(report)
        ran.set()

    worker = MaintenanceWorker(runtime, interval_seconds=3600, on_run=record)
    worker.start()
    assert ran.wait(timeout=60)
    worker.stop()

    assert reports[0].events_purged == 1
    assert reports[0].projects == 1
    assert events(runtime) == 0


def test_retention_run_from_the_command_line(
    settings: Settings, runtime: Runtime, project: ApiProject
) -> None:
    decide(runtime, project.id, post(EXAMPLE_POST))
    env = {
        "SPAMWARD_DATABASE_URL": settings.database_url,
        "SPAMWARD_DATA_DIR": str(settings.data_dir),
    }

    result = CliRunner().invoke(main, ["retention", "run"], env=env)

    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["projects"] == 1
    # The command runs on the wall clock, long after the test clock's 2026-03-02: the post
    # is past the 30-day retention and goes.
    assert report["events_purged"] == 1
    assert events(runtime) == 0

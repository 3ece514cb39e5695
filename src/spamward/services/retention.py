"""The retention job: move each project's window on, purge old posts, drop expired list
entries (ignores, and denials whose probation ran out), promote denials that earned it.

Safe beside traffic: each step is its own short transaction, and the counters are lowered
by exactly the rows each step deleted. The worker runs it periodically; so does
`spamward retention run`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from spamward.remediation.probation import promote_probation
from spamward.runtime import Runtime
from spamward.storage.held_lists import KEEP_CHANGES_SECONDS
from spamward.storage.repositories import lists as list_repo
from spamward.storage.repositories import retention as repo
from spamward.storage.repositories.aggregates import day_number, day_start, roll_window
from spamward.storage.repositories.projects import project_settings


@dataclass
class RetentionReport:
    projects: int = 0
    days_rolled: int = 0
    users_rolled: int = 0
    events_purged: int = 0
    ignores_expired: int = 0
    backtests_purged: int = 0
    denials_promoted: int = 0
    remediation_purged: int = 0  # finished actions and resolved review items


def run_retention(runtime: Runtime) -> RetentionReport:
    report = RetentionReport()
    with runtime.database.read() as session:
        projects = repo.project_ids(session)
    for project_id in projects:
        _run_for(runtime, project_id, report)
        report.projects += 1
    return report


def _run_for(runtime: Runtime, project_id: int, report: RetentionReport) -> None:
    now = runtime.clock()
    with runtime.database.write() as session:
        knobs = project_settings(session, project_id)
        window_days, retention_days = knobs.window_days, knobs.retention_days
        days, users = roll_window(session, project_id, day_number(now) - window_days)
        report.days_rolled += days
        report.users_rolled += users
        report.denials_promoted += promote_probation(session, project_id, now)
        report.ignores_expired += list_repo.delete_expired(session, project_id, now)
        list_repo.purge_changes(session, project_id, now - timedelta(seconds=KEEP_CHANGES_SECONDS))
        # Whole days, like the window: a post the window still counts keeps its history.
        before = day_start(day_number(now) - retention_days)
        report.backtests_purged += repo.purge_backtests(session, project_id, before)
        report.remediation_purged += repo.purge_remediation(session, project_id, before)

    while True:
        with runtime.database.write() as session:
            purged = repo.purge_events_batch(session, project_id, before)
        report.events_purged += purged
        if purged < repo.BATCH:
            return

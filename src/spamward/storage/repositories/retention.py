"""Purging posts past the retention period, in batches so traffic is never held up long."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from spamward.storage.models import Action, Backtest, Event, Project, ReviewItem

BATCH = 1000


def project_ids(session: Session) -> list[int]:
    return list(session.scalars(select(Project.id).order_by(Project.id)))


def purge_events_batch(session: Session, project_id: int, before: datetime) -> int:
    """Delete up to BATCH events received before `before` (their decisions and occurrences
    go with them); the number deleted."""
    ids = list(
        session.scalars(
            select(Event.id)
            .where(Event.project_id == project_id, Event.received_at < before)
            .limit(BATCH)
        )
    )
    if ids:
        session.execute(delete(Event).where(Event.project_id == project_id, Event.id.in_(ids)))
    return len(ids)


def purge_backtests(session: Session, project_id: int, before: datetime) -> int:
    """Backtest jobs (and their reports) created before the retention limit."""
    result = session.execute(
        delete(Backtest).where(Backtest.project_id == project_id, Backtest.created_at < before)
    )
    return int(getattr(result, "rowcount", 0))


def purge_remediation(session: Session, project_id: int, before: datetime) -> int:
    """Finished actions (with their attempts) and resolved review items older than the
    retention limit; queued, running and open ones stay whatever their age."""
    actions = session.execute(
        delete(Action).where(
            Action.project_id == project_id,
            Action.status.in_(("done", "skipped", "failed")),
            Action.finished_at < before,
        )
    )
    items = session.execute(
        delete(ReviewItem).where(
            ReviewItem.project_id == project_id,
            ReviewItem.status == "resolved",
            ReviewItem.resolved_at < before,
        )
    )
    return int(getattr(actions, "rowcount", 0)) + int(getattr(items, "rowcount", 0))

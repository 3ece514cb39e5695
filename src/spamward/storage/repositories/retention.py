"""Purging posts past the retention period, in batches so traffic is never held up long."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from spamward.storage.models import Backtest, Event, Project

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

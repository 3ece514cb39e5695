"""Purging posts past the retention period, in batches so traffic is never held up long."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from spamward.storage.models import Event, Project

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

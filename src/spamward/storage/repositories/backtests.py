"""Backtests: the recorded decisions they replay, and their job rows."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select, tuple_, update
from sqlalchemy.orm import Session

from spamward.storage.models import Actor, Backtest, Decision, Event

Replayed = tuple[Decision, Event, str | None, str | None]  # with the actor's id and email


def decisions_since(
    session: Session,
    project_id: int,
    since: datetime,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[Replayed]:
    """The next page of decisions with their events, oldest first (keyset on time, id)."""
    query = (
        select(Decision, Event, Actor.external_id, Actor.email)
        .join(Event, Event.id == Decision.event_id)
        .outerjoin(Actor, Actor.id == Event.actor_id)
        .where(Decision.project_id == project_id, Decision.created_at >= since)
    )
    if after is not None:
        query = query.where(tuple_(Decision.created_at, Decision.id) > tuple_(*after))
    query = query.order_by(Decision.created_at, Decision.id).limit(limit)
    return [(d, e, user_id, email) for d, e, user_id, email in session.execute(query)]


def insert_job(
    session: Session,
    project_id: int,
    job_id: uuid.UUID,
    days: int,
    document: dict[str, Any],
    at: datetime,
) -> Backtest:
    job = Backtest(
        id=job_id,
        project_id=project_id,
        status="queued",
        days=days,
        document=document,
        done_events=0,
        total_events=0,
        created_at=at,
    )
    session.add(job)
    session.flush()
    return job


def job_by_id(session: Session, project_id: int, job_id: uuid.UUID) -> Backtest | None:
    return session.scalar(
        select(Backtest).where(Backtest.project_id == project_id, Backtest.id == job_id)
    )


def update_job(session: Session, project_id: int, job_id: uuid.UUID, **values: Any) -> None:
    session.execute(
        update(Backtest)
        .where(Backtest.project_id == project_id, Backtest.id == job_id)
        .values(**values)
    )

"""The actions table as a queue: enqueue, claim with a lease, finish; and as the log."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from spamward.storage.models import Action, ActionAttempt

QUEUED, RUNNING, DONE, SKIPPED, FAILED = "queued", "running", "done", "skipped", "failed"
STATUSES = (QUEUED, RUNNING, DONE, SKIPPED, FAILED)


def enqueue(session: Session, actions: Sequence[Action]) -> None:
    session.add_all(actions)


def claim(
    session: Session, worker: str, now: datetime, lease_seconds: float, limit: int
) -> list[Action]:
    """Due actions, and running ones whose worker's lease ran out, now leased to `worker`.

    On PostgreSQL concurrent workers skip each other's rows (FOR UPDATE SKIP LOCKED); on
    SQLite the write transaction already holds the database's one write lock."""
    due = (
        select(Action.id)
        .where(
            or_(
                and_(Action.status == QUEUED, Action.due_at <= now),
                and_(Action.status == RUNNING, Action.lease_until <= now),
            )
        )
        .order_by(Action.due_at)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    ids = list(session.scalars(due))
    if not ids:
        return []
    session.execute(
        update(ActionAttempt)
        .where(ActionAttempt.action_id.in_(ids), ActionAttempt.outcome == RUNNING)
        .values(outcome="lost", finished_at=now, error="the worker's lease ran out")
    )
    session.execute(
        update(Action)
        .where(Action.id.in_(ids))
        .values(
            status=RUNNING,
            worker=worker,
            lease_until=now + timedelta(seconds=lease_seconds),
            attempts=Action.attempts + 1,
        )
    )
    claimed = list(session.scalars(select(Action).where(Action.id.in_(ids))))
    for action in claimed:
        session.add(
            ActionAttempt(
                action_id=action.id,
                number=action.attempts,
                worker=worker,
                started_at=now,
                outcome=RUNNING,
            )
        )
    return claimed


@dataclass(frozen=True, slots=True)
class Finish:
    status: str  # done, skipped, failed, or queued again for a retry
    at: datetime
    result: dict[str, Any] | None = None
    error: str | None = None
    due_at: datetime | None = None  # a retry's time


def finish(session: Session, action_id: uuid.UUID, worker: str, attempt: int, end: Finish) -> bool:
    """Record an attempt's end; False (and nothing written) when the claim was lost, i.e.
    another worker took the action over after this one's lease ran out."""
    values: dict[str, Any] = {"status": end.status, "lease_until": None, "error": end.error}
    if end.result is not None:
        values["result"] = end.result
    if end.due_at is not None:
        values["due_at"] = end.due_at
    if end.status != QUEUED:
        values["finished_at"] = end.at
    mine = (
        Action.id == action_id,
        Action.status == RUNNING,
        Action.worker == worker,
        Action.attempts == attempt,
    )
    if session.execute(update(Action).where(*mine).values(**values)).rowcount == 0:  # type: ignore[attr-defined]
        return False
    outcome = "error" if end.status in (QUEUED, FAILED) else end.status
    session.execute(
        update(ActionAttempt)
        .where(ActionAttempt.action_id == action_id, ActionAttempt.number == attempt)
        .values(outcome=outcome, finished_at=end.at, error=end.error)
    )
    return True


def requeue(
    session: Session, project_id: int, action_id: uuid.UUID, now: datetime, fresh_attempts: int
) -> Action | None:
    """A failed (or skipped) action queued again with `fresh_attempts` more attempts."""
    action = get(session, project_id, action_id)
    if action is None:
        return None
    action.status, action.due_at, action.finished_at = QUEUED, now, None
    action.max_attempts = action.attempts + fresh_attempts
    return action


def get(session: Session, project_id: int, action_id: uuid.UUID) -> Action | None:
    return session.scalar(
        select(Action).where(Action.project_id == project_id, Action.id == action_id)
    )


def attempts(session: Session, project_id: int, action_id: uuid.UUID) -> list[ActionAttempt]:
    owned = select(Action.id).where(Action.project_id == project_id, Action.id == action_id)
    return list(
        session.scalars(
            select(ActionAttempt)
            .where(ActionAttempt.action_id.in_(owned))
            .order_by(ActionAttempt.number)
        )
    )


@dataclass(frozen=True, slots=True)
class LogFilter:
    status: str | None = None
    name: str | None = None
    user_id: str | None = None
    rule: str | None = None
    event_id: uuid.UUID | None = None
    since: datetime | None = None
    until: datetime | None = None


def log(
    session: Session, project_id: int, where: LogFilter, limit: int, offset: int
) -> list[Action]:
    query = select(Action).where(Action.project_id == project_id)
    for column, value in (
        (Action.status, where.status),
        (Action.name, where.name),
        (Action.user_id, where.user_id),
        (Action.rule, where.rule),
        (Action.event_id, where.event_id),
    ):
        if value is not None:
            query = query.where(column == value)
    if where.since is not None:
        query = query.where(Action.created_at >= where.since)
    if where.until is not None:
        query = query.where(Action.created_at < where.until)
    ordered = query.order_by(Action.created_at.desc(), Action.id).limit(limit).offset(offset)
    return list(session.scalars(ordered))


def done_by_rule_since(session: Session, project_id: int, rule: str, since: datetime) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(Action)
            .where(
                Action.project_id == project_id,
                Action.rule == rule,
                Action.created_at >= since,
                Action.status == DONE,
            )
        )
        or 0
    )


def finished_since(session: Session, project_id: int, since: datetime) -> list[Any]:
    """kind, status, attempts, event_at, created_at, finished_at of actions finished since."""
    return list(
        session.execute(
            select(
                Action.kind, Action.status, Action.attempts, Action.event_at, Action.created_at,
                Action.finished_at,
            ).where(Action.project_id == project_id, Action.finished_at >= since)
        )
    )  # fmt: skip


def queue_depth(session: Session, project_id: int, now: datetime) -> tuple[int, datetime | None]:
    """Actions waiting (queued or running) and the oldest one's creation time."""
    row = session.execute(
        select(func.count(), func.min(Action.created_at)).where(
            Action.project_id == project_id, Action.status.in_((QUEUED, RUNNING))
        )
    ).one()
    return int(row[0]), row[1]

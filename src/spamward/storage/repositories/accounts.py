"""Account status on the actors table: set by moderators (and remediation), read by rules."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from spamward.storage import models
from spamward.storage.models import Actor, table_of
from spamward.storage.upsert import dialect_insert, dialect_of


def set_status(
    session: Session,
    project_id: int,
    user_id: str,
    status: str,
    at: datetime,
    until: datetime | None = None,
) -> Actor:
    """The account with its new status (ending at `until`, for a suspension); a user never
    seen before is created with it, so a site can ban an account before its first post."""
    return _upsert(session, project_id, user_id, at, status=status, status_until=until)


def rate_limit(
    session: Session, project_id: int, user_id: str, until: datetime, at: datetime
) -> Actor:
    return _upsert(session, project_id, user_id, at, rate_limited_until=until)


def _upsert(session: Session, project_id: int, user_id: str, at: datetime, **values: Any) -> Actor:
    table = table_of(models.Actor)
    statement = dialect_insert(dialect_of(session), table).values(
        project_id=project_id, external_id=user_id, first_seen_at=at, last_seen_at=at, **values
    )
    session.execute(
        statement.on_conflict_do_update(index_elements=["project_id", "external_id"], set_=values)
    )
    session.expire_all()  # the row changed under the ORM: read it afresh
    actor = account(session, project_id, user_id)
    assert actor is not None  # just written
    return actor


def account(session: Session, project_id: int, user_id: str) -> Actor | None:
    return session.scalar(
        select(Actor).where(Actor.project_id == project_id, Actor.external_id == user_id)
    )

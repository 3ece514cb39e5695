"""Account status on the actors table: set by moderators (and remediation), read by rules."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from spamward.storage import models
from spamward.storage.models import Actor, table_of
from spamward.storage.upsert import dialect_insert, dialect_of


def set_status(session: Session, project_id: int, user_id: str, status: str, at: datetime) -> Actor:
    """The account with its new status; a user never seen before is created with it, so a
    site can ban an account before its first post."""
    table = table_of(models.Actor)
    statement = dialect_insert(dialect_of(session), table).values(
        project_id=project_id, external_id=user_id, status=status, first_seen_at=at,
        last_seen_at=at,
    )  # fmt: skip
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["project_id", "external_id"], set_={"status": status}
        )
    )
    actor = account(session, project_id, user_id)
    assert actor is not None  # just written
    return actor


def account(session: Session, project_id: int, user_id: str) -> Actor | None:
    return session.scalar(
        select(Actor).where(Actor.project_id == project_id, Actor.external_id == user_id)
    )

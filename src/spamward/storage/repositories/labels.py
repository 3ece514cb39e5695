"""Labels: moderators' answers on posts, spam or not, for training."""

from __future__ import annotations

import uuid
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from spamward.domain.entity import EntityKind
from spamward.storage import models
from spamward.storage.models import Entity, EntityOccurrence, Event, Label, table_of
from spamward.storage.upsert import dialect_insert, dialect_of


def put_label(
    session: Session, project_id: int, event_id: uuid.UUID, text: str, spam: bool,
    source: str, who: str, at: datetime, *, overwrite: bool,
) -> None:  # fmt: skip
    """Label a post; an existing label changes only when `overwrite` (a moderator's own
    answer overrides one inferred from a list action, never the other way round)."""
    row = {
        "project_id": project_id, "event_id": event_id, "text": text, "spam": spam,
        "source": source, "created_at": at, "created_by": who,
    }  # fmt: skip
    session.execute(_upsert(dialect_of(session), overwrite), row)


@cache
def _upsert(dialect: str, overwrite: bool) -> Any:
    statement = dialect_insert(dialect, table_of(models.Label))
    keys = ["project_id", "event_id"]
    if not overwrite:
        return statement.on_conflict_do_nothing(index_elements=keys)
    new = statement.excluded
    return statement.on_conflict_do_update(
        index_elements=keys,
        set_={"spam": new.spam, "source": new.source, "created_at": new.created_at,
              "created_by": new.created_by},
    )  # fmt: skip


def event_text(session: Session, project_id: int, event_id: uuid.UUID) -> str | None:
    row = session.execute(
        select(Event.title, Event.text).where(Event.project_id == project_id, Event.id == event_id)
    ).one_or_none()
    return None if row is None else post_text(*row)


def post_text(title: str | None, text: str) -> str:
    """A post as labels and reviews show it: the title, if any, on its own line first."""
    return f"{title}\n{text}" if title else text


def posts_with_entity(
    session: Session, project_id: int, kind: EntityKind, value: str, limit: int
) -> list[tuple[uuid.UUID, str]]:
    """The newest posts carrying an entity, with their text."""
    rows = session.execute(
        select(Event.id, Event.text)
        .join(EntityOccurrence, EntityOccurrence.event_id == Event.id)
        .join(Entity, Entity.id == EntityOccurrence.entity_id)
        .where(Entity.project_id == project_id, Entity.kind == kind.value, Entity.value == value)
        .order_by(EntityOccurrence.occurred_at.desc())
        .limit(limit)
    )
    return [(event_id, text) for event_id, text in rows]


def labels(session: Session, project_id: int, limit: int, offset: int) -> list[Label]:
    query = (
        select(Label)
        .where(Label.project_id == project_id)
        .order_by(Label.created_at.desc(), Label.id.desc())
    )
    return list(session.scalars(query.limit(limit).offset(offset)))


def labelled_texts(session: Session, project_id: int) -> list[tuple[str, bool]]:
    rows = session.execute(
        select(Label.text, Label.spam).where(Label.project_id == project_id).order_by(Label.id)
    )
    return [(text, bool(spam)) for text, spam in rows]


def label_counts(session: Session, project_id: int) -> dict[bool, int]:
    rows = session.execute(
        select(Label.spam, func.count()).where(Label.project_id == project_id).group_by(Label.spam)
    )
    return {bool(spam): int(count) for spam, count in rows}

"""The moderation log, and the list state kept on entities."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import exists, insert, or_, select, update
from sqlalchemy.orm import Session

from spamward.domain.entity import EntityKind
from spamward.storage.models import Entity, ListEntry, ModerationLog, table_of

_COVERED_KINDS = (EntityKind.URL.value, EntityKind.EMAIL.value)


def log(
    session: Session, project_id: int, who: str, action: str, at: datetime, **detail: Any
) -> None:
    session.execute(
        insert(table_of(ModerationLog)),
        {"project_id": project_id, "at": at, "who": who, "action": action, "detail": detail},
    )


def mark_listed(
    session: Session,
    project_id: int,
    kind: EntityKind,
    value: str,
    list_state: str,
    now: datetime,
) -> None:
    """Put the entity, and for a domain every URL and address under it that has no entry of
    its own, on `list_state` now: they leave their tabs at once."""
    session.execute(
        update(Entity)
        .where(Entity.project_id == project_id, Entity.kind == kind.value, Entity.value == value)
        .values(list_state=list_state)
    )
    if kind is EntityKind.DOMAIN:
        own_entry = exists().where(
            ListEntry.project_id == project_id,
            ListEntry.kind == Entity.kind,
            ListEntry.value == Entity.value,
            or_(ListEntry.expires_at.is_(None), ListEntry.expires_at > now),
        )
        session.execute(
            update(Entity)
            .where(
                Entity.project_id == project_id,
                Entity.kind.in_(_COVERED_KINDS),
                or_(Entity.host == value, Entity.host.endswith("." + value, autoescape=True)),
                ~own_entry,
            )
            .values(list_state=list_state)
            .execution_options(synchronize_session=False)
        )


def log_page(session: Session, project_id: int, limit: int, offset: int) -> list[ModerationLog]:
    """The project's log, newest first."""
    return list(
        session.scalars(
            select(ModerationLog)
            .where(ModerationLog.project_id == project_id)
            .order_by(ModerationLog.at.desc(), ModerationLog.id.desc())
            .limit(limit)
            .offset(offset)
        )
    )

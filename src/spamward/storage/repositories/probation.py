"""Queries behind auto-denial on probation: how an entity's posts were judged and labelled."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from spamward.storage.models import Decision, Entity, EntityOccurrence, Label, ListEntry

SPAM_VERDICTS = ("hold", "block")


def _occurrences(project_id: int, kind: str, value: str) -> ColumnElement[bool]:
    entity = select(Entity.id).where(
        Entity.project_id == project_id, Entity.kind == kind, Entity.value == value
    )
    return EntityOccurrence.entity_id.in_(entity.scalar_subquery())


def ham_labels(session: Session, project_id: int, kind: str, value: str) -> int:
    """Posts carrying the entity that a moderator (or the allow list) labelled not spam."""
    return (
        session.scalar(
            select(func.count())
            .select_from(EntityOccurrence)
            .join(
                Label,
                (Label.event_id == EntityOccurrence.event_id) & (Label.project_id == project_id),
            )
            .where(EntityOccurrence.project_id == project_id, _occurrences(project_id, kind, value))
            .where(Label.spam.is_(False))
        )
        or 0
    )


def verdict_counts(
    session: Session, project_id: int, kind: str, value: str
) -> tuple[int, int, int]:
    """Distinct users, posts, and posts judged spam (held or blocked) carrying the entity."""
    row = session.execute(
        select(
            func.count(func.distinct(EntityOccurrence.actor_id)),
            func.count(),
            func.count().filter(Decision.verdict.in_(SPAM_VERDICTS)),
        )
        .select_from(EntityOccurrence)
        .join(Decision, Decision.event_id == EntityOccurrence.event_id)
        .where(EntityOccurrence.project_id == project_id, _occurrences(project_id, kind, value))
    ).one()
    return int(row[0]), int(row[1]), int(row[2])


def posts_since(session: Session, project_id: int, kind: str, value: str, since: datetime) -> int:
    """Posts carrying the entity after `since` (the post that got it denied is not one)."""
    return (
        session.scalar(
            select(func.count())
            .select_from(EntityOccurrence)
            .where(
                EntityOccurrence.project_id == project_id,
                _occurrences(project_id, kind, value),
                EntityOccurrence.occurred_at > since,
            )
        )
        or 0
    )


def ending_probation(session: Session, project_id: int, by: datetime) -> list[ListEntry]:
    return list(
        session.scalars(
            select(ListEntry).where(
                ListEntry.project_id == project_id,
                ListEntry.probation.is_(True),
                ListEntry.expires_at <= by,
            )
        )
    )

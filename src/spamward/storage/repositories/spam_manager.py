"""The Spam Manager's reads: tabs, an entity's posts, spam users. Each is one indexed query
(tabs read the counters kept on `entities`, never the occurrences)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from spamward.domain.entity import EntityKind
from spamward.storage.models import Actor, Decision, Entity, EntityOccurrence, Event

_SPAM_STATES = or_(Entity.list_state.is_(None), Entity.list_state.in_(("deny", "ignore")))
_TEXT_REPEATED = or_(Entity.kind != EntityKind.TEXT.value, Entity.post_count >= 2)


def tab(
    session: Session,
    project_id: int,
    kind: EntityKind,
    window_start: datetime,
    search: str | None,
    limit: int,
    offset: int,
) -> list[Entity]:
    query = select(Entity).where(
        Entity.project_id == project_id,
        Entity.kind == kind.value,
        Entity.list_state.is_(None),
        Entity.post_count > 0,
        Entity.last_seen_at >= window_start,
    )
    if kind is EntityKind.TEXT:
        query = query.where(Entity.post_count >= 2)  # duplicate text: posted more than once
    if search:
        query = query.where(func.lower(Entity.display).contains(search.lower(), autoescape=True))
    # One direction throughout, so the tab index is read in order, never sorted.
    ordered = query.order_by(Entity.post_count.desc(), Entity.last_seen_at.desc(), Entity.id.desc())
    return list(session.scalars(ordered.limit(limit).offset(offset)))


def entity(session: Session, project_id: int, entity_id: int) -> Entity | None:
    return session.scalar(
        select(Entity).where(Entity.project_id == project_id, Entity.id == entity_id)
    )


def posts_with_entity(
    session: Session, project_id: int, entity_id: int, limit: int, offset: int
) -> list[Any]:
    """The posts that contained an entity, newest first, with user and verdict."""
    query = _posts().where(
        EntityOccurrence.project_id == project_id, EntityOccurrence.entity_id == entity_id
    )
    query = query.join(EntityOccurrence, EntityOccurrence.event_id == Event.id)
    # The occurrence's time is the post's: ordered by it, the entity-time index gives the
    # page without sorting every post of a much-posted entity.
    newest = (EntityOccurrence.occurred_at.desc(), EntityOccurrence.event_id.desc())
    query = query.order_by(None).order_by(*newest)
    return list(session.execute(query.limit(limit).offset(offset)).all())


def spam_posts_of_user(
    session: Session, project_id: int, actor_id: int, limit: int, offset: int
) -> list[Any]:
    """A user's posts that hold a denied or uncategorised entity, newest first."""
    holds_spam = (
        select(EntityOccurrence.event_id)
        .join(Entity, Entity.id == EntityOccurrence.entity_id)
        .where(EntityOccurrence.event_id == Event.id, _SPAM_STATES, _TEXT_REPEATED)
        .exists()
    )
    query = _posts().where(Event.project_id == project_id, Event.actor_id == actor_id, holds_spam)
    return list(session.execute(query.limit(limit).offset(offset)).all())


def _posts() -> Any:
    return (
        select(Event.id, Event.occurred_at, Event.text, Actor.external_id, Decision.verdict)
        .outerjoin(Actor, Actor.id == Event.actor_id)
        .outerjoin(Decision, Decision.event_id == Event.id)
        .order_by(Event.occurred_at.desc(), Event.id.desc())
    )


def entities_of_posts(
    session: Session, project_id: int, event_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[Entity]]:
    found: dict[uuid.UUID, list[Entity]] = defaultdict(list)
    if not event_ids:
        return found
    rows = session.execute(
        select(EntityOccurrence.event_id, Entity)
        .join(Entity, Entity.id == EntityOccurrence.entity_id)
        # `+ 0` keeps SQLite's planner (no ANALYZE statistics) off the project's entity-time
        # index: the event ids pick the few rows, the project only scopes them.
        .where(
            EntityOccurrence.project_id + 0 == project_id,
            EntityOccurrence.event_id.in_(event_ids),
        )
    )
    for event_id, entity_row in rows:
        found[event_id].append(entity_row)
    return found


def spam_users(session: Session, project_id: int, limit: int, offset: int) -> list[Any]:
    """Users with a post holding a denied or uncategorised entity, most recent spam first:
    (actor id, user id, last spam time, spam posts)."""
    last_spam = func.max(Event.occurred_at)
    query = (
        select(Actor.id, Actor.external_id, last_spam, func.count(func.distinct(Event.id)))
        .join(Event, Event.actor_id == Actor.id)
        .join(EntityOccurrence, EntityOccurrence.event_id == Event.id)
        .join(Entity, Entity.id == EntityOccurrence.entity_id)
        .where(Actor.project_id == project_id, and_(_SPAM_STATES, _TEXT_REPEATED))
        .group_by(Actor.id, Actor.external_id)
        .order_by(last_spam.desc(), Actor.id)
    )
    return list(session.execute(query.limit(limit).offset(offset)).all())


def top_spam_strings(
    session: Session, project_id: int, actor_id: int, limit: int
) -> list[tuple[str, str, int]]:
    """A user's most posted spam strings: (kind, display, posts)."""
    posts = func.count()
    rows = session.execute(
        select(Entity.kind, Entity.display, posts)
        .join(EntityOccurrence, EntityOccurrence.entity_id == Entity.id)
        .where(
            EntityOccurrence.project_id == project_id,
            EntityOccurrence.actor_id == actor_id,
            Entity.kind != EntityKind.TEXT.value,
            _SPAM_STATES,
        )
        .group_by(Entity.id, Entity.kind, Entity.display)
        .order_by(posts.desc(), Entity.display)
        .limit(limit)
    )
    return [(kind, display, count) for kind, display, count in rows]


def actor_by_external_id(session: Session, project_id: int, user_id: str) -> Actor | None:
    return session.scalar(
        select(Actor).where(Actor.project_id == project_id, Actor.external_id == user_id)
    )

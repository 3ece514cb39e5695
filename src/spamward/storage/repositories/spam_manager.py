"""The Spam Manager's reads: tabs, an entity's posts, spam users. Each reads an index in
order and stops at its page (tabs read the counters kept on `entities`, never the
occurrences)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from spamward.domain.entity import EntityKind
from spamward.storage.models import Actor, Decision, Entity, EntityOccurrence, Event

_SPAM_STATES = or_(Entity.list_state.is_(None), Entity.list_state.in_(("deny", "ignore")))
_TEXT_REPEATED = or_(Entity.kind != EntityKind.TEXT.value, Entity.post_count >= 2)
SCAN_BATCH = 500  # occurrences read at a time when looking for the latest spammers


class SpamUser(NamedTuple):
    actor_id: int
    user_id: str
    last_spam_at: datetime
    spam_posts: int


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
    query = _posts().where(
        Event.project_id == project_id, Event.actor_id == actor_id, _holds_spam()
    )
    return list(session.execute(query.limit(limit).offset(offset)).all())


def recent_spam_posts(
    session: Session, project_id: int, user_ids: Sequence[str], limit: int
) -> dict[str, list[Any]]:
    """Each user's latest `limit` spam posts, newest first, by user id: one query."""
    actor_ids = session.scalars(
        select(Actor.id).where(Actor.project_id == project_id, Actor.external_id.in_(user_ids))
    ).all()
    newest = (Event.occurred_at.desc(), Event.id.desc())
    rank = func.row_number().over(partition_by=Event.actor_id, order_by=newest).label("rank")
    # By actor id, so that the users' posts are read through the events' actor index (`+ 0`
    # keeps SQLite's planner off the project's index, which would read every post).
    ranked = (
        _posts()
        .add_columns(rank)
        .where(Event.project_id + 0 == project_id, Event.actor_id.in_(actor_ids), _holds_spam())
        .order_by(None)
        .subquery()
    )
    rows = session.execute(
        select(
            ranked.c.id, ranked.c.occurred_at, ranked.c.text, ranked.c.external_id, ranked.c.verdict
        )
        .where(ranked.c.rank <= limit)
        .order_by(ranked.c.occurred_at.desc(), ranked.c.id.desc())
    )
    found: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        found[row.external_id].append(row)
    return found


def _holds_spam() -> Any:
    return (
        select(EntityOccurrence.event_id)
        .join(Entity, Entity.id == EntityOccurrence.entity_id)
        .where(EntityOccurrence.event_id == Event.id, _SPAM_STATES, _TEXT_REPEATED)
        .exists()
    )


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


def spam_users(session: Session, project_id: int, limit: int, offset: int) -> list[SpamUser]:
    """Users with a post holding a denied or uncategorised entity, most recent spam first.

    Spam depends on the lists as they are now, so it is read, not kept: the project's
    occurrences are walked newest first until the page's users are found, then only those
    users' spam posts are counted."""
    last_spam = _recent_spammers(session, project_id, offset + limit)
    page = list(last_spam.items())[offset : offset + limit]
    if not page:
        return []
    actor_ids = [actor_id for actor_id, _ in page]
    counted = _spam_post_counts(session, project_id, actor_ids)
    names = dict(
        session.execute(select(Actor.id, Actor.external_id).where(Actor.id.in_(actor_ids))).all()
    )
    return [
        SpamUser(actor_id, names[actor_id], at, counted.get(actor_id, 0)) for actor_id, at in page
    ]


def _recent_spammers(session: Session, project_id: int, wanted: int) -> dict[int, datetime]:
    """Up to `wanted` users by their last spam post, newest first (dicts keep that order)."""
    found: dict[int, datetime] = {}
    batch = max(SCAN_BATCH, 4 * wanted)
    before: datetime | None = None
    while len(found) < wanted:
        rows = session.execute(_spam_occurrences(project_id, before).limit(batch)).all()
        if not rows:
            break
        before = rows[-1][1]
        # The batch may have stopped inside a run of equal times: finish that run, so the
        # next batch can start strictly before it.
        ties = session.execute(_spam_occurrences(project_id, None, at=before)).all()
        for actor_id, occurred_at in [*rows, *ties]:
            found.setdefault(actor_id, occurred_at)
        if len(rows) < batch:
            break
    return found


def _spam_occurrences_of(project_id: int, *columns: Any) -> Any:
    """`columns` of the project's occurrences of denied or uncategorised entities."""
    return (
        select(*columns)
        .join(Entity, Entity.id == EntityOccurrence.entity_id)
        .where(EntityOccurrence.project_id == project_id, _SPAM_STATES, _TEXT_REPEATED)
    )


def _spam_occurrences(project_id: int, before: datetime | None, at: datetime | None = None) -> Any:
    query = _spam_occurrences_of(
        project_id, EntityOccurrence.actor_id, EntityOccurrence.occurred_at
    ).where(EntityOccurrence.actor_id.is_not(None))
    if at is not None:
        return query.where(EntityOccurrence.occurred_at == at)
    if before is not None:
        query = query.where(EntityOccurrence.occurred_at < before)
    return query.order_by(EntityOccurrence.occurred_at.desc())


def _spam_post_counts(
    session: Session, project_id: int, actor_ids: Sequence[int]
) -> dict[int, int]:
    posts = func.count(func.distinct(EntityOccurrence.event_id))
    rows = session.execute(
        _spam_occurrences_of(project_id, EntityOccurrence.actor_id, posts)
        .where(EntityOccurrence.actor_id.in_(actor_ids))
        .group_by(EntityOccurrence.actor_id)
    )
    return {int(actor_id): posts for actor_id, posts in rows if actor_id is not None}


def top_spam_strings(
    session: Session, project_id: int, actor_ids: Sequence[int], limit: int
) -> dict[int, list[tuple[str, str, int]]]:
    """Each user's most posted spam strings, (kind, display, posts), by actor id: one query
    for a page of users, ranked within each user."""
    posts = func.count()
    rank = (
        func.row_number()
        .over(partition_by=EntityOccurrence.actor_id, order_by=(posts.desc(), Entity.display))
        .label("rank")
    )
    ranked = (
        select(EntityOccurrence.actor_id, Entity.kind, Entity.display, posts.label("posts"), rank)
        .join(Entity, Entity.id == EntityOccurrence.entity_id)
        .where(
            EntityOccurrence.project_id == project_id,
            EntityOccurrence.actor_id.in_(actor_ids),
            Entity.kind != EntityKind.TEXT.value,
            _SPAM_STATES,
        )
        .group_by(EntityOccurrence.actor_id, Entity.id, Entity.kind, Entity.display)
        .subquery()
    )
    rows = session.execute(
        select(ranked.c.actor_id, ranked.c.kind, ranked.c.display, ranked.c.posts)
        .where(ranked.c.rank <= limit)
        .order_by(ranked.c.actor_id, ranked.c.rank)
    )
    found: dict[int, list[tuple[str, str, int]]] = defaultdict(list)
    for actor_id, kind, display, count in rows:
        found[actor_id].append((kind, display, count))
    return found


def actor_by_external_id(session: Session, project_id: int, user_id: str) -> Actor | None:
    return session.scalar(
        select(Actor).where(Actor.project_id == project_id, Actor.external_id == user_id)
    )

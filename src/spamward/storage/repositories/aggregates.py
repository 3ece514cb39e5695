"""Window counters: posts per entity and day, and who posted each entity, kept so that the
rollover can subtract what leaves the window without scanning anything else."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Connection, bindparam, delete, update
from sqlalchemy.orm import Session

from spamward.storage import models
from spamward.storage.models import table_of
from spamward.storage.upsert import dialect_insert

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def day_number(moment: datetime) -> int:
    return (moment.astimezone(UTC) - _EPOCH).days


def day_start(day: int) -> datetime:
    return _EPOCH + timedelta(days=day)


Posted = tuple[int, int, int | None, datetime]  # project, entity id, actor id, posted at


def count_posts(connection: Connection, posts: Sequence[Posted]) -> None:
    """Add each post to its entity's day, and its author to the entity's users."""
    if not posts:
        return
    days: Counter[tuple[int, int, int]] = Counter(
        (project_id, entity_id, day_number(at)) for project_id, entity_id, _, at in posts
    )
    rows = [
        {"project_id": project_id, "entity_id": entity_id, "day": day, "posts": posts}
        for (project_id, entity_id, day), posts in days.items()
    ]
    connection.execute(_day_upsert(connection.dialect.name), rows)
    _count_users(connection, posts)


def _count_users(connection: Connection, posts: Sequence[Posted]) -> None:
    """Each (entity, author) pair's last post time; an entity's user count goes up by the
    authors it had not had yet."""
    latest: dict[tuple[int, int], tuple[int, datetime]] = {}
    for project_id, entity_id, actor_id, at in posts:
        if actor_id is None:
            continue
        seen = latest.get((entity_id, actor_id))
        if seen is None or seen[1] < at:
            latest[(entity_id, actor_id)] = (project_id, at)
    if not latest:
        return
    rows = [
        {"entity_id": e, "actor_id": a, "project_id": p, "last_posted_at": at}
        for (e, a), (p, at) in latest.items()
    ]
    new = set(map(tuple, connection.execute(_user_insert(connection.dialect.name), rows)))
    known = [
        {"entity": e, "actor": a, "seen_at": at}
        for (e, a), (_, at) in latest.items()
        if (e, a) not in new
    ]
    if known:
        connection.execute(_USER_SEEN, known)
    if new:
        added = Counter(entity_id for entity_id, _ in new)
        connection.execute(_MORE_USERS, [{"entity": e, "added": n} for e, n in added.items()])


_users = table_of(models.EntityUser)
_entities = table_of(models.Entity)
_USER_SEEN = (
    update(_users)
    .where(_users.c.entity_id == bindparam("entity"), _users.c.actor_id == bindparam("actor"))
    .where(_users.c.last_posted_at < bindparam("seen_at"))
    .values(last_posted_at=bindparam("seen_at"))
)
_MORE_USERS = (
    update(_entities)
    .where(_entities.c.id == bindparam("entity"))
    .values(user_count=_entities.c.user_count + bindparam("added"))
)


@cache
def _user_insert(dialect: str) -> Any:
    """Insert (entity, author) pairs not there yet; returns the pairs it inserted."""
    statement = dialect_insert(dialect, _users)
    return statement.on_conflict_do_nothing(index_elements=["entity_id", "actor_id"]).returning(
        _users.c.entity_id, _users.c.actor_id
    )


@cache
def _day_upsert(dialect: str) -> Any:
    table = table_of(models.EntityDay)
    statement = dialect_insert(dialect, table)
    added = statement.excluded.posts
    return statement.on_conflict_do_update(
        index_elements=["entity_id", "day"], set_={"posts": table.c.posts + added}
    )


def roll_window(session: Session, project_id: int, first_day: int) -> tuple[int, int]:
    """Take days before `first_day`, and users not seen since, out of the counters.

    Rows are deleted first and the counters lowered by exactly what the deletes returned, so a
    post arriving meanwhile is never subtracted. Returns the day and user rows that left."""
    days = table_of(models.EntityDay)
    users = table_of(models.EntityUser)
    gone_days = session.execute(
        delete(days)
        .where(days.c.project_id == project_id, days.c.day < first_day)
        .returning(days.c.entity_id, days.c.posts)
    ).all()
    gone_users = session.execute(
        delete(users)
        .where(users.c.project_id == project_id, users.c.last_posted_at < day_start(first_day))
        .returning(users.c.entity_id)
    ).all()
    _lower(session, "post_count", _sums(gone_days))
    _lower(session, "user_count", Counter(entity_id for (entity_id,) in gone_users))
    return len(gone_days), len(gone_users)


def _sums(rows: Sequence[Any]) -> Counter[int]:
    totals: Counter[int] = Counter()
    for entity_id, posts in rows:
        totals[entity_id] += posts
    return totals


def _lower(session: Session, column: str, by: Counter[int]) -> None:
    entities = table_of(models.Entity)
    for entity_id, amount in by.items():
        if amount:
            session.execute(
                update(entities)
                .where(entities.c.id == entity_id)
                .values({column: entities.c[column] - amount})
            )

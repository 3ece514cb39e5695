"""Window counters: posts per entity and day, and who posted each entity, kept so that the
rollover can subtract what leaves the window without scanning anything else."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from spamward.storage import models
from spamward.storage.driver_sql import DriverSql
from spamward.storage.models import table_of

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def day_number(moment: datetime) -> int:
    return (moment.astimezone(UTC) - _EPOCH).days


def day_start(day: int) -> datetime:
    return _EPOCH + timedelta(days=day)


Posted = tuple[int, int, int | None, datetime]  # project, entity id, actor id, posted at


def count_posts(sql: DriverSql, posts: Sequence[Posted]) -> None:
    """Add each post to its entity's day, and its author to the entity's users."""
    days: Counter[tuple[int, int, int]] = Counter(
        (project_id, entity_id, day_number(at)) for project_id, entity_id, _, at in posts
    )
    rows = [
        {"project_id": project_id, "entity_id": entity_id, "day": day, "posts": posts}
        for (project_id, entity_id, day), posts in days.items()
    ]
    sql.many(_ADD_DAY_POSTS, rows)
    _count_users(sql, posts)


def _count_users(sql: DriverSql, posts: Sequence[Posted]) -> None:
    """Each (entity, author) pair's last post time; an entity's user count goes up by the
    authors it had not had yet."""
    latest: dict[tuple[int, int], tuple[int, datetime]] = {}
    for project_id, entity_id, actor_id, at in posts:
        if actor_id is None:
            continue
        seen = latest.get((entity_id, actor_id))
        if seen is None or seen[1] < at:
            latest[(entity_id, actor_id)] = (project_id, at)
    rows = [
        {"entity_id": e, "actor_id": a, "project_id": p, "last_posted_at": sql.time(at)}
        for (e, a), (p, at) in latest.items()
    ]
    new = {(e, a) for e, a in sql.values(_INSERT_USER, _USER_COLUMNS, rows, _NEW_USERS_ONLY)}
    sql.many(_USER_SEEN, [row for row in rows if (row["entity_id"], row["actor_id"]) not in new])
    added = Counter(entity_id for entity_id, _ in new)
    sql.many(_MORE_USERS, [{"entity_id": e, "added": n} for e, n in added.items()])


_ADD_DAY_POSTS = """INSERT INTO entity_days (entity_id, day, project_id, posts)
VALUES (:entity_id, :day, :project_id, :posts)
ON CONFLICT (entity_id, day) DO UPDATE SET posts = entity_days.posts + excluded.posts"""
_INSERT_USER = "INSERT INTO entity_users"
_USER_COLUMNS = ("entity_id", "actor_id", "project_id", "last_posted_at")
_NEW_USERS_ONLY = "ON CONFLICT (entity_id, actor_id) DO NOTHING RETURNING entity_id, actor_id"
_USER_SEEN = """UPDATE entity_users SET last_posted_at = :last_posted_at
WHERE entity_id = :entity_id AND actor_id = :actor_id AND last_posted_at < :last_posted_at"""
_MORE_USERS = "UPDATE entities SET user_count = user_count + :added WHERE id = :entity_id"


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

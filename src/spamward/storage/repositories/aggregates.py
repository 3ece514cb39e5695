"""Window counters: posts per entity and day, and who posted each entity, kept so that the
rollover can subtract what leaves the window without scanning anything else."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from spamward.storage import models
from spamward.storage.models import table_of
from spamward.storage.upsert import dialect_insert, dialect_of

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def day_number(moment: datetime) -> int:
    return (moment.astimezone(UTC) - _EPOCH).days


def day_start(day: int) -> datetime:
    return _EPOCH + timedelta(days=day)


def count_post(
    session: Session, project_id: int, entity_ids: list[int], actor_id: int | None, at: datetime
) -> None:
    """Add one post at `at` to each entity's day, and its author to the entity's users."""
    if not entity_ids:
        return
    day = day_number(at)
    rows = [{"entity_id": e, "day": day, "project_id": project_id, "posts": 1} for e in entity_ids]
    session.execute(_day_upsert(dialect_of(session)), rows)
    if actor_id is not None:
        _count_user(session, project_id, entity_ids, actor_id, at)


def _count_user(
    session: Session, project_id: int, entity_ids: list[int], actor_id: int, at: datetime
) -> None:
    users = table_of(models.EntityUser)
    known = set(
        session.scalars(
            select(users.c.entity_id).where(
                users.c.actor_id == actor_id, users.c.entity_id.in_(entity_ids)
            )
        )
    )
    new = [entity_id for entity_id in entity_ids if entity_id not in known]
    if known:
        session.execute(
            update(users)
            .where(users.c.actor_id == actor_id, users.c.entity_id.in_(known))
            .where(users.c.last_posted_at < at)
            .values(last_posted_at=at)
        )
    if new:
        session.execute(
            users.insert(),
            [
                {
                    "entity_id": e,
                    "actor_id": actor_id,
                    "project_id": project_id,
                    "last_posted_at": at,
                }
                for e in new
            ],
        )
        entities = table_of(models.Entity)
        session.execute(
            update(entities)
            .where(entities.c.id.in_(new))
            .values(user_count=entities.c.user_count + 1)
        )


@cache
def _day_upsert(dialect: str) -> Any:
    table = table_of(models.EntityDay)
    statement = dialect_insert(dialect, table)
    return statement.on_conflict_do_update(
        index_elements=["entity_id", "day"], set_={"posts": table.c.posts + 1}
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

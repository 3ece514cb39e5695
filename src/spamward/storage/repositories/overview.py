"""The overview's figures: each one aggregate query, scoped by project and bounded in time
(or read from an index kept for it), so that the page costs the same whatever the history.

- Decisions by verdict and hour read the (project_id, created_at) index range; the caller
  reads each closed hour once (closed_hours.py).
- Latency percentiles sort only the latest `sample` decisions of the range.
- Entities by kind and the top domains read the Spam Manager's tab index (entities on no
  list, with their window counters).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from spamward.domain.entity import EntityKind
from spamward.storage.models import Decision, Entity
from spamward.storage.upsert import dialect_of


def verdicts_by_hour(
    session: Session, project_id: int, since: datetime, until: datetime | None = None
) -> list[tuple[int, str, int]]:
    """(hour, verdict, decisions) made from `since` until `until` (or since, unbounded); an
    hour is numbered from the Unix epoch: hour n starts at n * 3600 seconds UTC."""
    dialect = dialect_of(session)
    hour = _utc_hour(dialect, Decision.created_at).label("hour")
    query = select(hour, Decision.verdict, func.count()).where(
        Decision.project_id == project_id, Decision.created_at >= since
    )
    if until is not None:
        query = query.where(Decision.created_at < until)
    rows = session.execute(query.group_by(hour, Decision.verdict))
    return [(_hour_number(at), str(verdict), int(count)) for at, verdict, count in rows]


def _utc_hour(dialect: str, column: Any) -> Any:
    if dialect == "postgresql":
        return func.date_trunc("hour", func.timezone("UTC", column))  # a UTC wall-clock time
    return func.substr(column, 1, 13)  # SQLite keeps UTC times as text: 'YYYY-MM-DD HH'


def _hour_number(value: datetime | str) -> int:
    if isinstance(value, str):
        value = datetime.strptime(value, "%Y-%m-%d %H")
    return int(value.replace(tzinfo=UTC).timestamp()) // 3600


def latency_percentiles(
    session: Session, project_id: int, since: datetime, quantiles: tuple[float, ...], sample: int
) -> tuple[int, list[float | None]]:
    """How many of the latest `sample` decisions since `since` were read, and the nearest-rank
    percentile of their duration (µs) at each quantile; None without decisions."""
    latest = (
        select(Decision.duration_us)
        .where(Decision.project_id == project_id, Decision.created_at >= since)
        .order_by(Decision.created_at.desc())
        .limit(sample)
        .subquery()
    )
    if dialect_of(session) == "postgresql":
        picks = [func.percentile_disc(q).within_group(latest.c.duration_us) for q in quantiles]
        row = session.execute(select(func.count(), *picks).select_from(latest)).one()
        return int(row[0]), [None if value is None else float(value) for value in row[1:]]
    # SQLite has no percentile function: the sample, in order, read once.
    ordered = list(session.scalars(select(latest.c.duration_us).order_by(latest.c.duration_us)))
    count = len(ordered)
    return count, [float(ordered[_rank(q, count)]) if count else None for q in quantiles]


def _rank(quantile: float, count: int) -> int:
    """The 0-based position of the nearest-rank percentile (PostgreSQL's percentile_disc)."""
    return max(0, math.ceil(quantile * count) - 1)


def unlisted_by_kind(
    session: Session, project_id: int, window_start: datetime
) -> list[tuple[str, int]]:
    """(kind, entities) on no list and posted since `window_start`: what the Spam Manager's
    tabs hold (duplicate text only once posted twice)."""
    rows = session.execute(
        select(Entity.kind, func.count())
        .where(
            Entity.project_id == project_id,
            Entity.list_state.is_(None),
            Entity.post_count > 0,
            Entity.last_seen_at >= window_start,
            (Entity.kind != EntityKind.TEXT.value) | (Entity.post_count >= 2),
        )
        .group_by(Entity.kind)
    )
    return [(str(kind), int(count)) for kind, count in rows]


def top_unlisted_domains(
    session: Session, project_id: int, window_start: datetime, limit: int
) -> list[tuple[str, int, int]]:
    """(display, posts, users) of the most posted domains on no list since `window_start`:
    the head of the domain tab."""
    rows = session.execute(
        select(Entity.display, Entity.post_count, Entity.user_count)
        .where(
            Entity.project_id == project_id,
            Entity.kind == EntityKind.DOMAIN.value,
            Entity.list_state.is_(None),
            Entity.post_count > 0,
            Entity.last_seen_at >= window_start,
        )
        .order_by(Entity.post_count.desc(), Entity.last_seen_at.desc(), Entity.id.desc())
        .limit(limit)
    )
    return [(str(display), int(posts), int(users)) for display, posts, users in rows]

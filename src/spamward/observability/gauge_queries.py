"""The database readings behind the gauges: a few grouped counts over every project.

The one read that spans projects, on purpose: a scrape reports them all. Each query is a
count grouped by project over an indexed filter (actions by status, review items by
project and status) or over the lists; the caller bounds how often they run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from spamward.storage.models import Action, IpListEntry, ListEntry, Project, ReviewItem

WAITING = ("queued", "running")


@dataclass(frozen=True, slots=True)
class QueueReading:
    project: str
    status: str
    depth: int
    oldest_due: datetime | None


@dataclass(frozen=True, slots=True)
class Readings:
    projects: list[str]
    list_sizes: list[tuple[str, str, str, int]]  # project, list, kind, live entries
    queue: list[QueueReading]
    open_reviews: dict[str, int]


def read_gauges(session: Session, now: datetime) -> Readings:
    names = dict(session.execute(select(Project.id, Project.name)).all())
    return Readings(
        projects=sorted(names.values()),
        list_sizes=_list_sizes(session, names, now),
        queue=_queue(session, names),
        open_reviews=_open_reviews(session, names),
    )


def _list_sizes(
    session: Session, names: dict[int, str], now: datetime
) -> list[tuple[str, str, str, int]]:
    live = or_(ListEntry.expires_at.is_(None), ListEntry.expires_at > now)
    entities = session.execute(
        select(ListEntry.project_id, ListEntry.list, ListEntry.kind, func.count())
        .where(live)
        .group_by(ListEntry.project_id, ListEntry.list, ListEntry.kind)
    )
    networks = session.execute(
        select(IpListEntry.project_id, IpListEntry.list, func.count()).group_by(
            IpListEntry.project_id, IpListEntry.list
        )
    )
    sizes = [(names[p], name, kind, n) for p, name, kind, n in entities if p in names]
    return sizes + [(names[p], name, "ip", n) for p, name, n in networks if p in names]


def _queue(session: Session, names: dict[int, str]) -> list[QueueReading]:
    rows = session.execute(
        select(Action.project_id, Action.status, func.count(), func.min(Action.due_at))
        .where(Action.status.in_(WAITING))
        .group_by(Action.project_id, Action.status)
    )
    return [QueueReading(names[p], status, n, due) for p, status, n, due in rows if p in names]


def _open_reviews(session: Session, names: dict[int, str]) -> dict[str, int]:
    rows = session.execute(
        select(ReviewItem.project_id, func.count())
        .where(ReviewItem.status == "open")
        .group_by(ReviewItem.project_id)
    )
    return {names[p]: n for p, n in rows if p in names}

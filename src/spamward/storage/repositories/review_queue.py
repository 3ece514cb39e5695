"""Walking the review queue in its order (oldest first): the item before or after one."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session

from spamward.storage.models import ReviewItem


def _queue(project_id: int, status: str, kind: str | None) -> Select[uuid.UUID]:
    query = select(ReviewItem.id).where(
        ReviewItem.project_id == project_id, ReviewItem.status == status
    )
    return query if kind is None else query.where(ReviewItem.kind == kind)


def after(
    session: Session, project_id: int, status: str, kind: str | None, at: datetime,
    item_id: uuid.UUID,
) -> uuid.UUID | None:  # fmt: skip
    """The item that follows (`at`, `item_id`) in the queue."""
    later = or_(ReviewItem.created_at > at,
                and_(ReviewItem.created_at == at, ReviewItem.id > item_id))  # fmt: skip
    query = _queue(project_id, status, kind).where(later)
    return session.scalar(query.order_by(ReviewItem.created_at, ReviewItem.id).limit(1))


def before(
    session: Session, project_id: int, status: str, kind: str | None, at: datetime,
    item_id: uuid.UUID,
) -> uuid.UUID | None:  # fmt: skip
    """The item that comes just before (`at`, `item_id`) in the queue."""
    earlier = or_(ReviewItem.created_at < at,
                  and_(ReviewItem.created_at == at, ReviewItem.id < item_id))  # fmt: skip
    query = _queue(project_id, status, kind).where(earlier)
    ordered = query.order_by(ReviewItem.created_at.desc(), ReviewItem.id.desc())
    return session.scalar(ordered.limit(1))


def first(session: Session, project_id: int, status: str, kind: str | None) -> uuid.UUID | None:
    """The front of the queue."""
    query = _queue(project_id, status, kind).order_by(ReviewItem.created_at, ReviewItem.id)
    return session.scalar(query.limit(1))

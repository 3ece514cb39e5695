"""Review items: open one (once per subject), list, resolve."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, and_, func, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from spamward.domain.ids import new_id
from spamward.storage.models import Action, Decision, Event, ReviewItem

OPEN, RESOLVED = "open", "resolved"


def open_new(
    session: Session, project_id: int, kind: str, summary: str, at: datetime, **subject: Any
) -> ReviewItem:
    """Open an item of `kind` about `subject` (event_id, decision_id, action_id, user_id,
    rule), or find the one already open."""
    item = ReviewItem(id=new_id(), project_id=project_id, kind=kind, status=OPEN,
                      summary=summary[:2000], created_at=at, **subject)  # fmt: skip
    return open_item(session, item)


def open_item(session: Session, item: ReviewItem) -> ReviewItem:
    """The open item for the same subject (kind and event, action or rule) if there is one,
    else `item`, added: a subject waits in the queue once."""
    existing = session.scalar(
        select(ReviewItem).where(
            ReviewItem.project_id == item.project_id,
            ReviewItem.status == OPEN,
            ReviewItem.kind == item.kind,
            _same(ReviewItem.event_id, item.event_id),
            _same(ReviewItem.action_id, item.action_id),
            _same(ReviewItem.rule, item.rule),
        )
    )
    if existing is not None:
        return existing
    session.add(item)
    return item


def _same(column: InstrumentedAttribute[Any], value: object) -> ColumnElement[bool]:
    return column.is_(None) if value is None else column == value


def get(session: Session, project_id: int, item_id: uuid.UUID) -> ReviewItem | None:
    return session.scalar(
        select(ReviewItem).where(ReviewItem.project_id == project_id, ReviewItem.id == item_id)
    )


def items(
    session: Session, project_id: int, status: str | None, kind: str | None, limit: int, offset: int
) -> list[ReviewItem]:
    query = select(ReviewItem).where(ReviewItem.project_id == project_id)
    if status is not None:
        query = query.where(ReviewItem.status == status)
    if kind is not None:
        query = query.where(ReviewItem.kind == kind)
    # Oldest first: a queue is worked from its front.
    ordered = query.order_by(ReviewItem.created_at, ReviewItem.id).limit(limit).offset(offset)
    return list(session.scalars(ordered))


def open_count(session: Session, project_id: int) -> tuple[int, datetime | None]:
    row = session.execute(
        select(func.count(), func.min(ReviewItem.created_at)).where(
            ReviewItem.project_id == project_id, ReviewItem.status == OPEN
        )
    ).one()
    return int(row[0]), row[1]


def resolve_action_items(
    session: Session, project_id: int, action_id: uuid.UUID, who: str, at: datetime
) -> None:
    """An action retried from the log settles its open `action_failed` item."""
    session.execute(
        update(ReviewItem)
        .where(
            ReviewItem.project_id == project_id,
            ReviewItem.action_id == action_id,
            ReviewItem.status == OPEN,
        )
        .values(status=RESOLVED, resolution="retry", resolved_by=who, resolved_at=at)
    )


class ItemContext(NamedTuple):
    item: ReviewItem
    decision: Decision | None
    title: str | None
    text: str | None
    action: Action | None


def items_in_context(
    session: Session, project_id: int, item_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, ItemContext]:
    """Items with their decision, post and action, in one query."""
    rows = session.execute(
        select(ReviewItem, Decision, Event.title, Event.text, Action)
        .outerjoin(
            Decision, and_(Decision.id == ReviewItem.decision_id, Decision.project_id == project_id)
        )
        .outerjoin(Event, and_(Event.id == ReviewItem.event_id, Event.project_id == project_id))
        .outerjoin(Action, and_(Action.id == ReviewItem.action_id, Action.project_id == project_id))
        .where(ReviewItem.project_id == project_id, ReviewItem.id.in_(item_ids))
    )
    return {row[0].id: ItemContext(*row) for row in rows}

"""Reads for the dashboard's user pages: the last action on each of a page of users."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from spamward.storage.models import Action


def last_actions(session: Session, project_id: int, user_ids: Collection[str]) -> list[Action]:
    """The newest action on each of `user_ids`, in one query (read by user on the
    (project_id, user_id) index, ranked newest first within each user)."""
    if not user_ids:
        return []
    rank = (
        func.row_number()
        .over(partition_by=Action.user_id, order_by=(Action.created_at.desc(), Action.id))
        .label("rank")
    )
    ranked = (
        select(Action, rank)
        .where(Action.project_id == project_id, Action.user_id.in_(list(user_ids)))
        .subquery()
    )
    latest = aliased(Action, ranked)
    return list(session.scalars(select(latest).where(ranked.c.rank == 1)))

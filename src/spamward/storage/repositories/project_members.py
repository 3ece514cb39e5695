"""A project's moderators: who has a role in it, and changes to that role. Granting one
is moderators.grant_role; accounts themselves are moderators.insert_moderator."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from spamward.storage.models import Membership, Moderator


def members(
    session: Session, project_id: int, limit: int, offset: int
) -> list[tuple[Moderator, str]]:
    """The project's moderators with their role, by e-mail."""
    rows = session.execute(
        select(Moderator, Membership.role)
        .join(Membership, Membership.moderator_id == Moderator.id)
        .where(Membership.project_id == project_id)
        .order_by(Moderator.email)
        .limit(limit)
        .offset(offset)
    )
    return [(moderator, role) for moderator, role in rows]


def membership(session: Session, project_id: int, moderator_id: int) -> Membership | None:
    return session.get(Membership, (moderator_id, project_id))


def remove(session: Session, project_id: int, moderator_id: int) -> None:
    session.execute(
        delete(Membership).where(
            Membership.project_id == project_id, Membership.moderator_id == moderator_id
        )
    )

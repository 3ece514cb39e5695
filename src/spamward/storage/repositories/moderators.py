from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from spamward.storage.models import Membership, Moderator, Project, table_of
from spamward.storage.upsert import dialect_insert, dialect_of


def moderator_by_email(session: Session, email: str) -> Moderator | None:
    return session.scalar(select(Moderator).where(Moderator.email == email))


def moderator_by_id(session: Session, moderator_id: int) -> Moderator | None:
    return session.get(Moderator, moderator_id)


def insert_moderator(session: Session, email: str, password_hash: str, at: datetime) -> Moderator:
    moderator = Moderator(email=email, password_hash=password_hash, created_at=at)
    session.add(moderator)
    session.flush()
    return moderator


def grant_role(session: Session, project_id: int, moderator_id: int, role: str) -> None:
    statement = dialect_insert(dialect_of(session), table_of(Membership)).values(
        moderator_id=moderator_id, project_id=project_id, role=role
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["moderator_id", "project_id"], set_={"role": role}
        )
    )


def projects_of(session: Session, moderator_id: int) -> list[tuple[Project, str]]:
    rows = session.execute(
        select(Project, Membership.role)
        .join(Membership, Membership.project_id == Project.id)
        .where(Membership.moderator_id == moderator_id)
        .order_by(Project.name)
    )
    return [(project, role) for project, role in rows]


def end_sessions(session: Session, moderator_id: int) -> None:
    session.execute(
        update(Moderator)
        .where(Moderator.id == moderator_id)
        .values(session_epoch=Moderator.session_epoch + 1)
    )


def set_password(session: Session, email: str, password_hash: str) -> bool:
    """A new password hash, and every session ended; whether the moderator exists."""
    changed = session.scalars(
        update(Moderator)
        .where(Moderator.email == email)
        .values(password_hash=password_hash, session_epoch=Moderator.session_epoch + 1)
        .returning(Moderator.id)
    )
    return changed.first() is not None

"""Policies: each project's draft, its published versions, and which one is live."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from spamward.storage.models import PolicyDraft, PolicyVersion, Project


def live_version_number(session: Session, project_id: int) -> int:
    number = session.scalar(select(Project.policy_version).where(Project.id == project_id))
    return number or 0


def version(session: Session, project_id: int, number: int) -> PolicyVersion | None:
    return session.scalar(
        select(PolicyVersion).where(
            PolicyVersion.project_id == project_id, PolicyVersion.number == number
        )
    )


def versions(session: Session, project_id: int) -> list[PolicyVersion]:
    return list(
        session.scalars(
            select(PolicyVersion)
            .where(PolicyVersion.project_id == project_id)
            .order_by(PolicyVersion.number.desc())
        )
    )


def insert_version(
    session: Session, project_id: int, document: dict[str, Any], note: str, who: str, at: datetime
) -> PolicyVersion:
    """A new version, numbered after the last, made live in the same transaction."""
    last = session.scalar(
        select(func.max(PolicyVersion.number)).where(PolicyVersion.project_id == project_id)
    )
    row = PolicyVersion(
        project_id=project_id,
        number=(last or 0) + 1,
        document=document,
        note=note,
        published_at=at,
        published_by=who,
    )
    session.add(row)
    session.flush()
    session.execute(
        update(Project).where(Project.id == project_id).values(policy_version=row.number)
    )
    return row


def draft(session: Session, project_id: int, *, for_update: bool = False) -> PolicyDraft | None:
    """The draft; `for_update` locks it on PostgreSQL until the transaction ends, so two
    edits at once apply one after the other (SQLite's writes are serial anyway)."""
    return session.get(PolicyDraft, project_id, with_for_update=for_update)


def save_draft(
    session: Session, project_id: int, document: dict[str, Any], who: str, at: datetime
) -> PolicyDraft:
    row = session.get(PolicyDraft, project_id)
    if row is None:
        row = PolicyDraft(project_id=project_id, document=document, updated_at=at, updated_by=who)
        session.add(row)
    else:
        row.document, row.updated_at, row.updated_by = document, at, who
    session.flush()
    return row


def current_documents(session: Session, project_id: int) -> list[dict[str, Any]]:
    """The draft's and the live version's documents (those a change can still affect)."""
    documents = []
    row = draft(session, project_id)
    if row is not None:
        documents.append(row.document)
    live = version(session, project_id, live_version_number(session, project_id))
    if live is not None:
        documents.append(live.document)
    return documents

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from spamward.domain.decision import ListName
from spamward.domain.entity import EntityKind
from spamward.storage.models import ListChange, ListEntry

EntityKey = tuple[EntityKind, str]


def insert_entry(
    session: Session,
    project_id: int,
    list_name: ListName,
    kind: EntityKind,
    value: str,
    display: str,
    note: str | None,
    at: datetime,
    *,
    who: str,
    expires_at: datetime | None,
) -> ListEntry:
    entry = ListEntry(
        project_id=project_id,
        list=list_name.value,
        kind=kind.value,
        value=value,
        display=display,
        note=note,
        created_at=at,
        created_by=who,
        expires_at=expires_at,
    )
    session.add(entry)
    session.flush()
    return entry


def entry_by_value(
    session: Session, project_id: int, kind: EntityKind, value: str
) -> ListEntry | None:
    return session.scalar(
        select(ListEntry).where(
            ListEntry.project_id == project_id, ListEntry.kind == kind, ListEntry.value == value
        )
    )


def entries(
    session: Session,
    project_id: int,
    list_name: ListName,
    kind: EntityKind | None,
    limit: int,
    offset: int,
    now: datetime,
) -> list[ListEntry]:
    query = select(ListEntry).where(
        ListEntry.project_id == project_id,
        ListEntry.list == list_name.value,
        or_(ListEntry.expires_at.is_(None), ListEntry.expires_at > now),
    )
    if kind is not None:
        query = query.where(ListEntry.kind == kind.value)
    query = query.order_by(ListEntry.created_at.desc(), ListEntry.id.desc())
    return list(session.scalars(query.limit(limit).offset(offset)))


def delete_entry(
    session: Session, project_id: int, list_name: ListName, entry_id: int
) -> ListEntry | None:
    """Delete an entry; the deleted entry, or None when there was none."""
    entry = session.scalar(
        select(ListEntry).where(
            ListEntry.project_id == project_id,
            ListEntry.list == list_name.value,
            ListEntry.id == entry_id,
        )
    )
    if entry is not None:
        session.delete(entry)
    return entry


def delete_expired(session: Session, project_id: int, now: datetime) -> int:
    result = session.execute(
        delete(ListEntry).where(ListEntry.project_id == project_id, ListEntry.expires_at <= now)
    )
    return int(getattr(result, "rowcount", 0))


def purge_changes(session: Session, project_id: int, before: datetime) -> None:
    """Forget list changes older than `before`: a process behind that far loads whole."""
    session.execute(
        delete(ListChange).where(
            ListChange.project_id == project_id, ListChange.changed_at < before
        )
    )

"""Allow, Deny and Ignore lists per project.

Listing an entity takes it (and, for a domain, every URL and address under it) out of its
tab at once; it takes no action on posts by itself: rules read the lists. Deleting an entry
changes nothing until the entity is posted again, which brings it back to its tab. An
ignore entry expires after the project's `ignore_days`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from spamward.domain.decision import ListName
from spamward.domain.entity import Entity, EntityKind
from spamward.errors import Conflict, NotFound, SpamwardError
from spamward.runtime import Runtime
from spamward.services.labels import label_listed_posts
from spamward.storage.models import ListEntry
from spamward.storage.repositories import lists as repo
from spamward.storage.repositories import moderation
from spamward.storage.repositories.projects import project_settings
from spamward.text.canonical import canonical_entity


@dataclass(frozen=True, slots=True)
class ListEntryView:
    id: int
    list: str
    kind: str
    value: str
    display: str
    note: str | None
    created_at: datetime
    created_by: str | None
    expires_at: datetime | None
    probation: bool = False  # a deny entry an action added: lapses at expires_at

    @classmethod
    def of(cls, row: ListEntry) -> ListEntryView:
        return cls(
            row.id,
            row.list,
            row.kind,
            row.value,
            row.display,
            row.note,
            row.created_at,
            row.created_by,
            row.expires_at,
            row.probation,
        )

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "list": self.list,
            "kind": self.kind,
            "value": self.value,
            "display": self.display,
            "note": self.note,
            "created_at": self.created_at.isoformat(),
            "created_by": self.created_by,
            "expires_at": self.expires_at.isoformat() if self.expires_at else None,
            "probation": self.probation,
        }


@dataclass(frozen=True, slots=True)
class NewEntry:
    kind: EntityKind
    value: str
    note: str | None = None
    # Set when `value` is already a stored entity's key (a Spam Manager row): it is listed
    # as it is, not parsed again (a duplicate text's key is a digest, not a text).
    display: str | None = None


@dataclass(frozen=True, slots=True)
class BulkOutcome:
    added: list[ListEntryView]
    errors: list[tuple[int, SpamwardError]]  # (index in the request, why)


def add_to_list(
    runtime: Runtime,
    project_id: int,
    list_name: ListName,
    entry: NewEntry,
    who: str,
) -> ListEntryView:
    """Add one entry; an entity on another list moves to this one."""
    with runtime.database.write() as session:
        return _add(runtime, session, project_id, list_name, entry, who)


def add_many(
    runtime: Runtime, project_id: int, list_name: ListName, entries: list[NewEntry], who: str
) -> BulkOutcome:
    """Add entries in one transaction; bad ones are reported and the good ones kept."""
    outcome = BulkOutcome([], [])
    with runtime.database.write() as session:
        for index, entry in enumerate(entries):
            try:
                with session.begin_nested():
                    outcome.added.append(_add(runtime, session, project_id, list_name, entry, who))
            except SpamwardError as error:
                outcome.errors.append((index, error))
    return outcome


def _add(
    runtime: Runtime,
    session: Session,
    project_id: int,
    list_name: ListName,
    entry: NewEntry,
    who: str,
) -> ListEntryView:
    entity = _keyed(entry, runtime.settings.default_region)
    existing = repo.entry_by_value(session, project_id, entry.kind, entity.value)
    now = runtime.clock()
    if existing is not None and existing.list == list_name and not _expired(existing, now):
        raise Conflict(f"{entry.kind.value} {entity.display} is already on the {list_name} list")
    if existing is not None:
        session.delete(existing)
        session.flush()
    expires_at = _expiry(session, project_id, list_name, now)
    row = repo.insert_entry(
        session, project_id, list_name, entry.kind, entity.value, entity.display, entry.note,
        now, who=who, expires_at=expires_at,
    )  # fmt: skip
    moderation.mark_listed(session, project_id, entry.kind, entity.value, list_name.value, now)
    label_listed_posts(session, project_id, entry.kind, entity.value, list_name, who, now)
    moderation.log(
        session,
        project_id,
        who,
        f"list.{list_name}",
        now,
        kind=entry.kind.value,
        value=entity.value,
    )
    return ListEntryView.of(row)


def _keyed(entry: NewEntry, region: str) -> Entity:
    if entry.display is not None:
        return Entity(entry.kind, entry.value, entry.display)
    return canonical_entity(entry.kind, entry.value, region)


def _expiry(
    session: Session, project_id: int, list_name: ListName, now: datetime
) -> datetime | None:
    if list_name is not ListName.IGNORE:
        return None
    return now + timedelta(days=project_settings(session, project_id).ignore_days)


def _expired(entry: ListEntry, now: datetime) -> bool:
    return entry.expires_at is not None and entry.expires_at <= now


def list_entries(
    runtime: Runtime,
    project_id: int,
    list_name: ListName,
    kind: EntityKind | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[ListEntryView]:
    with runtime.database.read() as session:
        rows = repo.entries(session, project_id, list_name, kind, limit, offset, runtime.clock())
        return [ListEntryView.of(row) for row in rows]


def remove_from_list(
    runtime: Runtime, project_id: int, list_name: ListName, entry_id: int, who: str
) -> None:
    with runtime.database.write() as session:
        removed = repo.delete_entry(session, project_id, list_name, entry_id)
        if removed is None:
            raise NotFound("no such list entry")
        moderation.log(
            session, project_id, who, f"unlist.{list_name}", runtime.clock(),
            kind=removed.kind, value=removed.value,
        )  # fmt: skip

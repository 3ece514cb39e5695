"""Per-project lists. The deny list blocks any post that carries a listed entity;
a denied domain covers its subdomains and every URL and address under it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError

from spamward.domain.decision import ListName
from spamward.domain.entity import EntityKind
from spamward.errors import Conflict, NotFound
from spamward.runtime import Runtime
from spamward.storage.models import ListEntry
from spamward.storage.repositories import lists as repo
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

    @classmethod
    def of(cls, row: ListEntry) -> ListEntryView:
        return cls(row.id, row.list, row.kind, row.value, row.display, row.note, row.created_at)

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "list": self.list,
            "kind": self.kind,
            "value": self.value,
            "display": self.display,
            "note": self.note,
            "created_at": self.created_at.isoformat(),
        }


def add_to_list(
    runtime: Runtime,
    project_id: int,
    list_name: ListName,
    kind: EntityKind,
    raw_value: str,
    note: str | None = None,
) -> ListEntryView:
    entity = canonical_entity(kind, raw_value, runtime.settings.default_region)
    try:
        with runtime.database.write() as session:
            existing = repo.entry_by_value(session, project_id, kind, entity.value)
            if existing is not None:
                raise Conflict(
                    f"{kind.value} {entity.display} is already on the {existing.list} list"
                )
            row = repo.insert_entry(
                session,
                project_id,
                list_name,
                kind,
                entity.value,
                entity.display,
                note,
                datetime.now(UTC),
            )
            return ListEntryView.of(row)
    except IntegrityError as error:  # a concurrent insert of the same value
        raise Conflict(f"{kind.value} {entity.display} is already listed") from error


def list_entries(
    runtime: Runtime,
    project_id: int,
    list_name: ListName,
    kind: EntityKind | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[ListEntryView]:
    with runtime.database.read() as session:
        rows = repo.entries(session, project_id, list_name, kind, limit, offset)
        return [ListEntryView.of(row) for row in rows]


def remove_from_list(runtime: Runtime, project_id: int, list_name: ListName, entry_id: int) -> None:
    with runtime.database.write() as session:
        if not repo.delete_entry(session, project_id, list_name, entry_id):
            raise NotFound("no such list entry")

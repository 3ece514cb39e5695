"""A project's IP/CIDR allow and deny lists; rules read them as `actor.ip_list`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from spamward.domain.decision import ListName
from spamward.errors import Conflict, NotFound, ValidationFailed
from spamward.runtime import Runtime
from spamward.signals.ip_lists import canonical_network
from spamward.storage.models import IpListEntry
from spamward.storage.repositories import ip_lists as repo
from spamward.storage.repositories import moderation

IP_LISTS = (ListName.ALLOW, ListName.DENY)


@dataclass(frozen=True, slots=True)
class IpEntryView:
    id: int
    list: str
    network: str
    note: str | None
    created_at: datetime
    created_by: str

    @classmethod
    def of(cls, row: IpListEntry) -> IpEntryView:
        return cls(row.id, row.list, row.network, row.note, row.created_at, row.created_by)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "list": self.list,
            "network": self.network,
            "note": self.note,
            "created_at": self.created_at.isoformat(),
            "created_by": self.created_by,
        }


def add_ip_entry(
    runtime: Runtime, project_id: int, list_name: ListName, value: str, note: str | None,
    who: str,
) -> IpEntryView:  # fmt: skip
    try:
        network = canonical_network(value)
    except ValueError:
        raise ValidationFailed(f"{value!r} is not an IP address or CIDR network") from None
    now = runtime.clock()
    with runtime.database.write() as session:
        existing = repo.entry_by_network(session, project_id, network)
        if existing is not None:
            raise Conflict(f"{network} is already on the {existing.list} list")
        row = repo.insert_entry(session, project_id, list_name.value, network, note, who, now)
        moderation.log(session, project_id, who, "ip_listed", now, list=list_name.value,
                       network=network)  # fmt: skip
        return IpEntryView.of(row)


def remove_ip_entry(
    runtime: Runtime, project_id: int, list_name: ListName, entry_id: int, who: str
) -> None:
    now = runtime.clock()
    with runtime.database.write() as session:
        row = repo.delete_entry(session, project_id, list_name.value, entry_id)
        if row is None:
            raise NotFound("no such entry on this list")
        moderation.log(session, project_id, who, "ip_unlisted", now, list=list_name.value,
                       network=row.network)  # fmt: skip


def ip_entries(
    runtime: Runtime, project_id: int, list_name: ListName, limit: int, offset: int
) -> list[IpEntryView]:
    with runtime.database.read() as session:
        rows = repo.entries(session, project_id, list_name.value, limit, offset)
        return [IpEntryView.of(row) for row in rows]

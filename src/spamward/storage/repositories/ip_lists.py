"""IP/CIDR allow and deny lists, looked up by the networks that contain an address."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from spamward.storage.models import IpListEntry


def insert_entry(
    session: Session, project_id: int, list_name: str, network: str, note: str | None,
    who: str, at: datetime,
) -> IpListEntry:  # fmt: skip
    entry = IpListEntry(
        project_id=project_id, list=list_name, network=network, note=note, created_at=at,
        created_by=who,
    )  # fmt: skip
    session.add(entry)
    session.flush()
    return entry


def entry_by_network(session: Session, project_id: int, network: str) -> IpListEntry | None:
    return session.scalar(
        select(IpListEntry).where(
            IpListEntry.project_id == project_id, IpListEntry.network == network
        )
    )


def entries(
    session: Session, project_id: int, list_name: str, limit: int, offset: int
) -> list[IpListEntry]:
    query = (
        select(IpListEntry)
        .where(IpListEntry.project_id == project_id, IpListEntry.list == list_name)
        .order_by(IpListEntry.created_at.desc(), IpListEntry.id.desc())
    )
    return list(session.scalars(query.limit(limit).offset(offset)))


def delete_entry(
    session: Session, project_id: int, list_name: str, entry_id: int
) -> IpListEntry | None:
    entry = session.scalar(
        select(IpListEntry).where(
            IpListEntry.project_id == project_id,
            IpListEntry.list == list_name,
            IpListEntry.id == entry_id,
        )
    )
    if entry is not None:
        session.delete(entry)
    return entry


def project_networks(session: Session, project_id: int) -> list[tuple[str, str]]:
    """Every (network, list) entry of the project's IP lists."""
    rows = session.execute(
        select(IpListEntry.network, IpListEntry.list).where(IpListEntry.project_id == project_id)
    )
    return [(str(network), str(name)) for network, name in rows]

"""Published policy versions, a page at a time and without their documents."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from spamward.storage.models import PolicyVersion

VersionRow = tuple[int, str, datetime, str]  # number, note, published_at, published_by


def version_page(session: Session, project_id: int, limit: int, offset: int) -> list[VersionRow]:
    """Newest first, by the (project_id, number) unique index."""
    rows = session.execute(
        select(PolicyVersion.number, PolicyVersion.note, PolicyVersion.published_at,
               PolicyVersion.published_by)
        .where(PolicyVersion.project_id == project_id)
        .order_by(PolicyVersion.number.desc())
        .limit(limit)
        .offset(offset)
    )  # fmt: skip
    return [(number, note, at, by) for number, note, at, by in rows]

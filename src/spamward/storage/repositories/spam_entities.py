"""Entities by id, for listing the rows a moderator picked in the Spam Manager."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from spamward.storage.models import Entity


def entities_by_id(session: Session, project_id: int, entity_ids: Sequence[int]) -> list[Entity]:
    """The project's entities among `entity_ids` (another project's ids are not found)."""
    if not entity_ids:
        return []
    return list(
        session.scalars(
            select(Entity).where(Entity.project_id == project_id, Entity.id.in_(entity_ids))
        )
    )

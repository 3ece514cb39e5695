"""A project's API keys as the settings page lists them, and revocation. Creation is
projects.insert_api_key; authentication reads live keys only (projects.live_key)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from spamward.storage.models import ApiKey


def keys(session: Session, project_id: int, limit: int, offset: int) -> list[ApiKey]:
    """Newest first, revoked ones too."""
    return list(
        session.scalars(
            select(ApiKey)
            .where(ApiKey.project_id == project_id)
            .order_by(ApiKey.created_at.desc(), ApiKey.id.desc())
            .limit(limit)
            .offset(offset)
        )
    )


def key(session: Session, project_id: int, key_id: int) -> ApiKey | None:
    return session.scalar(
        select(ApiKey).where(ApiKey.project_id == project_id, ApiKey.id == key_id)
    )


def revoke(session: Session, key: ApiKey, at: datetime) -> None:
    key.revoked_at = at

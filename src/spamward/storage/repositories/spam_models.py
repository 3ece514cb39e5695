"""Spam models retrained for a project, and which one its decisions use."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from spamward.storage.models import Project, SpamModelVersion


def model_version(session: Session, project_id: int, version: int) -> SpamModelVersion | None:
    return session.scalar(
        select(SpamModelVersion).where(
            SpamModelVersion.project_id == project_id, SpamModelVersion.version == version
        )
    )


def live_version(session: Session, project_id: int) -> int:
    number = session.scalar(select(Project.spam_model_version).where(Project.id == project_id))
    return number or 0


def insert_model(
    session: Session, project_id: int, model: bytes, record: dict[str, Any], who: str,
    at: datetime,
) -> int:  # fmt: skip
    """Store a model as the project's next version and make it live; its version."""
    last = session.scalar(
        select(func.max(SpamModelVersion.version)).where(SpamModelVersion.project_id == project_id)
    )
    version = (last or 0) + 1
    session.add(
        SpamModelVersion(
            project_id=project_id,
            version=version,
            model=model,
            record=record,
            created_at=at,
            created_by=who,
        )
    )
    session.execute(
        update(Project).where(Project.id == project_id).values(spam_model_version=version)
    )
    return version

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from spamward.storage.models import ApiKey, Project


def insert_project(session: Session, name: str, at: datetime) -> Project:
    project = Project(name=name, created_at=at)
    session.add(project)
    session.flush()
    return project


def project_by_name(session: Session, name: str) -> Project | None:
    return session.scalar(select(Project).where(Project.name == name))


def insert_api_key(
    session: Session,
    project_id: int,
    name: str,
    prefix: str,
    key_hash: str,
    at: datetime,
    scope: str = "admin",
) -> ApiKey:
    key = ApiKey(project_id=project_id, name=name, prefix=prefix, key_hash=key_hash,
                 scope=scope, created_at=at)  # fmt: skip
    session.add(key)
    session.flush()
    return key


def live_key(session: Session, key_hash: str) -> ApiKey | None:
    """The live key with this hash: its project scopes every API call."""
    return session.scalar(
        select(ApiKey).where(ApiKey.key_hash == key_hash, ApiKey.revoked_at.is_(None))
    )


def project_settings(session: Session, project_id: int) -> Project:
    """The project row, whose columns are its Spam Manager settings."""
    project = session.get(Project, project_id)
    if project is None:
        raise LookupError(f"no project {project_id}")
    return project

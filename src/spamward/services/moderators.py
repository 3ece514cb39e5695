"""Moderator accounts: argon2-hashed passwords and a role per project."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.exc import IntegrityError

from spamward.errors import Conflict, NotFound, ValidationFailed
from spamward.services.projects import ProjectRef, find_project
from spamward.storage.db import Database
from spamward.storage.models import Moderator, Project
from spamward.storage.repositories import moderators as repo

_HASHER = PasswordHasher()
# Verifying against this keeps the time of an unknown e-mail equal to a wrong password.
_DUMMY_HASH = _HASHER.hash("not a real password")


class Role(StrEnum):
    ADMIN = "admin"
    MODERATOR = "moderator"
    VIEWER = "viewer"


@dataclass(frozen=True, slots=True)
class ModeratorRef:
    id: int
    email: str
    session_epoch: int = 0  # a session started under an older epoch was signed out


@dataclass(frozen=True, slots=True)
class ProjectRole:
    project: ProjectRef
    role: Role


def create_moderator(
    database: Database, email: str, password: str, project_name: str, role: Role
) -> ModeratorRef:
    email = email.strip().lower()
    if len(email) > 254 or "@" not in email.strip("@"):
        raise ValidationFailed(f"{email!r} is not an e-mail address")
    project = find_project(database, project_name)
    try:
        with database.write() as session:
            moderator = repo.insert_moderator(
                session, email, _HASHER.hash(password), datetime.now(UTC)
            )
            repo.grant_role(session, project.id, moderator.id, role.value)
            return ModeratorRef(moderator.id, moderator.email)
    except IntegrityError as error:
        raise Conflict(f"moderator {email!r} already exists") from error


def authenticate(database: Database, email: str, password: str) -> ModeratorRef | None:
    with database.read() as session:
        moderator = repo.moderator_by_email(session, email.strip().lower())
    stored = moderator.password_hash if moderator else _DUMMY_HASH
    try:
        _HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    return _ref(moderator) if moderator else None


def moderator_exists(database: Database, email: str) -> bool:
    with database.read() as session:
        return repo.moderator_by_email(session, email.strip().lower()) is not None


def roles_of(database: Database, moderator_id: int) -> list[ProjectRole]:
    with database.read() as session:
        return _roles(repo.projects_of(session, moderator_id))


def _roles(rows: list[tuple[Project, str]]) -> list[ProjectRole]:
    return [ProjectRole(ProjectRef(project.id, project.name), Role(role)) for project, role in rows]


def moderator_and_roles(
    database: Database, moderator_id: int
) -> tuple[ModeratorRef, list[ProjectRole]] | None:
    """The moderator and their projects, in one read: what every dashboard page needs."""
    with database.read() as session:
        moderator = repo.moderator_by_id(session, moderator_id)
        if moderator is None:
            return None
        return _ref(moderator), _roles(repo.projects_of(session, moderator_id))


def end_sessions(database: Database, moderator_id: int) -> None:
    """Sign out: every session of the moderator stops working, on every device."""
    with database.write() as session:
        repo.end_sessions(session, moderator_id)


def set_password(database: Database, email: str, password: str) -> None:
    """A new password for a moderator; every session of theirs ends (log in again)."""
    with database.write() as session:
        if not repo.set_password(session, email.strip().lower(), _HASHER.hash(password)):
            raise NotFound(f"no moderator {email!r}")


def _ref(moderator: Moderator) -> ModeratorRef:
    return ModeratorRef(moderator.id, moderator.email, moderator.session_epoch)

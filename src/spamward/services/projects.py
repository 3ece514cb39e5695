"""Projects and their API keys. Keys are shown once and stored as SHA-256 digests:
they are 256-bit random tokens, so a fast hash is safe and keeps authentication cheap."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy.exc import IntegrityError

from spamward.errors import Conflict, NotFound, Unauthorized, ValidationFailed
from spamward.runtime import Runtime
from spamward.services.policies import install_default_policy
from spamward.storage.db import Database
from spamward.storage.repositories import projects as repo

KEY_PREFIX = "sw_"


class KeyScope(StrEnum):
    """What a key may do: `ingest` sends events and reads their decisions (the key a site's
    servers hold); `admin` may also read and change lists, rules, settings and accounts."""

    ADMIN = "admin"
    INGEST = "ingest"


@dataclass(frozen=True, slots=True)
class ProjectRef:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class NewApiKey:
    project: ProjectRef
    name: str
    token: str  # shown once, never stored
    scope: KeyScope


_PROJECT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


def create_project(database: Database, name: str) -> ProjectRef:
    if not _PROJECT_NAME.fullmatch(name):
        raise ValidationFailed(
            "a project name is 1 to 100 letters, digits, '.', '_' or '-', starting with a "
            "letter or digit"
        )
    try:
        with database.write() as session:
            now = datetime.now(UTC)
            project = repo.insert_project(session, name, now)
            install_default_policy(session, project.id, now)
            return ProjectRef(project.id, project.name)
    except IntegrityError as error:
        raise Conflict(f"project {name!r} already exists") from error


def find_project(database: Database, name: str) -> ProjectRef:
    with database.read() as session:
        project = repo.project_by_name(session, name)
    if project is None:
        raise NotFound(f"no project named {name!r}")
    return ProjectRef(project.id, project.name)


def create_api_key(
    database: Database,
    project_name: str,
    key_name: str = "default",
    scope: KeyScope = KeyScope.ADMIN,
) -> NewApiKey:
    if not 0 < len(key_name) <= 100:
        raise ValidationFailed("a key name is 1 to 100 characters")
    project = find_project(database, project_name)
    token = KEY_PREFIX + secrets.token_urlsafe(32)
    with database.write() as session:
        repo.insert_api_key(session, project.id, key_name, token[:10], hash_key(token),
                            datetime.now(UTC), scope)  # fmt: skip
    return NewApiKey(project, key_name, token, scope)


@dataclass(frozen=True, slots=True)
class Caller:
    project_id: int
    who: str  # how the moderation log names this caller
    key_id: int
    scope: KeyScope


def caller_for_key(runtime: Runtime, token: str) -> Caller:
    """Who an API key speaks for; Unauthorized for an unknown or revoked key."""
    key = runtime.live_keys.get(hash_key(token))
    if key is None:
        raise Unauthorized("unknown or revoked API key")
    return Caller(key.project_id, f"api-key:{key.name}:{key.prefix}", key.id, KeyScope(key.scope))


def hash_key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()

"""A project's API keys for its admins: list, create (the token shown once) and revoke.

A revoked key stays listed, and authenticates no more from the next request on
(projects.caller_for_key reads live keys only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from spamward.errors import Conflict, NotFound
from spamward.runtime import Runtime
from spamward.services.projects import KeyScope, NewApiKey, ProjectRef, create_api_key
from spamward.storage.models import ApiKey
from spamward.storage.repositories import api_keys as repo
from spamward.storage.repositories import moderation


@dataclass(frozen=True, slots=True)
class ApiKeyView:
    id: int
    name: str
    prefix: str  # the token's first characters: enough to recognise it, not to use it
    scope: str
    created_at: datetime
    revoked_at: datetime | None


def list_keys(runtime: Runtime, project_id: int, limit: int, offset: int) -> list[ApiKeyView]:
    with runtime.database.read() as session:
        return [_view(key) for key in repo.keys(session, project_id, limit, offset)]


def create_key(
    runtime: Runtime, project: ProjectRef, name: str, who: str, scope: KeyScope
) -> NewApiKey:
    """A new key for the project; its token is in the answer and nowhere else."""
    new = create_api_key(runtime.database, project.name, name, scope)
    with runtime.database.write() as session:
        moderation.log(session, project.id, who, "api_key_created", runtime.clock(), name=name,
                       prefix=new.token[:10], scope=scope.value)  # fmt: skip
    return new


def revoke_key(runtime: Runtime, project_id: int, key_id: int, who: str) -> ApiKeyView:
    with runtime.database.write() as session:
        key = repo.key(session, project_id, key_id)
        if key is None:
            raise NotFound("no such API key in this project")
        if key.revoked_at is not None:
            raise Conflict(f"the key {key.name!r} is already revoked")
        repo.revoke(session, key, runtime.clock())
        moderation.log(session, project_id, who, "api_key_revoked", runtime.clock(),
                       name=key.name, prefix=key.prefix)  # fmt: skip
        return _view(key)


def _view(key: ApiKey) -> ApiKeyView:
    return ApiKeyView(key.id, key.name, key.prefix, key.scope, key.created_at, key.revoked_at)

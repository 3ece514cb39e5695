"""The engine's reads from storage while it decides: lists, entity counts, account status."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from sqlalchemy import bindparam, select

from spamward.domain.entity import EntityKind
from spamward.domain.facts import EntityKey
from spamward.storage.keyed import keyed_parameters, keyed_select
from spamward.storage.models import Actor, Entity
from spamward.storage.repositories.lists import StoredLists


@cache
def _counts(kinds: tuple[str, ...]) -> Any:
    counts = select(Entity.kind, Entity.value, Entity.post_count, Entity.user_count)
    return keyed_select(counts, Entity.project_id, Entity.kind, Entity.value, kinds)


_STATUS = select(Actor.status).where(
    Actor.project_id == bindparam("project_id"), Actor.external_id == bindparam("user_id")
)


class StoredSignals(StoredLists):
    """A `SignalReader` over one project's tables: each read is one indexed query."""

    def entity_counts(self, keys: Iterable[EntityKey]) -> Mapping[EntityKey, tuple[int, int]]:
        kinds, values = keyed_parameters(keys)
        if not kinds:
            return {}
        rows = self._session.execute(_counts(kinds), {"project_id": self._project_id, **values})
        return {(EntityKind(kind), value): (posts, users) for kind, value, posts, users in rows}

    def actor_status(self, user_id: str) -> str:
        parameters = {"project_id": self._project_id, "user_id": user_id}
        status = self._session.execute(_STATUS, parameters).scalar_one_or_none()
        return status or "active"

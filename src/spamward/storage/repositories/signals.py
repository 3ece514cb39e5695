"""The engine's reads from storage while it decides: entity counts and the account (lists
are held in memory: storage/held_lists.py, runtime.ip_lists)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from sqlalchemy import bindparam, select

from spamward.domain.account import effective_status
from spamward.domain.entity import EntityKind
from spamward.domain.facts import Account, EntityKey
from spamward.storage.keyed import keyed_parameters, keyed_select
from spamward.storage.models import Actor, Entity
from spamward.storage.repositories.lists import StoredLists


@cache
def _counts(kinds: tuple[str, ...]) -> Any:
    counts = select(Entity.kind, Entity.value, Entity.post_count, Entity.user_count)
    return keyed_select(counts, Entity.project_id, Entity.kind, Entity.value, kinds)


_ACCOUNT = select(
    Actor.status,
    Actor.events,
    Actor.spam_events,
    Actor.last_verdict,
    Actor.status_until,
    Actor.rate_limited_until,
).where(Actor.project_id == bindparam("project_id"), Actor.external_id == bindparam("user_id"))


class StoredSignals(StoredLists):
    """A `SignalReader` over one project's tables: each read is one indexed query."""

    def entity_counts(self, keys: Iterable[EntityKey]) -> Mapping[EntityKey, tuple[int, int]]:
        kinds, values = keyed_parameters(keys)
        if not kinds:
            return {}
        rows = self._session.execute(_counts(kinds), {"project_id": self._project_id, **values})
        return {(EntityKind(kind), value): (posts, users) for kind, value, posts, users in rows}

    def account(self, user_id: str) -> Account:
        parameters = {"project_id": self._project_id, "user_id": user_id}
        row = self._session.execute(_ACCOUNT, parameters).one_or_none()
        if row is None:
            return Account()
        status, events, spam_events, last_verdict, status_until, rate_limited_until = row
        return Account(
            effective_status(status, status_until, self._now),
            events,
            spam_events,
            last_verdict,
            rate_limited=rate_limited_until is not None and rate_limited_until > self._now,
        )

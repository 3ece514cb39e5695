"""The review queue as a moderator works through it: an item's neighbours in the queue,
the next open item once one is answered, and the lists its entities are on now."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from spamward.domain.decision import ListName
from spamward.domain.entity import EntityKind
from spamward.errors import NotFound
from spamward.runtime import Runtime
from spamward.storage.repositories import review_queue as repo
from spamward.storage.repositories import reviews as review_repo
from spamward.storage.repositories.signals import StoredSignals


@dataclass(frozen=True, slots=True)
class Neighbours:
    previous: uuid.UUID | None
    next: uuid.UUID | None


def neighbours(
    runtime: Runtime, project_id: int, item_id: uuid.UUID, kind: str | None
) -> Neighbours:
    """The items before and after this one in its queue (its status, and `kind` if given)."""
    with runtime.database.read() as session:
        row = review_repo.get(session, project_id, item_id)
        if row is None:
            raise NotFound("no such review item")
        place = (row.created_at, row.id)
        return Neighbours(
            repo.before(session, project_id, row.status, kind, *place),
            repo.after(session, project_id, row.status, kind, *place),
        )


def next_open(
    runtime: Runtime, project_id: int, item_id: uuid.UUID, kind: str | None
) -> uuid.UUID | None:
    """The open item after this one in the queue, else the queue's front: where a moderator
    goes once this one is answered."""
    with runtime.database.read() as session:
        row = review_repo.get(session, project_id, item_id)
        following = (
            repo.after(session, project_id, review_repo.OPEN, kind, row.created_at, row.id)
            if row is not None else None
        )  # fmt: skip
        return following or repo.first(session, project_id, review_repo.OPEN, kind)


def list_states(
    runtime: Runtime, project_id: int, keys: Iterable[tuple[EntityKind, str]]
) -> dict[tuple[EntityKind, str], ListName]:
    """The list each entity is on now (exact entries, unexpired), in one query."""
    with runtime.database.driver_read() as sql:
        return dict(StoredSignals(sql, project_id, runtime.clock()).listed(keys))

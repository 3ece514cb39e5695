"""An action as a worker runs it, and what can come of a run."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from spamward.remediation.catalog import ActionKind
from spamward.storage.models import Action


@dataclass(frozen=True, slots=True)
class Job:
    id: uuid.UUID  # also the idempotency key: the same on every attempt
    project_id: int
    name: str
    kind: ActionKind
    params: dict[str, Any]
    user_id: str | None
    event_id: uuid.UUID | None
    decision_id: uuid.UUID | None
    entity: tuple[str, str] | None
    rule: str | None
    requested_by: str
    attempt: int
    max_attempts: int
    created_at: datetime

    @classmethod
    def of(cls, row: Action) -> Job:
        entity = (
            (row.entity_kind, row.entity_value) if row.entity_kind and row.entity_value else None
        )
        return cls(
            row.id, row.project_id, row.name, ActionKind(row.kind), dict(row.params), row.user_id,
            row.event_id, row.decision_id, entity, row.rule, row.requested_by, row.attempts,
            row.max_attempts, row.created_at,
        )  # fmt: skip

    @property
    def idempotency_key(self) -> str:
        return str(self.id)


@dataclass(frozen=True, slots=True)
class Outcome:
    """A run that settled the action: `done`, or `skipped` with the reason nothing was done."""

    status: str
    result: dict[str, Any]

    @classmethod
    def done(cls, **result: Any) -> Outcome:
        return cls("done", result)

    @classmethod
    def skipped(cls, reason: str, **result: Any) -> Outcome:
        return cls("skipped", {"reason": reason, **result})


class ActionError(Exception):
    """A run that failed and may succeed later: the worker retries it with backoff."""


class PermanentError(ActionError):
    """A run that cannot succeed by retrying (a bad address...): fails at once."""

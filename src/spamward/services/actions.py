"""Actions for moderators and the API: run a defined action by hand, read the actions log,
retry a failed action, and the remediation figures."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from spamward.domain.entity import EntityKind
from spamward.errors import Conflict, NotFound, ValidationFailed
from spamward.remediation.catalog import CATALOG, BadParams, Target, checked_params
from spamward.remediation.enqueue import Resolved, Subject, new_action, resolve_one
from spamward.runtime import Runtime
from spamward.storage.models import Action, ActionAttempt, Actor, Event
from spamward.storage.repositories import actions as repo
from spamward.storage.repositories import moderation, reviews
from spamward.storage.repositories.actions import LogFilter
from spamward.text.canonical import canonical_entity


def action_json(row: Action, attempts: list[ActionAttempt] | None = None) -> dict[str, Any]:
    shown: dict[str, Any] = {
        "id": str(row.id),
        "name": row.name,
        "kind": row.kind,
        "params": row.params,
        "status": row.status,
        "user_id": row.user_id,
        "event_id": str(row.event_id) if row.event_id else None,
        "decision_id": str(row.decision_id) if row.decision_id else None,
        "entity": {"kind": row.entity_kind, "value": row.entity_value} if row.entity_kind else None,
        "rule": row.rule,
        "requested_by": row.requested_by,
        "attempts": row.attempts,
        "max_attempts": row.max_attempts,
        "due_at": row.due_at.isoformat() if row.status == repo.QUEUED else None,
        "result": row.result,
        "error": row.error,
        "created_at": row.created_at.isoformat(),
        "finished_at": row.finished_at.isoformat() if row.finished_at else None,
    }
    if attempts is not None:
        shown["attempt_log"] = [_attempt_json(a) for a in attempts]
    return shown


def _attempt_json(attempt: ActionAttempt) -> dict[str, Any]:
    return {
        "number": attempt.number,
        "worker": attempt.worker,
        "outcome": attempt.outcome,
        "error": attempt.error,
        "started_at": attempt.started_at.isoformat(),
        "finished_at": attempt.finished_at.isoformat() if attempt.finished_at else None,
    }


@dataclass(frozen=True, slots=True)
class ManualTarget:
    user_id: str | None = None
    event_id: uuid.UUID | None = None
    entity: tuple[EntityKind, str] | None = None


def run_action(
    runtime: Runtime, project_id: int, name: str, target: ManualTarget, who: str,
    note: str | None = None, params: dict[str, Any] | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Queue a catalog action (with `params`) or a defined one on a user, a post or an
    entity, as `who`."""
    now = runtime.clock()
    with runtime.database.write() as session:
        action = resolve_one(session, project_id, name)
        checked = _params(action, params or {})
        subject = _subject(session, project_id, target, runtime.settings.default_region)
        _check_target(action.kind.target, subject, name)
        row = new_action(project_id, action, checked, subject, who,
                         runtime.settings.action_max_attempts, now)  # fmt: skip
        repo.enqueue(session, [row])
        moderation.log(session, project_id, who, "action.run", now, name=name,
                       user_id=subject.user_id, note=note)  # fmt: skip
        shown = action_json(row)
    runtime.actions_ready.set()
    return shown


def _params(action: Resolved, params: dict[str, Any]) -> dict[str, Any]:
    if action.name not in CATALOG and params:
        raise ValidationFailed(
            f"{action.name!r} is a defined action: its parameters are fixed",
            [{"field": "params", "message": "a defined action takes none"}],
        )
    try:
        return checked_params(action.kind, {**action.params, **params})
    except BadParams as error:
        details = [{"field": "params", "message": problem} for problem in error.problems]
        raise ValidationFailed(f"invalid parameters: {error}", details) from None


def _subject(session: Session, project_id: int, target: ManualTarget, region: str) -> Subject:
    user_id, event_at = target.user_id, None
    if target.event_id is not None:
        event = session.scalar(
            select(Event).where(Event.project_id == project_id, Event.id == target.event_id)
        )
        if event is None:
            raise NotFound("no such event in this project")
        event_at = event.received_at
        if user_id is None and event.actor_id is not None:
            user_id = _user_of(session, project_id, event.actor_id)
    entity = None
    if target.entity is not None:
        canonical = canonical_entity(target.entity[0], target.entity[1], region)
        entity = (target.entity[0].value, canonical.value)
    return Subject(target.event_id, None, user_id, event_at, entity)


def _user_of(session: Session, project_id: int, actor_id: int) -> str | None:
    return session.scalar(
        select(Actor.external_id).where(Actor.project_id == project_id, Actor.id == actor_id)
    )


def _check_target(target: Target, subject: Subject, name: str) -> None:
    missing = {
        Target.USER: subject.user_id is None,
        Target.CONTENT: subject.event_id is None,
        Target.ENTITY: subject.entity is None,
    }.get(target, False)
    if missing:
        field = {"user": "user_id", "content": "event_id", "entity": "entity"}[target.value]
        problem = {"field": field, "message": "required for this action"}
        raise ValidationFailed(f"{name} acts on a {target.value}: give {field}", [problem])


def action_log(
    runtime: Runtime, project_id: int, where: LogFilter, limit: int = 50, offset: int = 0
) -> list[dict[str, Any]]:
    with runtime.database.read() as session:
        return [action_json(row) for row in repo.log(session, project_id, where, limit, offset)]


def get_action(runtime: Runtime, project_id: int, action_id: uuid.UUID) -> dict[str, Any]:
    with runtime.database.read() as session:
        row = repo.get(session, project_id, action_id)
        if row is None:
            raise NotFound("no such action")
        return action_json(row, repo.attempts(session, project_id, action_id))


def retry_action(
    runtime: Runtime, project_id: int, action_id: uuid.UUID, who: str
) -> dict[str, Any]:
    """Queue a failed or skipped action again, with as many attempts as it first had."""
    now = runtime.clock()
    with runtime.database.write() as session:
        row = repo.get(session, project_id, action_id)
        if row is None:
            raise NotFound("no such action")
        if row.status not in (repo.FAILED, repo.SKIPPED):
            raise Conflict(f"only a failed or skipped action is retried; this one is {row.status}")
        repo.requeue(session, project_id, action_id, now, runtime.settings.action_max_attempts)
        reviews.resolve_action_items(session, project_id, action_id, who, now)
        moderation.log(session, project_id, who, "action.retry", now, action_id=str(action_id))
        shown = action_json(row)
    runtime.actions_ready.set()
    return shown


def remediation_metrics(runtime: Runtime, project_id: int, since: datetime) -> dict[str, Any]:
    """Per action kind since `since`: done, skipped, failed, retries, and the mean time from
    the event to its action done (mean time to remediate); the queue's depth and age."""
    now = runtime.clock()
    with runtime.database.read() as session:
        rows = repo.finished_since(session, project_id, since)
        depth, oldest = repo.queue_depth(session, project_id, now)
    kinds: dict[str, dict[str, Any]] = {}
    for kind, status, attempts, event_at, created_at, finished_at in rows:
        figures = kinds.setdefault(kind, {"done": 0, "skipped": 0, "failed": 0, "retries": 0,
                                          "_seconds": []})  # fmt: skip
        figures[status] = figures.get(status, 0) + 1
        figures["retries"] += max(0, attempts - 1)
        if status == repo.DONE:
            figures["_seconds"].append((finished_at - (event_at or created_at)).total_seconds())
    for figures in kinds.values():
        seconds = figures.pop("_seconds")
        figures["mean_seconds_to_remediate"] = sum(seconds) / len(seconds) if seconds else None
    return {
        "since": since.isoformat(),
        "by_kind": kinds,
        "queue": {"depth": depth,
                  "oldest_age_seconds": (now - oldest).total_seconds() if oldest else None},
    }  # fmt: skip

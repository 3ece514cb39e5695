"""Queueing actions: from a decision's effects, in the transaction that records it, and
from moderators. A defined action's name is resolved here, so the log shows what ran."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from spamward.domain.decision import Decision, ListName
from spamward.domain.entity import Entity
from spamward.domain.ids import new_id
from spamward.domain.verdict import Verdict
from spamward.errors import NotFound
from spamward.remediation.catalog import CATALOG, ActionKind, Target, checked_params
from spamward.storage.models import Action
from spamward.storage.repositories import actions as repo
from spamward.storage.repositories import defined_actions, reviews


@dataclass(frozen=True, slots=True)
class Subject:
    """What an action is about: the event, its user, an entity."""

    event_id: uuid.UUID | None = None
    decision_id: uuid.UUID | None = None
    user_id: str | None = None
    event_at: datetime | None = None
    entity: tuple[str, str] | None = None  # kind, value


@dataclass(frozen=True, slots=True)
class Resolved:
    name: str
    kind: ActionKind
    params: dict[str, Any]


def resolve(session: Session, project_id: int, names: set[str]) -> dict[str, Resolved]:
    """Each name as a catalog action with its parameters; unknown names are left out."""
    resolved = {n: Resolved(n, ActionKind(n), {}) for n in names if n in CATALOG}
    for name, row in defined_actions.by_names(session, project_id, names - set(resolved)).items():
        resolved[name] = Resolved(name, ActionKind(row.kind), dict(row.params))
    return resolved


def queue_decision_actions(
    session: Session,
    project_id: int,
    decision: Decision,
    subject: Subject,
    max_attempts: int,
    now: datetime,
) -> int:
    """Queue what the decision's effects ask for, and open a review item for held content;
    the number of actions queued."""
    if decision.verdict is Verdict.HOLD:
        summary = "held: " + "; ".join(decision.reasons)
        reviews.open_new(session, project_id, "held_content", summary, now,
                         event_id=subject.event_id, decision_id=subject.decision_id,
                         user_id=subject.user_id)  # fmt: skip
    if not decision.effects:
        return 0
    names = {effect.action for effect in decision.effects}
    resolved = resolve(session, project_id, names)
    queued: list[Action] = []
    for effect in decision.effects:
        action = resolved.get(effect.action)
        if action is None:  # deleted since the policy was saved: the log shows it
            action = Resolved(effect.action, ActionKind.ESCALATE, {"reason": "unknown action"})
        params = checked_params(action.kind, {**action.params, **effect.params})
        for target in _targets(action.kind, params, decision, subject):
            queued.append(
                new_action(project_id, action, params, target, f"rule:{effect.rule}",
                           max_attempts, now, rule=effect.rule)
            )  # fmt: skip
    repo.enqueue(session, queued)
    return len(queued)


def _targets(
    kind: ActionKind, params: dict[str, Any], decision: Decision, subject: Subject
) -> list[Subject]:
    """One subject per action to queue: a deny_entity action per entity of its kinds not on
    the allow list, else the decision's subject."""
    if kind.target is not Target.ENTITY:
        return [subject]
    kinds = set(params.get("kinds", ["domain"]))
    return [
        Subject(subject.event_id, subject.decision_id, subject.user_id, subject.event_at,
                (entity.kind.value, entity.value))
        for entity in _unique(decision.entities)
        if entity.kind.value in kinds
        and decision.list_status.get(entity.key) is not ListName.ALLOW
    ]  # fmt: skip


def _unique(entities: tuple[Entity, ...]) -> list[Entity]:
    return list({entity.key: entity for entity in entities}.values())


def new_action(
    project_id: int,
    action: Resolved,
    params: dict[str, Any],
    subject: Subject,
    requested_by: str,
    max_attempts: int,
    now: datetime,
    *,
    rule: str | None = None,
) -> Action:
    return Action(
        id=new_id(), project_id=project_id, name=action.name, kind=action.kind.value,
        params=params, user_id=subject.user_id, event_id=subject.event_id,
        decision_id=subject.decision_id,
        entity_kind=subject.entity[0] if subject.entity else None,
        entity_value=subject.entity[1] if subject.entity else None,
        rule=rule, requested_by=requested_by, status=repo.QUEUED, attempts=0,
        max_attempts=max_attempts, due_at=now, event_at=subject.event_at, created_at=now,
    )  # fmt: skip


def resolve_one(session: Session, project_id: int, name: str) -> Resolved:
    found = resolve(session, project_id, {name}).get(name)
    if found is None:
        raise NotFound(f"no action named {name!r}: neither in the catalog nor defined")
    return found

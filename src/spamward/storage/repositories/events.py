"""Writing decided events in batches: each table of a batch of decisions is written with one
multi-row statement, so the cost per statement is paid once per batch, not per decision.

Rows that several decisions of a batch touch (an actor posting twice, an entity in many
posts) are merged before the statement: an upsert may change each row once."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Connection, case, func, insert
from sqlalchemy.orm import Session

from spamward.domain.entity import Entity
from spamward.domain.event import Event
from spamward.storage import models
from spamward.storage.models import table_of
from spamward.storage.repositories.aggregates import count_posts
from spamward.storage.upsert import dialect_insert

SPAM_VERDICTS = frozenset({"hold", "block"})  # what counts as spam in an account's history

ActorKey = tuple[int, str]  # project, the site's user id
EntityRowKey = tuple[int, str, str]  # project, kind, value


@dataclass(frozen=True, slots=True)
class PostedEntity:
    entity: Entity
    list_state: str | None  # the list it is on at this post, itself or through its domain


@dataclass(frozen=True, slots=True)
class DecidedEvent:
    """One decision to store with its event and the entities its post carried."""

    project_id: int
    event_id: uuid.UUID
    decision_id: uuid.UUID
    event: Event
    entities: Sequence[PostedEntity]
    verdict: str
    score: float
    trace: dict[str, Any]
    duration_us: float
    policy_version: int
    shadow_hits: Sequence[tuple[str, str]]  # shadow rules that hit, each with its would-be
    received_at: datetime
    in_window: bool  # posted inside the project's window: counted in the Spam Manager


def record_events(session: Session, batch: Sequence[DecidedEvent]) -> None:
    """Store a batch's events, actors, entities, occurrences, window counters, decisions and
    shadow hits, in the session's transaction."""
    connection = session.connection()
    actor_ids = _upsert_actors(connection, batch)
    actors = [_actor_id(item, actor_ids) for item in batch]
    connection.execute(
        insert(table_of(models.Event)),
        [_event_row(item, actor_id) for item, actor_id in zip(batch, actors, strict=True)],
    )
    entity_ids = _upsert_entities(connection, batch)
    occurrences = [
        (item, entity_ids[_entity_key(item.project_id, posted.entity)], actor_id)
        for item, actor_id in zip(batch, actors, strict=True)
        for posted in _unique(item.entities)
    ]
    if occurrences:
        connection.execute(
            insert(table_of(models.EntityOccurrence)),
            [_occurrence_row(item, entity_id, actor) for item, entity_id, actor in occurrences],
        )
    count_posts(
        connection,
        [(item.project_id, e, actor, item.event.occurred_at) for item, e, actor in occurrences
         if item.in_window],
    )  # fmt: skip
    connection.execute(insert(table_of(models.Decision)), [_decision_row(i) for i in batch])
    shadow_hits = [_shadow_row(item, rule, would_be) for item in batch
                   for rule, would_be in item.shadow_hits]  # fmt: skip
    if shadow_hits:
        connection.execute(insert(table_of(models.ShadowHit)), shadow_hits)


def _actor_id(item: DecidedEvent, actor_ids: dict[ActorKey, int]) -> int | None:
    user_id = item.event.actor.user_id
    return None if user_id is None else actor_ids[(item.project_id, user_id)]


def _upsert_actors(connection: Connection, batch: Sequence[DecidedEvent]) -> dict[ActorKey, int]:
    """Each actor's id, with the batch's events counted in its history."""
    rows: dict[ActorKey, dict[str, Any]] = {}
    for item in batch:
        actor = item.event.actor
        if actor.user_id is None:
            continue
        spam = int(item.verdict in SPAM_VERDICTS)
        row = rows.get((item.project_id, actor.user_id))
        if row is None:
            rows[(item.project_id, actor.user_id)] = {
                "project_id": item.project_id, "external_id": actor.user_id,
                "email": actor.email, "first_seen_at": item.received_at,
                "last_seen_at": item.received_at, "events": 1, "spam_events": spam,
                "last_verdict": item.verdict,
            }  # fmt: skip
            continue
        row["email"] = actor.email or row["email"]
        row["last_seen_at"] = item.received_at
        row["events"] += 1
        row["spam_events"] += spam
        row["last_verdict"] = item.verdict
    if not rows:
        return {}
    returned = connection.execute(_actor_upsert(connection.dialect.name), list(rows.values()))
    return {(project_id, user_id): actor_id for actor_id, project_id, user_id in returned}


def _upsert_entities(
    connection: Connection, batch: Sequence[DecidedEvent]
) -> dict[EntityRowKey, int]:
    """The ids of the batch's entities: new ones created, the others' first and last seen,
    window count and list state brought up to date."""
    rows: dict[EntityRowKey, dict[str, Any]] = {}
    for item in batch:
        posted_at = item.event.occurred_at
        for posted in _unique(item.entities):
            entity = posted.entity
            key = _entity_key(item.project_id, entity)
            row = rows.get(key)
            if row is None:
                rows[key] = {
                    "project_id": item.project_id, "kind": entity.kind.value,
                    "value": entity.value, "display": entity.display, "host": entity.domain,
                    "list_state": posted.list_state, "first_seen_at": posted_at,
                    "last_seen_at": posted_at, "post_count": int(item.in_window),
                }  # fmt: skip
                continue
            row["first_seen_at"] = min(row["first_seen_at"], posted_at)
            row["last_seen_at"] = max(row["last_seen_at"], posted_at)
            row["post_count"] += int(item.in_window)
    if not rows:
        return {}
    returned = connection.execute(_entity_upsert(connection.dialect.name), list(rows.values()))
    return {(project_id, kind, value): id_ for id_, project_id, kind, value in returned}


def _entity_key(project_id: int, entity: Entity) -> EntityRowKey:
    return (project_id, entity.kind.value, entity.value)


def _unique(entities: Sequence[PostedEntity]) -> list[PostedEntity]:
    return list({posted.entity.key: posted for posted in entities}.values())


def _event_row(item: DecidedEvent, actor_id: int | None) -> dict[str, Any]:
    event = item.event
    actor, content = event.actor, event.content
    return {
        "id": item.event_id,
        "project_id": item.project_id,
        "type": event.type.value,
        "actor_id": actor_id,
        "external_id": event.external_id,
        "ip": actor.ip,
        "user_agent": actor.user_agent,
        "country": actor.country,
        "title": content.title,
        "text": content.text,
        "context": event.context,
        "occurred_at": event.occurred_at,
        "received_at": item.received_at,
    }


def _occurrence_row(item: DecidedEvent, entity_id: int, actor_id: int | None) -> dict[str, Any]:
    return {
        "event_id": item.event_id,
        "entity_id": entity_id,
        "project_id": item.project_id,
        "actor_id": actor_id,
        "occurred_at": item.event.occurred_at,
    }


def _decision_row(item: DecidedEvent) -> dict[str, Any]:
    return {
        "id": item.decision_id,
        "project_id": item.project_id,
        "event_id": item.event_id,
        "verdict": item.verdict,
        "score": item.score,
        "trace": item.trace,
        "duration_us": item.duration_us,
        "policy_version": item.policy_version,
        "created_at": item.received_at,
    }


def _shadow_row(item: DecidedEvent, rule: str, would_be: str) -> dict[str, Any]:
    return {
        "project_id": item.project_id,
        "decision_id": item.decision_id,
        "rule": rule,
        "policy_version": item.policy_version,
        "verdict": item.verdict,
        "would_be": would_be,
        "at": item.received_at,
    }


# Upserts are built once per dialect and run with parameters: SQLAlchemy then reuses their
# compiled form instead of building and compiling a statement for every batch. They return
# each row's key with its id: one multi-row statement, in whatever order the rows come back.
@cache
def _actor_upsert(dialect: str) -> Any:
    table = table_of(models.Actor)
    statement = dialect_insert(dialect, table)
    new = statement.excluded
    return statement.on_conflict_do_update(
        index_elements=["project_id", "external_id"],
        set_={
            "last_seen_at": new.last_seen_at,
            "email": func.coalesce(new.email, table.c.email),
            "events": table.c.events + new.events,
            "spam_events": table.c.spam_events + new.spam_events,
            "last_verdict": new.last_verdict,
        },
    ).returning(table.c.id, table.c.project_id, table.c.external_id)


@cache
def _entity_upsert(dialect: str) -> Any:
    table = table_of(models.Entity)
    statement = dialect_insert(dialect, table)
    new = statement.excluded
    return statement.on_conflict_do_update(
        index_elements=["project_id", "kind", "value"],
        set_={
            "last_seen_at": case(
                (new.last_seen_at > table.c.last_seen_at, new.last_seen_at),
                else_=table.c.last_seen_at,
            ),
            "first_seen_at": case(
                (new.first_seen_at < table.c.first_seen_at, new.first_seen_at),
                else_=table.c.first_seen_at,
            ),
            "post_count": table.c.post_count + new.post_count,
            "list_state": new.list_state,
        },
    ).returning(table.c.id, table.c.project_id, table.c.kind, table.c.value)

"""Writing decided events in batches: each table of a batch of decisions is written with one
multi-row statement (or one executemany), so the cost per statement is paid once per batch,
not per decision. They run on the driver's connection (storage/driver_sql.py): SQLAlchemy's
handling of each row would cost more than the database's.

Rows that several decisions of a batch touch (an actor posting twice, an entity in many
posts) are merged before the statement: an upsert may change each row once."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from spamward.domain.entity import Entity
from spamward.domain.event import Event
from spamward.storage.driver_sql import DriverSql
from spamward.storage.repositories.aggregates import count_posts

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
    sql = DriverSql.in_session(session)
    actor_ids = _upsert_actors(sql, batch)
    actors = [_actor_id(item, actor_ids) for item in batch]
    sql.many(_INSERT_EVENT, [_event_row(sql, i, a) for i, a in zip(batch, actors, strict=True)])
    entity_ids = _upsert_entities(sql, batch)
    occurrences = [
        (item, entity_ids[_entity_key(item.project_id, posted.entity)], actor_id)
        for item, actor_id in zip(batch, actors, strict=True)
        for posted in _unique(item.entities)
    ]
    sql.many(_INSERT_OCCURRENCE, [_occurrence_row(sql, i, e, a) for i, e, a in occurrences])
    count_posts(
        sql,
        [(item.project_id, e, actor, item.event.occurred_at) for item, e, actor in occurrences
         if item.in_window],
    )  # fmt: skip
    sql.many(_INSERT_DECISION, [_decision_row(sql, item) for item in batch])
    shadow_hits = [_shadow_row(sql, item, rule, would_be) for item in batch
                   for rule, would_be in item.shadow_hits]  # fmt: skip
    sql.many(_INSERT_SHADOW_HIT, shadow_hits)


def _actor_id(item: DecidedEvent, actor_ids: dict[ActorKey, int]) -> int | None:
    user_id = item.event.actor.user_id
    return None if user_id is None else actor_ids[(item.project_id, user_id)]


def _upsert_actors(sql: DriverSql, batch: Sequence[DecidedEvent]) -> dict[ActorKey, int]:
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
                "email": actor.email, "first_seen_at": sql.time(item.received_at),
                "last_seen_at": sql.time(item.received_at), "events": 1, "spam_events": spam,
                "last_verdict": item.verdict,
            }  # fmt: skip
            continue
        row["email"] = actor.email or row["email"]
        row["last_seen_at"] = sql.time(item.received_at)
        row["events"] += 1
        row["spam_events"] += spam
        row["last_verdict"] = item.verdict
    if not rows:
        return {}
    returned = sql.values(_INSERT_ACTOR, _ACTOR_COLUMNS, list(rows.values()), _ACTOR_CONFLICT)
    return {(project_id, user_id): actor_id for actor_id, project_id, user_id in returned}


def _upsert_entities(sql: DriverSql, batch: Sequence[DecidedEvent]) -> dict[EntityRowKey, int]:
    """The ids of the batch's entities: new ones created, the others' first and last seen,
    window count and list state brought up to date."""
    rows: dict[EntityRowKey, dict[str, Any]] = {}
    for item in batch:
        posted_at = sql.time(item.event.occurred_at)
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
    returned = sql.values(_INSERT_ENTITY, _ENTITY_COLUMNS, list(rows.values()), _ENTITY_CONFLICT)
    return {(project_id, kind, value): id_ for id_, project_id, kind, value in returned}


def _entity_key(project_id: int, entity: Entity) -> EntityRowKey:
    return (project_id, entity.kind.value, entity.value)


def _unique(entities: Sequence[PostedEntity]) -> list[PostedEntity]:
    return list({posted.entity.key: posted for posted in entities}.values())


def _event_row(sql: DriverSql, item: DecidedEvent, actor_id: int | None) -> dict[str, Any]:
    event = item.event
    actor, content = event.actor, event.content
    return {
        "id": sql.uuid(item.event_id),
        "project_id": item.project_id,
        "type": event.type.value,
        "actor_id": actor_id,
        "external_id": event.external_id,
        "ip": actor.ip,
        "user_agent": actor.user_agent,
        "country": actor.country,
        "title": content.title,
        "text": content.text,
        "context": sql.json(event.context),
        "occurred_at": sql.time(event.occurred_at),
        "received_at": sql.time(item.received_at),
    }


def _occurrence_row(
    sql: DriverSql, item: DecidedEvent, entity_id: int, actor_id: int | None
) -> dict[str, Any]:
    return {
        "event_id": sql.uuid(item.event_id),
        "entity_id": entity_id,
        "project_id": item.project_id,
        "actor_id": actor_id,
        "occurred_at": sql.time(item.event.occurred_at),
    }


def _decision_row(sql: DriverSql, item: DecidedEvent) -> dict[str, Any]:
    return {
        "id": sql.uuid(item.decision_id),
        "project_id": item.project_id,
        "event_id": sql.uuid(item.event_id),
        "verdict": item.verdict,
        "score": item.score,
        "trace": sql.json(item.trace),
        "duration_us": item.duration_us,
        "policy_version": item.policy_version,
        "created_at": sql.time(item.received_at),
    }


def _shadow_row(sql: DriverSql, item: DecidedEvent, rule: str, would_be: str) -> dict[str, Any]:
    return {
        "project_id": item.project_id,
        "decision_id": sql.uuid(item.decision_id),
        "rule": rule,
        "policy_version": item.policy_version,
        "verdict": item.verdict,
        "would_be": would_be,
        "at": sql.time(item.received_at),
    }


def _insert(table: str, columns: Sequence[str]) -> str:
    """An INSERT of named parameters; `table` and `columns` are this module's constants."""
    names, values = ", ".join(columns), ", ".join(f":{c}" for c in columns)
    return f"INSERT INTO {table} ({names}) VALUES ({values})"  # noqa: S608


_INSERT_EVENT = _insert(
    "events",
    ("id", "project_id", "type", "actor_id", "external_id", "ip", "user_agent", "country",
     "title", "text", "context", "occurred_at", "received_at"),
)  # fmt: skip
_INSERT_OCCURRENCE = _insert(
    "entity_occurrences", ("event_id", "entity_id", "project_id", "actor_id", "occurred_at")
)
_INSERT_DECISION = _insert(
    "decisions",
    ("id", "project_id", "event_id", "verdict", "score", "trace", "duration_us",
     "policy_version", "created_at"),
)  # fmt: skip
_INSERT_SHADOW_HIT = _insert(
    "shadow_hits",
    ("project_id", "decision_id", "rule", "policy_version", "verdict", "would_be", "at"),
)

# Upserts of rows merged per key; each returns its rows' keys with their ids, in whatever
# order the database returns them.
_INSERT_ACTOR = "INSERT INTO actors"
_ACTOR_COLUMNS = (
    "project_id", "external_id", "email", "first_seen_at", "last_seen_at", "events",
    "spam_events", "last_verdict",
)  # fmt: skip
_ACTOR_CONFLICT = """ON CONFLICT (project_id, external_id) DO UPDATE SET
    last_seen_at = excluded.last_seen_at,
    email = coalesce(excluded.email, actors.email),
    events = actors.events + excluded.events,
    spam_events = actors.spam_events + excluded.spam_events,
    last_verdict = excluded.last_verdict
RETURNING id, project_id, external_id"""
_INSERT_ENTITY = "INSERT INTO entities"
_ENTITY_COLUMNS = (
    "project_id", "kind", "value", "display", "host", "list_state", "first_seen_at",
    "last_seen_at", "post_count",
)  # fmt: skip
_ENTITY_CONFLICT = """ON CONFLICT (project_id, kind, value) DO UPDATE SET
    last_seen_at = CASE WHEN excluded.last_seen_at > entities.last_seen_at
        THEN excluded.last_seen_at ELSE entities.last_seen_at END,
    first_seen_at = CASE WHEN excluded.first_seen_at < entities.first_seen_at
        THEN excluded.first_seen_at ELSE entities.first_seen_at END,
    post_count = entities.post_count + excluded.post_count,
    list_state = excluded.list_state
RETURNING id, project_id, kind, value"""

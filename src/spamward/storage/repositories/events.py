"""Writing an event with its actor, entities and occurrences."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import case, func, insert
from sqlalchemy.orm import Session

from spamward.domain.entity import Entity
from spamward.domain.event import Event
from spamward.storage import models
from spamward.storage.models import table_of
from spamward.storage.upsert import dialect_insert, dialect_of

SPAM_VERDICTS = frozenset({"hold", "block"})  # what counts as spam in an account's history


def upsert_actor(
    session: Session, project_id: int, event: Event, at: datetime, verdict: str
) -> int | None:
    """The actor's id, with this event counted in its history (`verdict` decided it)."""
    actor = event.actor
    if actor.user_id is None:
        return None
    row = {
        "project_id": project_id,
        "external_id": actor.user_id,
        "email": actor.email,
        "first_seen_at": at,
        "last_seen_at": at,
        "events": 1,
        "spam_events": int(verdict in SPAM_VERDICTS),
        "last_verdict": verdict,
    }
    actor_id: int = session.execute(_actor_upsert(dialect_of(session)), row).scalar_one()
    return actor_id


# Upserts are built once per dialect and run with parameters: SQLAlchemy then reuses their
# compiled form instead of building and compiling a statement for every post.
@cache
def _actor_upsert(dialect: str) -> Any:
    table = table_of(models.Actor)
    statement = dialect_insert(dialect, table)
    return statement.on_conflict_do_update(
        index_elements=["project_id", "external_id"],
        set_={
            "last_seen_at": statement.excluded.last_seen_at,
            "email": func.coalesce(statement.excluded.email, table.c.email),
            "events": table.c.events + 1,
            "spam_events": table.c.spam_events + statement.excluded.spam_events,
            "last_verdict": statement.excluded.last_verdict,
        },
    ).returning(table.c.id)


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
    ).returning(table.c.id, sort_by_parameter_order=True)


@dataclass(frozen=True, slots=True)
class PostedEntity:
    entity: Entity
    list_state: str | None  # the list it is on at this post, itself or through its domain


def insert_event(
    session: Session,
    project_id: int,
    event_id: uuid.UUID,
    event: Event,
    actor_id: int | None,
    at: datetime,
) -> None:
    actor, content = event.actor, event.content
    session.execute(
        insert(table_of(models.Event)),
        {
            "id": event_id,
            "project_id": project_id,
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
            "received_at": at,
        },
    )


def upsert_entities(
    session: Session,
    project_id: int,
    posted: Sequence[PostedEntity],
    at: datetime,
    *,
    in_window: bool,
) -> list[int]:
    """The ids of the posted entities: new ones created, the others' last-seen time, window
    count and list state brought up to date."""
    rows: list[dict[str, Any]] = [
        {
            "project_id": project_id,
            "kind": item.entity.kind.value,
            "value": item.entity.value,
            "display": item.entity.display,
            "host": item.entity.domain,
            "list_state": item.list_state,
            "first_seen_at": at,
            "last_seen_at": at,
            "post_count": int(in_window),
        }
        for item in posted
    ]
    if not rows:
        return []
    return list(session.execute(_entity_upsert(dialect_of(session)), rows).scalars())


def insert_occurrences(
    session: Session,
    project_id: int,
    event_id: uuid.UUID,
    entity_ids: list[int],
    actor_id: int | None,
    at: datetime,
) -> None:
    if not entity_ids:
        return
    session.execute(
        insert(table_of(models.EntityOccurrence)),
        [
            {
                "event_id": event_id,
                "entity_id": entity_id,
                "project_id": project_id,
                "actor_id": actor_id,
                "occurred_at": at,
            }
            for entity_id in entity_ids
        ],
    )

"""Writing an event with its actor, entities and occurrences."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert
from sqlalchemy.orm import Session

from spamward.domain.entity import Entity
from spamward.domain.event import Event
from spamward.storage import models
from spamward.storage.upsert import insert_for


def upsert_actor(session: Session, project_id: int, event: Event, at: datetime) -> int | None:
    actor = event.actor
    if actor.user_id is None:
        return None
    table = models.Actor.__table__
    statement = insert_for(session, models.Actor).values(
        project_id=project_id,
        external_id=actor.user_id,
        email=actor.email,
        first_seen_at=at,
        last_seen_at=at,
    )
    statement = statement.on_conflict_do_update(
        index_elements=["project_id", "external_id"],
        set_={
            "last_seen_at": statement.excluded.last_seen_at,
            "email": func.coalesce(statement.excluded.email, table.c.email),
        },
    ).returning(table.c.id)
    actor_id: int = session.execute(statement).scalar_one()
    return actor_id


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
        insert(models.Event).values(
            id=event_id,
            project_id=project_id,
            type=event.type.value,
            actor_id=actor_id,
            external_id=event.external_id,
            ip=actor.ip,
            user_agent=actor.user_agent,
            country=actor.country,
            title=content.title,
            text=content.text,
            context=event.context,
            occurred_at=event.occurred_at,
            received_at=at,
        )
    )


def upsert_entities(
    session: Session, project_id: int, entities: tuple[Entity, ...], at: datetime
) -> list[int]:
    """The ids of `entities`, creating the new ones and touching last_seen on the rest."""
    if not entities:
        return []
    table = models.Entity.__table__
    rows: list[dict[str, Any]] = [
        {
            "project_id": project_id,
            "kind": entity.kind.value,
            "value": entity.value,
            "display": entity.display,
            "first_seen_at": at,
            "last_seen_at": at,
        }
        for entity in entities
    ]
    statement = insert_for(session, models.Entity).values(rows)
    statement = statement.on_conflict_do_update(
        index_elements=["project_id", "kind", "value"],
        set_={"last_seen_at": statement.excluded.last_seen_at},
    ).returning(table.c.id)
    return list(session.execute(statement).scalars())


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
        insert(models.EntityOccurrence),
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

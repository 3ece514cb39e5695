from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from spamward.storage.models import Actor, Decision, Event, table_of


def insert_decision(
    session: Session,
    project_id: int,
    *,
    decision_id: uuid.UUID,
    event_id: uuid.UUID,
    verdict: str,
    score: float,
    trace: dict[str, Any],
    duration_us: float,
    at: datetime,
) -> None:
    session.execute(
        insert(table_of(Decision)),
        {
            "id": decision_id,
            "project_id": project_id,
            "event_id": event_id,
            "verdict": verdict,
            "score": score,
            "trace": trace,
            "duration_us": duration_us,
            "created_at": at,
        },
    )


def decision_by_id(session: Session, project_id: int, decision_id: uuid.UUID) -> Decision | None:
    return session.scalar(
        select(Decision).where(Decision.project_id == project_id, Decision.id == decision_id)
    )


def recent_decisions(
    session: Session, project_id: int, limit: int
) -> list[tuple[Decision, Event, str | None]]:
    """The newest decisions with their event and the site's user id of the actor."""
    rows = session.execute(
        select(Decision, Event, Actor.external_id)
        .join(Event, Event.id == Decision.event_id)
        .outerjoin(Actor, Actor.id == Event.actor_id)
        .where(Decision.project_id == project_id)
        .order_by(Decision.created_at.desc(), Decision.id.desc())
        .limit(limit)
    )
    return [(decision, event, user_id) for decision, event, user_id in rows]

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from spamward.storage.models import Actor, Decision, Event, ShadowHit


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


def count_since(session: Session, project_id: int, since: datetime) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(Decision)
            .where(Decision.project_id == project_id, Decision.created_at >= since)
        )
        or 0
    )


def shadow_hit_counts(
    session: Session, project_id: int, since: datetime
) -> list[tuple[str, str, str, int]]:
    """(rule, verdict answered, verdict it would have caused, hits) since a time."""
    rows = session.execute(
        select(ShadowHit.rule, ShadowHit.verdict, ShadowHit.would_be, func.count())
        .where(ShadowHit.project_id == project_id, ShadowHit.at >= since)
        .group_by(ShadowHit.rule, ShadowHit.verdict, ShadowHit.would_be)
    )
    return [(rule, verdict, would_be, count) for rule, verdict, would_be, count in rows]

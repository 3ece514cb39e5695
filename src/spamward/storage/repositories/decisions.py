from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from spamward.storage.models import Actor, Decision, Event, ShadowHit, table_of


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
    policy_version: int,
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
            "policy_version": policy_version,
            "created_at": at,
        },
    )


def insert_shadow_hits(
    session: Session,
    project_id: int,
    decision_id: uuid.UUID,
    policy_version: int,
    verdict: str,
    hits: list[tuple[str, str]],
    at: datetime,
) -> None:
    """Shadow rules that hit, each with the verdict it would have caused."""
    session.execute(
        insert(table_of(ShadowHit)),
        [
            {
                "project_id": project_id,
                "decision_id": decision_id,
                "rule": rule,
                "policy_version": policy_version,
                "verdict": verdict,
                "would_be": would_be,
                "at": at,
            }
            for rule, would_be in hits
        ],
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

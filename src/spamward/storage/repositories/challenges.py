"""Challenges: stored when a decision asks for one, solved once, redeemed once."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from spamward.storage.models import Challenge


def challenge(session: Session, project_id: int, challenge_id: uuid.UUID) -> Challenge | None:
    return session.scalar(
        select(Challenge).where(Challenge.id == challenge_id, Challenge.project_id == project_id)
    )


def redeem(
    session: Session, project_id: int, challenge_id: uuid.UUID, actor: str, at: datetime
) -> bool:
    """Mark a solved challenge's token used, if it is this actor's, unused and not expired;
    whether it was (one statement: two requests with one token cannot both redeem it)."""
    redeemed = session.scalars(
        update(Challenge)
        .where(
            Challenge.id == challenge_id,
            Challenge.project_id == project_id,
            Challenge.actor == actor,
            Challenge.solved_at.is_not(None),
            Challenge.token_used_at.is_(None),
            Challenge.token_expires_at >= at,
        )
        .values(token_used_at=at)
        .returning(Challenge.id)
    )
    return redeemed.first() is not None

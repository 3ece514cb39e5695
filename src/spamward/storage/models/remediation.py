"""The remediation tables: actions with their attempts, defined actions, review items."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from spamward.storage.models.core import Base


class Action(Base):
    """A remediation action: the queue workers claim from, and the actions log."""

    __tablename__ = "actions"
    __table_args__ = (
        Index("ix_actions_due", "status", "due_at"),
        Index("ix_actions_project_created", "project_id", "created_at"),
        Index("ix_actions_project_user", "project_id", "user_id"),
        Index("ix_actions_project_rule", "project_id", "rule", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)  # also the idempotency key
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(64))  # the defined action, or the catalog's
    kind: Mapped[str] = mapped_column(String(32))  # the catalog action it runs
    params: Mapped[dict[str, Any]]
    user_id: Mapped[str | None] = mapped_column(String(200))  # the site's user
    event_id: Mapped[uuid.UUID | None]  # no foreign key: the log outlives purged events
    decision_id: Mapped[uuid.UUID | None]
    entity_kind: Mapped[str | None] = mapped_column(String(16))
    entity_value: Mapped[str | None] = mapped_column(String(600))
    rule: Mapped[str | None] = mapped_column(String(64))
    requested_by: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(16))  # queued, running, done, skipped, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer)
    due_at: Mapped[datetime]
    lease_until: Mapped[datetime | None]
    worker: Mapped[str | None] = mapped_column(String(100))
    result: Mapped[dict[str, Any] | None]
    error: Mapped[str | None] = mapped_column(Text)
    event_at: Mapped[datetime | None]  # when the site received the event: time to remediate
    created_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]


class ActionAttempt(Base):
    """One run of an action by a worker, whatever came of it."""

    __tablename__ = "action_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    action_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("actions.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    worker: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    outcome: Mapped[str] = mapped_column(String(16))  # running, done, skipped, error
    error: Mapped[str | None] = mapped_column(Text)


class DefinedAction(Base):
    """A project's named action: a catalog action with fixed parameters."""

    __tablename__ = "defined_actions"
    __table_args__ = (UniqueConstraint("project_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    params: Mapped[dict[str, Any]]
    description: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(300))


class ReviewItem(Base):
    """Something a moderator must settle: held content, a questionable decision, an action
    that kept failing, a rule that ran out of automatic actions."""

    __tablename__ = "review_items"
    __table_args__ = (
        Index("ix_review_items_project_status", "project_id", "status", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(16))  # open, resolved
    summary: Mapped[str] = mapped_column(Text)
    event_id: Mapped[uuid.UUID | None]
    decision_id: Mapped[uuid.UUID | None]
    action_id: Mapped[uuid.UUID | None]
    user_id: Mapped[str | None] = mapped_column(String(200))
    rule: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[str | None] = mapped_column(String(300))
    resolution: Mapped[str | None] = mapped_column(String(16))  # approve, reject, retry
    note: Mapped[str | None] = mapped_column(Text)

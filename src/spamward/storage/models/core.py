"""The tables of a site's traffic, lists, policies and moderators."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from spamward.storage.types import JsonColumn, UtcDateTime


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UtcDateTime(), dict[str, Any]: JsonColumn}  # noqa: RUF012


def table_of(model: type[Base]) -> Table:
    """The Core table behind a model, for statements SQLAlchemy can cache on the hot path."""
    return Base.metadata.tables[model.__tablename__]


def _project_fk() -> Mapped[int]:
    return mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)


class Project(Base):
    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    created_at: Mapped[datetime]
    # The Spam Manager's knobs, per project (see services/project_settings.py).
    window_days: Mapped[int] = mapped_column(Integer, default=14, server_default="14")
    ignore_days: Mapped[int] = mapped_column(Integer, default=14, server_default="14")
    retention_days: Mapped[int] = mapped_column(Integer, default=30, server_default="30")
    duplicate_text_min_chars: Mapped[int] = mapped_column(Integer, default=50, server_default="50")
    # The published policy version decisions use; 0 until the default policy is installed.
    policy_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The project's spam model version; 0: the model shipped in the package.
    spam_model_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Remediation: where actions reach the site and the admins.
    webhook_url: Mapped[str | None] = mapped_column(String(2000))
    webhook_secret: Mapped[str | None] = mapped_column(String(100))  # signs; kept to sign
    admin_emails: Mapped[str] = mapped_column(Text, default="", server_default="")
    admin_webhook_url: Mapped[str | None] = mapped_column(String(2000))
    # A rule's automatic actions past this many an hour go to review instead of running.
    rule_actions_per_hour: Mapped[int] = mapped_column(Integer, default=200, server_default="200")


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = _project_fk()
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scope: Mapped[str] = mapped_column(String(16), server_default="admin")  # KeyScope
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class Moderator(Base):
    __tablename__ = "moderators"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime]
    # Raised by sign-out: every session cookie issued before it stops working.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class Membership(Base):
    __tablename__ = "memberships"

    moderator_id: Mapped[int] = mapped_column(
        ForeignKey("moderators.id", ondelete="CASCADE"), primary_key=True
    )
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(16))


class Actor(Base):
    """A user of the site, as the site identifies them."""

    __tablename__ = "actors"
    __table_args__ = (UniqueConstraint("project_id", "external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = _project_fk()
    external_id: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    # Kept by spamward and read by rules: active, flagged, quarantined, suspended, banned.
    status: Mapped[str] = mapped_column(String(16), default="active", server_default="active")
    status_until: Mapped[datetime | None]  # a suspension's end; the status lapses to active
    rate_limited_until: Mapped[datetime | None]
    # The account's history as rules read it: events judged, how many were held or
    # blocked, and the last verdict.
    events: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    spam_events: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_verdict: Mapped[str | None] = mapped_column(String(16))


class Event(Base):
    __tablename__ = "events"
    __table_args__ = (Index("ix_events_project_received", "project_id", "received_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("actors.id"), index=True)
    external_id: Mapped[str | None] = mapped_column(String(200))
    ip: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(Text)
    country: Mapped[str | None] = mapped_column(String(2))
    title: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    context: Mapped[dict[str, Any]]
    occurred_at: Mapped[datetime]
    received_at: Mapped[datetime]


class Entity(Base):
    """A spam string, with counters over the project's rolling window kept current on every
    decision and corrected by the rollover job, so that a tab is one indexed query."""

    __tablename__ = "entities"
    __table_args__ = (
        UniqueConstraint("project_id", "kind", "value"),
        # Tabs list entities on no list, by post count: the partial index keeps that in order.
        Index(
            "ix_entities_tab",
            "project_id",
            "kind",
            "post_count",
            "last_seen_at",
            "id",
            postgresql_where=text("list_state IS NULL"),
            sqlite_where=text("list_state IS NULL"),
        ),
        Index("ix_entities_host", "project_id", "kind", "host"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(600))
    display: Mapped[str] = mapped_column(String(600))
    host: Mapped[str | None] = mapped_column(String(255))  # of a URL or address: for coverage
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    post_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    user_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The list it was on (itself or through its domain) when last posted or listed; NULL for
    # none. Recomputed on every post, so an entity leaves a list's effect when next posted.
    list_state: Mapped[str | None] = mapped_column(String(8))


class EntityDay(Base):
    """Posts per entity and day inside the window: what the rollover subtracts."""

    __tablename__ = "entity_days"

    entity_id: Mapped[int] = mapped_column(
        ForeignKey("entities.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[int] = mapped_column(Integer, primary_key=True)  # days since 1970-01-01
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    posts: Mapped[int] = mapped_column(Integer)


class EntityUser(Base):
    """Who posted an entity inside the window, and when last: for distinct-user counts."""

    __tablename__ = "entity_users"
    __table_args__ = (Index("ix_entity_users_expiry", "project_id", "last_posted_at"),)

    entity_id: Mapped[int] = mapped_column(
        ForeignKey("entities.id", ondelete="CASCADE"), primary_key=True
    )
    actor_id: Mapped[int] = mapped_column(
        ForeignKey("actors.id", ondelete="CASCADE"), primary_key=True
    )
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    last_posted_at: Mapped[datetime]


class EntityOccurrence(Base):
    __tablename__ = "entity_occurrences"
    __table_args__ = (
        Index("ix_occurrences_entity_time", "project_id", "entity_id", "occurred_at"),
        Index("ix_occurrences_actor", "project_id", "actor_id"),  # a user's spam strings
        Index("ix_occurrences_project_time", "project_id", "occurred_at"),  # latest spammers
    )

    event_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    entity_id: Mapped[int] = mapped_column(
        ForeignKey("entities.id", ondelete="CASCADE"), primary_key=True
    )
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("actors.id"))
    occurred_at: Mapped[datetime]


class Decision(Base):
    __tablename__ = "decisions"
    __table_args__ = (Index("ix_decisions_project_created", "project_id", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    event_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), index=True
    )
    verdict: Mapped[str] = mapped_column(String(16))
    score: Mapped[float] = mapped_column(Float)
    # The explanation, exactly as answered: reasons, entities with list status, rule trace.
    trace: Mapped[dict[str, Any]]
    duration_us: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime]
    policy_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class ListEntry(Base):
    __tablename__ = "list_entries"
    __table_args__ = (UniqueConstraint("project_id", "kind", "value"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    list: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(600))
    display: Mapped[str] = mapped_column(String(600))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    created_by: Mapped[str | None] = mapped_column(String(300))
    expires_at: Mapped[datetime | None]  # ignore entries expire, and deny ones on probation
    # Added by an action: lapses at expires_at unless promotion keeps it (remediation/probation).
    probation: Mapped[bool] = mapped_column(default=False, server_default=text("false"))


class ListChange(Base):
    """Which list entries changed, written by triggers on `list_entries` (so that no write
    path can forget): processes holding a project's lists in memory read the changes after
    the last one they applied."""

    __tablename__ = "list_changes"
    __table_args__ = (Index("ix_list_changes_project_id", "project_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(600))
    changed_at: Mapped[datetime] = mapped_column(server_default=text("CURRENT_TIMESTAMP"))


class ModerationLog(Base):
    """Every change a moderator, a key or the system made to lists and settings, and who."""

    __tablename__ = "moderation_log"
    __table_args__ = (Index("ix_moderation_log_project_at", "project_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    at: Mapped[datetime]
    who: Mapped[str] = mapped_column(String(300))
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[dict[str, Any]]


class PolicyDraft(Base):
    """The policy being edited: rule changes land here until published."""

    __tablename__ = "policy_drafts"

    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    document: Mapped[dict[str, Any]]
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(300))


class PolicyVersion(Base):
    """A published policy, never changed; rollback publishes an earlier one again."""

    __tablename__ = "policy_versions"
    __table_args__ = (UniqueConstraint("project_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    document: Mapped[dict[str, Any]]
    note: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime]
    published_by: Mapped[str] = mapped_column(String(300))


class ShadowHit(Base):
    """A shadow rule's hit: what it would have changed, for the shadow report."""

    __tablename__ = "shadow_hits"
    __table_args__ = (Index("ix_shadow_hits_project_at", "project_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    decision_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("decisions.id", ondelete="CASCADE"), index=True
    )
    rule: Mapped[str] = mapped_column(String(64))
    policy_version: Mapped[int] = mapped_column(Integer)
    verdict: Mapped[str] = mapped_column(String(16))  # as answered
    would_be: Mapped[str] = mapped_column(String(16))  # had the rule been active
    at: Mapped[datetime]


class Backtest(Base):
    """A draft policy run over recorded events, as a job: its progress, then its report."""

    __tablename__ = "backtests"
    __table_args__ = (Index("ix_backtests_project_created", "project_id", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16))  # queued, running, done, failed
    days: Mapped[int] = mapped_column(Integer)
    document: Mapped[dict[str, Any]]
    done_events: Mapped[int] = mapped_column(Integer, default=0)
    total_events: Mapped[int] = mapped_column(Integer, default=0)
    report: Mapped[dict[str, Any] | None]
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]


class IpListEntry(Base):
    """An IP address or CIDR network on a project's allow or deny list."""

    __tablename__ = "ip_list_entries"
    __table_args__ = (UniqueConstraint("project_id", "network"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    list: Mapped[str] = mapped_column(String(8))
    network: Mapped[str] = mapped_column(String(43))  # canonical CIDR: 203.0.113.0/24
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(300))


class Label(Base):
    """A moderator's answer on a post, spam or not: what `spamward train --project` learns
    from. The text is copied so that retention, which purges old posts, keeps the label."""

    __tablename__ = "labels"
    __table_args__ = (
        UniqueConstraint("project_id", "event_id"),
        Index("ix_labels_project_created", "project_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    event_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    spam: Mapped[bool]
    source: Mapped[str] = mapped_column(String(16))  # moderator, list.deny, list.allow
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(300))


class SpamModelVersion(Base):
    """A spam model retrained with a project's labels, kept once it passed the gate."""

    __tablename__ = "spam_models"
    __table_args__ = (UniqueConstraint("project_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    model: Mapped[bytes] = mapped_column(LargeBinary)  # the model file, gzip-compressed
    record: Mapped[dict[str, Any]]  # data, labels, held-out scores of it and its predecessor
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(300))


class Challenge(Base):
    """A challenge a decision asked the actor to solve: an ALTCHA proof of work, or a code
    sent by e-mail (kept as a digest). Solving it gives a token, good once, for the same
    actor within `token_expires_at`."""

    __tablename__ = "challenges"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    project_id: Mapped[int] = _project_fk()
    decision_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(16))  # captcha, email_code
    actor: Mapped[str] = mapped_column(String(300))  # "user:<id>", else "ip:<address>"
    email: Mapped[str | None] = mapped_column(String(254))
    code_digest: Mapped[str | None] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    solved_at: Mapped[datetime | None]
    token_expires_at: Mapped[datetime | None]
    token_used_at: Mapped[datetime | None]

"""The engine's reads from storage while it decides: entity counts, the account, and (inside
the write that records a decision) the lists. Lists are otherwise held in memory
(storage/held_lists.py, runtime.ip_lists).

Each read is one indexed query on the driver's connection (storage/driver_sql.py): every
decision makes them, and SQLAlchemy would cost more than the queries."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from sqlalchemy.orm import Session

from spamward.domain.account import effective_status
from spamward.domain.decision import ListName
from spamward.domain.entity import EntityKind
from spamward.domain.facts import Account, EntityKey
from spamward.storage.driver_sql import DriverSql, driver_time, utc
from spamward.storage.keyed import keyed_sql

_COUNTS = "SELECT kind, value, post_count, user_count FROM entities WHERE project_id = :project_id"
_LISTED = (
    "SELECT kind, value, list FROM list_entries WHERE project_id = :project_id"
    " AND (expires_at IS NULL OR expires_at > :now)"
)
_ACCOUNT = (
    "SELECT status, events, spam_events, last_verdict, status_until, rate_limited_until"
    " FROM actors WHERE project_id = :project_id AND external_id = :user_id"
)


class StoredSignals:
    """A `SignalReader`'s stored part over one project's tables, on a driver connection."""

    def __init__(self, sql: DriverSql, project_id: int, now: datetime) -> None:
        self._sql = sql
        self._project_id = project_id
        self._now = now

    @classmethod
    def in_session(cls, session: Session, project_id: int, now: datetime) -> StoredSignals:
        """Reads on `session`'s connection, in its transaction if it has one."""
        return cls(DriverSql.in_session(session), project_id, now)

    def entity_counts(self, keys: Iterable[EntityKey]) -> Mapping[EntityKey, tuple[int, int]]:
        sql, parameters = keyed_sql(_COUNTS, keys)
        if not sql:
            return {}
        rows = self._sql.rows(sql, {"project_id": self._project_id, **parameters})
        return {(EntityKind(kind), value): (posts, users) for kind, value, posts, users in rows}

    def listed(self, keys: Iterable[EntityKey]) -> Mapping[EntityKey, ListName]:
        sql, parameters = keyed_sql(_LISTED, keys)
        if not sql:
            return {}
        now = driver_time(self._now, self._sql.dialect)
        rows = self._sql.rows(sql, {"project_id": self._project_id, "now": now, **parameters})
        return {(EntityKind(kind), value): ListName(name) for kind, value, name in rows}

    def account(self, user_id: str) -> Account:
        parameters = {"project_id": self._project_id, "user_id": user_id}
        row = self._sql.row(_ACCOUNT, parameters)
        if row is None:
            return Account()
        status, events, spam_events, last_verdict, status_until, rate_limited_until = row
        limited_until = utc(rate_limited_until)
        return Account(
            effective_status(status, utc(status_until), self._now),
            events,
            spam_events,
            last_verdict,
            rate_limited=limited_until is not None and limited_until > self._now,
        )

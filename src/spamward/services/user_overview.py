"""What the dashboard shows of a site's user beyond their spam: the last action taken on
each user of a page, and the account with its suspension and rate-limit ends."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from spamward.domain.account import effective_status
from spamward.errors import NotFound
from spamward.runtime import Runtime
from spamward.services.actions import action_json
from spamward.storage.repositories import accounts
from spamward.storage.repositories import user_overview as repo


@dataclass(frozen=True, slots=True)
class AccountDetail:
    user_id: str
    status: str  # as rules read it: a suspension that is over reads as active
    stored_status: str
    status_until: datetime | None
    rate_limited_until: datetime | None  # only while it lasts
    first_seen_at: datetime
    last_seen_at: datetime
    events: int
    spam_events: int
    last_verdict: str | None


def account_detail(runtime: Runtime, project_id: int, user_id: str) -> AccountDetail:
    now = runtime.clock()
    with runtime.database.read() as session:
        row = accounts.account(session, project_id, user_id)
        if row is None:
            raise NotFound(f"no user {user_id!r} in this project")
        limited = row.rate_limited_until
        return AccountDetail(
            row.external_id, effective_status(row.status, row.status_until, now), row.status,
            row.status_until, limited if limited is not None and limited > now else None,
            row.first_seen_at, row.last_seen_at, row.events, row.spam_events, row.last_verdict,
        )  # fmt: skip


def last_actions(
    runtime: Runtime, project_id: int, user_ids: Collection[str]
) -> dict[str, dict[str, Any]]:
    """The newest action on each user (automatic or a moderator's), by user id."""
    with runtime.database.read() as session:
        rows = repo.last_actions(session, project_id, user_ids)
        return {str(row.user_id): action_json(row) for row in rows}

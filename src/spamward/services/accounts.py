"""Account status: what spamward keeps about a site's user and rules read as
`actor.status` (the default policy blocks banned accounts and holds quarantined ones).
Moderators set it here; remediation actions will too."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from spamward.domain.account import AccountStatus
from spamward.errors import NotFound
from spamward.runtime import Runtime
from spamward.storage.models import Actor
from spamward.storage.repositories import accounts as repo
from spamward.storage.repositories import moderation


@dataclass(frozen=True, slots=True)
class AccountView:
    user_id: str
    status: str
    first_seen_at: datetime
    last_seen_at: datetime

    @classmethod
    def of(cls, row: Actor) -> AccountView:
        return cls(row.external_id, row.status, row.first_seen_at, row.last_seen_at)

    def to_json(self) -> dict[str, Any]:
        return {
            "user_id": self.user_id,
            "status": self.status,
            "first_seen_at": self.first_seen_at.isoformat(),
            "last_seen_at": self.last_seen_at.isoformat(),
        }


def get_account(runtime: Runtime, project_id: int, user_id: str) -> AccountView:
    with runtime.database.read() as session:
        row = repo.account(session, project_id, user_id)
        if row is None:
            raise NotFound(f"no user {user_id!r} in this project")
        return AccountView.of(row)


def set_account_status(
    runtime: Runtime,
    project_id: int,
    user_id: str,
    status: AccountStatus,
    who: str,
    note: str | None = None,
) -> AccountView:
    now = runtime.clock()
    with runtime.database.write() as session:
        row = repo.set_status(session, project_id, user_id, status.value, now)
        moderation.log(session, project_id, who, "account_status", now,
                       user_id=user_id, status=status.value, note=note)  # fmt: skip
        return AccountView.of(row)

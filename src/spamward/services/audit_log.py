"""The audit log: every change a moderator, an API key or spamward itself made to a
project (lists, rules, settings, keys, members, accounts, actions), newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from spamward.runtime import Runtime
from spamward.storage.repositories import moderation


@dataclass(frozen=True, slots=True)
class AuditEntry:
    at: datetime
    who: str  # "moderator:<e-mail>", "api-key:<name>:<prefix>" or "system"
    action: str
    detail: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"at": self.at.isoformat(), "who": self.who, "action": self.action,
                "detail": self.detail}  # fmt: skip


def audit_log(runtime: Runtime, project_id: int, limit: int, offset: int) -> list[AuditEntry]:
    with runtime.database.read() as session:
        rows = moderation.log_page(session, project_id, limit, offset)
    return [AuditEntry(row.at, row.who, row.action, row.detail) for row in rows]

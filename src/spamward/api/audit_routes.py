"""The audit log: who changed what in the project, newest first (admin keys)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from spamward.api.http import ApiCall, Operation
from spamward.api.schemas import PageQuery
from spamward.services.audit_log import audit_log


class AuditEntryOut(BaseModel):
    at: datetime
    who: str = Field(description='"moderator:<e-mail>", "api-key:<name>:<prefix>" or "system"')
    action: str
    detail: dict[str, Any]


class AuditLogOut(BaseModel):
    entries: list[AuditEntryOut]


def get_audit_log(call: ApiCall) -> tuple[int, Any]:
    project_id = call.project_id()
    page = call.params(PageQuery)
    entries = audit_log(call.runtime, project_id, page.limit, page.offset)
    return 200, {"entries": [entry.to_json() for entry in entries]}


AUDIT_OPERATIONS = (
    Operation("GET", "/v1/audit-log", get_audit_log,
              "Who changed what in the project (lists, rules, settings, keys, accounts)",
              AuditLogOut, query=PageQuery, errors=(401, 422)),
)  # fmt: skip

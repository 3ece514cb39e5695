"""Where a project's actions go: the site's webhook (URL and signing secret), the admins'
addresses and webhook, and how many automatic actions a rule may take an hour."""

from __future__ import annotations

from typing import Any

from spamward.remediation.signing import new_secret
from spamward.runtime import Runtime
from spamward.storage.models import Project
from spamward.storage.repositories import moderation
from spamward.storage.repositories.projects import project_settings


def _json(row: Project, secret: str | None = None) -> dict[str, Any]:
    shown: dict[str, Any] = {
        "webhook_url": row.webhook_url,
        "webhook_secret_set": bool(row.webhook_secret),
        "admin_emails": [e for e in row.admin_emails.split(",") if e],
        "admin_webhook_url": row.admin_webhook_url,
        "rule_actions_per_hour": row.rule_actions_per_hour,
    }
    if secret is not None:  # shown once, when made: the site keeps it to verify deliveries
        shown["webhook_secret"] = secret
    return shown


def get_remediation_settings(runtime: Runtime, project_id: int) -> dict[str, Any]:
    with runtime.database.read() as session:
        return _json(project_settings(session, project_id))


def update_remediation_settings(
    runtime: Runtime, project_id: int, changes: dict[str, Any], who: str
) -> dict[str, Any]:
    """Apply validated changes; the first webhook URL gets a signing secret, shown once."""
    secret = None
    with runtime.database.write() as session:
        row = project_settings(session, project_id)
        for name, value in changes.items():
            setattr(row, name, ",".join(value) if name == "admin_emails" else value)
        if (row.webhook_url or row.admin_webhook_url) and not row.webhook_secret:
            secret = row.webhook_secret = new_secret()
        moderation.log(session, project_id, who, "remediation_settings", runtime.clock(),
                       changed=sorted(changes))  # fmt: skip
        return _json(row, secret)


def rotate_webhook_secret(runtime: Runtime, project_id: int, who: str) -> dict[str, Any]:
    """A new signing secret, effective for the next delivery; shown once."""
    with runtime.database.write() as session:
        row = project_settings(session, project_id)
        secret = row.webhook_secret = new_secret()
        moderation.log(session, project_id, who, "webhook_secret_rotated", runtime.clock())
        return _json(row, secret)

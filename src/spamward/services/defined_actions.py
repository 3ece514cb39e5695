"""A project's defined actions: "ban for spam links", "suspend 7 days"... a catalog action
with fixed parameters, named for rules, moderators and the API to use."""

from __future__ import annotations

from typing import Any

from spamward.errors import Conflict, NotFound, ValidationFailed
from spamward.policy.document import PolicyDocument
from spamward.remediation.catalog import CATALOG, ActionKind, BadParams, checked_params
from spamward.runtime import Runtime
from spamward.storage.models import DefinedAction
from spamward.storage.repositories import defined_actions as repo
from spamward.storage.repositories import moderation
from spamward.storage.repositories import policies as policy_repo


def defined_json(row: DefinedAction) -> dict[str, Any]:
    return {
        "name": row.name,
        "action": row.kind,
        "params": row.params,
        "description": row.description,
        "updated_at": row.updated_at.isoformat(),
        "updated_by": row.updated_by,
    }


def list_defined(runtime: Runtime, project_id: int) -> list[dict[str, Any]]:
    with runtime.database.read() as session:
        return [defined_json(row) for row in repo.all_of(session, project_id)]


def put_defined(
    runtime: Runtime, project_id: int, name: str, kind: ActionKind, params: dict[str, Any],
    description: str, who: str,
) -> dict[str, Any]:  # fmt: skip
    """Create or change a defined action; a catalog name cannot be redefined."""
    if name in CATALOG:
        raise Conflict(f"{name!r} is a catalog action; choose another name")
    try:
        checked = checked_params(kind, params)
    except BadParams as error:
        details = [{"field": "params", "message": problem} for problem in error.problems]
        raise ValidationFailed(f"invalid parameters for {kind}: {error}", details) from None
    now = runtime.clock()
    with runtime.database.write() as session:
        row = repo.by_name(session, project_id, name)
        if row is None:
            row = DefinedAction(project_id=project_id, name=name)
            session.add(row)
        row.kind, row.params, row.description = kind.value, checked, description
        row.updated_at, row.updated_by = now, who
        session.flush()
        moderation.log(session, project_id, who, "defined_action.put", now, name=name,
                       kind=kind.value)  # fmt: skip
        return defined_json(row)


def delete_defined(runtime: Runtime, project_id: int, name: str, who: str) -> None:
    """Delete a defined action no rule of the draft or the live policy uses."""
    with runtime.database.write() as session:
        row = repo.by_name(session, project_id, name)
        if row is None:
            raise NotFound(f"no defined action named {name!r}")
        users = _rules_using(session, project_id, name)
        if users:
            raise Conflict(f"{name!r} is used by rule(s) {', '.join(sorted(users))}")
        session.delete(row)
        moderation.log(session, project_id, who, "defined_action.delete", runtime.clock(),
                       name=name)  # fmt: skip


def _rules_using(session: Any, project_id: int, name: str) -> set[str]:
    documents = policy_repo.current_documents(session, project_id)
    return {
        rule.name
        for document in documents
        for rule in PolicyDocument.model_validate(document).rules
        if any(effect.action == name for effect in rule.effects)
    }

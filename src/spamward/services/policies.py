"""Rules as data: edit a project's draft, publish it as a version, roll back to any earlier.

Every change is checked in full before it is stored (a condition that does not compile is
refused with its rule, line and column), and logged with who made it. Decisions use the
project's live version; publishing or rolling back changes it for every process at its
next decision (live_versions.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from spamward.errors import Conflict, NotFound
from spamward.policy.compiled import Policy, check_rule, compile_policy, parse_document
from spamward.policy.defaults import default_document
from spamward.policy.document import PolicyDocument, RuleSpec, Scoring
from spamward.policy.errors import PolicyInvalid
from spamward.remediation.catalog import CATALOG
from spamward.runtime import Runtime
from spamward.storage.models import PolicyVersion
from spamward.storage.repositories import defined_actions, moderation
from spamward.storage.repositories import policies as repo


@dataclass(frozen=True, slots=True)
class VersionView:
    number: int
    note: str
    published_at: datetime
    published_by: str
    live: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.number,
            "note": self.note,
            "published_at": self.published_at.isoformat(),
            "published_by": self.published_by,
            "live": self.live,
        }


def install_default_policy(session: Session, project_id: int, at: datetime) -> None:
    """A new project's draft and version 1: the shipped default policy."""
    document = default_document().dump()
    repo.save_draft(session, project_id, document, "system", at)
    repo.insert_version(session, project_id, document, "default policy", "system", at)


def live_policy(
    runtime: Runtime, session: Session, project_id: int, number: int | None = None
) -> Policy:
    """The project's live policy, compiled once per version and process; `number` is the
    live version when the caller has already read the project row."""
    if number is None:
        number = repo.live_version_number(session, project_id)
    return runtime.policies.get(
        project_id,
        number,
        lambda: compile_policy(
            _version_document(session, project_id, number), number, runtime.windows
        ),
    )


def draft(runtime: Runtime, project_id: int) -> PolicyDocument:
    with runtime.database.read() as session:
        return _draft(session, project_id)


@dataclass(frozen=True, slots=True)
class Overview:
    live_version: int
    unpublished_changes: bool
    draft: PolicyDocument


def overview(runtime: Runtime, project_id: int) -> Overview:
    with runtime.database.read() as session:
        live = repo.live_version_number(session, project_id)
        current = _draft(session, project_id)
        return Overview(live, current != _version_document(session, project_id, live), current)


def problems_in(runtime: Runtime, raw: Any) -> list[dict[str, Any]]:
    """Everything wrong with a policy document, without storing it."""
    try:
        parse_document(raw, runtime.windows)
    except PolicyInvalid as invalid:
        return invalid.details or []
    return []


def add_rule(runtime: Runtime, project_id: int, raw: Any, who: str) -> RuleSpec:
    rule = check_rule(raw, runtime.windows)

    def change(rules: list[RuleSpec]) -> list[RuleSpec]:
        if any(r.name == rule.name for r in rules):
            raise Conflict(f"a rule named {rule.name!r} already exists")
        return [*rules, rule]

    _change_rules(runtime, project_id, who, "rule_added", rule.name, change)
    return rule


def replace_rule(runtime: Runtime, project_id: int, name: str, raw: Any, who: str) -> RuleSpec:
    rule = check_rule(raw, runtime.windows)

    def change(rules: list[RuleSpec]) -> list[RuleSpec]:
        _find(rules, name)
        if rule.name != name and any(r.name == rule.name for r in rules):
            raise Conflict(f"a rule named {rule.name!r} already exists")
        return [rule if r.name == name else r for r in rules]

    _change_rules(runtime, project_id, who, "rule_changed", name, change)
    return rule


def delete_rule(runtime: Runtime, project_id: int, name: str, who: str) -> None:
    def change(rules: list[RuleSpec]) -> list[RuleSpec]:
        _find(rules, name)
        return [r for r in rules if r.name != name]

    _change_rules(runtime, project_id, who, "rule_deleted", name, change)


def get_rule(runtime: Runtime, project_id: int, name: str) -> RuleSpec:
    return _find(draft(runtime, project_id).rules, name)


def set_scoring(runtime: Runtime, project_id: int, scoring: Scoring, who: str) -> PolicyDocument:
    with runtime.database.write() as session:
        current = _draft(session, project_id, for_update=True)
        document = current.model_copy(update={"scoring": scoring})
        _save(session, project_id, document, who, runtime.clock())
        moderation.log(
            session,
            project_id,
            who,
            "scoring_changed",
            runtime.clock(),
            thresholds=scoring.model_dump(mode="json")["thresholds"],
        )
    return document


def replace_draft(runtime: Runtime, project_id: int, raw: Any, who: str) -> PolicyDocument:
    """Import: the whole draft replaced by a checked document (from YAML or JSON)."""
    document = parse_document(raw, runtime.windows)
    with runtime.database.write() as session:
        _save(session, project_id, document, who, runtime.clock())
        moderation.log(
            session, project_id, who, "policy_imported", runtime.clock(), rules=len(document.rules)
        )
    return document


def publish(runtime: Runtime, project_id: int, who: str, note: str = "") -> VersionView:
    with runtime.database.write() as session:
        document = _draft(session, project_id, for_update=True)
        # Checked again: the language, or the velocity windows, may have changed since saved.
        compile_policy(document, windows=runtime.windows)
        row = repo.insert_version(session, project_id, document.dump(), note, who, runtime.clock())
        moderation.log(
            session, project_id, who, "policy_published", runtime.clock(), version=row.number
        )
        return _view(row, live=True)


def rollback(runtime: Runtime, project_id: int, number: int, who: str) -> VersionView:
    """Publish an earlier version again, as a new version, and make it the draft."""
    with runtime.database.write() as session:
        document = _version_document(session, project_id, number)
        now = runtime.clock()
        _save(session, project_id, document, who, now)
        row = repo.insert_version(
            session, project_id, document.dump(), f"rollback to version {number}", who, now
        )
        moderation.log(
            session, project_id, who, "policy_rolled_back", now, version=row.number, to=number
        )
        return _view(row, live=True)


MAX_VERSION = 2**31 - 1  # the column's range: larger numbers name no version


def versions(runtime: Runtime, project_id: int) -> list[VersionView]:
    with runtime.database.read() as session:
        live = repo.live_version_number(session, project_id)
        return [_view(row, live=row.number == live) for row in repo.versions(session, project_id)]


def version(runtime: Runtime, project_id: int, number: int) -> tuple[VersionView, PolicyDocument]:
    with runtime.database.read() as session:
        row = repo.version(session, project_id, number) if number <= MAX_VERSION else None
        if row is None:
            raise NotFound(f"no policy version {number}")
        live = repo.live_version_number(session, project_id)
        return _view(row, live=row.number == live), PolicyDocument.model_validate(row.document)


def _change_rules(
    runtime: Runtime,
    project_id: int,
    who: str,
    action: str,
    name: str,
    change: Callable[[list[RuleSpec]], list[RuleSpec]],
) -> None:
    with runtime.database.write() as session:
        current = _draft(session, project_id, for_update=True)
        try:
            document = PolicyDocument(rules=change(list(current.rules)), scoring=current.scoring)
        except ValueError as error:  # pydantic's check of the whole document
            raise PolicyInvalid([{"rule": name, "field": "rule", "message": str(error)}]) from None
        _save(session, project_id, document, who, runtime.clock())
        moderation.log(session, project_id, who, action, runtime.clock(), rule=name)


def _draft(session: Session, project_id: int, *, for_update: bool = False) -> PolicyDocument:
    row = repo.draft(session, project_id, for_update=for_update)
    if row is None:  # a project made before policies: it starts from the default
        return default_document()
    return PolicyDocument.model_validate(row.document)


def _save(
    session: Session, project_id: int, document: PolicyDocument, who: str, at: datetime
) -> None:
    _check_actions(session, project_id, document)
    repo.save_draft(session, project_id, document.dump(), who, at)


def _check_actions(session: Session, project_id: int, document: PolicyDocument) -> None:
    """Every effect names a catalog action or one the project defined."""
    named = {e.action for rule in document.rules for e in rule.effects} - CATALOG
    known = set(defined_actions.by_names(session, project_id, named)) if named else set()
    problems = [
        {"rule": rule.name, "field": f"effects.{index}", "line": None, "column": None,
         "message": f"unknown action {effect.action!r}: not in the catalog, nor defined "
                    "by this project (PUT /v1/defined-actions/{name})"}
        for rule in document.rules
        for index, effect in enumerate(rule.effects)
        if effect.action in named - known
    ]  # fmt: skip
    if problems:
        raise PolicyInvalid(problems)


def _version_document(session: Session, project_id: int, number: int) -> PolicyDocument:
    if number == 0:  # never published: the default
        return default_document()
    row = repo.version(session, project_id, number) if 0 < number <= MAX_VERSION else None

    if row is None:
        raise NotFound(f"no policy version {number}")
    return PolicyDocument.model_validate(row.document)


def _find(rules: list[RuleSpec] | tuple[RuleSpec, ...], name: str) -> RuleSpec:
    for rule in rules:
        if rule.name == name:
            return rule
    raise NotFound(f"no rule named {name!r}")


def _view(row: PolicyVersion, *, live: bool) -> VersionView:
    return VersionView(row.number, row.note, row.published_at, row.published_by, live)

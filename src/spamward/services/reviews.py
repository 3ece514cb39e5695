"""The review queue: what automation left to a human, and a moderator's answer to it.

Approving says the content is fine: held content is released through the site's webhook
and the post is labelled not spam. Rejecting says it is spam: held content is removed
through the webhook and the post labelled spam. Either can put entities on a list.
Retrying queues a failed action again. Labels teach the classifier (`spamward train`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from spamward.domain.decision import ListName
from spamward.errors import Conflict, NotFound
from spamward.remediation.catalog import ActionKind
from spamward.remediation.enqueue import Resolved, Subject, new_action
from spamward.runtime import Runtime
from spamward.services import spam_manager
from spamward.services.actions import action_json
from spamward.services.lists import NewEntry, add_many
from spamward.storage.models import ReviewItem
from spamward.storage.repositories import actions as action_repo
from spamward.storage.repositories import labels as label_repo
from spamward.storage.repositories import moderation
from spamward.storage.repositories import reviews as repo

RECENT_SPAM = 10  # the user's spam posts shown with an item


class Resolution(StrEnum):
    APPROVE = "approve"  # not spam
    REJECT = "reject"  # spam
    RETRY = "retry"  # run the failed action again


def item_json(row: ReviewItem) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "kind": row.kind,
        "status": row.status,
        "summary": row.summary,
        "event_id": str(row.event_id) if row.event_id else None,
        "decision_id": str(row.decision_id) if row.decision_id else None,
        "action_id": str(row.action_id) if row.action_id else None,
        "user_id": row.user_id,
        "rule": row.rule,
        "created_at": row.created_at.isoformat(),
        "resolved_at": row.resolved_at.isoformat() if row.resolved_at else None,
        "resolved_by": row.resolved_by,
        "resolution": row.resolution,
        "note": row.note,
    }


def review_items(
    runtime: Runtime, project_id: int, status: str | None, kind: str | None, limit: int,
    offset: int,
) -> list[dict[str, Any]]:  # fmt: skip
    with runtime.database.read() as session:
        rows = repo.items(session, project_id, status, kind, limit, offset)
        return [item_json(row) for row in rows]


def review_item(runtime: Runtime, project_id: int, item_id: uuid.UUID) -> dict[str, Any]:
    """The item with what a moderator needs to judge it: the decision (post, entities, rule
    trace, score), the action, and the user's recent spam posts."""
    [item] = review_items_in_context(runtime, project_id, [item_id])
    return item


def review_items_in_context(
    runtime: Runtime, project_id: int, item_ids: list[uuid.UUID]
) -> list[dict[str, Any]]:
    """Several items, each as `review_item` shows it, in a few queries."""
    with runtime.database.read() as session:
        found = repo.items_in_context(session, project_id, item_ids)
        if len(found) < len(set(item_ids)):
            raise NotFound("no such review item")
        users = {c.item.user_id for c in found.values() if c.item.user_id}
        recent = spam_manager.recent_spam_posts(session, project_id, sorted(users), RECENT_SPAM)
        return [_in_context(found[i], recent) for i in item_ids]


def _in_context(found: repo.ItemContext, recent: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    shown = item_json(found.item)
    decision = found.decision
    shown["decision"] = (
        {"verdict": decision.verdict, "score": decision.score, **decision.trace}
        if decision else None
    )  # fmt: skip
    shown["text"] = None if found.text is None else label_repo.post_text(found.title, found.text)
    shown["action"] = action_json(found.action) if found.action else None
    shown["user_posts"] = recent.get(found.item.user_id or "", [])
    return shown


@dataclass(frozen=True, slots=True)
class Answer:
    resolution: Resolution
    note: str | None = None
    deny: list[NewEntry] = field(default_factory=list)
    allow: list[NewEntry] = field(default_factory=list)


def resolve(
    runtime: Runtime, project_id: int, item_id: uuid.UUID, answer: Answer, who: str
) -> dict[str, Any]:
    now = runtime.clock()
    with runtime.database.write() as session:
        row = _item(session, project_id, item_id)
        if row.status != repo.OPEN:
            raise Conflict(f"the item was already resolved by {row.resolved_by}")
        _apply(runtime, session, row, answer, who)
        row.status, row.resolution, row.note = repo.RESOLVED, answer.resolution.value, answer.note
        row.resolved_at, row.resolved_by = now, who
        moderation.log(session, project_id, who, "review.resolve", now, item_id=str(item_id),
                       resolution=answer.resolution.value, note=answer.note)  # fmt: skip
        shown = item_json(row)
    listed = _list(runtime, project_id, answer, who)
    runtime.actions_ready.set()
    return {**shown, "listed": listed}


def _apply(runtime: Runtime, session: Session, row: ReviewItem, answer: Answer, who: str) -> None:
    if answer.resolution is Resolution.RETRY:
        if row.action_id is None:
            raise Conflict("only an item about a failed action can be retried")
        fresh = runtime.settings.action_max_attempts
        if (
            action_repo.requeue(session, row.project_id, row.action_id, runtime.clock(), fresh)
            is None
        ):
            raise NotFound("the item's action no longer exists")
        return
    spam = answer.resolution is Resolution.REJECT
    if row.event_id is not None:
        _label(runtime, session, row, spam, who)
    if row.kind == "held_content" and row.event_id is not None:
        kind = ActionKind.DELETE_CONTENT if spam else ActionKind.RELEASE_CONTENT
        subject = Subject(row.event_id, row.decision_id, row.user_id)
        action = new_action(row.project_id, Resolved(kind.value, kind, {}), {}, subject, who,
                            runtime.settings.action_max_attempts, runtime.clock())  # fmt: skip
        action_repo.enqueue(session, [action])


def _label(runtime: Runtime, session: Session, row: ReviewItem, spam: bool, who: str) -> None:
    assert row.event_id is not None
    text = label_repo.event_text(session, row.project_id, row.event_id)
    if text is not None:  # else purged by retention: nothing left to learn from
        label_repo.put_label(session, row.project_id, row.event_id, text, spam, "moderator",
                             who, runtime.clock(), overwrite=True)  # fmt: skip


def _list(runtime: Runtime, project_id: int, answer: Answer, who: str) -> dict[str, Any]:
    listed: dict[str, Any] = {}
    for name, entries in ((ListName.DENY, answer.deny), (ListName.ALLOW, answer.allow)):
        if entries:
            outcome = add_many(runtime, project_id, name, entries, who)
            listed[name.value] = {
                "added": [view.to_json() for view in outcome.added],
                "errors": [{"index": i, "message": str(e)} for i, e in outcome.errors],
            }
    return listed


def _item(session: Session, project_id: int, item_id: uuid.UUID) -> ReviewItem:
    row = repo.get(session, project_id, item_id)
    if row is None:
        raise NotFound("no such review item")
    return row

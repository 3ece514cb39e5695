"""The Spam Manager: tabs of spam strings over the rolling window, their history, and the
users who post them. Read-only; list changes live in services/lists.py."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from spamward.domain.entity import EntityKind
from spamward.errors import NotFound
from spamward.runtime import Runtime
from spamward.services.actions import action_json
from spamward.storage.models import Entity
from spamward.storage.repositories import spam_manager as repo
from spamward.storage.repositories import user_overview as user_overview_repo
from spamward.storage.repositories.aggregates import day_number, day_start
from spamward.storage.repositories.projects import project_settings

TOP_STRINGS = 5


def entity_json(row: Entity) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": row.kind,
        "value": row.value,
        "display": row.display,
        "posts": row.post_count,
        "users": row.user_count,
        "first_posted_at": row.first_seen_at.isoformat(),
        "last_posted_at": row.last_seen_at.isoformat(),
        "list": row.list_state,
    }


def window_start(runtime: Runtime, window_days: int) -> datetime:
    """The first moment the window counts: midnight UTC, `window_days` days ago."""
    return day_start(day_number(runtime.clock()) - window_days)


def entity_tab(
    runtime: Runtime,
    project_id: int,
    kind: EntityKind,
    search: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """One kind's tab: unlisted entities posted in the window, most posted first."""
    with runtime.database.read() as session:
        start = window_start(runtime, project_settings(session, project_id).window_days)
        rows = repo.tab(session, project_id, kind, start, search, limit, offset)
        return [entity_json(row) for row in rows]


def entity_detail(runtime: Runtime, project_id: int, entity_id: int) -> dict[str, Any]:
    with runtime.database.read() as session:
        row = repo.entity(session, project_id, entity_id)
        if row is None:
            raise NotFound("no such entity")
        return entity_json(row)


def entity_posts(
    runtime: Runtime, project_id: int, entity_id: int, limit: int = 50, offset: int = 0
) -> list[dict[str, Any]]:
    """The posts that contained an entity, newest first, each with its other entities."""
    with runtime.database.read() as session:
        if repo.entity(session, project_id, entity_id) is None:
            raise NotFound("no such entity")
        posts = repo.posts_with_entity(session, project_id, entity_id, limit, offset)
        return _posts_json(session, project_id, posts, leave_out=entity_id)


def spam_users(
    runtime: Runtime, project_id: int, limit: int = 50, offset: int = 0
) -> list[dict[str, Any]]:
    """Spam users, most recent spam first, with their top spam strings and the newest action
    taken on each (automatic or a moderator's)."""
    with runtime.database.read() as session:
        users = repo.spam_users(session, project_id, limit, offset)
        actions = user_overview_repo.last_actions(session, project_id, [u.user_id for u in users])
        last = {str(row.user_id): action_json(row) for row in actions}
        top = repo.top_spam_strings(session, project_id, [u.actor_id for u in users], TOP_STRINGS)
        return [
            {
                "user_id": user.user_id,
                "last_spam_at": user.last_spam_at.isoformat(),
                "spam_posts": user.spam_posts,
                "top_spam_strings": [
                    {"kind": kind, "display": display, "posts": posts}
                    for kind, display, posts in top.get(user.actor_id, [])
                ],
                "last_action": last.get(user.user_id),
            }
            for user in users
        ]


def user_posts(
    runtime: Runtime, project_id: int, user_id: str, limit: int = 50, offset: int = 0
) -> list[dict[str, Any]]:
    """A user's spam posts, newest first, with their entities."""
    with runtime.database.read() as session:
        actor = repo.actor_by_external_id(session, project_id, user_id)
        if actor is None:
            raise NotFound("no such user")
        posts = repo.spam_posts_of_user(session, project_id, actor.id, limit, offset)
        return _posts_json(session, project_id, posts, leave_out=None)


def recent_spam_posts(
    session: Session, project_id: int, user_ids: Sequence[str], limit: int
) -> dict[str, list[dict[str, Any]]]:
    """Each user's latest spam posts, as `user_posts` shows them, by user id."""
    by_user = repo.recent_spam_posts(session, project_id, user_ids, limit)
    shown = _posts_json(session, project_id, [p for ps in by_user.values() for p in ps], None)
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for post in shown:
        found[post["user_id"]].append(post)
    return found


def _posts_json(
    session: Session, project_id: int, posts: list[Any], leave_out: int | None
) -> list[dict[str, Any]]:
    entities = repo.entities_of_posts(session, project_id, [post[0] for post in posts])
    return [
        {
            "event_id": str(event_id),
            "posted_at": posted_at.isoformat(),
            "user_id": user_id,
            "verdict": verdict,
            "text": text,
            "entity_count": len(entities[event_id]),
            "entities": [
                {"id": e.id, "kind": e.kind, "display": e.display, "list": e.list_state}
                for e in entities[event_id]
                if e.id != leave_out
            ],
        }
        for event_id, posted_at, text, user_id, verdict in posts
    ]

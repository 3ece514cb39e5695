"""Labels: moderators' answers on posts (spam or not), stored for training.

A moderator labels a post directly (the API; reviews will too), and list actions label
what they judge: denying an entity labels its recent posts spam, allowing it labels them
not spam. A direct answer overrides an inferred one; an inferred one never overrides.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from spamward.domain.decision import ListName
from spamward.domain.entity import EntityKind
from spamward.errors import NotFound
from spamward.runtime import Runtime
from spamward.storage.models import Label
from spamward.storage.repositories import labels as repo
from spamward.storage.repositories import moderation

LISTED_POSTS_LABELLED = 500  # the newest posts a list action labels


@dataclass(frozen=True, slots=True)
class LabelView:
    event_id: str | None
    spam: bool
    source: str
    text: str
    created_at: datetime
    created_by: str

    @classmethod
    def of(cls, row: Label) -> LabelView:
        event_id = str(row.event_id) if row.event_id else None
        return cls(event_id, row.spam, row.source, row.text, row.created_at, row.created_by)

    def to_json(self) -> dict[str, Any]:
        return {
            "event_id": self.event_id,
            "spam": self.spam,
            "source": self.source,
            "text": self.text,
            "created_at": self.created_at.isoformat(),
            "created_by": self.created_by,
        }


def label_post(
    runtime: Runtime, project_id: int, event_id: uuid.UUID, spam: bool, who: str
) -> None:
    now = runtime.clock()
    with runtime.database.write() as session:
        text = repo.event_text(session, project_id, event_id)
        if text is None:
            raise NotFound("no such event in this project")
        repo.put_label(session, project_id, event_id, text, spam, "moderator", who, now,
                       overwrite=True)  # fmt: skip
        moderation.log(session, project_id, who, "label", now, event_id=str(event_id),
                       spam=spam)  # fmt: skip


def label_listed_posts(
    session: Session, project_id: int, kind: EntityKind, value: str, list_name: ListName,
    who: str, at: datetime,
) -> int:  # fmt: skip
    """Within a list action's transaction: label the entity's recent posts by the list."""
    if list_name is ListName.IGNORE:
        return 0
    posts = repo.posts_with_entity(session, project_id, kind, value, LISTED_POSTS_LABELLED)
    spam = list_name is ListName.DENY
    for event_id, text in posts:
        repo.put_label(session, project_id, event_id, text, spam, f"list.{list_name}", who, at,
                       overwrite=False)  # fmt: skip
    return len(posts)


def recent_labels(runtime: Runtime, project_id: int, limit: int, offset: int) -> list[LabelView]:
    with runtime.database.read() as session:
        return [LabelView.of(row) for row in repo.labels(session, project_id, limit, offset)]


def labelled_texts(runtime: Runtime, project_id: int) -> list[tuple[str, bool]]:
    with runtime.database.read() as session:
        return repo.labelled_texts(session, project_id)

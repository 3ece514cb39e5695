"""An event: one user action on the site, to be judged."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class EventType(StrEnum):
    SIGNUP = "signup"
    POST = "post"
    COMMENT = "comment"
    MESSAGE = "message"
    FORM_SUBMISSION = "form_submission"
    API_REQUEST = "api_request"
    LOGIN = "login"
    PROFILE_UPDATE = "profile_update"


@dataclass(frozen=True, slots=True)
class Actor:
    """The site's user behind an event; every field but the id is optional context."""

    user_id: str | None = None
    email: str | None = None
    ip: str | None = None
    user_agent: str | None = None
    country: str | None = None
    account_created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Content:
    text: str = ""
    title: str | None = None
    links: tuple[str, ...] = ()

    def judged_text(self) -> str:
        """Everything in the content that extraction reads, as one string."""
        parts = [self.title or "", self.text, *self.links]
        return "\n".join(part for part in parts if part)


@dataclass(frozen=True, slots=True)
class Event:
    type: EventType
    actor: Actor
    occurred_at: datetime
    content: Content = field(default_factory=Content)
    context: dict[str, Any] = field(default_factory=dict)
    external_id: str | None = None
    region: str | None = None
    challenge_passed: bool = False  # the actor solved a challenge for this action

"""The state of a site's user account as spamward keeps it, read by rules (`actor.status`)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum


class AccountStatus(StrEnum):
    ACTIVE = "active"
    FLAGGED = "flagged"
    QUARANTINED = "quarantined"  # the default policy holds what it posts
    SUSPENDED = "suspended"
    BANNED = "banned"  # the default policy blocks what it posts

    @property
    def severity(self) -> int:
        return _SEVERITY[self]


_SEVERITY = {status: rank for rank, status in enumerate(AccountStatus)}


def effective_status(status: str, until: datetime | None, now: datetime) -> str:
    """A status with an end (a suspension) reads as active once it is over."""
    return AccountStatus.ACTIVE.value if until is not None and until <= now else status

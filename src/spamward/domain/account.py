"""The state of a site's user account as spamward keeps it, read by rules (`actor.status`)."""

from __future__ import annotations

from enum import StrEnum


class AccountStatus(StrEnum):
    ACTIVE = "active"
    FLAGGED = "flagged"
    QUARANTINED = "quarantined"  # the default policy holds what it posts
    SUSPENDED = "suspended"
    BANNED = "banned"  # the default policy blocks what it posts

"""Tables. Every row that belongs to a site carries its project_id.

Shaped to be extended: entities get aggregate columns with the Spam Manager, list entries
get expiry and authorship, decisions keep their whole rule trace as JSON.
"""

from spamward.storage.models.core import (
    Actor,
    ApiKey,
    Backtest,
    Base,
    Challenge,
    Decision,
    Entity,
    EntityDay,
    EntityOccurrence,
    EntityUser,
    Event,
    IpListEntry,
    Label,
    ListChange,
    ListEntry,
    Membership,
    ModerationLog,
    Moderator,
    PolicyDraft,
    PolicyVersion,
    Project,
    ShadowHit,
    SpamModelVersion,
    table_of,
)
from spamward.storage.models.remediation import (
    Action,
    ActionAttempt,
    DefinedAction,
    ReviewItem,
)

__all__ = [
    "Action",
    "ActionAttempt",
    "Actor",
    "ApiKey",
    "Backtest",
    "Base",
    "Challenge",
    "Decision",
    "DefinedAction",
    "Entity",
    "EntityDay",
    "EntityOccurrence",
    "EntityUser",
    "Event",
    "IpListEntry",
    "Label",
    "ListChange",
    "ListEntry",
    "Membership",
    "ModerationLog",
    "Moderator",
    "PolicyDraft",
    "PolicyVersion",
    "Project",
    "ReviewItem",
    "ShadowHit",
    "SpamModelVersion",
    "table_of",
]

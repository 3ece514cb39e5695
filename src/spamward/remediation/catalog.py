"""The action catalog: what remediation can do, with each action's parameters checked.

Rules name actions in their effects; a project can also define its own actions, a catalog
action with fixed parameters under a name of its choice (services/defined_actions.py).
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from spamward.domain.entity import EntityKind

ActionName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,62}$")]
_DURATION = re.compile(r"^([1-9][0-9]{0,5})([smhdw])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
MAX_DURATION_SECONDS = 366 * 86400


class Target(StrEnum):
    """What an action needs to run on."""

    CONTENT = "content"  # an event (a post, a comment...)
    USER = "user"
    ENTITY = "entity"
    NOTHING = "nothing"  # it takes what the decision has, or nothing


def duration_seconds(value: Any) -> int:
    """`7d`, `12h`, `30m`, `45s`, `2w`, or a number of seconds."""
    if isinstance(value, bool):
        raise ValueError("a duration such as 7d, 12h or 3600")
    if isinstance(value, int):
        seconds = value
    elif isinstance(value, str) and (match := _DURATION.match(value.strip())):
        seconds = int(match[1]) * _UNIT_SECONDS[match[2]]
    else:
        raise ValueError("a duration such as 7d, 12h or 3600")
    if not 1 <= seconds <= MAX_DURATION_SECONDS:
        raise ValueError("a duration between 1 second and 366 days")
    return seconds


Duration = Annotated[int, BeforeValidator(duration_seconds)]


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ForDuration(Params):
    duration: Duration


class DenyEntity(Params):
    kinds: Annotated[list[EntityKind], Field(min_length=1)] = [EntityKind.DOMAIN]
    probation_days: Annotated[int, Field(ge=1, le=90)] = 7
    # Widely used: an entity posted by this many users or more is never auto-denied
    # unless most of its posts were judged spam.
    max_users: Annotated[int, Field(ge=1, le=100000)] = 20


class NotifyUser(Params):
    channel: Literal["email", "webhook"] = "email"
    template: Literal["notify_user"] = "notify_user"


class NotifyAdmins(Params):
    template: Literal["notify_admins"] = "notify_admins"


class CallWebhook(Params):
    event: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_.]{0,62}$")] = "decision"


class Escalate(Params):
    reason: Annotated[str, Field(max_length=300)] = ""


class ActionKind(StrEnum):
    HIDE_CONTENT = "hide_content"
    DELETE_CONTENT = "delete_content"
    HOLD_CONTENT = "hold_content"
    FLAG_CONTENT = "flag_content"
    RELEASE_CONTENT = "release_content"  # a held post approved by a moderator
    QUARANTINE_USER = "quarantine_user"
    SUSPEND_USER = "suspend_user"
    BAN_USER = "ban_user"
    RATE_LIMIT_USER = "rate_limit_user"
    DENY_ENTITY = "deny_entity"
    NOTIFY_USER = "notify_user"
    NOTIFY_ADMINS = "notify_admins"
    CALL_WEBHOOK = "call_webhook"
    ESCALATE = "escalate"

    @property
    def params_model(self) -> type[Params]:
        return _PARAMS.get(self, Params)

    @property
    def target(self) -> Target:
        return _TARGETS.get(self, Target.NOTHING)


_PARAMS: dict[ActionKind, type[Params]] = {
    ActionKind.SUSPEND_USER: ForDuration,
    ActionKind.RATE_LIMIT_USER: ForDuration,
    ActionKind.DENY_ENTITY: DenyEntity,
    ActionKind.NOTIFY_USER: NotifyUser,
    ActionKind.NOTIFY_ADMINS: NotifyAdmins,
    ActionKind.CALL_WEBHOOK: CallWebhook,
    ActionKind.ESCALATE: Escalate,
}
_CONTENT = ("hide_content", "delete_content", "hold_content", "flag_content", "release_content")
_USER = ("quarantine_user", "suspend_user", "ban_user", "rate_limit_user", "notify_user")
_TARGETS = {
    **{ActionKind(name): Target.CONTENT for name in _CONTENT},
    **{ActionKind(name): Target.USER for name in _USER},
    ActionKind.DENY_ENTITY: Target.ENTITY,
}
CATALOG = frozenset(kind.value for kind in ActionKind)


class BadParams(ValueError):
    def __init__(self, kind: ActionKind, problems: list[str]) -> None:
        super().__init__(f"{kind}: " + "; ".join(problems))
        self.problems = problems


def checked_params(kind: ActionKind, params: dict[str, Any]) -> dict[str, Any]:
    """The parameters with defaults filled in, as stored; BadParams names what is wrong."""
    try:
        return kind.params_model.model_validate(params).model_dump(mode="json")
    except ValidationError as error:
        problems = [_problem(e) for e in error.errors(include_url=False)]
        raise BadParams(kind, problems) from None


def _problem(error: Any) -> str:
    where = ".".join(str(part) for part in error["loc"])
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        return f"unknown parameter {where!r}"
    return f"{where}: {message}" if where else message

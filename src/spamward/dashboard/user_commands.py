"""The actions a moderator runs on a user from the user's page, and the question the
confirmation step asks ("Ban user u1? This blocks all their posts.")."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from spamward.dashboard.param_lines import human_duration, summary
from spamward.errors import ValidationFailed
from spamward.remediation.catalog import ActionKind, BadParams, Target, checked_params

# The catalog's user actions, in the order the page offers them, with the verb it asks with.
CATALOG_VERBS = {
    ActionKind.BAN_USER: "Ban",
    ActionKind.QUARANTINE_USER: "Quarantine",
    ActionKind.SUSPEND_USER: "Suspend",
    ActionKind.RATE_LIMIT_USER: "Rate-limit",
    ActionKind.NOTIFY_USER: "Notify",
}
TAKES_DURATION = frozenset({ActionKind.SUSPEND_USER, ActionKind.RATE_LIMIT_USER})

_CONSEQUENCES: dict[ActionKind, Callable[[dict[str, Any]], str]] = {
    ActionKind.BAN_USER: lambda p: "This blocks all their posts.",
    ActionKind.QUARANTINE_USER: lambda p: "This holds their posts for review.",
    ActionKind.SUSPEND_USER: lambda p: (
        f"This blocks their posts for {human_duration(p['duration'])}."
    ),
    ActionKind.RATE_LIMIT_USER: lambda p: (
        f"Their posts are answered rate_limit for {human_duration(p['duration'])}."
    ),
    ActionKind.NOTIFY_USER: lambda p: f"This tells them why, by {p['channel']}.",
    ActionKind.NOTIFY_ADMINS: lambda p: "This tells the project's admins.",
    ActionKind.CALL_WEBHOOK: lambda p: "This posts to the site's webhook.",
    ActionKind.ESCALATE: lambda p: "This opens a review item.",
}


def isolated(text: str) -> str:
    """Text from the site set apart from ours: an RTL override in it (U+202E) cannot reverse
    the words around it (Unicode first-strong isolate ... pop directional isolate)."""
    return f"\u2068{text}\u2069"


@dataclass(frozen=True, slots=True)
class UserCommand:
    name: str  # a catalog user action or a defined action
    kind: ActionKind
    checked: dict[str, Any]  # the parameters it will run with
    given: dict[str, Any] = field(default_factory=dict)  # what the moderator chose
    description: str = ""

    def question(self, user_id: str) -> str:
        verb = CATALOG_VERBS.get(ActionKind(self.name)) if self.is_catalog else None
        shown = isolated(user_id)
        asked = f"{verb} user {shown}?" if verb else f"Run {self.name} on user {shown}?"
        consequence = _CONSEQUENCES.get(self.kind)
        return f"{asked} {consequence(self.checked)}" if consequence else asked

    @property
    def is_catalog(self) -> bool:
        return self.name == self.kind.value


def usable_on_users(defined: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Defined actions that can run with a user alone (not those needing a post or entity),
    each with its parameters summed up to show."""
    return [
        {**d, "shown": summary(d["params"])}
        for d in defined
        if ActionKind(d["action"]).target in (Target.USER, Target.NOTHING)
    ]


def command(name: str, duration: str, channel: str, defined: list[dict[str, Any]]) -> UserCommand:
    """What the form asks for, its parameters checked; an action not offered is refused."""
    if name in {kind.value for kind in CATALOG_VERBS}:
        kind = ActionKind(name)
        given = _given(kind, duration.strip(), channel)
        return UserCommand(name, kind, _checked(kind, given), given)
    found = next((d for d in usable_on_users(defined) if d["name"] == name), None)
    if found is None:
        problem = {"field": "action", "message": "not an action for users in this project"}
        raise ValidationFailed(f"no user action named {name!r}", [problem])
    kind = ActionKind(found["action"])
    return UserCommand(name, kind, found["params"], description=found["description"])


def _given(kind: ActionKind, duration: str, channel: str) -> dict[str, Any]:
    if kind in TAKES_DURATION:
        seconds = duration.isascii() and duration.isdigit() and len(duration) <= 12
        return {"duration": int(duration) if seconds else duration}
    if kind is ActionKind.NOTIFY_USER:
        return {"channel": channel or "email"}
    return {}


def _checked(kind: ActionKind, given: dict[str, Any]) -> dict[str, Any]:
    try:
        return checked_params(kind, given)
    except BadParams as error:
        details = [{"field": "params", "message": problem} for problem in error.problems]
        raise ValidationFailed(f"invalid parameters: {error}", details) from None

"""The demo project that `make run` sets up: safe to run again, it only adds what is missing.

Credentials are written once to the data directory (mode 0600) so each run can print them:
the API key itself is stored hashed in the database and could not be shown again.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from spamward.api.schemas import EventIn
from spamward.domain.decision import ListName
from spamward.domain.entity import EntityKind
from spamward.errors import Conflict
from spamward.remediation.catalog import ActionKind
from spamward.runtime import Runtime
from spamward.services import decisions, defined_actions, lists, moderators, policies, projects
from spamward.settings import write_private

DEMO_PROJECT = "demo"
DEMO_EMAIL = "moderator@demo.test"
DEMO_DENIED_DOMAINS = ("shhort.com", "prizerebel.com", "googleadservices.com")
DEMO_ACTIONS: tuple[tuple[str, ActionKind, dict[str, Any], str], ...] = (
    ("ban_for_spam_links", ActionKind.BAN_USER, {}, "Ban an account posting denied links"),
    ("suspend_week", ActionKind.SUSPEND_USER, {"duration": "7d"}, "Suspend for 7 days"),
    ("quarantine", ActionKind.QUARANTINE_USER, {}, "Hold the account's posts for review"),
)
DEMO_RULES = (
    {
        "name": "repeat_spammer",
        "description": "An account whose earlier post was spam posts a denied link again.",
        "condition": 'actor.prior_spam >= 1 and any(e.list == "deny" for e in entities)',
        "verdict": "block",
        "reason": "repeat spammer",
        "effects": [{"action": "ban_for_spam_links"}, {"action": "notify_admins"}],
        "priority": 12,
    },
    {
        "name": "first_denied_link",
        "description": "A first post with a denied link: a moderator has a look at the account.",
        "condition": 'actor.prior_spam == 0 and any(e.list == "deny" for e in entities)',
        "reason": "first denied link",
        "effects": [{"action": "escalate", "params": {"reason": "first post with a denied link"}}],
        "priority": 13,
    },
)


@dataclass(frozen=True, slots=True)
class DemoCredentials:
    project: str
    api_key: str
    email: str
    password: str
    events_loaded: int


def ensure_demo(runtime: Runtime) -> DemoCredentials:
    data_dir = runtime.settings.data_dir
    created = _ensure_project(runtime)
    api_key = _remembered(data_dir / "demo-api-key", created, lambda: _new_key(runtime))
    password = _remembered(data_dir / "demo-password", created, lambda: secrets.token_urlsafe(12))
    if created or not moderators.moderator_exists(runtime.database, DEMO_EMAIL):
        moderators.create_moderator(
            runtime.database, DEMO_EMAIL, password, DEMO_PROJECT, moderators.Role.ADMIN
        )
    project = projects.find_project(runtime.database, DEMO_PROJECT)
    has_traffic = bool(decisions.recent_decisions(runtime, project.id, limit=1))
    loaded = 0 if has_traffic else _load_traffic(runtime, project.id)
    return DemoCredentials(DEMO_PROJECT, api_key, DEMO_EMAIL, password, loaded)


def _ensure_project(runtime: Runtime) -> bool:
    try:
        projects.create_project(runtime.database, DEMO_PROJECT)
    except Conflict:
        return False
    return True


def _new_key(runtime: Runtime) -> str:
    return projects.create_api_key(runtime.database, DEMO_PROJECT, "demo").token


def _remembered(path: Path, renew: bool, make: Callable[[], str]) -> str:
    if renew or not path.exists():
        write_private(path, make())
    return path.read_text(encoding="ascii").strip()


def _load_traffic(runtime: Runtime, project_id: int) -> int:
    _add_remediation(runtime, project_id)
    for domain in DEMO_DENIED_DOMAINS:
        with suppress(Conflict):
            entry = lists.NewEntry(EntityKind.DOMAIN, domain, "demo")
            lists.add_to_list(runtime, project_id, ListName.DENY, entry, "demo")
    traffic = resources.files("spamward.demo").joinpath("traffic.jsonl")
    lines = traffic.read_text(encoding="utf-8").splitlines()
    for line in lines:
        decisions.decide(
            runtime, project_id, EventIn.model_validate(json.loads(line)).to_event(runtime.clock())
        )
    return len(lines)


def _add_remediation(runtime: Runtime, project_id: int) -> None:
    """Defined actions, and rules that ban repeat spammers and ask a moderator to look."""
    for name, kind, params, description in DEMO_ACTIONS:
        defined_actions.put_defined(runtime, project_id, name, kind, params, description, "demo")
    with suppress(Conflict):
        for rule in DEMO_RULES:
            policies.add_rule(runtime, project_id, rule, "demo")
        policies.publish(runtime, project_id, "demo", "demo: ban repeat spammers")

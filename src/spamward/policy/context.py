"""The decision context a condition reads, built to the schema declared in policy/types.py."""

from __future__ import annotations

from functools import cache
from typing import Any

from spamward.domain.decision import ListName
from spamward.domain.entity import Entity, EntityKind
from spamward.domain.event import Event
from spamward.domain.facts import EntityKey, Facts
from spamward.domain.velocity import ACTOR_SUBJECTS, ENTITY_SUBJECTS, WINDOWS
from spamward.policy.types import Env

DEFAULT_WINDOWS = tuple(WINDOWS)


@cache
def _zeros(windows: tuple[str, ...], subjects: tuple[str, ...]) -> dict[str, int]:
    return {f"{name}_{window}": 0 for name in subjects for window in windows}


def build_context(
    event: Event,
    entities: tuple[Entity, ...],
    listed: dict[EntityKey, ListName],
    facts: Facts,
    windows: tuple[str, ...] = DEFAULT_WINDOWS,
) -> Env:
    actor = event.actor
    email = actor.email or ""
    age = facts.account_age_seconds
    content = event.content
    return {
        "event": {
            "type": event.type.value,
            "text": content.text,
            "title": content.title or "",
            "length": len(content.judged_text()),
            "link_count": sum(1 for entity in entities if entity.kind is EntityKind.URL),
        },
        "actor": {
            "id": actor.user_id or "",
            "email": email,
            "email_domain": email.rpartition("@")[2].lower() if "@" in email else "",
            "ip": actor.ip or "",
            "country": facts.country or actor.country or "",
            "ip_list": facts.ip_list,
            "account_age_seconds": age,
            "account_age_days": age / 86400 if age is not None else None,
            "status": facts.actor_status,
            "rate_limited": facts.actor_rate_limited,
            "email_disposable": facts.email_disposable,
            "prior_events": facts.prior_events,
            "prior_spam": facts.prior_spam,
            "spam_ratio": facts.prior_spam / facts.prior_events if facts.prior_events else 0.0,
            "last_verdict": facts.last_verdict,
        },
        "entities": [_entity(entity, listed, facts, windows) for entity in entities],
        "velocity": _zeros(windows, ACTOR_SUBJECTS) | facts.velocity,
        "model": {"spam": facts.spam_probability},
    }


def _entity(
    entity: Entity, listed: dict[EntityKey, ListName], facts: Facts, windows: tuple[str, ...]
) -> dict[str, Any]:
    state = listed.get(entity.key)
    posts, users = facts.entity_counts.get(entity.key, (0, 0))
    return {
        "kind": entity.kind.value,
        "value": entity.value,
        "display": entity.display,
        "domain": entity.domain or "",
        "list": state.value if state else "",
        "shortener": entity.is_shortener,
        "posts": posts,
        "users": users,
        **_zeros(windows, ENTITY_SUBJECTS),
        **facts.entity_velocity.get(entity.key, {}),
    }

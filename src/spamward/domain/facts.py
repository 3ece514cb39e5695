"""Facts about an event besides its content, gathered before the policy runs.

Kept with the decision, so that a backtest replays a draft policy over the same facts the
live decision saw (account age, account status, velocity, entity counts at the time).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from spamward.domain.entity import EntityKind

EntityKey = tuple[EntityKind, str]


@dataclass(frozen=True, slots=True)
class Account:
    """What spamward keeps about a site's user: status and history of its judged events."""

    status: str = "active"
    events: int = 0
    spam_events: int = 0  # held or blocked
    last_verdict: str | None = None
    rate_limited: bool = False  # by a rate_limit_user action, not yet over


@dataclass(frozen=True, slots=True)
class Facts:
    account_age_seconds: float | None = None
    actor_status: str = "active"
    actor_rate_limited: bool = False
    prior_events: int = 0
    prior_spam: int = 0
    last_verdict: str = ""
    email_disposable: bool = False
    country: str = ""  # as the site sent it, else from the IP; "" when unknown
    ip_list: str = ""  # allow or deny: the project's IP list that holds the actor's IP
    spam_probability: float = 0.0  # the classifier's, when a rule reads model.spam
    velocity: dict[str, int] = field(default_factory=dict)
    entity_counts: dict[EntityKey, tuple[int, int]] = field(default_factory=dict)  # posts, users
    entity_velocity: dict[EntityKey, dict[str, int]] = field(default_factory=dict)
    degraded: tuple[str, ...] = ()  # signals that could not be read, e.g. ("velocity",)

    def to_json(self) -> dict[str, Any]:
        return {
            "account_age_seconds": self.account_age_seconds,
            "actor_status": self.actor_status,
            "actor_rate_limited": self.actor_rate_limited,
            "prior_events": self.prior_events,
            "prior_spam": self.prior_spam,
            "last_verdict": self.last_verdict,
            "email_disposable": self.email_disposable,
            "country": self.country,
            "ip_list": self.ip_list,
            "spam_probability": self.spam_probability,
            "velocity": self.velocity,
            "entity_counts": [[k, v, p, u] for (k, v), (p, u) in self.entity_counts.items()],
            "entity_velocity": [[k, v, counts] for (k, v), counts in self.entity_velocity.items()],
            "degraded": list(self.degraded),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Facts:
        """Facts as stored; anything missing (decisions older than the field) is unknown."""
        counts = {
            (EntityKind(kind), value): (int(posts), int(users))
            for kind, value, posts, users in data.get("entity_counts", [])
        }
        entity_velocity = {
            (EntityKind(kind), value): {str(k): int(n) for k, n in named.items()}
            for kind, value, named in data.get("entity_velocity", [])
        }
        age = data.get("account_age_seconds")
        return cls(
            account_age_seconds=float(age) if age is not None else None,
            actor_status=str(data.get("actor_status", "active")),
            actor_rate_limited=bool(data.get("actor_rate_limited", False)),
            prior_events=int(data.get("prior_events", 0)),
            prior_spam=int(data.get("prior_spam", 0)),
            last_verdict=str(data.get("last_verdict", "")),
            email_disposable=bool(data.get("email_disposable", False)),
            country=str(data.get("country", "")),
            ip_list=str(data.get("ip_list", "")),
            spam_probability=float(data.get("spam_probability", 0.0)),
            velocity={str(k): int(v) for k, v in data.get("velocity", {}).items()},
            entity_counts=counts,
            entity_velocity=entity_velocity,
            degraded=tuple(str(name) for name in data.get("degraded", [])),
        )

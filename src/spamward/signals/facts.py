"""Gathering the facts a policy reads besides the content: only those some rule reads."""

from __future__ import annotations

from spamward.domain.entity import Entity
from spamward.domain.event import Event
from spamward.domain.facts import Account, Facts
from spamward.domain.velocity import ENTITY_SUBJECTS
from spamward.signals.email import is_disposable
from spamward.signals.geo import country_of
from spamward.signals.reader import SignalReader
from spamward.signals.velocity import Reading

# velocity.*, and the entities' own windows (entities.posts_1h, entities.near_users_10m...)
_VELOCITY_PATHS = ("velocity", *(f"entities.{name}_" for name in ENTITY_SUBJECTS))
ENTITY_COUNT_FIELDS = frozenset({"entities.posts", "entities.users"})
ACCOUNT_FIELDS = frozenset(
    f"actor.{name}"
    for name in (
        "status",
        "rate_limited",
        "prior_events",
        "prior_spam",
        "spam_ratio",
        "last_verdict",
    )
)


def gather_facts(
    event: Event, entities: tuple[Entity, ...], reads: frozenset[str], signals: SignalReader
) -> Facts:
    created = event.actor.account_created_at
    user_id = event.actor.user_id
    wants_velocity = any(p.startswith(_VELOCITY_PATHS) for p in reads)
    velocity = signals.velocity(event, entities) if wants_velocity else Reading()
    account = signals.account(user_id) if user_id and reads & ACCOUNT_FIELDS else Account()
    return Facts(
        account_age_seconds=(event.occurred_at - created).total_seconds() if created else None,
        actor_status=account.status,
        actor_rate_limited=account.rate_limited,
        prior_events=account.events,
        prior_spam=account.spam_events,
        last_verdict=account.last_verdict or "",
        email_disposable="actor.email_disposable" in reads and is_disposable(event.actor.email),
        country=_country(event, reads),
        ip_list=signals.ip_list(event.actor.ip) if "actor.ip_list" in reads else "",
        spam_probability=signals.spam_probability(event.content.judged_text())
        if "model.spam" in reads
        else 0.0,
        velocity=velocity.actor,
        entity_counts=dict(signals.entity_counts(e.key for e in entities))
        if entities and reads & ENTITY_COUNT_FIELDS
        else {},
        entity_velocity=velocity.entities,
        degraded=("velocity",) if velocity.degraded else (),
    )


def _country(event: Event, reads: frozenset[str]) -> str:
    """The site's country for the actor, else (when a rule asks) the IP's."""
    if event.actor.country:
        return event.actor.country
    return country_of(event.actor.ip) if "actor.country" in reads else ""

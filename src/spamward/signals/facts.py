"""Gathering the facts a policy reads besides the content: only those some rule reads."""

from __future__ import annotations

from spamward.domain.entity import Entity
from spamward.domain.event import Event
from spamward.domain.facts import Facts
from spamward.signals.reader import SignalReader


def gather_facts(
    event: Event, entities: tuple[Entity, ...], reads: frozenset[str], signals: SignalReader
) -> Facts:
    def wanted(*prefixes: str) -> bool:
        return any(path.startswith(prefixes) for path in reads)

    created = event.actor.account_created_at
    user_id = event.actor.user_id
    return Facts(
        account_age_seconds=(event.occurred_at - created).total_seconds() if created else None,
        actor_status=signals.actor_status(user_id)
        if user_id and wanted("actor.status")
        else "active",
        velocity=dict(signals.velocity(event)) if wanted("velocity") else {},
        entity_counts=dict(signals.entity_counts(e.key for e in entities))
        if entities and wanted("entities.posts", "entities.users")
        else {},
    )

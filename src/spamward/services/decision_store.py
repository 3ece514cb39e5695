"""Storing a batch of decisions in one transaction (the group commit's batch writer): their
events, entities and counters, their challenges, then the actions and review items each
one asks for."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from spamward.domain.decision import Decision, ListName
from spamward.domain.entity import Entity
from spamward.domain.event import Event
from spamward.remediation.enqueue import Subject, queue_decision_actions
from spamward.services.decision_record import DecisionRecord
from spamward.signals.lists import EntityKey, list_status
from spamward.storage.models import Challenge
from spamward.storage.repositories.aggregates import day_number
from spamward.storage.repositories.events import DecidedEvent, PostedEntity, record_events
from spamward.storage.repositories.signals import StoredSignals


@dataclass(frozen=True, slots=True)
class DecisionToStore:
    project_id: int
    event: Event
    decision: Decision
    record: DecisionRecord  # its ids are set: a recorded decision
    first_day: int  # the first day of the project's window
    max_attempts: int  # for the actions it queues
    challenge: Challenge | None = None  # the challenge the decision asks, if any

    @property
    def subject(self) -> Subject:
        record = self.record
        assert record.id is not None and record.event_id is not None
        return Subject(record.event_id, record.id, self.event.actor.user_id, record.created_at)


def store_decisions(session: Session, batch: Sequence[DecisionToStore]) -> list[int]:
    """Store the batch; for each decision, the number of actions it queued."""
    current = _current_lists(session, batch)
    record_events(session, [_decided(item, current[item.project_id]) for item in batch])
    session.add_all([item.challenge for item in batch if item.challenge is not None])
    return [_queue_actions(session, item) for item in batch]


def _queue_actions(session: Session, item: DecisionToStore) -> int:
    return queue_decision_actions(
        session, item.project_id, item.decision, item.subject, item.max_attempts,
        item.record.created_at,
    )  # fmt: skip


def _current_lists(
    session: Session, batch: Sequence[DecisionToStore]
) -> dict[int, dict[EntityKey, ListName]]:
    """The lists as they are inside this write, one read per project: a list change made
    since the evaluation read them must not be overwritten with what they were then."""
    entities: dict[int, dict[EntityKey, Entity]] = defaultdict(dict)
    for item in batch:
        entities[item.project_id].update((e.key, e) for e in item.decision.entities)
    at = batch[0].record.created_at
    return {
        project_id: list_status(
            tuple(found.values()), StoredSignals.in_session(session, project_id, at)
        )
        for project_id, found in entities.items()
    }


def _decided(item: DecisionToStore, current: dict[EntityKey, ListName]) -> DecidedEvent:
    record, decision = item.record, item.decision
    assert record.id is not None and record.event_id is not None
    return DecidedEvent(
        project_id=item.project_id,
        event_id=record.event_id,
        decision_id=record.id,
        event=item.event,
        entities=[PostedEntity(e, _state(current.get(e.key))) for e in decision.entities],
        verdict=record.verdict,
        score=record.score,
        trace=record.trace,
        duration_us=decision.duration_us,
        policy_version=decision.policy_version,
        shadow_hits=[(o.rule, o.would_be.value) for o in decision.rules if o.would_be],
        received_at=record.created_at,
        in_window=day_number(item.event.occurred_at) >= item.first_day,
    )


def _state(listed: ListName | None) -> str | None:
    return listed.value if listed else None

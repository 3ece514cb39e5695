"""Judging events: evaluate, then record event, entities and decision in one transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from spamward.domain.decision import Decision, ListName
from spamward.domain.event import Event
from spamward.domain.ids import new_id
from spamward.engine import evaluate
from spamward.errors import NotFound
from spamward.remediation.enqueue import Subject, queue_decision_actions
from spamward.runtime import Runtime
from spamward.services.decision_record import DecisionRecord, record_of
from spamward.services.policies import live_policy
from spamward.services.signals import LiveSignals
from spamward.services.spam_models import spam_model
from spamward.signals.lists import list_status
from spamward.signals.reader import NoSignals, SignalReader
from spamward.signals.velocity import subjects_of
from spamward.storage.repositories import decisions as decision_repo
from spamward.storage.repositories import events as event_repo
from spamward.storage.repositories.aggregates import count_post, day_number
from spamward.storage.repositories.events import PostedEntity
from spamward.storage.repositories.lists import StoredLists
from spamward.storage.repositories.projects import project_by_name
from spamward.storage.repositories.signals import StoredSignals


def decide(runtime: Runtime, project_id: int, event: Event) -> DecisionRecord:
    """Judge an event and store it with its decision before answering; the velocity
    counters count it once it is stored."""
    now = runtime.clock()
    knobs = runtime.projects.get(project_id)
    if knobs is None:
        raise NotFound("no such project")
    with runtime.database.read() as session:
        policy = live_policy(runtime, session, project_id, knobs.policy_version)
        stored = StoredSignals(session, project_id, now)
        model = spam_model(runtime, session, project_id, knobs.spam_model_version)
        signals = LiveSignals(
            stored, runtime.counters, runtime.lists, runtime.ip_lists_of(project_id),
            project_id, now, model,
        )  # fmt: skip
        decision = evaluate(
            event, policy, signals, runtime.settings.default_region, knobs.duplicate_text_min_chars
        )
    record = record_of(decision, decision_id=new_id(), event_id=new_id(), at=now)
    first_day = day_number(now) - knobs.window_days

    def write(session: Session) -> int:
        _store(session, project_id, event, decision, record, first_day)
        return queue_decision_actions(
            session, project_id, decision, _subject(event, record),
            runtime.settings.action_max_attempts, now,
        )  # fmt: skip

    queued = runtime.recorder.write(write, turn=project_id)
    if queued:
        runtime.actions_ready.set()
    subjects = subjects_of(event, decision.entities)
    runtime.counters.commit(project_id, subjects, str(record.event_id), now)
    return record


def _subject(event: Event, record: DecisionRecord) -> Subject:
    return Subject(record.event_id, record.id, event.actor.user_id, record.created_at)


def _store(
    session: Session,
    project_id: int,
    event: Event,
    decision: Decision,
    record: DecisionRecord,
    first_day: int,
) -> None:
    assert record.id is not None and record.event_id is not None  # set by decide()
    actor_id = event_repo.upsert_actor(
        session, project_id, event, record.created_at, record.verdict
    )
    event_repo.insert_event(
        session, project_id, record.event_id, event, actor_id, record.created_at
    )
    posted_at = event.occurred_at
    in_window = day_number(posted_at) >= first_day
    # The lists again, inside this write: a list change made since the evaluation read them
    # must not be overwritten with what they were then.
    current = list_status(decision.entities, StoredLists(session, project_id, record.created_at))
    posted = [PostedEntity(e, _state(current.get(e.key))) for e in decision.entities]
    entity_ids = event_repo.upsert_entities(
        session, project_id, posted, posted_at, in_window=in_window
    )
    event_repo.insert_occurrences(
        session, project_id, record.event_id, entity_ids, actor_id, posted_at
    )
    if in_window:
        count_post(session, project_id, entity_ids, actor_id, posted_at)
    decision_repo.insert_decision(
        session,
        project_id,
        decision_id=record.id,
        event_id=record.event_id,
        verdict=record.verdict,
        score=record.score,
        trace=record.trace,
        duration_us=decision.duration_us,
        policy_version=decision.policy_version,
        at=record.created_at,
    )
    shadow = [o for o in decision.rules if o.would_be is not None]
    if shadow:
        decision_repo.insert_shadow_hits(
            session,
            project_id,
            record.id,
            decision.policy_version,
            decision.verdict.value,
            [(o.rule, o.would_be.value) for o in shadow if o.would_be],
            record.created_at,
        )


def judge(runtime: Runtime, event: Event, project_name: str | None) -> DecisionRecord:
    """Judge an event with a project's live policy and stored signals, or with the default
    policy and nothing stored, without storing or counting anything."""
    now = runtime.clock()
    min_chars = runtime.settings.duplicate_text_min_chars
    with runtime.database.read() as session:
        policy = runtime.default_policy
        signals: SignalReader = NoSignals()

        if project_name is not None:
            project = project_by_name(session, project_name)
            if project is None:
                raise NotFound(f"no project named {project_name!r}")
            policy = live_policy(runtime, session, project.id, project.policy_version)
            stored = StoredSignals(session, project.id, now)
            model = spam_model(runtime, session, project.id, project.spam_model_version)
            signals = LiveSignals(
                stored, runtime.counters, runtime.lists, runtime.ip_lists_of(project.id),
                project.id, now, model,
            )  # fmt: skip
            min_chars = project.duplicate_text_min_chars
        decision = evaluate(event, policy, signals, runtime.settings.default_region, min_chars)
    return record_of(decision, decision_id=None, event_id=None, at=now)


def get_decision(runtime: Runtime, project_id: int, decision_id: uuid.UUID) -> DecisionRecord:
    with runtime.database.read() as session:
        row = decision_repo.decision_by_id(session, project_id, decision_id)
    if row is None:
        raise NotFound("no such decision")
    return DecisionRecord(row.id, row.event_id, row.created_at, row.verdict, row.score, row.trace)


@dataclass(frozen=True, slots=True)
class RecentDecision:
    record: DecisionRecord
    event_type: str
    text: str
    title: str | None
    user_id: str | None


def recent_decisions(runtime: Runtime, project_id: int, limit: int = 50) -> list[RecentDecision]:
    with runtime.database.read() as session:
        rows = decision_repo.recent_decisions(session, project_id, limit)
    return [
        RecentDecision(
            DecisionRecord(d.id, d.event_id, d.created_at, d.verdict, d.score, d.trace),
            event.type,
            event.text,
            event.title,
            user_id,
        )
        for d, event, user_id in rows
    ]


def _state(listed: ListName | None) -> str | None:
    return listed.value if listed else None

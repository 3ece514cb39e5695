"""Judging events: evaluate, then record event, entities and decision in one transaction."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace

import anyio.to_thread

from spamward.domain.event import Event
from spamward.domain.ids import new_id
from spamward.engine import evaluate
from spamward.errors import NotFound
from spamward.policy.compiled import Policy
from spamward.runtime import Runtime
from spamward.services import challenges
from spamward.services.decision_record import DecisionRecord, record_of
from spamward.services.decision_store import DecisionToStore
from spamward.services.policies import live_policy
from spamward.services.signals import LiveSignals
from spamward.services.spam_models import held_spam_model, spam_model
from spamward.signals.ip_lists import IpLists
from spamward.signals.reader import NoSignals, SignalReader, SpamModel
from spamward.signals.velocity import subjects_of
from spamward.storage.models import Project
from spamward.storage.repositories import decisions as decision_repo
from spamward.storage.repositories.aggregates import day_number
from spamward.storage.repositories.projects import project_by_name
from spamward.storage.repositories.signals import StoredSignals


def decide(
    runtime: Runtime, project_id: int, event: Event, challenge_token: str | None = None
) -> DecisionRecord:
    """Judge an event and store it with its decision before answering; the velocity
    counters count it once it is stored. A valid `challenge_token` (a solved challenge of
    the same actor, used once) answers the challenge the rules would ask for."""
    state = _project_state(runtime, project_id)
    judged = _judged(runtime, project_id, event, challenge_token, state)
    return judged.stored(runtime.recorder.write(judged.to_store, turn=project_id))


async def decide_on_loop(
    runtime: Runtime, project_id: int, event: Event, challenge_token: str | None = None
) -> DecisionRecord:
    """`decide` for the API's event loop: judged and committed on the loop when every store
    is local (where a worker thread would only take turns with it), else in a worker
    thread, so that the loop never waits on the network. What could hold the loop long (a
    load that is due, a token to redeem) is done in a worker thread either way."""
    if not runtime.is_local or challenge_token is not None:  # a token is redeemed by a write
        return await anyio.to_thread.run_sync(decide, runtime, project_id, event, challenge_token)
    state = _held_state(runtime, project_id)
    if state is None:
        # Loading a project's lists (seconds for a million entries), policy or model in a
        # worker thread: on the loop, every other request would wait for it.
        state = await anyio.to_thread.run_sync(_project_state, runtime, project_id)
    judged = _judged(runtime, project_id, event, None, state)
    return judged.stored(await runtime.recorder.write_on_loop(judged.to_store, turn=project_id))


ProjectState = tuple[Project, Policy, SpamModel, IpLists]


def _held_state(runtime: Runtime, project_id: int) -> ProjectState | None:
    """The project's state when this process holds all of it, fresh; None when judging would
    first read one of its lists, its policy or its model."""
    knobs = _settings(runtime, project_id)
    policy = runtime.policies.held(project_id, knobs.policy_version)
    model = held_spam_model(runtime, project_id, knobs.spam_model_version)
    if (
        policy is None
        or model is None
        or runtime.lists.due(project_id)
        or not runtime.ip_lists.holds(project_id)
    ):
        return None
    return knobs, policy, model, runtime.ip_lists_of(project_id)


@dataclass(frozen=True, slots=True)
class _Judged:
    """A decision made, to store; once stored, counted."""

    runtime: Runtime
    to_store: DecisionToStore
    send_code: Callable[[], None] | None  # an e-mail challenge's code, sent once stored

    def stored(self, actions_queued: int) -> DecisionRecord:
        if actions_queued:
            self.runtime.actions_ready.set()
        if self.send_code is not None:
            self.send_code()
        item = self.to_store
        subjects = subjects_of(item.event, item.decision.entities)
        record = item.record
        self.runtime.counters.commit(
            item.project_id, subjects, str(record.event_id), record.created_at
        )
        return record


def _judged(
    runtime: Runtime,
    project_id: int,
    event: Event,
    challenge_token: str | None,
    state: ProjectState,
) -> _Judged:
    now = runtime.clock()
    refused = None
    if challenge_token is not None:
        refused = challenges.redeem(runtime, project_id, challenge_token, event.actor)
        event = replace(event, challenge_passed=refused is None)
    knobs, policy, model, ip_lists = state
    with runtime.database.driver_read() as sql:
        stored = StoredSignals(sql, project_id, now)
        signals = LiveSignals(
            stored, runtime.counters, runtime.lists, ip_lists, project_id, now, model
        )
        decision = evaluate(
            event, policy, signals, runtime.settings.default_region, knobs.duplicate_text_min_chars
        )
    record = record_of(decision, decision_id=new_id(), event_id=new_id(), at=now)
    if refused is not None:
        record.trace["reasons"].append(f"challenge token refused: {refused}")
    issued = None
    if decision.challenge is not None:
        assert record.id is not None
        issued = challenges.issue(
            runtime, project_id, record.id, event, decision.challenge, policy.document.challenges
        )
        record.trace["challenge"] = issued.shown
    first_day = day_number(now) - knobs.window_days
    max_attempts = runtime.settings.action_max_attempts
    to_store = DecisionToStore(
        project_id, event, decision, record, first_day, max_attempts,
        None if issued is None else issued.row,
    )  # fmt: skip
    return _Judged(runtime, to_store, None if issued is None else issued.send)


def _project_state(runtime: Runtime, project_id: int) -> ProjectState:
    """The project's settings, live policy and model, and IP lists; its entity lists
    brought up to date. Each is read only when new or due here."""
    knobs = _settings(runtime, project_id)
    policy = runtime.policies.held(project_id, knobs.policy_version)
    model = held_spam_model(runtime, project_id, knobs.spam_model_version)
    if policy is None or model is None:  # a version new here
        with runtime.database.read() as session:
            policy = live_policy(runtime, session, project_id, knobs.policy_version)
            model = spam_model(runtime, session, project_id, knobs.spam_model_version)
    ip_lists = runtime.ip_lists_of(project_id)
    runtime.lists.refresh(project_id)  # both read on connections of their own when due
    return knobs, policy, model, ip_lists


def _settings(runtime: Runtime, project_id: int) -> Project:
    knobs = runtime.projects.get(project_id)
    if knobs is None:
        raise NotFound("no such project")
    return knobs


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
            stored = StoredSignals.in_session(session, project.id, now)
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

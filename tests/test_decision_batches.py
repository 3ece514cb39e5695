"""Decisions stored a batch at a time (services/decision_store.py, storage/repositories/
events.py), on SQLite and PostgreSQL: rows several decisions of one batch touch are merged
into one change each, and what the driver-level statements store reads back through the
ORM as it was given."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from spamward.domain.event import Actor, Content, Event, EventType
from spamward.domain.ids import new_id
from spamward.engine import evaluate
from spamward.runtime import Runtime
from spamward.services.decision_record import record_of
from spamward.services.decision_store import DecisionToStore, store_decisions
from spamward.signals.reader import NoSignals
from spamward.storage import models
from spamward.storage.repositories.aggregates import day_number
from tests.conftest import ApiProject


def _to_store(runtime: Runtime, project: ApiProject, event: Event) -> DecisionToStore:
    decision = evaluate(event, runtime.default_policy, NoSignals(), "US")
    record = record_of(decision, decision_id=new_id(), event_id=new_id(), at=runtime.clock())
    first_day = day_number(runtime.clock()) - 14
    return DecisionToStore(project.id, event, decision, record, first_day, max_attempts=3)


def _post(runtime: Runtime, user: str, text: str, minutes_ago: int = 0, **context: object) -> Event:
    at = runtime.clock() - timedelta(minutes=minutes_ago)
    actor = Actor(user_id=user, email=f"{user}@example.org", ip="203.0.113.7")
    return Event(EventType.POST, actor, at, Content(text=text), context=dict(context))


def _store(runtime: Runtime, project: ApiProject, *events: Event) -> None:
    with runtime.database.write() as session:
        store_decisions(session, [_to_store(runtime, project, e) for e in events])


def test_a_batch_merges_the_rows_its_decisions_share(runtime: Runtime, project: ApiProject) -> None:
    _store(
        runtime, project,
        _post(runtime, "ann", "see https://shared.example/a", minutes_ago=5),
        _post(runtime, "ann", "again https://shared.example/a", minutes_ago=1),
        _post(runtime, "bob", "me too https://shared.example/a", minutes_ago=3),
    )  # fmt: skip

    with runtime.database.read() as session:
        actors = {a.external_id: a for a in session.scalars(select(models.Actor))}
        url = session.scalars(select(models.Entity).where(models.Entity.kind == "url")).one()
        days = session.scalars(
            select(models.EntityDay).where(models.EntityDay.entity_id == url.id)
        ).all()
        users = session.scalars(
            select(models.EntityUser).where(models.EntityUser.entity_id == url.id)
        ).all()
        occurrences = session.scalars(
            select(models.EntityOccurrence).where(models.EntityOccurrence.entity_id == url.id)
        ).all()
    assert (actors["ann"].events, actors["bob"].events) == (2, 1)
    assert (url.post_count, url.user_count) == (3, 2)
    assert url.first_seen_at == runtime.clock() - timedelta(minutes=5)
    assert url.last_seen_at == runtime.clock() - timedelta(minutes=1)
    assert [day.posts for day in days] == [3]
    assert len(occurrences) == 3
    ann_seen = next(u.last_posted_at for u in users if u.actor_id == actors["ann"].id)
    assert ann_seen == runtime.clock() - timedelta(minutes=1)


def test_a_later_batch_adds_to_the_rows_an_earlier_one_made(
    runtime: Runtime, project: ApiProject
) -> None:
    _store(runtime, project, _post(runtime, "ann", "https://shared.example/a", minutes_ago=2))
    _store(
        runtime, project,
        _post(runtime, "ann", "https://shared.example/a", minutes_ago=9),  # arrives late
        _post(runtime, "ann", "https://shared.example/a", minutes_ago=8),
        _post(runtime, "cat", "https://shared.example/a"),
    )  # fmt: skip

    with runtime.database.read() as session:
        url = session.scalars(select(models.Entity).where(models.Entity.kind == "url")).one()
        ann = session.scalars(select(models.Actor).where(models.Actor.external_id == "ann")).one()
        ann_seen = session.scalar(
            select(models.EntityUser.last_posted_at).where(
                models.EntityUser.entity_id == url.id, models.EntityUser.actor_id == ann.id
            )
        )
    assert (url.post_count, url.user_count) == (4, 2)
    assert url.first_seen_at == runtime.clock() - timedelta(minutes=9)
    assert url.last_seen_at == runtime.clock()
    assert ann.events == 3
    assert ann_seen == runtime.clock() - timedelta(minutes=2)  # the late posts are older


def test_stored_events_and_decisions_read_back_as_given(
    runtime: Runtime, project: ApiProject
) -> None:
    event = _post(
        runtime, "ann", "ünïcode \u202e text https://x.example", big=2**70, nested={"a": [1]}
    )
    item = _to_store(runtime, project, event)
    with runtime.database.write() as session:
        store_decisions(session, [item])

    with runtime.database.read() as session:
        stored_event = session.get(models.Event, item.record.event_id)
        stored_decision = session.get(models.Decision, item.record.id)
    assert stored_event is not None and stored_decision is not None
    assert stored_event.text == event.content.text
    assert stored_event.context == {"big": 2**70, "nested": {"a": [1]}}
    assert stored_event.occurred_at == event.occurred_at
    assert stored_decision.trace == item.record.trace
    assert stored_decision.created_at == runtime.clock()

"""The retention job beside live traffic: the counters must match a recount afterwards."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import func, select

from spamward.domain.event import Actor, Content, Event, EventType
from spamward.runtime import Runtime
from spamward.services.decisions import decide
from spamward.services.retention import run_retention
from spamward.storage import models
from spamward.storage.repositories.aggregates import day_number, day_start
from tests.conftest import ApiProject, Clock

POSTS = 120


def _post(clock: Clock, index: int) -> Event:
    # Posts spread over 30 days back, so many fall out of the 14-day window as time goes on.
    posted_at = clock.now - timedelta(days=index % 30, hours=index % 7)
    text = f"deal {index % 9} at https://shop{index % 5}.example.com/p/{index % 11}"
    return Event(EventType.POST, Actor(user_id=f"u{index % 13}"), posted_at, Content(text))


def _recounted(runtime: Runtime, project_id: int, window_days: int) -> dict[int, tuple[int, int]]:
    """Posts and distinct users per entity inside the window, counted from the occurrences."""
    first = day_start(day_number(runtime.clock()) - window_days)
    occurrence = models.EntityOccurrence
    with runtime.database.read() as session:
        rows = session.execute(
            select(
                occurrence.entity_id,
                func.count(),
                func.count(func.distinct(occurrence.actor_id)),
            )
            .where(occurrence.project_id == project_id, occurrence.occurred_at >= first)
            .group_by(occurrence.entity_id)
        ).all()
    return {entity_id: (posts, users) for entity_id, posts, users in rows}


def _counters(runtime: Runtime, project_id: int) -> dict[int, tuple[int, int]]:
    entity = models.Entity
    with runtime.database.read() as session:
        rows = session.execute(
            select(entity.id, entity.post_count, entity.user_count).where(
                entity.project_id == project_id, entity.post_count > 0
            )
        ).all()
    return {entity_id: (posts, users) for entity_id, posts, users in rows}


def test_counters_match_a_recount_after_retention_ran_beside_traffic(
    runtime: Runtime, clock: Clock, project: ApiProject
) -> None:
    done = threading.Event()
    failures: list[BaseException] = []

    def traffic() -> None:
        try:
            for index in range(POSTS):
                decide(runtime, project.id, _post(clock, index))
        except BaseException as error:  # surfaced by the assertion below
            failures.append(error)
        finally:
            done.set()

    poster = threading.Thread(target=traffic)
    poster.start()
    runs = 0
    while not done.is_set():
        run_retention(runtime)
        runs += 1
    poster.join()
    run_retention(runtime)

    assert failures == []
    assert runs >= 1
    assert _counters(runtime, project.id) == _recounted(runtime, project.id, window_days=14)

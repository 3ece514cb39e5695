"""The reads every decision makes on PostgreSQL run outside a transaction: no BEGIN before
them and no ROLLBACK when the connection goes back to the pool (two round trips each)."""

from __future__ import annotations

from typing import Any

import pytest
from psycopg.pq import TransactionStatus

from spamward.domain.event import Actor, Content, Event, EventType
from spamward.runtime import Runtime
from spamward.services.decisions import decide
from spamward.storage.repositories.signals import StoredSignals
from tests.conftest import ApiProject


@pytest.mark.parametrize("backend", ["postgres"])
def test_decision_reads_on_postgres_open_no_transaction(
    runtime: Runtime, project: ApiProject
) -> None:
    with runtime.database.driver_read() as sql:
        driver: Any = getattr(sql.connection, "driver_connection")  # noqa: B009
        StoredSignals(sql, project.id, runtime.clock()).account("someone")
        assert driver.info.transaction_status is TransactionStatus.IDLE
    assert driver.autocommit is False  # what the pool's other users get back


@pytest.mark.parametrize("backend", ["postgres"])
def test_each_decision_reads_what_the_decisions_before_it_stored(
    runtime: Runtime, project: ApiProject
) -> None:
    for _ in range(3):
        event = Event(EventType.POST, Actor(user_id="u1"), runtime.clock(), Content(text="hi"))
        decide(runtime, project.id, event)
    with runtime.database.driver_read() as sql:
        assert StoredSignals(sql, project.id, runtime.clock()).account("u1").events == 3

"""A tab is read from its index in tab order, never sorted whole.

Issue 4 asks tabs to answer fast with hundreds of thousands of entities, with no full scan
per request. A tab's first page can only be cheap if the database walks an index in the tab's
order (most posted, then last posted, then id) and stops after the page; if it has to sort,
it reads every unlisted entity of the kind in the window first, on every request.

The test captures the SQL the tab service runs and asks the database for its plan, with
sequential and bitmap scans disabled on PostgreSQL so that the planner must use an index (on
a table this small it would otherwise rightly prefer a scan). The plan must have no sort of
all the rows found: no `Sort` node on PostgreSQL (an `Incremental Sort` of presorted rows is
fine), no `USE TEMP B-TREE FOR ORDER BY` on SQLite.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event

from spamward.domain.entity import EntityKind
from spamward.runtime import Runtime
from spamward.services.spam_manager import entity_tab
from tests.conftest import ApiProject

_EXPLAIN = {
    "sqlite": "EXPLAIN QUERY PLAN ",
    "postgresql": "EXPLAIN ",
}
_INDEX_ONLY = ("SET LOCAL enable_seqscan = off", "SET LOCAL enable_bitmapscan = off")


def tab_statement(runtime: Runtime, project_id: int, kind: EntityKind) -> tuple[str, Any]:
    """The SQL and parameters of the tab query, as the service sends them."""
    captured: list[tuple[str, Any]] = []

    def capture(*arguments: Any) -> None:
        statement, parameters = arguments[2], arguments[3]
        if "ORDER BY" in statement and "entities" in statement:
            captured.append((statement, parameters))

    engine = runtime.database.read_engine
    event.listen(engine, "before_cursor_execute", capture)
    try:
        entity_tab(runtime, project_id, kind)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert len(captured) == 1, captured
    return captured[0]


def plan_lines(runtime: Runtime, statement: str, parameters: Any) -> list[str]:
    dialect = runtime.database.dialect
    with runtime.database.engine.connect() as connection, connection.begin():
        if dialect == "postgresql":
            for setting in _INDEX_ONLY:
                connection.exec_driver_sql(setting)
        rows = connection.exec_driver_sql(_EXPLAIN[dialect] + statement, parameters).all()
    return [str(row[-1]) for row in rows]


def sorts_every_row(lines: list[str]) -> bool:
    return any(
        line.strip().removeprefix("->").strip().startswith("Sort ")
        or line.strip() == "USE TEMP B-TREE FOR ORDER BY"
        for line in lines
    )


@pytest.mark.parametrize("kind", [EntityKind.URL, EntityKind.TEXT])
def test_a_tab_is_read_from_an_index_in_tab_order(
    runtime: Runtime, project: ApiProject, kind: EntityKind
) -> None:
    statement, parameters = tab_statement(runtime, project.id, kind)

    lines = plan_lines(runtime, statement, parameters)

    assert not sorts_every_row(lines), "\n".join(lines)

"""The lookups a decision makes by entity key search the (project, kind, value) index.

A deny list of a million entries must cost a decision no more than a short one: each lookup
must be an index search on the key, not a walk over the project's rows. SQLite does not
search an index for a row-value `(kind, value) IN (...)`; the lookups must be written so
that it does. The test captures the SQL as the reader sends it and asks for the plan.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from spamward.domain.entity import EntityKind
from spamward.runtime import Runtime
from spamward.storage.driver_sql import DriverSql, spelled
from spamward.storage.repositories.signals import StoredSignals
from tests.conftest import ApiProject
from tests.test_tab_query_plan import plan_lines

KEYS = [
    (EntityKind.DOMAIN, "example.com"),
    (EntityKind.DOMAIN, "example.org"),
    (EntityKind.URL, "example.com/x"),
    (EntityKind.PHONE, "+15551234567"),
]
KEY_SEARCH = "USING INDEX sqlite_autoindex_{table}_1 (project_id=? AND kind=? AND value=?)"


class CapturingSql(DriverSql):
    """Driver SQL that keeps each statement it runs, as the driver received it."""

    def __init__(self, sql: DriverSql) -> None:
        super().__init__(sql.connection, sql.dialect)
        self.captured: list[tuple[str, Any]] = []

    def rows(self, sql: str, parameters: Mapping[str, Any]) -> list[Sequence[Any]]:
        self.captured.append((spelled(sql, self.dialect), parameters))
        return super().rows(sql, parameters)


def captured_sql(runtime: Runtime, project_id: int, read: Callable[[StoredSignals], Any]) -> Any:
    with runtime.database.driver_read() as sql:
        capturing = CapturingSql(sql)
        read(StoredSignals(capturing, project_id, runtime.clock()))
    assert len(capturing.captured) == 1, capturing.captured
    return capturing.captured[0]


def check_plan(runtime: Runtime, table: str, statement: str, parameters: Any) -> None:
    lines = plan_lines(runtime, statement, parameters)
    if runtime.database.dialect == "sqlite":
        searches = [line for line in lines if table in line]
        assert searches, lines
        assert all(KEY_SEARCH.format(table=table) in line for line in searches), lines

    else:
        assert not any("Seq Scan" in line for line in lines), lines


def test_list_lookup_searches_the_key_index(runtime: Runtime, project: ApiProject) -> None:
    statement, parameters = captured_sql(runtime, project.id, lambda s: s.listed(KEYS))

    check_plan(runtime, "list_entries", statement, parameters)


def test_entity_count_lookup_searches_the_key_index(runtime: Runtime, project: ApiProject) -> None:
    statement, parameters = captured_sql(runtime, project.id, lambda s: s.entity_counts(KEYS))

    check_plan(runtime, "entities", statement, parameters)

"""SQL run on the database driver's own connection, for the few reads every decision makes.

SQLAlchemy costs about 50 to 150 µs per statement (and an ORM session about as much again),
several times what an indexed lookup costs the database; on the decision path that is most
of the read. These statements are plain SQL with `:name` parameters, spelled for the driver
(`%(name)s` for psycopg), and their results converted here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cache
from typing import Any, Protocol

_NAMED = re.compile(r"(?<![:\w]):(\w+)")


class Cursor(Protocol):
    def execute(self, sql: str, parameters: Mapping[str, Any], /) -> Any: ...
    def fetchall(self) -> list[Sequence[Any]]: ...
    def fetchone(self) -> Sequence[Any] | None: ...
    def close(self) -> None: ...


class DriverConnection(Protocol):
    def cursor(self) -> Any: ...


class DriverSql:
    """Statements on one driver connection, in its dialect's parameter style."""

    def __init__(self, connection: DriverConnection, dialect: str) -> None:
        self._connection = connection
        self.dialect = dialect

    def rows(self, sql: str, parameters: Mapping[str, Any]) -> list[Sequence[Any]]:
        with self._cursor() as cursor:
            cursor.execute(spelled(sql, self.dialect), parameters)
            return cursor.fetchall()

    def row(self, sql: str, parameters: Mapping[str, Any]) -> Sequence[Any] | None:
        with self._cursor() as cursor:
            cursor.execute(spelled(sql, self.dialect), parameters)
            return cursor.fetchone()

    @contextmanager
    def _cursor(self) -> Iterator[Cursor]:
        cursor: Cursor = self._connection.cursor()
        try:
            yield cursor
        finally:
            cursor.close()


@cache
def spelled(sql: str, dialect: str) -> str:
    """`sql` with its `:name` parameters as the dialect's driver names them."""
    return _NAMED.sub(r"%(\1)s", sql) if dialect == "postgresql" else sql


def utc(value: datetime | str | None) -> datetime | None:
    """A stored time as aware UTC: SQLite hands back text, PostgreSQL aware times."""
    if value is None:
        return None
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def driver_time(moment: datetime, dialect: str) -> datetime | str:
    """A time as a parameter, stored the way SQLAlchemy stores it (text on SQLite)."""
    if dialect == "postgresql":
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")

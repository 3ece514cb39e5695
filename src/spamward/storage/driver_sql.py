"""SQL run on the database driver's own connection, for the statements every decision
makes: its reads while it is evaluated, and the writes that record a batch of decisions.

SQLAlchemy costs about 50 to 150 µs per statement (an ORM session about as much again) and
more per row of an executemany, several times what an indexed lookup or an insert costs the
database. These statements are plain SQL with `:name` parameters, spelled for the driver
(`%(name)s` for psycopg); values are given and read back the way SQLAlchemy stores them, so
the ORM reads what they wrote. They pass no SQLAlchemy event: a write here to a table that
`Database.on_commit_to` watches would go unnoticed (none of them writes one).
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, Protocol

import orjson
from psycopg.types.json import Jsonb
from sqlalchemy.orm import Session

log = logging.getLogger("spamward.sql")  # each statement, at DEBUG (SQLAlchemy's don't see them)
_NAMED = re.compile(r"(?<![:\w]):(\w+)")
_ROWS_PER_STATEMENT = 200  # multi-row VALUES: well under both databases' parameter limits


class Cursor(Protocol):
    def execute(self, sql: str, parameters: Mapping[str, Any], /) -> Any: ...
    def executemany(self, sql: str, rows: Sequence[Mapping[str, Any]], /) -> Any: ...
    def fetchall(self) -> list[Sequence[Any]]: ...
    def fetchone(self) -> Sequence[Any] | None: ...
    def close(self) -> None: ...


class DriverConnection(Protocol):
    def cursor(self) -> Any: ...


class DriverSql:
    """Statements on one driver connection, in its dialect's parameter style."""

    def __init__(self, connection: DriverConnection, dialect: str) -> None:
        self.connection = connection
        self.dialect = dialect

    @classmethod
    def in_session(cls, session: Session) -> DriverSql:
        """Statements on `session`'s connection, in its transaction if it has one."""
        connection = session.connection()
        return cls(connection.connection, connection.dialect.name)

    def rows(self, sql: str, parameters: Mapping[str, Any]) -> list[Sequence[Any]]:
        with self._cursor(sql) as cursor:
            cursor.execute(spelled(sql, self.dialect), parameters)
            return cursor.fetchall()

    def row(self, sql: str, parameters: Mapping[str, Any]) -> Sequence[Any] | None:
        with self._cursor(sql) as cursor:
            cursor.execute(spelled(sql, self.dialect), parameters)
            return cursor.fetchone()

    def many(self, sql: str, rows: Sequence[Mapping[str, Any]]) -> None:
        """`sql` once for each of `rows` (the driver's executemany)."""
        if rows:
            with self._cursor(sql) as cursor:
                cursor.executemany(spelled(sql, self.dialect), rows)

    def values(
        self, head: str, columns: Sequence[str], rows: Sequence[Mapping[str, Any]], tail: str
    ) -> list[Sequence[Any]]:
        """`head VALUES (...), (...) tail` with one tuple per row, in statements of up to
        200 rows; what they return (`tail` may say RETURNING)."""
        returned: list[Sequence[Any]] = []
        for start in range(0, len(rows), _ROWS_PER_STATEMENT):
            chunk = rows[start : start + _ROWS_PER_STATEMENT]
            sql = _values_sql(head, tuple(columns), len(chunk), tail)
            parameters = {f"{c}_{n}": row[c] for n, row in enumerate(chunk) for c in columns}
            returned += self.rows(sql, parameters)
        return returned

    def uuid(self, value: uuid.UUID) -> uuid.UUID | str:
        """A UUID as a parameter, stored the way SQLAlchemy stores it (hex on SQLite)."""
        return value if self.dialect == "postgresql" else value.hex

    def json(self, value: Any) -> Any:
        """A JSON column's parameter."""
        return Jsonb(value, dumps=json_text) if self.dialect == "postgresql" else json_text(value)

    def time(self, moment: datetime) -> datetime | str:
        return driver_time(moment, self.dialect)

    @contextmanager
    def _cursor(self, sql: str) -> Iterator[Cursor]:
        if log.isEnabledFor(logging.DEBUG):
            log.debug(sql)
        cursor: Cursor = self.connection.cursor()
        try:
            yield cursor
        finally:
            cursor.close()


def json_text(value: Any) -> str:
    """JSON text by orjson (several times faster than json.dumps on a decision's trace), or
    by json.dumps for what orjson refuses (integers beyond 64 bits in a site's context)."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return json.dumps(value)


@lru_cache(maxsize=4096)
def _values_sql(head: str, columns: tuple[str, ...], count: int, tail: str) -> str:
    tuples = ", ".join(
        "(" + ", ".join(f":{column}_{n}" for column in columns) + ")" for n in range(count)
    )
    return f"{head} ({', '.join(columns)}) VALUES {tuples} {tail}"


@lru_cache(maxsize=4096)
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

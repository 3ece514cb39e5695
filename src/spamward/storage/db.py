"""The database handle: engines, sessions, and the SQLite settings that make it safe.

`write()` opens a transaction that commits on success. On SQLite, writers of one process
take turns on a lock (SQLite's own busy wait sleeps in steps of up to 100 ms, which turns
contention into second-long tails), and begin IMMEDIATE so writers of other processes
queue on the busy timeout instead of failing on lock upgrade. `read()` takes no write lock
(autocommit reads on SQLite's WAL snapshot).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from spamward.settings import Settings
from spamward.storage.driver_sql import DriverSql

_WRITTEN_TABLE = re.compile(r"\s*(?:INSERT INTO|UPDATE|DELETE FROM)\s+(\w+)", re.I)
_WROTE = "spamward.wrote"  # the watched tables a connection's transaction wrote


class WriteBusy(Exception):
    """Another thread of this process is writing to the SQLite database."""


class Database:
    def __init__(self, settings: Settings) -> None:
        self.url = settings.database_url
        if settings.is_sqlite:
            _make_sqlite_dir(self.url)
            self.engine = _sqlite_engine(self.url, settings.sqlite_synchronous, immediate=True)
            self.read_engine = _sqlite_engine(
                self.url, settings.sqlite_synchronous, immediate=False
            )
        else:
            # Connections kept: a request thread holds one while it evaluates, and one
            # opened past the pool is closed again on return (PostgreSQL connects slowly).
            self.engine = create_engine(self.url, pool_size=20, max_overflow=10, pool_pre_ping=True)
            self.read_engine = self.engine
        self._write_turn = threading.Lock() if settings.is_sqlite else None
        self._watchers: dict[str, list[Callable[[], None]]] = {}  # table -> calls on commit
        self._writer = sessionmaker(self.engine, expire_on_commit=False)
        self._reader = sessionmaker(self.read_engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def write(self, wait: bool = True) -> Iterator[Session]:
        """A write transaction. With `wait` false, `WriteBusy` at once rather than waiting
        while another thread of this process writes to SQLite."""
        turn = self._write_turn
        if turn is not None and not turn.acquire(blocking=wait):
            raise WriteBusy
        try:
            with self._writer.begin() as session:
                yield session
        finally:
            if turn is not None:
                turn.release()

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._reader() as session:
            yield session

    @contextmanager
    def driver_read(self) -> Iterator[DriverSql]:
        """Reads on a pooled connection of the driver itself (storage/driver_sql.py): the
        few every decision makes, without an ORM session's cost. On PostgreSQL each read is
        a statement of its own (autocommit): no BEGIN and ROLLBACK round trips around them."""
        connection = self.read_engine.raw_connection()
        driver: Any = connection.driver_connection  # a psycopg or sqlite3 connection
        autocommit = self.dialect == "postgresql"
        if autocommit:
            driver.autocommit = True
        try:
            yield DriverSql(connection, self.dialect)
        finally:
            if autocommit and not driver.closed:
                driver.autocommit = False  # the pool's other users expect transactions
            connection.close()  # back to the pool

    def on_commit_to(self, tables: frozenset[str], call: Callable[[], None]) -> None:
        """Call `call` when a transaction that wrote to one of `tables` commits (just before
        the commit itself: a read racing it may still see the old rows)."""
        if not self._watchers:
            self._watch_writes()
        for table in tables:
            self._watchers.setdefault(table, []).append(call)

    def _watch_writes(self) -> None:
        """One listener for every watcher: each written statement is matched once."""

        @event.listens_for(self.engine, "after_cursor_execute")
        def _wrote(connection: Any, _c: Any, statement: str, *_: Any) -> None:
            written = _WRITTEN_TABLE.match(statement)
            if written and written[1].lower() in self._watchers:
                connection.info.setdefault(_WROTE, set()).add(written[1].lower())

        @event.listens_for(self.engine, "commit")
        def _committing(connection: Any) -> None:
            for table in connection.info.pop(_WROTE, ()):
                for call in self._watchers[table]:
                    call()

        @event.listens_for(self.engine, "rollback")
        def _rolling_back(connection: Any) -> None:
            connection.info.pop(_WROTE, None)

    def dispose(self) -> None:
        self.engine.dispose()
        self.read_engine.dispose()


def _make_sqlite_dir(url: str) -> None:
    path = url.split("///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def _sqlite_engine(url: str, synchronous: str, *, immediate: bool) -> Engine:
    # Readers: as many as the server's request threads, so that connections (and their
    # pragmas) are kept rather than opened per request under load.
    pool = {} if immediate else {"pool_size": 20, "max_overflow": 20}
    engine = create_engine(url, connect_args={"check_same_thread": False}, **pool)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()

    if immediate:

        @event.listens_for(engine, "begin")
        def _on_begin(connection: Any) -> None:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine

"""Throw-away databases for the benchmarks: a temporary SQLite file, a PostgreSQL schema."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import psycopg
from sqlalchemy import insert

from spamward.domain.decision import ListName
from spamward.domain.entity import EntityKind
from spamward.storage.db import Database
from spamward.storage.models import ListEntry

# The database the tests use; the bench works in its own schema there.
POSTGRES_URL = os.environ.get(
    "SPAMWARD_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
POSTGRES_SCHEMA = "spamward_bench"


@contextmanager
def sqlite_url() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="spamward-bench-") as directory:
        yield f"sqlite:///{directory}/bench.db"


@contextmanager
def postgres_url(schema: str = POSTGRES_SCHEMA) -> Iterator[str | None]:
    """A URL into a fresh schema, dropped afterwards; None when PostgreSQL is unreachable."""
    try:
        _run_on_postgres(f"DROP SCHEMA IF EXISTS {schema} CASCADE", f"CREATE SCHEMA {schema}")
    except psycopg.OperationalError:
        yield None
        return
    base = POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1)
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options=-csearch_path%3D{schema}"
    finally:
        _run_on_postgres(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def _run_on_postgres(*statements: str) -> None:
    with psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=3) as connection:
        for statement in statements:
            connection.execute(statement)


def seed_deny_list(database: Database, project_id: int, domains: tuple[str, ...]) -> None:
    """Deny `domains` (already canonical) in one transaction. On PostgreSQL the table is
    then analysed, as autovacuum would do within a minute: without statistics the planner
    takes a 10,000-row table for a tiny one and filters it instead of searching the key."""
    now = datetime.now(UTC)
    rows = [
        {
            "project_id": project_id,
            "list": ListName.DENY.value,
            "kind": EntityKind.DOMAIN.value,
            "value": domain,
            "display": domain,
            "created_at": now,
        }
        for domain in domains
    ]
    with database.write() as session:
        session.execute(insert(ListEntry), rows)
    if database.dialect == "postgresql":
        with database.engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE list_entries")
            connection.commit()

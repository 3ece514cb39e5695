"""Loading the planned project into a fresh database: the schema by the migrations, the
project and its moderator through the services, every other row in bulk (COPY on
PostgreSQL, one executemany a table on SQLite), then, on PostgreSQL, VACUUM ANALYZE, as
autovacuum would do soon after such a load. SQLite gets no statistics, as spamward never
runs ANALYZE there."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
from sqlalchemy import select

from bench.dashboard_data import Plan
from bench.dashboard_remediation import action_attempts, actions, defined_actions, review_items
from bench.dashboard_rows import Row, Rows
from spamward.services.moderators import Role, create_moderator
from spamward.services.projects import create_project
from spamward.storage.db import Database
from spamward.storage.migrate import upgrade
from spamward.storage.models import Project

PROJECT = "bench"
EMAIL = "bench@example.com"
PASSWORD = "bench-dashboard-password"  # noqa: S105 (a throw-away database)
SQLITE_CACHE_KIB = 512 * 1024
MAINTENANCE_WORK_MEM = "1GB"  # for building the indexes after the load

Produce = Callable[[Rows], Iterator[Row]]
# In an order the foreign keys accept; the columns in the order the producers yield them.
TABLES: tuple[tuple[str, str, Produce], ...] = (
    ("actors", "id, project_id, external_id, email, first_seen_at, last_seen_at, status, "
     "status_until, events, spam_events, last_verdict", Rows.actors),
    ("entities", "id, project_id, kind, value, display, host, first_seen_at, last_seen_at, "
     "post_count, user_count, list_state", Rows.entities),
    ("list_entries", "project_id, list, kind, value, display, note, created_at, created_by, "
     "expires_at", Rows.list_entries),
    ("events", "id, project_id, type, actor_id, external_id, ip, user_agent, country, title, "
     "text, context, occurred_at, received_at", Rows.events),
    ("decisions", "id, project_id, event_id, verdict, score, trace, duration_us, created_at, "
     "policy_version", Rows.decisions),
    ("entity_occurrences", "event_id, entity_id, project_id, actor_id, occurred_at",
     Rows.occurrences),
    ("entity_days", "entity_id, day, project_id, posts", Rows.entity_days),
    ("entity_users", "entity_id, actor_id, project_id, last_posted_at", Rows.entity_users),
    ("defined_actions", "project_id, name, kind, params, description, updated_at, updated_by",
     defined_actions),
    ("actions", "id, project_id, name, kind, params, user_id, event_id, decision_id, "
     "entity_kind, entity_value, rule, requested_by, status, attempts, max_attempts, due_at, "
     "lease_until, worker, result, error, event_at, created_at, finished_at", actions),
    ("action_attempts", "action_id, number, worker, started_at, finished_at, outcome, error",
     action_attempts),
    ("review_items", "id, project_id, kind, status, summary, event_id, decision_id, action_id, "
     "user_id, rule, created_at, resolved_at, resolved_by, resolution, note", review_items),
)  # fmt: skip
EXPLICIT_IDS = ("actors", "entities")  # their sequences are moved past the ids copied in


@dataclass(frozen=True, slots=True)
class Loaded:
    seconds: float  # from the migrations to the statistics
    rows: dict[str, int]


def load(database: Database, plan: Plan, progress: Callable[[str], None]) -> Loaded:
    started = time.perf_counter()
    project_id, policy_version = _create_project(database)
    postgres = database.dialect == "postgresql"
    rows = Rows(plan, project_id, policy_version, "+00" if postgres else "")
    raw = database.engine.raw_connection()
    try:
        connection: Any = raw.driver_connection
        copy_in = _copy if postgres else _insert
        counts = copy_in(connection, rows, progress)
    finally:
        raw.close()
    return Loaded(time.perf_counter() - started, counts)


def _create_project(database: Database) -> tuple[int, int]:
    """Migrate, then create the project and an admin the way spamward does: the id of the
    project, and the policy version its decisions are made with."""
    upgrade(database)
    project = create_project(database, PROJECT)
    create_moderator(database, EMAIL, PASSWORD, PROJECT, Role.ADMIN)
    with database.read() as session:
        version = session.scalar(select(Project.policy_version).where(Project.id == project.id))
    return project.id, int(version or 0)


def _copy(connection: Any, rows: Rows, progress: Callable[[str], None]) -> dict[str, int]:
    """COPY every table with its secondary indexes dropped (built again afterwards, from
    sorted data: several times faster than keeping them up to date row by row) and, when
    the role may, without foreign-key triggers (the rows are consistent by construction)."""
    counts: dict[str, int] = {}
    _skip_foreign_keys(connection)
    with connection.cursor() as cursor:
        cursor.execute(f"SET maintenance_work_mem = '{MAINTENANCE_WORK_MEM}'")
        indexes = _drop_secondary_indexes(cursor)
        for table, columns, produce in TABLES:
            started, count = time.perf_counter(), 0
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in produce(rows):
                    copy.write_row(row)
                    count += 1
            counts[table] = count
            progress(f"    {table}: {count:,} rows in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        for definition in indexes:
            cursor.execute(definition)
        progress(f"    {len(indexes)} indexes built in {time.perf_counter() - started:.1f} s")
        for table in EXPLICIT_IDS:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT max(id) FROM {table}))"
            )
    connection.commit()
    _vacuum(connection, progress)
    return counts


def _skip_foreign_keys(connection: Any) -> None:
    """Foreign keys are triggers, which a superuser may turn off for the session."""
    try:
        connection.execute("SET session_replication_role = replica")
    except psycopg.errors.InsufficientPrivilege:
        connection.rollback()


def _drop_secondary_indexes(cursor: Any) -> list[str]:
    """Drop the loaded tables' indexes that back no constraint; their definitions."""
    cursor.execute(
        "SELECT x.indexrelid::regclass::text, pg_get_indexdef(x.indexrelid) FROM pg_index x "
        "JOIN pg_class t ON t.oid = x.indrelid "
        "JOIN pg_namespace n ON n.oid = t.relnamespace "
        "WHERE n.nspname = current_schema() AND t.relname = ANY(%s) "
        "AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
        ([table for table, _, _ in TABLES],),
    )
    found = cursor.fetchall()
    for name, _ in found:
        cursor.execute(f"DROP INDEX {name}")
    return [definition for _, definition in found]


def _vacuum(connection: Any, progress: Callable[[str], None]) -> None:
    started = time.perf_counter()
    connection.autocommit = True  # VACUUM runs outside a transaction
    for table, _, _ in TABLES:
        connection.execute(f"VACUUM (ANALYZE) {table}")
    progress(f"    VACUUM ANALYZE in {time.perf_counter() - started:.1f} s")


def _insert(
    connection: sqlite3.Connection, rows: Rows, progress: Callable[[str], None]
) -> dict[str, int]:
    """One transaction, the secondary indexes built after the rows, without foreign-key
    checks (the rows are consistent by construction) or fsyncs; the write-ahead log is
    checkpointed into the file afterwards, so the server starts on a short log."""
    connection.execute("PRAGMA foreign_keys=OFF")
    connection.execute("PRAGMA synchronous=OFF")
    connection.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    counts: dict[str, int] = {}
    connection.execute("BEGIN")
    indexes = _drop_sqlite_indexes(connection)
    for table, columns, produce in TABLES:
        started = time.perf_counter()
        marks = ", ".join("?" * len(columns.split(",")))
        statement = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
        counts[table] = connection.executemany(statement, produce(rows)).rowcount
        progress(f"    {table}: {counts[table]:,} rows in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    for definition in indexes:
        connection.execute(definition)
    progress(f"    {len(indexes)} indexes built in {time.perf_counter() - started:.1f} s")
    connection.execute("COMMIT")
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.execute("PRAGMA foreign_keys=ON")
    return counts


def _drop_sqlite_indexes(connection: sqlite3.Connection) -> list[str]:
    """Drop the loaded tables' indexes that back no constraint; their definitions."""
    tables = [table for table, _, _ in TABLES]
    marks = ", ".join("?" * len(tables))
    found = connection.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "  # noqa: S608
        f"AND tbl_name IN ({marks})",
        tables,
    ).fetchall()
    for name, _ in found:
        connection.execute(f'DROP INDEX "{name}"')
    return [str(definition) for _, definition in found]

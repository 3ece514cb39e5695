"""Migrations from an empty database, on SQLite and PostgreSQL, and the schema they leave.

Each test gets an empty database of its own: a new SQLite file, or a new PostgreSQL
schema that the test creates and drops (not the shared, already migrated test schema).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Engine, MetaData, String, func, inspect, select, text
from sqlalchemy.exc import IntegrityError

import spamward.storage.migrate as migrate_module
from spamward.settings import Settings
from spamward.storage.db import Database
from spamward.storage.migrate import is_current, upgrade
from spamward.storage.models import ApiKey, Base, Project
from tests.conftest import postgres_url, throwaway_schema

TABLES = set(Base.metadata.tables)


@pytest.fixture
def empty_database(backend: str, tmp_path: Path) -> Iterator[Database]:
    if backend == "sqlite":
        database = Database(Settings(database_url=f"sqlite:///{tmp_path / 'empty.db'}"))
        yield database
        database.dispose()
        return
    with throwaway_schema(f"spamward_migrations_{uuid.uuid4().hex[:12]}") as schema:
        database = Database(Settings(database_url=postgres_url(schema)))
        try:
            yield database
        finally:
            database.dispose()


def head_revision() -> str | None:
    """The newest revision among the migration scripts, read independently of is_current."""
    directory = Path(migrate_module.__file__).parent / "migrations"
    config = Config()
    config.set_main_option("script_location", str(directory))
    return ScriptDirectory.from_config(config).get_current_head()


def current_revision(database: Database) -> str | None:
    with database.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def table_names(database: Database) -> set[str]:
    return set(inspect(database.engine).get_table_names())


def schema_snapshot(database: Database) -> dict[str, Any]:
    inspector = inspect(database.engine)
    return {
        name: (
            sorted(str(column["name"]) for column in inspector.get_columns(name)),
            sorted(str(index["name"]) for index in inspector.get_indexes(name)),
        )
        for name in sorted(inspector.get_table_names())
    }


# Alembic cannot compare a partial index's predicate across reflection (it reports it removed
# and added again); such indexes are checked by name and predicate instead.
PARTIAL_INDEXES = {"ix_entities_tab": "list_state IS NULL"}


def differences(engine: Engine, metadata: MetaData) -> list[Any]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return [
            difference
            for difference in compare_metadata(context, metadata)
            if not _is_partial_index(difference)
        ]


def _is_partial_index(difference: Any) -> bool:
    return (
        isinstance(difference, tuple)
        and difference[0] in ("add_index", "remove_index")
        and difference[1].name in PARTIAL_INDEXES
    )


def test_partial_indexes_exist_with_their_predicate(empty_database: Database) -> None:
    upgrade(empty_database)
    engine = empty_database.engine
    with engine.connect() as connection:
        for name, predicate in PARTIAL_INDEXES.items():
            if engine.dialect.name == "sqlite":
                sql = "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = :name"
            else:  # the test's own schema: others may hold the same index
                sql = (
                    "SELECT indexdef FROM pg_indexes"
                    " WHERE indexname = :name AND schemaname = current_schema()"
                )
            definition = connection.execute(text(sql), {"name": name}).scalar_one()
            assert predicate in definition.replace("(", "").replace(")", "")


def test_empty_database_has_no_tables_and_is_not_current(empty_database: Database) -> None:
    assert table_names(empty_database) == set()
    assert current_revision(empty_database) is None
    assert not is_current(empty_database)


def test_upgrade_from_empty_creates_every_table(empty_database: Database) -> None:
    assert not is_current(empty_database)

    upgrade(empty_database)

    assert is_current(empty_database)
    assert current_revision(empty_database) == head_revision()
    assert table_names(empty_database) == TABLES | {"alembic_version"}


def test_upgrading_twice_is_a_no_op(empty_database: Database) -> None:
    upgrade(empty_database)
    with empty_database.write() as session:
        session.add(Project(name="kept", created_at=datetime.now(UTC)))
    before = schema_snapshot(empty_database)

    upgrade(empty_database)

    assert is_current(empty_database)
    assert current_revision(empty_database) == head_revision()
    assert schema_snapshot(empty_database) == before
    with empty_database.read() as session:
        assert session.scalars(select(Project.name)).all() == ["kept"]


def test_migrated_schema_matches_the_models(empty_database: Database) -> None:
    """A model change without its migration fails here."""
    upgrade(empty_database)

    assert differences(empty_database.engine, Base.metadata) == []


def test_schema_comparison_notices_a_model_change(empty_database: Database) -> None:
    """The check above is not vacuous: a column and a table the migrations lack are found."""
    upgrade(empty_database)
    changed = MetaData()
    for table in Base.metadata.sorted_tables:
        table.to_metadata(changed)
    changed.tables["projects"].append_column(Column("colour", String(20), nullable=True))
    extra = changed.tables["projects"].to_metadata(changed, name="project_colours")

    found = differences(empty_database.engine, changed)

    kinds = {
        (diff[0], getattr(diff[-1], "name", None)) for diff in found if isinstance(diff, tuple)
    }
    assert ("add_column", "colour") in kinds
    assert ("add_table", extra.name) in kinds


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    database = Database(
        Settings(database_url=f"sqlite:///{tmp_path / 'pragmas.db'}", sqlite_synchronous="FULL")
    )
    try:
        for engine in (database.engine, database.read_engine):
            with engine.connect() as connection:
                assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
                assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
                assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    finally:
        database.dispose()


def test_sqlite_enforces_foreign_keys(tmp_path: Path) -> None:
    database = Database(Settings(database_url=f"sqlite:///{tmp_path / 'fk.db'}"))
    upgrade(database)
    try:
        with pytest.raises(IntegrityError), database.write() as session:
            session.add(
                ApiKey(
                    project_id=12345,
                    name="orphan",
                    prefix="sw_orphan",
                    key_hash="0" * 64,
                    created_at=datetime.now(UTC),
                )
            )
        with database.read() as session:
            assert session.scalar(select(func.count()).select_from(ApiKey)) == 0
    finally:
        database.dispose()

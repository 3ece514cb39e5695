"""INSERT ... ON CONFLICT for both dialects (SQLite and PostgreSQL spell it alike)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def dialect_of(session: Session) -> str:
    return session.get_bind().dialect.name


def dialect_insert(dialect: str, table: Table) -> Any:
    """The dialect's own `insert`, which has `on_conflict_do_update/nothing`."""
    module: Any = postgresql if dialect == "postgresql" else sqlite
    return module.insert(table)

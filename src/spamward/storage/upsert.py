"""INSERT ... ON CONFLICT for both dialects (SQLite and PostgreSQL spell it alike)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_for(session: Session, table: Any) -> Any:
    """The dialect's own `insert`, which has `on_conflict_do_update/nothing`."""
    dialect = session.get_bind().dialect.name
    module: Any = postgresql if dialect == "postgresql" else sqlite
    return module.insert(table)

"""Alembic environment: run with the connection that storage/migrate.py hands over."""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Connection

from spamward.storage.models import Base
from spamward.storage.types import UtcDateTime


def _render_item(type_: str, item: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Write our column types as plain SQLAlchemy ones, so migrations never import the app."""
    if type_ == "type" and isinstance(item, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


connection: Connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    render_item=_render_item,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()

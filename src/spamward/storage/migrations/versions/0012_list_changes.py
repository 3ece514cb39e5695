"""list changes: what processes holding lists in memory read to stay current

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-22 12:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_EVENTS = {"insert": "NEW", "update": "NEW", "delete": "OLD"}


def upgrade() -> None:
    op.create_table(
        "list_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=600), nullable=False),
        sa.Column(
            "changed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("list_changes", schema=None) as batch_op:
        batch_op.create_index("ix_list_changes_project_id", ["project_id", "id"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        _postgres_triggers()
    else:
        _sqlite_triggers()


def _sqlite_triggers() -> None:
    for event, row in _EVENTS.items():  # constants only: nothing comes from outside
        trigger = f"CREATE TRIGGER list_entries_{event} AFTER {event.upper()} ON list_entries "
        insert = f"INSERT INTO list_changes (project_id, kind, value) VALUES ({row}.project_id, "  # noqa: S608
        op.execute(f"{trigger} BEGIN {insert}{row}.kind, {row}.value); END")


def _postgres_triggers() -> None:
    op.execute(
        "CREATE FUNCTION note_list_change() RETURNS trigger AS $$ "
        "DECLARE changed list_entries; "
        "BEGIN "
        "IF TG_OP = 'DELETE' THEN changed := OLD; ELSE changed := NEW; END IF; "
        "INSERT INTO list_changes (project_id, kind, value) "
        "VALUES (changed.project_id, changed.kind, changed.value); "
        "RETURN NULL; END $$ LANGUAGE plpgsql"
    )
    op.execute(
        "CREATE TRIGGER list_entries_changed AFTER INSERT OR UPDATE OR DELETE ON list_entries "
        "FOR EACH ROW EXECUTE FUNCTION note_list_change()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER list_entries_changed ON list_entries")
        op.execute("DROP FUNCTION note_list_change()")
    else:
        for event in _EVENTS:
            op.execute(f"DROP TRIGGER list_entries_{event}")
    with op.batch_alter_table("list_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_list_changes_project_id")
    op.drop_table("list_changes")

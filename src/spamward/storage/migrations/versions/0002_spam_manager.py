"""spam manager

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 04:56:41.112098
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "moderation_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("who", sa.String(length=300), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column(
            "detail",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("moderation_log", schema=None) as batch_op:
        batch_op.create_index("ix_moderation_log_project_at", ["project_id", "at"], unique=False)

    op.create_table(
        "entity_days",
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("posts", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["entity_id"], ["entities.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("entity_id", "day"),
    )
    op.create_table(
        "entity_users",
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("last_posted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["actors.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["entity_id"], ["entities.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["project_id"], ["projects.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("entity_id", "actor_id"),
    )
    with op.batch_alter_table("entity_users", schema=None) as batch_op:
        batch_op.create_index(
            "ix_entity_users_expiry", ["project_id", "last_posted_at"], unique=False
        )

    with op.batch_alter_table("entities", schema=None) as batch_op:
        batch_op.add_column(sa.Column("host", sa.String(length=255), nullable=True))
        batch_op.add_column(
            sa.Column("post_count", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("user_count", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("list_state", sa.String(length=8), nullable=True))
        batch_op.create_index("ix_entities_host", ["project_id", "kind", "host"], unique=False)
        batch_op.create_index(
            "ix_entities_tab",
            ["project_id", "kind", "post_count", "last_seen_at", "id"],
            unique=False,
            postgresql_where=sa.text("list_state IS NULL"),
            sqlite_where=sa.text("list_state IS NULL"),
        )

    with op.batch_alter_table("list_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("created_by", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("window_days", sa.Integer(), server_default="14", nullable=False)
        )
        batch_op.add_column(
            sa.Column("ignore_days", sa.Integer(), server_default="14", nullable=False)
        )
        batch_op.add_column(
            sa.Column("retention_days", sa.Integer(), server_default="30", nullable=False)
        )
        batch_op.add_column(
            sa.Column("duplicate_text_min_chars", sa.Integer(), server_default="50", nullable=False)
        )


def downgrade() -> None:

    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_column("duplicate_text_min_chars")
        batch_op.drop_column("retention_days")
        batch_op.drop_column("ignore_days")
        batch_op.drop_column("window_days")

    with op.batch_alter_table("list_entries", schema=None) as batch_op:
        batch_op.drop_column("expires_at")
        batch_op.drop_column("created_by")

    with op.batch_alter_table("entities", schema=None) as batch_op:
        batch_op.drop_index("ix_entities_tab")
        batch_op.drop_index("ix_entities_host")
        batch_op.drop_column("list_state")
        batch_op.drop_column("user_count")
        batch_op.drop_column("post_count")
        batch_op.drop_column("host")

    with op.batch_alter_table("entity_users", schema=None) as batch_op:
        batch_op.drop_index("ix_entity_users_expiry")

    op.drop_table("entity_users")
    op.drop_table("entity_days")
    with op.batch_alter_table("moderation_log", schema=None) as batch_op:
        batch_op.drop_index("ix_moderation_log_project_at")

    op.drop_table("moderation_log")

"""occurrences by time: the latest spammers

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-22 11:20:00
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("entity_occurrences", schema=None) as batch_op:
        batch_op.create_index(
            "ix_occurrences_project_time", ["project_id", "occurred_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("entity_occurrences", schema=None) as batch_op:
        batch_op.drop_index("ix_occurrences_project_time")

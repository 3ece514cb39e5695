"""occurrences by actor

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-22 10:35:29.658477
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("entity_occurrences", schema=None) as batch_op:
        batch_op.create_index("ix_occurrences_actor", ["project_id", "actor_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("entity_occurrences", schema=None) as batch_op:
        batch_op.drop_index("ix_occurrences_actor")

"""actor history

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 06:49:03.592564

Each account's history as rules read it: events judged, held or blocked, last verdict.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("actors", schema=None) as batch_op:
        batch_op.add_column(sa.Column("events", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(
            sa.Column("spam_events", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("last_verdict", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("actors", schema=None) as batch_op:
        batch_op.drop_column("last_verdict")
        batch_op.drop_column("spam_events")
        batch_op.drop_column("events")

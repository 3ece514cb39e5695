"""session epoch

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22 09:23:03.334508
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("moderators", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("session_epoch", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("moderators", schema=None) as batch_op:
        batch_op.drop_column("session_epoch")

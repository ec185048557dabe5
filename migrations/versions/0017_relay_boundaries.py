"""contact details held back by the relay: counts per relationship (never the content)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 04:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNTS = ("boundary_held", "boundary_sent_anyway", "boundary_blocked")


def upgrade() -> None:
    for name in COUNTS:
        op.add_column(
            "relationship", sa.Column(name, sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("relationship", schema=None) as batch_op:
        for name in COUNTS:
            batch_op.drop_column(name)

"""a worker's requests that expired unanswered in a row

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 02:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "peer_worker_profile",
        sa.Column("expired_in_row", sa.Integer(), nullable=False, server_default="0"),
    )


def downgrade() -> None:
    with op.batch_alter_table("peer_worker_profile", schema=None) as batch_op:
        batch_op.drop_column("expired_in_row")

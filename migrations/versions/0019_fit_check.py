"""is this a good fit? when each side was asked, and their answers

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 05:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "relationship", sa.Column("fit_asked_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column("relationship", sa.Column("fit_service_user", sa.String(10), nullable=True))
    op.add_column("relationship", sa.Column("fit_worker", sa.String(10), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("relationship", schema=None) as batch_op:
        for name in ("fit_asked_at", "fit_service_user", "fit_worker"):
            batch_op.drop_column(name)

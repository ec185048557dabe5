"""a look at the waitlist asked for, to be taken by the next sweep (large programmes)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 02:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "waitlist_refresh",
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_waitlist_refresh")),
    )
    # Its one row, made here so that two processes asking at once only ever update it.
    op.execute("INSERT INTO waitlist_refresh (name) VALUES ('waitlist')")


def downgrade() -> None:
    op.drop_table("waitlist_refresh")

"""the outbox is claimed with a lease, like the inbox; safety's messages go first; one
process at a time runs the sweeps

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 01:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN (no table copy): SQLite and PostgreSQL both have it, and offline mode
    # (``alembic upgrade --sql``) can render it.
    op.add_column(
        "outbox_message",
        sa.Column("urgent", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column(
        "outbox_message", sa.Column("attempts", sa.Integer(), nullable=False, server_default="0")
    )
    op.add_column("outbox_message", sa.Column("claimed_by", sa.String(length=60), nullable=True))
    op.add_column(
        "outbox_message", sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True)
    )
    op.create_index(
        "ix_outbox_message_queue", "outbox_message", ["sent_at", "failed", "telegram_id", "id"]
    )
    op.create_table(
        "sweep_leader",
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column("holder", sa.String(length=60), nullable=True),
        sa.Column("held_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_sweep_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_sweep_leader")),
    )
    # The one row the processes contend for (created here, so that they never race to).
    op.execute("INSERT INTO sweep_leader (name) VALUES ('sweeps')")


def downgrade() -> None:
    op.drop_table("sweep_leader")
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_message_queue")
        batch_op.drop_column("claimed_until")
        batch_op.drop_column("claimed_by")
        batch_op.drop_column("attempts")
        batch_op.drop_column("urgent")

"""the inbox: every update stored before Telegram is told it arrived; drafts remember
the last update applied

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 22:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("form_draft", sa.Column("applied_update_id", sa.BigInteger(), nullable=True))
    op.create_table(
        "inbox_update",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("payload", sa.Text(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("claimed_by", sa.String(length=60), nullable=True),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("update_id"),
    )
    op.create_index(
        "ix_inbox_update_pending", "inbox_update", ["handled_at", "chat_id", "update_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_inbox_update_pending", table_name="inbox_update")
    op.drop_table("inbox_update")
    with op.batch_alter_table("form_draft", schema=None) as batch_op:
        batch_op.drop_column("applied_update_id")

"""supervision for peer workers: sessions, their own topics, reflections after an ending

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 05:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "supervision_session",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("worker_id", sa.Integer(), sa.ForeignKey("person.id"), nullable=False),
        sa.Column("coordinator_id", sa.Integer(), sa.ForeignKey("person.id"), nullable=True),
        _when("held_at", nullable=False),
        sa.Column("discussed", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        _when("next_at"),
        _when("reminded_at"),
        _when("created_at", nullable=False),
    )
    op.create_index("ix_supervision_session_worker_id", "supervision_session", ["worker_id"])
    op.create_table(
        "supervision_topic",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("worker_id", sa.Integer(), sa.ForeignKey("person.id"), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        _when("added_at", nullable=False),
        _when("covered_at"),
    )
    op.create_index("ix_supervision_topic_worker_id", "supervision_topic", ["worker_id"])
    op.create_table(
        "reflection",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("worker_id", sa.Integer(), sa.ForeignKey("person.id"), nullable=False),
        sa.Column(
            "relationship_id", sa.Integer(), sa.ForeignKey("relationship.id"), nullable=False
        ),
        sa.Column("went_well", sa.Text(), nullable=True),
        sa.Column("hard", sa.Text(), nullable=True),
        sa.Column("shared", sa.Boolean(), nullable=False),
        _when("created_at", nullable=False),
    )
    op.create_index("ix_reflection_worker_id", "reflection", ["worker_id"])


def downgrade() -> None:
    for table in ("reflection", "supervision_topic", "supervision_session"):
        op.drop_index(f"ix_{table}_worker_id", table_name=table)
        op.drop_table(table)

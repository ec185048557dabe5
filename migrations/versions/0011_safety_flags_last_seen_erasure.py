"""safety flags, last seen, erasure

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26 08:17:35.683240
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PERSON_TIMES = ("last_seen_at", "crisis_lines_sent_at", "erased_at")


def upgrade() -> None:
    op.create_table(
        "safety_flag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("about_person_id", sa.Integer(), nullable=False),
        sa.Column("raised_by_person_id", sa.Integer(), nullable=True),
        sa.Column("relationship_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by_person_id", sa.Integer(), nullable=True),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("escalations", sa.Integer(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by_person_id", sa.Integer(), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["about_person_id"], ["person.id"], name=op.f("fk_safety_flag_about_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["acknowledged_by_person_id"],
            ["person.id"],
            name=op.f("fk_safety_flag_acknowledged_by_person_id_person"),
        ),
        sa.ForeignKeyConstraint(
            ["raised_by_person_id"],
            ["person.id"],
            name=op.f("fk_safety_flag_raised_by_person_id_person"),
        ),
        sa.ForeignKeyConstraint(
            ["relationship_id"],
            ["relationship.id"],
            name=op.f("fk_safety_flag_relationship_id_relationship"),
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_person_id"],
            ["person.id"],
            name=op.f("fk_safety_flag_resolved_by_person_id_person"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_safety_flag")),
    )
    for column in ("about_person_id", "raised_at", "resolved_at"):
        op.create_index(op.f(f"ix_safety_flag_{column}"), "safety_flag", [column], unique=False)
    for column in _PERSON_TIMES:
        op.add_column("person", sa.Column(column, sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("person", schema=None) as batch_op:
        for column in reversed(_PERSON_TIMES):
            batch_op.drop_column(column)
    for column in ("resolved_at", "raised_at", "about_person_id"):
        op.drop_index(op.f(f"ix_safety_flag_{column}"), table_name="safety_flag")
    op.drop_table("safety_flag")

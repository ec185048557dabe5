"""invite notes, preferred names, relay look-up indexes

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 22:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_RELAY_INDEXES = {
    "ix_relayed_message_recipient_target": ["recipient_person_id", "target_message_id"],
    "ix_relayed_message_sender_source": ["sender_person_id", "source_message_id"],
}


def upgrade() -> None:
    op.add_column("invite", sa.Column("note", sa.String(length=100), nullable=True))
    op.add_column(
        "service_user_profile", sa.Column("preferred_name", sa.String(length=40), nullable=True)
    )
    op.add_column(
        "service_user_profile",
        sa.Column(
            "name_visible_to_coordinators",
            sa.Boolean(),
            nullable=False,
            server_default=sa.false(),
        ),
    )
    for name, columns in _RELAY_INDEXES.items():
        op.create_index(name, "relayed_message", columns, unique=False)


def downgrade() -> None:
    for name in reversed(_RELAY_INDEXES):
        op.drop_index(name, table_name="relayed_message")
    with op.batch_alter_table("service_user_profile", schema=None) as batch_op:
        batch_op.drop_column("name_visible_to_coordinators")
        batch_op.drop_column("preferred_name")
    with op.batch_alter_table("invite", schema=None) as batch_op:
        batch_op.drop_column("note")

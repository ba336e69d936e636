"""passenger notices outbox (disruptions issue, item 5): `outbox_messages`, queued in the same
transaction as the change a notice tells of, delivered by services/notifications' worker, and
`delivered_messages`, what the demo delivery adapter sent (the "messages sent" view).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 21:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.base

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outbox_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("passenger_id", sa.Integer(), nullable=False),
        sa.Column("flight_id", sa.Integer(), nullable=True),
        sa.Column("ticket_no", sa.String(length=13), nullable=True),
        sa.Column(
            "kind",
            sa.Enum("rebooked", "refunded", name="noticekind", native_enum=False, length=24),
            nullable=False,
        ),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=120), nullable=False),
        sa.Column("created_at", db.base.UTCDateTime(), nullable=False),
        sa.Column("delivered_at", db.base.UTCDateTime(), nullable=True),
        sa.Column("channel", sa.String(length=20), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("next_attempt_at", db.base.UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["flight_id"], ["flights.id"]),
        sa.ForeignKeyConstraint(["passenger_id"], ["passengers.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dedupe_key"),
    )
    op.create_index("ix_outbox_messages_flight_id", "outbox_messages", ["flight_id"])
    op.create_index("ix_outbox_messages_passenger_id", "outbox_messages", ["passenger_id"])
    op.create_index(
        "ix_outbox_messages_pending", "outbox_messages", ["delivered_at", "next_attempt_at"]
    )
    op.create_table(
        "delivered_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=False),
        sa.Column("passenger_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("recipient", sa.String(length=120), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("delivered_at", db.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["outbox_id"], ["outbox_messages.id"]),
        sa.ForeignKeyConstraint(["passenger_id"], ["passengers.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("outbox_id"),
    )
    op.create_index("ix_delivered_messages_passenger_id", "delivered_messages", ["passenger_id"])


def downgrade() -> None:
    op.drop_index("ix_delivered_messages_passenger_id", table_name="delivered_messages")
    op.drop_table("delivered_messages")
    op.drop_index("ix_outbox_messages_pending", table_name="outbox_messages")
    op.drop_index("ix_outbox_messages_passenger_id", table_name="outbox_messages")
    op.drop_index("ix_outbox_messages_flight_id", table_name="outbox_messages")
    op.drop_table("outbox_messages")

"""turn transcripts (issue 16, item 2): turns.transcript, the messages each run added, so review
and history outlive the checkpoints that retention deletes (agent/retention.py), and
conversations.checkpoints_deleted_at, when it did.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 18:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import db.base

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable and without a default: adding it rewrites no rows, on PostgreSQL or SQLite.
    with op.batch_alter_table("turns") as batch:
        batch.add_column(
            sa.Column(
                "transcript",
                sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
                nullable=True,
            )
        )
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("checkpoints_deleted_at", db.base.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("checkpoints_deleted_at")
    with op.batch_alter_table("turns") as batch:
        batch.drop_column("transcript")

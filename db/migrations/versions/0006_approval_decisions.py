"""the first decision on an approval, stored (hardening, item 2)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 23:59:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.base

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('approval_decisions',
    sa.Column('approval_id', sa.String(length=100), nullable=False),
    sa.Column('decision', sa.String(length=10), nullable=False),
    sa.Column('actor', sa.String(length=60), nullable=False),
    sa.Column('decided_at', db.base.UTCDateTime(), nullable=False),
    sa.Column('conversation', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('approval_id', name=op.f('pk_approval_decisions'))
    )
    with op.batch_alter_table('approval_decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_approval_decisions_conversation'), ['conversation'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('approval_decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_approval_decisions_conversation'))
    op.drop_table('approval_decisions')

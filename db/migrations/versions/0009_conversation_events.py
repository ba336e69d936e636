"""the channel API's per-conversation event log (issue 14): what each run streamed, so an SSE
or WebSocket client resumes after its last event id on any replica

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 14:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import db.base

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'conversation_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('conversation_id', sa.String(length=64), nullable=False),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column(
            'data', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False
        ),
        sa.Column('approval_id', sa.String(length=100), nullable=True),
        sa.Column('created_at', db.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['conversation_id'],
            ['conversations.id'],
            name=op.f('fk_conversation_events_conversation_id_conversations'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_conversation_events')),
    )
    with op.batch_alter_table('conversation_events', schema=None) as batch_op:
        batch_op.create_index(
            'ix_conversation_events_conversation', ['conversation_id', 'id'], unique=False
        )
        batch_op.create_index(
            batch_op.f('ix_conversation_events_approval_id'), ['approval_id'], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table('conversation_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conversation_events_approval_id'))
        batch_op.drop_index('ix_conversation_events_conversation')
    op.drop_table('conversation_events')

"""turn tool calls: one row per tool call, for the Metrics page's counts; turn figures from
the started_at index (PostgreSQL: it includes latency_ms and error)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.base

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As in 0003: the bucket expressions of services/dashboards/common.py:bucket_of.
BUCKET_STATISTICS = {
    "st_turn_tool_calls_started_day": "date_trunc('day', started_at) FROM turn_tool_calls",
    "st_turn_tool_calls_started_hour": "date_trunc('hour', started_at) FROM turn_tool_calls",
}

# The calls already recorded in turns.tool_calls: objects {"name", "status", ...}; a bare
# name (the v1 demo history) is a call with no status.
BACKFILL = {
    "postgresql": """
        INSERT INTO turn_tool_calls (turn_id, started_at, name, status)
        SELECT t.id, t.started_at,
               CASE WHEN jsonb_typeof(c.value) = 'object' THEN c.value ->> 'name'
                    ELSE c.value #>> '{}' END,
               CASE WHEN jsonb_typeof(c.value) = 'object' THEN c.value ->> 'status' END
        FROM turns t CROSS JOIN LATERAL jsonb_array_elements(t.tool_calls) AS c(value)
        ORDER BY t.id""",
    "sqlite": """
        INSERT INTO turn_tool_calls (turn_id, started_at, name, status)
        SELECT t.id, t.started_at,
               CASE WHEN c.type = 'object' THEN json_extract(c.value, '$.name') ELSE c.value END,
               CASE WHEN c.type = 'object' THEN json_extract(c.value, '$.status') END
        FROM turns t, json_each(t.tool_calls) AS c
        ORDER BY t.id, c.key""",
}


def _has_expression_statistics() -> bool:
    bind = op.get_bind()
    return bind.dialect.name == "postgresql" and bind.dialect.server_version_info >= (14,)


def upgrade() -> None:
    op.create_table('turn_tool_calls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('turn_id', sa.Integer(), nullable=False),
    sa.Column('started_at', db.base.UTCDateTime(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=True),
    sa.ForeignKeyConstraint(['turn_id'], ['turns.id'], name=op.f('fk_turn_tool_calls_turn_id_turns')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_turn_tool_calls'))
    )
    with op.batch_alter_table('turn_tool_calls', schema=None) as batch_op:
        batch_op.create_index('ix_turn_tool_calls_started_at', ['started_at', 'name', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_turn_tool_calls_turn_id'), ['turn_id'], unique=False)

    op.execute(BACKFILL[op.get_bind().dialect.name])
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index('ix_turns_started_at', table_name='turns')
        op.create_index('ix_turns_started_at', 'turns', ['started_at'], postgresql_include=['latency_ms', 'error'])
    if _has_expression_statistics():
        for name, target in BUCKET_STATISTICS.items():
            op.execute(f"CREATE STATISTICS IF NOT EXISTS {name} ON {target}")
        op.execute("ANALYZE turn_tool_calls")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index('ix_turns_started_at', table_name='turns')
        op.create_index('ix_turns_started_at', 'turns', ['started_at'])
    if _has_expression_statistics():
        for name in BUCKET_STATISTICS:
            op.execute(f"DROP STATISTICS IF EXISTS {name}")
    with op.batch_alter_table('turn_tool_calls', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_turn_tool_calls_turn_id'))
        batch_op.drop_index('ix_turn_tool_calls_started_at')

    op.drop_table('turn_tool_calls')

"""partition the big tables by month on PostgreSQL (issue 16, item 5)

audit_events (by ts), turns and turn_tool_calls (by started_at) become natively range-
partitioned: one partition per calendar month (db/partitions.py names, creates and keeps them
ahead of the clock) and a DEFAULT partition, so an insert never fails. An existing database is
rebuilt in place, in the migration's one transaction: the old table is renamed, the new parent
created with the same columns and defaults (turns.id and turn_tool_calls.id keep their
sequences, which move to the new columns, so ids keep counting from where they were), the months
the rows span plus the next few are created, the rows copied (INSERT ... SELECT), the old table
dropped, then the keys, every index of the models and of migrations 0003/0004 (the INCLUDE
index on turns, the audit indexes), the bucket statistics, the append-only triggers of 0008 and
the old tables' grants are recreated on the new parents (indexes, row triggers and foreign keys
cascade to every partition, present and future).

A partitioned table's primary key must contain its partition key: (seq, ts) for the audit trail,
(id, started_at) for the others. Uniqueness of audit `seq` alone is no longer a constraint; what
guarantees it is the chain's head row (audit_head): every append locks it (SELECT ... FOR
UPDATE, services/core/audit.py) and takes seq = last_seq + 1 while moving the head forward, and
0008's trigger lets the head only move forward, so no two records can get the same seq; the
verification (services/core/audit_checks.py) would also report a repeated or missing seq as a
broken chain. turn_tool_calls.turn_id references turns(id, started_at) through (turn_id,
started_at): a tool-call row holds its turn's started_at already (TurnToolCall.of, world/history).
The key is DEFERRABLE so db/partitions.py can move turns out of DEFAULT within one transaction.

SQLite stays as it is: this revision does nothing there.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 23:30:00
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime

from alembic import op
from sqlalchemy import Connection, text

from db.partitions import (
    MONTHS_AHEAD,
    add_months,
    copy_grants,
    create_default,
    create_month,
    month_start,
)

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Children last: the tool calls reference the turns.
TABLES = {"audit_events": "ts", "turns": "started_at", "turn_tool_calls": "started_at"}
SEQUENCES = {"turns": "turns_id_seq", "turn_tool_calls": "turn_tool_calls_id_seq"}
KEYS = {"audit_events": "seq", "turns": "id", "turn_tool_calls": "id"}
INDEXES = {
    "audit_events": {
        "ix_audit_events_ts": "(ts)",
        "ix_audit_events_actor_ts": "(actor, ts)",
        "ix_audit_events_passenger_ts": "(passenger_id, ts)",
        "ix_audit_events_action_ts": "(action, ts)",
        "ix_audit_events_outcome_ts": "(outcome, ts, rule, actor, action)",
        "ix_audit_events_conversation_seq": "(conversation_id, seq)",
    },
    "turns": {
        "ix_turns_conversation_id": "(conversation_id)",
        "ix_turns_started_at": "(started_at) INCLUDE (latency_ms, error)",
    },
    "turn_tool_calls": {
        "ix_turn_tool_calls_started_at": "(started_at, name, status)",
        "ix_turn_tool_calls_turn_id": "(turn_id)",
    },
}
# The bucket statistics of 0003/0004 (services/dashboards/common.py:bucket_of).
STATISTICS = {
    "st_turns_started_day": "date_trunc('day', started_at) FROM turns",
    "st_turns_started_hour": "date_trunc('hour', started_at) FROM turns",
    "st_audit_events_ts_day": "date_trunc('day', ts) FROM audit_events",
    "st_audit_events_ts_hour": "date_trunc('hour', ts) FROM audit_events",
    "st_turn_tool_calls_started_day": "date_trunc('day', started_at) FROM turn_tool_calls",
    "st_turn_tool_calls_started_hour": "date_trunc('hour', started_at) FROM turn_tool_calls",
}
CONVERSATION_FK = (
    "ALTER TABLE turns ADD CONSTRAINT fk_turns_conversation_id_conversations"
    " FOREIGN KEY (conversation_id) REFERENCES conversations (id)"
)
TOOL_CALLS_FK = {
    True: "ALTER TABLE turn_tool_calls ADD CONSTRAINT fk_turn_tool_calls_turn_id_turns"
    " FOREIGN KEY (turn_id, started_at) REFERENCES turns (id, started_at)",
    False: "ALTER TABLE turn_tool_calls ADD CONSTRAINT fk_turn_tool_calls_turn_id_turns"
    " FOREIGN KEY (turn_id) REFERENCES turns (id)",
}
AUDIT_TRIGGERS = """
CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
"""


def _months(conn: Connection, old: str, column: str) -> list[date]:
    """The months the rows span, through MONTHS_AHEAD after this month."""
    low, high = conn.execute(text(f"SELECT min({column}), max({column}) FROM {old}")).one()
    current = month_start(datetime.now(UTC))
    first = month_start(low) if low is not None else current
    last = max(add_months(current, MONTHS_AHEAD), month_start(high) if high else current)
    months = [first]
    while months[-1] < last:
        months.append(add_months(months[-1], 1))
    return months


def _rebuild(conn: Connection, *, partitioned: bool) -> None:
    suffix = "_unpartitioned" if partitioned else "_partitioned"
    for table, column in TABLES.items():
        old = table + suffix
        conn.exec_driver_sql(f"ALTER TABLE {table} RENAME TO {old}")
        layout = f" PARTITION BY RANGE ({column})" if partitioned else ""
        conn.exec_driver_sql(f"CREATE TABLE {table} (LIKE {old} INCLUDING DEFAULTS){layout}")
        copy_grants(conn, source=old, target=table)
        if partitioned:
            create_default(conn, table=table)
            for month in _months(conn, old, column):
                create_month(conn, table=table, month=month)
        conn.exec_driver_sql(f"INSERT INTO {table} SELECT * FROM {old}")
        if table in SEQUENCES:
            conn.exec_driver_sql(f"ALTER SEQUENCE {SEQUENCES[table]} OWNED BY {table}.id")
    for table in reversed(TABLES):  # the tool calls' old foreign key goes with its table
        conn.exec_driver_sql(f"DROP TABLE {table}{suffix}")
    conn.exec_driver_sql("SET LOCAL maintenance_work_mem = '512MB'")
    for table, column in TABLES.items():
        key = f"{KEYS[table]}, {column}" if partitioned else KEYS[table]
        conn.exec_driver_sql(f"ALTER TABLE {table} ADD CONSTRAINT pk_{table} PRIMARY KEY ({key})")
        for name, columns in INDEXES[table].items():
            conn.exec_driver_sql(f"CREATE INDEX {name} ON {table} {columns}")
    conn.exec_driver_sql(CONVERSATION_FK)
    conn.exec_driver_sql(TOOL_CALLS_FK[partitioned])
    conn.exec_driver_sql(AUDIT_TRIGGERS)
    if conn.dialect.server_version_info >= (14,):
        for name, definition in STATISTICS.items():
            conn.exec_driver_sql(f"CREATE STATISTICS {name} ON {definition}")
    for table in TABLES:
        conn.exec_driver_sql(f"ANALYZE {table}")


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        _rebuild(conn, partitioned=True)


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        _rebuild(conn, partitioned=False)

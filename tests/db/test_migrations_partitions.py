"""Migration 0014 on a database that already holds rows in three months: every row kept, in
its month's partition, the audit chain still verifying, ids counting on from where they were,
every index, key, trigger and statistic back; and the way down to plain tables and up again."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import Engine, text

from db.migrate import alembic_config, upgrade
from db.partitions import ensure_partitions, is_partitioned
from tests.db.partition_rows import MONTHS, SERVER, chain_ok, counts, partition_of, write_rows
from world.scratch import is_postgres, scratch_engine

needs_pg = pytest.mark.skipif(
    not is_postgres(SERVER), reason="partitioning is PostgreSQL's (TEST_DATABASE_URL unset)"
)
TABLES = ("audit_events", "turns", "turn_tool_calls")
INDEXES = {
    "audit_events": {"pk_audit_events", "ix_audit_events_ts", "ix_audit_events_actor_ts",
                     "ix_audit_events_passenger_ts", "ix_audit_events_action_ts",
                     "ix_audit_events_outcome_ts", "ix_audit_events_conversation_seq"},
    "turns": {"pk_turns", "ix_turns_conversation_id", "ix_turns_started_at"},
    "turn_tool_calls": {"pk_turn_tool_calls", "ix_turn_tool_calls_started_at",
                        "ix_turn_tool_calls_turn_id"},
}  # fmt: skip


def downgrade(engine: Engine, revision: str) -> None:
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


def scalar(engine: Engine, sql: str) -> object:
    with engine.connect() as conn:
        return conn.execute(text(sql)).scalar()


def next_ids(engine: Engine, conversation: str = "c2") -> tuple[object, object]:
    """The ids the next turn and audit record get (both appended the app's way)."""
    write_rows(engine, (datetime(2026, 11, 20, 8, tzinfo=UTC),), conversation=conversation)
    where = f"WHERE conversation_id = '{conversation}'"
    return (
        scalar(engine, f"SELECT min(id) FROM turns {where}"),
        scalar(engine, f"SELECT min(seq) FROM audit_events {where}"),
    )


def schema_of(engine: Engine) -> dict[str, object]:
    with engine.connect() as conn:
        indexes = {
            t: set(conn.scalars(text("SELECT indexname FROM pg_indexes WHERE tablename = :t"),
                                {"t": t}))
            for t in TABLES
        }  # fmt: skip
        keys: dict[str, str] = dict(conn.execute(text(
            "SELECT conrelid::regclass::text, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE contype = 'p' AND conrelid::regclass::text IN"
            " ('audit_events', 'turns', 'turn_tool_calls')")).all())  # fmt: skip
        fk = conn.execute(text("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE"
                               " conname = 'fk_turn_tool_calls_turn_id_turns'"
                               " AND conparentid = 0")).scalar_one()  # fmt: skip
        include = conn.execute(
            text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_turns_started_at'")
        ).scalar_one()
        stats = set(conn.scalars(text("SELECT stxname FROM pg_statistic_ext")))
        triggers = set(conn.scalars(text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
                                         " AND tgrelid = 'audit_events'::regclass")))  # fmt: skip
    return {"indexes": indexes, "keys": keys, "fk": fk, "include": include, "stats": stats,
            "triggers": triggers}  # fmt: skip


@needs_pg
def test_0014_partitions_a_populated_database() -> None:
    with scratch_engine("partition", SERVER) as engine:
        upgrade(engine, "0013")
        write_rows(engine)
        before = counts(engine)
        assert before == {"audit_events": 12, "turns": 12, "turn_tool_calls": 24}
        upgrade(engine, "0014")
        with engine.connect() as conn:
            assert all(is_partitioned(conn, t) for t in TABLES)
        assert counts(engine) == before and chain_ok(engine)
        for table, column in (("audit_events", "ts"), ("turns", "started_at"),
                              ("turn_tool_calls", "started_at")):  # fmt: skip
            for month in MONTHS:
                day = month.date().isoformat()
                where = f"date_trunc('month', {column}) = date_trunc('month', DATE '{day}')"
                assert partition_of(engine, table, where) == {
                    f"{table}_p{month.year}_{month.month:02d}"
                }
        assert next_ids(engine) == (13, 13) and chain_ok(engine)
        schema = schema_of(engine)
        assert schema["indexes"] == INDEXES
        assert schema["keys"] == {"audit_events": "PRIMARY KEY (seq, ts)",
                                  "turns": "PRIMARY KEY (id, started_at)",
                                  "turn_tool_calls": "PRIMARY KEY (id, started_at)"}  # fmt: skip
        assert schema["fk"] == "FOREIGN KEY (turn_id, started_at) REFERENCES turns(id, started_at)"
        assert "INCLUDE (latency_ms, error)" in str(schema["include"])
        assert {"st_turns_started_day", "st_audit_events_ts_hour",
                "st_turn_tool_calls_started_day"} <= set(schema["stats"])  # type: ignore[call-overload]  # fmt: skip
        assert schema["triggers"] == {"audit_events_no_change", "audit_events_no_truncate"}


@needs_pg
def test_0014_downgrade_and_upgrade_round_trip() -> None:
    with scratch_engine("partition", SERVER) as engine:
        upgrade(engine)
        with engine.begin() as conn:
            ensure_partitions(conn, since=MONTHS[0])
        write_rows(engine)
        before = counts(engine)
        downgrade(engine, "0013")
        with engine.connect() as conn:
            assert not any(is_partitioned(conn, t) for t in TABLES)
            assert not conn.execute(text("SELECT to_regclass('turns_p2026_10')")).scalar()
        assert counts(engine) == before and chain_ok(engine)
        schema = schema_of(engine)
        assert schema["keys"] == {"audit_events": "PRIMARY KEY (seq)", "turns": "PRIMARY KEY (id)",
                                  "turn_tool_calls": "PRIMARY KEY (id)"}  # fmt: skip
        assert schema["indexes"] == INDEXES
        assert schema["triggers"] == {"audit_events_no_change", "audit_events_no_truncate"}
        assert next_ids(engine) == (13, 13)
        upgrade(engine)
        with engine.connect() as conn:
            assert all(is_partitioned(conn, t) for t in TABLES)
        assert counts(engine) == {"audit_events": 16, "turns": 16, "turn_tool_calls": 32}
        assert chain_ok(engine) and next_ids(engine, "c3") == (17, 17)


def test_0014_leaves_sqlite_as_it_is() -> None:
    with scratch_engine("partition") as engine:
        upgrade(engine)
        write_rows(engine)
        with engine.begin() as conn:
            assert ensure_partitions(conn).created == []
            names = set(conn.scalars(text("SELECT name FROM sqlite_master WHERE type = 'table'")))
        assert not {n for n in names if "_p20" in n or n.endswith("_default")}
        assert counts(engine)["turns"] == 12 and chain_ok(engine)

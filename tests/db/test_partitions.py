"""db/partitions.py on PostgreSQL: rows go to their month, a time range reads only its months,
ensure_partitions is idempotent, moves what landed in DEFAULT and survives a concurrent caller,
the append-only triggers hold on every partition (a child table reached directly too) and the
app role can no more change an audit partition than the trail's parent, new months included."""

from __future__ import annotations

import secrets
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from db.app_role import ensure_app_role
from db.audit_guard import audit_guard_lifted
from db.engine import make_engine
from db.migrate import upgrade
from db.partitions import EnsureReport, ensure_partitions, partitions_of
from tests.db.partition_rows import MONTHS, SERVER, chain_ok, counts, partition_of, write_rows
from world.scratch import is_postgres, scratch_engine

pytestmark = pytest.mark.skipif(
    not is_postgres(SERVER), reason="partitioning is PostgreSQL's (TEST_DATABASE_URL unset)"
)
FAR = datetime(2031, 1, 15, tzinfo=UTC)  # months no migration created


@pytest.fixture
def pg() -> Iterator[Engine]:
    with scratch_engine("partitions", SERVER) as engine:
        upgrade(engine)
        yield engine


def ensure(engine: Engine, **kwargs: object) -> EnsureReport:
    with engine.begin() as conn:
        return ensure_partitions(conn, **kwargs)  # type: ignore[arg-type]


def refused(engine: Engine, sql: str) -> str:
    with pytest.raises(DBAPIError) as caught, engine.begin() as conn:
        conn.exec_driver_sql(sql)
    return str(caught.value.orig)


def test_rows_go_to_their_month_and_a_range_reads_only_its_months(pg) -> None:
    ensure(pg, since=MONTHS[0])
    write_rows(pg)
    assert partition_of(pg, "turns", "started_at < '2026-10-01'") == {"turns_p2026_09"}
    assert partition_of(pg, "turn_tool_calls", "true") == {
        "turn_tool_calls_p2026_09",
        "turn_tool_calls_p2026_10",
        "turn_tool_calls_p2026_11",
    }
    assert partition_of(pg, "audit_events", "ts >= '2026-11-01'") == {"audit_events_p2026_11"}
    with pg.connect() as conn:
        for table, column in (("audit_events", "ts"), ("turns", "started_at")):
            plan = "\n".join(conn.scalars(text(
                f"EXPLAIN SELECT date_trunc('day', {column}), count(*) FROM {table}"
                f" WHERE {column} >= '2026-10-05' AND {column} < '2026-11-20' GROUP BY 1"
            )))  # fmt: skip
            assert f"{table}_p2026_10" in plan and f"{table}_p2026_11" in plan
            assert f"{table}_p2026_09" not in plan and f"{table}_default" not in plan
            # A bound parameter, as the dashboards' queries are sent, prunes as well.
            plan = "\n".join(conn.scalars(
                text(f"EXPLAIN SELECT count(*) FROM {table} WHERE {column} >= :lo"),
                {"lo": datetime(2026, 11, 2)},
            ))  # fmt: skip
            assert f"{table}_p2026_10" not in plan and f"{table}_p2026_11" in plan


def test_ensure_is_idempotent_and_moves_rows_out_of_default(pg) -> None:
    write_rows(pg)  # months before the migration's first: all in DEFAULT
    assert partition_of(pg, "turns", "true") == {"turns_default"}
    before = counts(pg)
    report = ensure(pg)
    months = [f"p2026_{m:02d}" for m in (9, 10, 11)]
    assert {f"{t}_{m}" for t in ("audit_events", "turns", "turn_tool_calls") for m in months} \
        == set(report.created)  # fmt: skip
    assert report.moved["turns_p2026_10"] == 4 and report.moved["turn_tool_calls_p2026_10"] == 8
    assert report.moved["audit_events_p2026_09"] == 4
    assert counts(pg) == before and chain_ok(pg)
    for table in ("audit_events", "turns", "turn_tool_calls"):
        assert partition_of(pg, table, "true") == {f"{table}_{m}" for m in months}
    assert ensure(pg).created == [] and ensure(pg).moved == {}
    write_rows(pg, (datetime(2026, 10, 20, tzinfo=UTC),), conversation="c2")
    assert counts(pg)["turns"] == 16 and chain_ok(pg)


def test_two_concurrent_callers_both_succeed(pg) -> None:
    barrier, reports, errors = threading.Barrier(2), [], []

    def run() -> None:
        try:
            with pg.begin() as conn:
                barrier.wait()
                reports.append(ensure_partitions(conn, now=FAR))
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    created = sorted(len(r.created) for r in reports)
    assert created[0] == 0 and created[1] > 0
    with pg.connect() as conn:
        assert "turns_p2031_04" in partitions_of(conn, "turns")


def test_append_only_holds_on_every_partition(pg) -> None:
    ensure(pg, since=MONTHS[0])
    write_rows(pg)
    for target in ("audit_events", "audit_events_p2026_10"):  # as the owner, too
        assert "append-only" in refused(pg, f"UPDATE {target} SET message = 'x'")
        assert "append-only" in refused(pg, f"DELETE FROM {target}")
        assert "append-only" in refused(pg, f"TRUNCATE {target}")
    assert "append-only" in refused(pg, "TRUNCATE audit_events_default")
    ensure(pg, now=FAR)  # a partition made later is guarded too
    assert "append-only" in refused(pg, "TRUNCATE audit_events_p2031_02")
    with pg.connect() as conn, conn.begin() as tx:  # the maintenance path still opens
        with audit_guard_lifted(conn):
            conn.exec_driver_sql("TRUNCATE audit_events, audit_head")
        tx.rollback()
    assert counts(pg)["audit_events"] == 12 and chain_ok(pg)
    assert "append-only" in refused(pg, "DELETE FROM audit_events_p2026_11")


def test_the_app_role_cannot_change_audit_partitions_old_or_new(pg) -> None:
    ensure(pg, since=MONTHS[0])
    write_rows(pg)
    role, password = f"skydesk_app_{secrets.token_hex(4)}", secrets.token_hex(16)
    with pg.begin() as conn:
        ensure_app_role(conn, role, password=password)
    ensure(pg, now=FAR)  # months created after the role: ALTER DEFAULT PRIVILEGES would grant
    url = make_url(pg.url).set(username=role, password=password)
    app = make_engine(url.render_as_string(hide_password=False))
    try:
        for part in ("audit_events_p2026_10", "audit_events_p2031_01", "audit_events_default"):
            for sql in (f"UPDATE {part} SET message = 'x'", f"DELETE FROM {part}",
                        f"TRUNCATE {part}", f"ALTER TABLE {part} DISABLE TRIGGER USER"):  # fmt: skip
                message = refused(app, sql)
                assert "permission denied" in message or "must be owner" in message
        write_rows(app, (datetime(2031, 1, 20, tzinfo=UTC),), conversation="c9")
        assert partition_of(app, "audit_events", "conversation_id = 'c9'") == {
            "audit_events_p2031_01"
        }
        with app.connect() as conn:  # the other tables' partitions have their parents' rights
            assert conn.execute(text("SELECT count(*) FROM turns_p2031_01")).scalar_one() == 4
        assert chain_ok(app)
    finally:
        app.dispose()
        with pg.begin() as conn:
            conn.exec_driver_sql(f"DROP OWNED BY {role}")
            conn.exec_driver_sql(f"DROP ROLE {role}")


def test_the_command_documents_itself() -> None:
    out = subprocess.run([sys.executable, "-m", "db.partitions", "ensure", "--help"],
                         capture_output=True, text=True, check=True).stdout  # fmt: skip
    assert "--months-ahead" in out

"""Monthly partitions of the big tables on PostgreSQL: `python -m db.partitions ensure`.

The audit trail, the turns and their tool-call rows grow without end (issue #16, item 5).
Migration 0014 turns them into range-partitioned tables (by `ts` / `started_at`), one partition
per calendar month plus a DEFAULT partition, so an insert never fails for want of a month, and a
dashboard's time range only reads the months it covers. This module keeps the months ahead of
the clock: `ensure_partitions` creates the missing ones (idempotently, under an advisory lock, so
two replicas starting at once both succeed) and, when rows already landed in DEFAULT for a month
it now creates, moves them into it (PostgreSQL refuses to create a partition whose range has rows
in DEFAULT). It runs with every migration (db/migrate.py, hence at start: world/bootstrap.py and
compose's migrate service), before a seed loads its history (world/generator.py), and as the
command above (a monthly cron job where replicas run for months without a restart).

Each new partition gets its parent's grants (ALTER DEFAULT PRIVILEGES would give the app role
UPDATE and DELETE on a new audit partition: the parent's ACL is copied over instead), and an
audit partition its own TRUNCATE trigger (statement triggers are not cloned to partitions; the
row triggers of migration 0008 are). It must run as the tables' owner, as migrations do.
On SQLite, which stays unpartitioned, it does nothing."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import Connection, text

# table -> its partition key; the parents are partitioned by migration 0014.
PARTITIONED: dict[str, str] = {
    "audit_events": "ts",
    "turns": "started_at",
    "turn_tool_calls": "started_at",
}
AUDIT_TABLE = "audit_events"
# Tables whose rows reference a table's by (id, key): they move out of DEFAULT with them.
DEPENDENTS: dict[str, tuple[str, ...]] = {"turns": ("turn_tool_calls",)}
MONTHS_AHEAD = 3
# pg_advisory_xact_lock key: "SkyDeskP" as a number, so no other lock of the app collides.
LOCK_KEY = 0x536B794465736B50


@dataclass
class EnsureReport:
    created: list[str] = field(default_factory=list)
    moved: dict[str, int] = field(default_factory=dict)  # partition -> rows moved from DEFAULT


def month_start(value: date | datetime) -> date:
    return date(value.year, value.month, 1)


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def partition_name(table: str, month: date) -> str:
    return f"{table}_p{month.year:04d}_{month.month:02d}"


def default_name(table: str) -> str:
    return f"{table}_default"


def is_partitioned(conn: Connection, table: str) -> bool:
    found = conn.execute(
        text("SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass(:t)"), {"t": table}
    ).first()
    return found is not None


def partitions_of(conn: Connection, table: str) -> list[str]:
    """The partitions of `table` (none for a plain table), by name."""
    return list(
        conn.scalars(
            text(
                "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                " WHERE i.inhparent = to_regclass(:t) ORDER BY c.relname"
            ),
            {"t": table},
        )
    )


def copy_grants(conn: Connection, *, source: str, target: str) -> None:
    """Give `target` exactly the grants `source` has (for every role but the owner)."""
    conn.exec_driver_sql(f"REVOKE ALL ON {target} FROM PUBLIC")
    grants = conn.execute(
        text(
            "SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(r.rolname) END,"
            " a.privilege_type FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a"
            " LEFT JOIN pg_roles r ON r.oid = a.grantee"
            " WHERE c.oid = to_regclass(:t) AND a.grantee <> c.relowner"
        ),
        {"t": source},
    ).all()
    others = conn.scalars(
        text(
            "SELECT DISTINCT quote_ident(r.rolname) FROM pg_class c"
            " CROSS JOIN LATERAL aclexplode(c.relacl) a JOIN pg_roles r ON r.oid = a.grantee"
            " WHERE c.oid = to_regclass(:t) AND a.grantee <> c.relowner"
        ),
        {"t": target},
    ).all()
    for role in others:
        conn.exec_driver_sql(f"REVOKE ALL ON {target} FROM {role}")
    for grantee, privilege in grants:
        conn.exec_driver_sql(f"GRANT {privilege} ON {target} TO {grantee}")


def protect_partition(conn: Connection, *, table: str, partition: str) -> None:
    """A new partition's grants (its parent's) and, for the audit trail, its TRUNCATE trigger."""
    copy_grants(conn, source=table, target=partition)
    if table == AUDIT_TABLE:
        conn.exec_driver_sql(
            f"CREATE TRIGGER {partition}_no_truncate BEFORE TRUNCATE ON {partition}"
            " FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()"
        )


def create_default(conn: Connection, *, table: str) -> None:
    name = default_name(table)
    conn.exec_driver_sql(f"CREATE TABLE {name} PARTITION OF {table} DEFAULT")
    protect_partition(conn, table=table, partition=name)


def create_month(conn: Connection, *, table: str, month: date) -> int:
    """Create `table`'s partition for `month`; rows DEFAULT holds for it move in. Returns how
    many moved. Runs in the caller's transaction (DDL is transactional)."""
    name, column = partition_name(table, month), PARTITIONED[table]
    low, high = month.isoformat(), add_months(month, 1).isoformat()
    bounds = f"FROM ('{low}') TO ('{high}')"
    default = default_name(table)
    has_default = default in partitions_of(conn, table)
    stray = (
        has_default
        and conn.execute(
            text(f"SELECT 1 FROM {default} WHERE {column} >= :lo AND {column} < :hi LIMIT 1"),
            {"lo": low, "hi": high},
        ).first()
    )
    moved = 0
    if stray:
        # Writers wait (readers do not) while the month's rows leave DEFAULT: none can land
        # there between the move and the new partition. The audit rows' DELETE trigger is off
        # for the move only (the rows are re-inserted unchanged, so the chain still verifies).
        # A turn's tool calls leave with it and come back after it: the foreign key checks
        # each partition on its own, so a turn cannot leave DEFAULT while they point at it.
        moving = [*DEPENDENTS.get(table, ()), table]
        for locked in reversed(moving):
            conn.exec_driver_sql(f"LOCK TABLE {locked} IN SHARE ROW EXCLUSIVE MODE")
        for source in moving:
            source_column = PARTITIONED[source]
            origin = default if source == table else source
            conn.exec_driver_sql(f"CREATE TEMP TABLE move_{source} (LIKE {source}) ON COMMIT DROP")
            if source == AUDIT_TABLE:
                conn.exec_driver_sql(f"ALTER TABLE {origin} DISABLE TRIGGER USER")
            count = conn.execute(
                text(
                    f"WITH gone AS (DELETE FROM {origin} WHERE {source_column} >= :lo"
                    f" AND {source_column} < :hi RETURNING *)"
                    f" INSERT INTO move_{source} SELECT * FROM gone"
                ),
                {"lo": low, "hi": high},
            ).rowcount
            if source == AUDIT_TABLE:
                conn.exec_driver_sql(f"ALTER TABLE {origin} ENABLE TRIGGER USER")
            if source == table:
                moved = count
    conn.exec_driver_sql(f"CREATE TABLE {name} PARTITION OF {table} FOR VALUES {bounds}")
    protect_partition(conn, table=table, partition=name)
    if stray:
        for source in reversed(moving):
            target = name if source == table else source
            conn.exec_driver_sql(f"INSERT INTO {target} SELECT * FROM move_{source}")
            conn.exec_driver_sql(f"DROP TABLE move_{source}")
    return moved


def _months_in_default(conn: Connection, table: str) -> set[date]:
    default = default_name(table)
    if default not in partitions_of(conn, table):
        return set()
    column = PARTITIONED[table]
    found = conn.scalars(text(f"SELECT DISTINCT date_trunc('month', {column}) FROM {default}"))
    return {month_start(m) for m in found}


def ensure_partitions(
    conn: Connection,
    *,
    months_ahead: int = MONTHS_AHEAD,
    since: datetime | date | None = None,
    now: datetime | None = None,
) -> EnsureReport:
    """Within `conn`'s transaction: every partitioned table has a partition for each month from
    `since` (default: this month) to `months_ahead` months after `now`, and for each month whose
    rows sit in DEFAULT (which are moved in). Idempotent; concurrent callers queue on an
    advisory lock held until their transaction ends. A no-op on SQLite."""
    report = EnsureReport()
    if conn.dialect.name != "postgresql":
        return report
    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": LOCK_KEY})
    current = month_start(now or datetime.now(UTC))
    first = month_start(since) if since is not None else current
    wanted = {add_months(first, i) for i in range(_months_between(first, current) + 1)}
    wanted |= {add_months(current, i) for i in range(months_ahead + 1)}
    for table in PARTITIONED:
        if not is_partitioned(conn, table):
            continue
        existing = set(partitions_of(conn, table))
        for month in sorted(wanted | _months_in_default(conn, table)):
            name = partition_name(table, month)
            if name not in existing:
                moved = create_month(conn, table=table, month=month)
                report.created.append(name)
                if moved:
                    report.moved[name] = moved
    return report


def _months_between(first: date, last: date) -> int:
    return max(0, (last.year - first.year) * 12 + last.month - first.month)


def main(argv: list[str] | None = None) -> None:
    from config import get_settings
    from db.engine import make_engine

    parser = argparse.ArgumentParser(prog="python -m db.partitions", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    commands = parser.add_subparsers(dest="command", required=True)
    ensure = commands.add_parser("ensure", help="create the missing months (and move DEFAULT's)")
    ensure.add_argument("--months-ahead", type=int, default=MONTHS_AHEAD)
    ensure.add_argument("--database-url", default=get_settings().database_url)
    args = parser.parse_args(argv)
    engine = make_engine(args.database_url)
    try:
        with engine.begin() as conn:
            report = ensure_partitions(conn, months_ahead=args.months_ahead)
    finally:
        engine.dispose()
    moved = sum(report.moved.values())
    print(f"partitions: {len(report.created)} created, {moved} rows moved from DEFAULT")
    for name in report.created:
        print(f"  {name}" + (f" ({report.moved[name]} rows moved)" if name in report.moved else ""))


if __name__ == "__main__":
    main()

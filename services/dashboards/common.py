"""Shared pieces of the dashboard queries: time ranges, time buckets, percentiles, rates.

Every aggregate runs in the database (GROUP BY over an indexed time range); Python only
reshapes the grouped rows. Buckets are UTC hours or days: the columns hold naive UTC, and a
bucket in the airline's zone would need time-zone arithmetic that SQLite cannot do."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    Integer,
    cast,
    func,
    literal_column,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session

from db.base import UTCDateTime
from services.core.errors import InvalidInput

Bucket = Literal["hour", "day"]
BUCKET_STEP = {"hour": timedelta(hours=1), "day": timedelta(days=1)}
SQLITE_FORMAT = {"hour": "%Y-%m-%d %H:00:00", "day": "%Y-%m-%d 00:00:00"}
# A trend chart with more points than this is unreadable and costs a large result set.
MAX_BUCKETS = 2000
# The latency percentiles the dashboards show (p50, p95).
PERCENTILES = (0.5, 0.95)


@dataclass(frozen=True)
class TimeRange:
    """[since, until) in UTC, and the width of a trend bucket."""

    since: datetime
    until: datetime
    bucket: Bucket = "day"

    @classmethod
    def of(cls, since: datetime, until: datetime, bucket: str = "day") -> TimeRange:
        if since.tzinfo is None or until.tzinfo is None:
            raise InvalidInput("Give the time range with a time zone (UTC or an offset).")
        if since >= until:
            raise InvalidInput("The start of the time range must be before its end.")
        if bucket not in BUCKET_STEP:
            raise InvalidInput(f"'{bucket}' is not a bucket width; use hour or day.")
        span = cls(since.astimezone(UTC), until.astimezone(UTC), bucket)  # type: ignore[arg-type]
        if len(span.starts()) > MAX_BUCKETS:
            raise InvalidInput(
                f"That range has more than {MAX_BUCKETS} {bucket}s; pick a shorter range"
                + (" or daily buckets." if bucket == "hour" else ".")
            )
        return span

    def floor(self, instant: datetime) -> datetime:
        instant = instant.astimezone(UTC)
        if self.bucket == "hour":
            return instant.replace(minute=0, second=0, microsecond=0)
        return instant.replace(hour=0, minute=0, second=0, microsecond=0)

    def starts(self) -> list[datetime]:
        """Every bucket the range touches, so a chart shows empty hours/days as zero."""
        step, current = BUCKET_STEP[self.bucket], self.floor(self.since)
        out: list[datetime] = []
        while current < self.until and len(out) <= MAX_BUCKETS:
            out.append(current)
            current += step
        return out


def is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def analytic(session: Session) -> None:
    """Per-transaction planner settings for aggregate queries on PostgreSQL.

    JIT compilation costs 50-300 ms on queries whose estimated cost crosses jit_above_cost (a
    JSON expansion over 200k turns does) and never pays back on a 100 ms query; a larger
    work_mem keeps sorts for percentiles in memory. SET LOCAL ends with the transaction."""
    if is_postgres(session):
        session.execute(
            select(func.set_config("jit", "off", True), func.set_config("work_mem", "64MB", True))
        )


def bucket_of(session: Session, column: Any, bucket: Bucket) -> ColumnElement[datetime]:
    """The bucket start of a UTC timestamp column, as an aware datetime in results.

    The unit is a literal (not a bound parameter) so SELECT and GROUP BY hold the same
    expression, and on PostgreSQL it matches the extended statistics of migration 0003
    (`date_trunc('day', ts)`), which tell the planner how few groups there are."""
    if bucket not in BUCKET_STEP:
        raise InvalidInput(f"'{bucket}' is not a bucket width; use hour or day.")
    if is_postgres(session):
        expr = func.date_trunc(literal_column(f"'{bucket}'"), column)
    else:
        expr = func.strftime(literal_column(f"'{SQLITE_FORMAT[bucket]}'"), column)
    return type_coerce(expr, UTCDateTime())


def rate(part: int | float, whole: int | float) -> float | None:
    """part / whole, or None when there is nothing to divide (shown as "n/a", not 0%)."""
    return part / whole if whole else None


def interpolate(ranks: dict[int, float], count: int, fraction: float) -> float:
    """percentile_cont from 1-based ranks: linear interpolation between the closest two."""
    position = (count - 1) * fraction
    low = int(position)
    low_value = ranks[low + 1]
    high_value = ranks.get(low + 2, low_value)
    return low_value + (position - low) * (high_value - low_value)


@dataclass(frozen=True)
class GroupFigures:
    counts: tuple[int, ...]
    p50: float | None = None
    p95: float | None = None


def counts_and_percentiles(
    session: Session, *, value: Any, group: Any, where: Sequence[Any], counts: Sequence[Any]
) -> dict[Any, GroupFigures]:
    """Per `group`, and over all rows under the key None: the `counts` aggregates and the
    p50/p95 of `value`, computed in the database.

    PostgreSQL: one statement, GROUP BY GROUPING SETS ((group), ()) with the counts and
    percentile_cont(ARRAY[.5, .95]) WITHIN GROUP: one scan, one sort. SQLite has no
    ordered-set aggregates (nor grouping sets): a plain GROUP BY for the counts, and window
    functions rank the values (ROW_NUMBER, COUNT OVER) so that only the two ranks around each
    percentile leave the database: exactly percentile_cont's result, and at most 4 rows per
    group are transferred, whatever the table size."""
    if is_postgres(session):
        pct = func.percentile_cont(literal_column("ARRAY[0.5, 0.95]")).within_group(value)
        stmt = (
            select(group, func.grouping(group), pct, *counts)
            .where(*where)
            .group_by(func.grouping_sets(group, literal_column("()")))
        )
        out = {}
        for g, total, p, *n in session.execute(stmt):
            # The grand-total row exists even over no rows, with a NULL percentile.
            p50, p95 = (float(p[0]), float(p[1])) if p is not None else (None, None)
            out[None if total else g] = GroupFigures(
                counts=tuple(int(x or 0) for x in n), p50=p50, p95=p95
            )
        return out
    per_group = {g: tuple(int(x or 0) for x in n) for g, *n in session.execute(
        select(group, *counts).where(*where).group_by(group)
    )}  # fmt: skip
    totals = tuple(sum(column) for column in zip(*per_group.values(), strict=True))
    pcts = _sqlite_percentiles(session, value=value, group=group, where=where)
    out = {g: _figures(n, pcts.get(g)) for g, n in per_group.items()}
    out[None] = _figures(totals or (0,) * len(counts), pcts.get(None))
    return out


def _figures(counts: tuple[int, ...], percentiles: tuple[float, float] | None) -> GroupFigures:
    p50, p95 = percentiles if percentiles is not None else (None, None)
    return GroupFigures(counts=counts, p50=p50, p95=p95)


def _sqlite_percentiles(
    session: Session, *, value: Any, group: Any, where: Sequence[Any]
) -> dict[Any, tuple[float, float]]:
    out: dict[Any, tuple[float, float]] = {}
    for partition in ([], [group]):
        ranked = (
            select(
                (group if partition else literal_column("NULL")).label("g"),
                value.label("v"),
                func.row_number().over(partition_by=partition, order_by=value).label("rn"),
                func.count().over(partition_by=partition).label("n"),
            )
            .where(*where)
            .subquery()
        )
        wanted = []
        for fraction in PERCENTILES:
            # CAST AS INTEGER truncates: floor, for these non-negative positions.
            low = cast((ranked.c.n - 1) * fraction, Integer) + 1
            wanted += [ranked.c.rn == low, ranked.c.rn == low + 1]
        ranks: dict[Any, tuple[int, dict[int, float]]] = {}
        for g, n, rn, v in session.execute(
            select(ranked.c.g, ranked.c.n, ranked.c.rn, ranked.c.v).where(or_(*wanted))
        ):
            ranks.setdefault(g if partition else None, (n, {}))[1][rn] = float(v)
        for g, (n, by_rank) in ranks.items():
            p50, p95 = (interpolate(by_rank, n, f) for f in PERCENTILES)
            out[g] = (p50, p95)
    return out


def check_limit(limit: int, *, maximum: int = 500) -> int:
    if not 1 <= limit <= maximum:
        raise InvalidInput(f"A page holds 1 to {maximum} rows.")
    return limit

"""The dashboards' peer: each Metrics aggregate as a Streamlit author would first write it, the
rows of the range read into pandas (`pd.read_sql`) and grouped there.

Generous to the peer: it reads only the columns the aggregate needs and lets the database
filter the time range on the same indexes (everything else, status filters included, happens in
pandas, as in the tutorials), from the same tables SkyDesk's queries read. Each function returns
the totals of its SkyDesk counterpart (`comparable` turns a SkyDesk result into the same
shape; `series` is the chart's, left out of the comparison), so the benchmark compares two
ways to the same figures and the tests check they agree.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from sqlalchemy import bindparam, text
from sqlalchemy.orm import Session

from db.base import UTCDateTime
from services.dashboards import metrics

FREQ = {"hour": "h", "day": "D"}
Totals = dict[str, Any]


def _frame(session: Session, sql: str, since: datetime, until: datetime) -> pd.DataFrame:
    """`sql` over [since, until): its rows as a DataFrame, the time column parsed."""
    stmt = text(sql).bindparams(
        bindparam("since", type_=UTCDateTime()), bindparam("until", type_=UTCDateTime())
    )
    frame = pd.read_sql_query(stmt, session.connection(), params={"since": since, "until": until})
    frame["at"] = pd.to_datetime(frame["at"], format="ISO8601")
    return frame


def _series(
    frame: pd.DataFrame,
    since: datetime,
    until: datetime,
    bucket: str,
    *,
    by: str | None = None,
    agg: dict[str, Any] | None = None,
) -> pd.DataFrame:
    """The chart's series: per bucket, rows (per value of `by`) or the `agg` aggregates, with
    empty buckets as zeros."""
    freq = FREQ[bucket]
    start = pd.Timestamp(since.astimezone(UTC).replace(tzinfo=None)).floor(freq)
    end = pd.Timestamp(until.astimezone(UTC).replace(tzinfo=None))
    starts = pd.date_range(start, end, freq=freq, inclusive="left")
    key = frame["at"].dt.floor(freq)
    if agg is not None:
        grouped = frame.groupby(key).agg(**agg)
    elif by is not None:
        grouped = frame.groupby([key, by]).size().unstack(fill_value=0)
    else:
        grouped = frame.groupby(key).size().to_frame("rows")
    return grouped.reindex(starts, fill_value=0)


def conversation_stats(
    session: Session, *, since: datetime, until: datetime, bucket: str = "day"
) -> Totals:
    df = _frame(
        session,
        "SELECT started_at AS at, status, escalation_reason FROM conversations "
        "WHERE started_at >= :since AND started_at < :until",
        since,
        until,
    )
    by_status = df["status"].value_counts()
    escalated = df[df["status"] == "escalated"]
    reasons = escalated["escalation_reason"].fillna("unspecified").value_counts()
    return {
        "series": _series(df, since, until, bucket, by="status"),
        "total": len(df),
        "resolved": int(by_status.get("resolved", 0)),
        "escalated": int(by_status.get("escalated", 0)),
        "by_reason": {str(r): int(n) for r, n in reasons.items()},
    }


def turn_stats(
    session: Session, *, since: datetime, until: datetime, bucket: str = "day"
) -> Totals:
    df = _frame(
        session,
        "SELECT started_at AS at, latency_ms, error FROM turns "
        "WHERE started_at >= :since AND started_at < :until",
        since,
        until,
    )
    counts = {"turns": ("latency_ms", "size"), "errors": ("error", "count")}
    # Grouped quantiles (vectorised, linear: percentile_cont's interpolation), not a lambda.
    by_bucket = df.groupby(df["at"].dt.floor(FREQ[bucket]))["latency_ms"]
    percentiles = by_bucket.quantile([0.5, 0.95]).unstack()
    series = _series(df, since, until, bucket, agg=counts).join(percentiles)
    return {
        "series": series,
        "total": len(df),
        "errors": int(df["error"].count()),
        "p50": float(df["latency_ms"].quantile(0.5)) if len(df) else None,
        "p95": float(df["latency_ms"].quantile(0.95)) if len(df) else None,
    }


def tool_stats(
    session: Session, *, since: datetime, until: datetime, bucket: str = "day"
) -> Totals:
    df = _frame(
        session,
        "SELECT started_at AS at, name, status FROM turn_tool_calls "
        "WHERE started_at >= :since AND started_at < :until",
        since,
        until,
    )
    df = df[df["status"].fillna("") != metrics.PAUSED_STATUS]
    df = df.assign(failed=df["status"] == metrics.ERROR_STATUS, name=df["name"].fillna("unknown"))
    by_tool = df.groupby("name").agg(calls=("failed", "size"), errors=("failed", "sum"))
    return {
        "series": _series(
            df, since, until, bucket, agg={"calls": ("failed", "size"), "errors": ("failed", "sum")}
        ),
        "calls": len(df),
        "errors": int(df["failed"].sum()),
        "by_tool": {str(t): (int(r.calls), int(r.errors)) for t, r in by_tool.iterrows()},
    }


def decision_stats(
    session: Session, *, since: datetime, until: datetime, bucket: str = "day"
) -> Totals:
    df = _frame(
        session,
        "SELECT ts AS at, outcome FROM audit_events WHERE ts >= :since AND ts < :until",
        since,
        until,
    )
    decided = df[df["outcome"].isin(["approved", "denied"])]
    counts = decided["outcome"].value_counts()
    return {
        "series": _series(decided, since, until, bucket, by="outcome"),
        "approved": int(counts.get("approved", 0)),
        "denied": int(counts.get("denied", 0)),
    }


def csat_stats(
    session: Session, *, since: datetime, until: datetime, bucket: str = "day"
) -> Totals:
    df = _frame(
        session,
        "SELECT created_at AS at, rating FROM feedback "
        "WHERE created_at >= :since AND created_at < :until",
        since,
        until,
    )
    return {
        "series": _series(
            df, since, until, bucket, agg={"rated": ("rating", "size"), "mean": ("rating", "mean")}
        ),
        "rated": len(df),
        "distribution": {r: int((df["rating"] == r).sum()) for r in range(1, 6)},
    }


def usage_stats(session: Session, *, since: datetime, until: datetime) -> Totals:
    df = _frame(
        session,
        "SELECT started_at AS at, model, tokens_in, tokens_out FROM turns "
        "WHERE started_at >= :since AND started_at < :until",
        since,
        until,
    )
    by_model = df.groupby("model").agg(
        turns=("tokens_in", "size"),
        tokens_in=("tokens_in", "sum"),
        tokens_out=("tokens_out", "sum"),
    )
    return {
        "by_model": {
            str(m): (int(r.turns), int(r.tokens_in), int(r.tokens_out))
            for m, r in by_model.iterrows()
        }
    }


# SkyDesk's aggregate -> its pandas peer, for every aggregate that has one.
PEERS: dict[str, Callable[..., Totals]] = {
    "conversation_stats": conversation_stats,
    "turn_stats": turn_stats,
    "tool_stats": tool_stats,
    "decision_stats": decision_stats,
    "csat_stats": csat_stats,
    "usage_stats": usage_stats,
}


def comparable(name: str, result: Any) -> Totals:
    """A SkyDesk aggregate's result in its peer's shape (tests: both give the same figures)."""
    if name == "conversation_stats":
        return {
            "total": result.total,
            "resolved": result.resolved,
            "escalated": result.escalated,
            "by_reason": {r.reason: r.count for r in result.by_reason},
        }
    if name == "turn_stats":
        return {
            "total": result.total,
            "errors": result.errors,
            "p50": result.latency_p50_ms,
            "p95": result.latency_p95_ms,
        }
    if name == "tool_stats":
        return {
            "calls": result.calls,
            "errors": result.errors,
            "by_tool": {t.tool: (t.calls, t.errors) for t in result.by_tool},
        }
    if name == "decision_stats":
        return {"approved": result.approved, "denied": result.denied}
    if name == "csat_stats":
        return {"rated": result.rated, "distribution": dict(result.distribution)}
    if name == "usage_stats":
        return {
            "by_model": {u.model: (u.turns, u.tokens_in, u.tokens_out) for u in result.by_model}
        }
    raise KeyError(name)

"""KPIs and trends for the Metrics page, each aggregate one or two GROUP BY queries.

Every function takes a time range and a bucket width and returns its totals plus a per-bucket
series (empty buckets filled with zeros), so the page draws cards from the totals and charts
from the series; `metrics_dashboard` runs them all for the page.

Sources: conversations (status, escalation reason), turns (latency, tokens, model, error,
tool calls), feedback (ratings) and audit_events (approvals, denials); what was refused
(policy refusals, access denials, failed sign-ins) is services/dashboards/refusals.py.
`turns.tool_calls` as agent/records.py writes it: one object per call, `{"id", "name", "args",
"status"}`, status one of ok, error, refused, invalid, denied, already_done (the tool's answer)
or awaiting_approval (the turn paused at an approval card; the call is counted in the turn that
resolves it, so a write that waited for approval counts once)."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, cast, func, select
from sqlalchemy.orm import Session

from db.models import AuditEvent, Conversation, Feedback, Turn, TurnToolCall
from services.dashboards.common import (
    GroupFigures,
    TimeRange,
    analytic,
    bucket_of,
    counts_and_percentiles,
    rate,
)
from services.dashboards.metrics_models import (
    ConversationPoint,
    ConversationStats,
    CsatPoint,
    CsatStats,
    DecisionPoint,
    DecisionStats,
    MetricsDashboard,
    ReasonCount,
    ToolCount,
    ToolPoint,
    ToolStats,
    TurnPoint,
    TurnStats,
)
from services.dashboards.refusals import refusal_stats
from services.dashboards.usage import MODEL_PRICES_USD_PER_MTOK, is_offline, price_of, usage_stats

ERROR_STATUS = "error"
PAUSED_STATUS = "awaiting_approval"


def _fill(span: TimeRange, found: dict[datetime, Any], empty: Any) -> list[Any]:
    return [found.get(start) or empty(start) for start in span.starts()]


def conversation_stats(
    session: Session, *, since: datetime, until: datetime, bucket: str = "day"
) -> ConversationStats:
    span = TimeRange.of(since, until, bucket)
    analytic(session)
    b = bucket_of(session, Conversation.started_at, span.bucket)
    rows = session.execute(
        select(b, Conversation.status, Conversation.escalation_reason, func.count())
        .where(Conversation.started_at >= span.since, Conversation.started_at < span.until)
        .group_by(b, Conversation.status, Conversation.escalation_reason)
    ).all()
    per_bucket: dict[datetime, Counter[str]] = defaultdict(Counter)
    reasons: Counter[str] = Counter()
    for start, status, reason, n in rows:
        per_bucket[start][status.value] += n
        if status.value == "escalated":
            reasons[reason or "unspecified"] += n
    totals = sum(per_bucket.values(), Counter())
    total = sum(totals.values())
    found = {
        s: ConversationPoint(s, sum(c.values()), c["resolved"], c["escalated"])
        for s, c in per_bucket.items()
    }
    return ConversationStats(
        total=total,
        resolved=totals["resolved"],
        escalated=totals["escalated"],
        open=totals["open"],
        resolution_rate=rate(totals["resolved"], total),
        escalation_rate=rate(totals["escalated"], total),
        by_reason=[
            ReasonCount(r, n, rate(n, total))
            for r, n in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        series=_fill(span, found, ConversationPoint),
    )


def _turn_point(start: datetime, figures: GroupFigures) -> TurnPoint:
    turns, errors = figures.counts  # in the order turn_stats asks for them
    return TurnPoint(
        start=start,
        turns=turns,
        errors=errors,
        latency_p50_ms=figures.p50,
        latency_p95_ms=figures.p95,
    )


def turn_stats(
    session: Session, *, since: datetime, until: datetime, bucket: str = "day"
) -> TurnStats:
    """Turns, failed turns and latency p50/p95 per bucket and overall, in the database (see
    common.counts_and_percentiles: percentile_cont on PostgreSQL, window functions on SQLite)."""
    span = TimeRange.of(since, until, bucket)
    analytic(session)
    b = bucket_of(session, Turn.started_at, span.bucket)
    figures = counts_and_percentiles(
        session,
        value=Turn.latency_ms,
        group=b,
        where=[Turn.started_at >= span.since, Turn.started_at < span.until],
        counts=[func.count(), func.count(Turn.error)],
    )
    total = figures.pop(None)
    found = {s: _turn_point(s, f) for s, f in figures.items()}
    (n, errors) = total.counts
    return TurnStats(
        total=n,
        errors=errors,
        error_rate=rate(errors, n),
        latency_p50_ms=total.p50,
        latency_p95_ms=total.p95,
        series=_fill(span, found, TurnPoint),
    )


def tool_stats(
    session: Session, *, since: datetime, until: datetime, bucket: str = "day"
) -> ToolStats:
    """Tool calls by tool, and the share that failed (status "error"): an index-only scan of
    turn_tool_calls (one row per call of turns.tool_calls, migration 0004)."""
    span = TimeRange.of(since, until, bucket)
    analytic(session)
    call = TurnToolCall
    b = bucket_of(session, call.started_at, span.bucket)
    is_error = cast(call.status == ERROR_STATUS, Integer)
    rows = session.execute(
        select(b, call.name, func.count(), func.coalesce(func.sum(is_error), 0))
        .where(
            call.started_at >= span.since,
            call.started_at < span.until,
            func.coalesce(call.status, "") != PAUSED_STATUS,
        )
        .group_by(b, call.name)
    ).all()
    by_tool: Counter[str] = Counter()
    tool_errors: Counter[str] = Counter()
    per_bucket: dict[datetime, list[int]] = defaultdict(lambda: [0, 0])
    for start, tool, n, errors in rows:
        by_tool[tool or "unknown"] += n
        tool_errors[tool or "unknown"] += errors
        per_bucket[start][0] += n
        per_bucket[start][1] += errors
    total, errors = sum(by_tool.values()), sum(tool_errors.values())
    return ToolStats(
        calls=total,
        errors=errors,
        error_rate=rate(errors, total),
        by_tool=[
            ToolCount(t, n, tool_errors[t], rate(tool_errors[t], n))
            for t, n in sorted(by_tool.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        series=_fill(
            span,
            {s: ToolPoint(start=s, calls=n, errors=e) for s, (n, e) in per_bucket.items()},
            ToolPoint,
        ),
    )


def decision_stats(
    session: Session, *, since: datetime, until: datetime, bucket: str = "day"
) -> DecisionStats:
    """Approval cards approved and denied, from the audit trail: an index-only scan of
    ix_audit_events_outcome_ts (migration 0003)."""
    span = TimeRange.of(since, until, bucket)
    analytic(session)
    b = bucket_of(session, AuditEvent.ts, span.bucket)
    rows = session.execute(
        select(b, AuditEvent.outcome, func.count())
        .where(
            AuditEvent.outcome.in_(("approved", "denied")),
            AuditEvent.ts >= span.since,
            AuditEvent.ts < span.until,
        )
        .group_by(b, AuditEvent.outcome)
    ).all()
    per_bucket: dict[datetime, Counter[str]] = defaultdict(Counter)
    for start, outcome, n in rows:
        per_bucket[start][outcome] += n
    totals = sum(per_bucket.values(), Counter())
    decided = totals["approved"] + totals["denied"]
    found = {
        s: DecisionPoint(start=s, approved=c["approved"], denied=c["denied"])
        for s, c in per_bucket.items()
    }
    return DecisionStats(
        approved=totals["approved"],
        denied=totals["denied"],
        approval_rate=rate(totals["approved"], decided),
        denial_rate=rate(totals["denied"], decided),
        series=_fill(span, found, DecisionPoint),
    )


def csat_stats(
    session: Session, *, since: datetime, until: datetime, bucket: str = "day"
) -> CsatStats:
    span = TimeRange.of(since, until, bucket)
    analytic(session)
    b = bucket_of(session, Feedback.created_at, span.bucket)
    rows = session.execute(
        select(b, Feedback.rating, func.count())
        .where(Feedback.created_at >= span.since, Feedback.created_at < span.until)
        .group_by(b, Feedback.rating)
    ).all()
    per_bucket: dict[datetime, Counter[int]] = defaultdict(Counter)
    for start, rating, n in rows:
        per_bucket[start][rating] += n
    distribution = sum(per_bucket.values(), Counter())

    def summary(start: datetime, c: Counter[int]) -> CsatPoint:
        rated = sum(c.values())
        return CsatPoint(
            start=start,
            rated=rated,
            mean=rate(sum(r * n for r, n in c.items()), rated),
            satisfied_share=rate(c[4] + c[5], rated),
        )

    found = {s: summary(s, c) for s, c in per_bucket.items()}
    overall = summary(span.since, distribution)
    return CsatStats(
        rated=overall.rated,
        mean=overall.mean,
        satisfied_share=overall.satisfied_share,
        distribution={r: distribution[r] for r in range(1, 6)},
        series=_fill(span, found, CsatPoint),
    )


def metrics_dashboard(
    session: Session, *, since: datetime, until: datetime, bucket: str = "day"
) -> MetricsDashboard:
    """Everything the Metrics page shows, in one read-only transaction."""
    span = TimeRange.of(since, until, bucket)
    kwargs: dict[str, Any] = {"since": span.since, "until": span.until, "bucket": span.bucket}
    return MetricsDashboard(
        range=span,
        conversations=conversation_stats(session, **kwargs),
        turns=turn_stats(session, **kwargs),
        tools=tool_stats(session, **kwargs),
        decisions=decision_stats(session, **kwargs),
        refusals=refusal_stats(session, **kwargs),
        csat=csat_stats(session, **kwargs),
        usage=usage_stats(session, since=span.since, until=span.until),
    )


__all__ = [
    "MODEL_PRICES_USD_PER_MTOK",
    "conversation_stats",
    "csat_stats",
    "decision_stats",
    "is_offline",
    "metrics_dashboard",
    "price_of",
    "refusal_stats",
    "tool_stats",
    "turn_stats",
    "usage_stats",
]

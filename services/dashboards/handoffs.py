"""The live handoff's figures for the Metrics page: the queue now (waiting, held), and over a
time range the handoffs opened, the time from queueing to the first human reply (p50, p95), and
the handoff rate by reason (of the conversations started in the range)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import Conversation, Handoff, HandoffState
from services.dashboards.common import rate


@dataclass(frozen=True)
class HandoffReason:
    reason: str
    count: int
    rate: float | None  # of the conversations started in the range


@dataclass(frozen=True)
class HandoffStats:
    waiting: int  # the queue length now
    held: int  # with a person now
    opened: int  # handoffs queued in the range
    replied: int  # of those, answered by a person
    first_reply_p50_s: float | None
    first_reply_p95_s: float | None
    by_reason: list[HandoffReason]


def _percentile(values: list[float], fraction: float) -> float | None:
    """percentile_cont over the values (linear between the two closest ranks)."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def handoff_stats(session: Session, *, since: datetime, until: datetime) -> HandoffStats:
    now_counts = dict(
        (state, n)
        for state, n in session.execute(
            select(Handoff.state, func.count())
            .where(Handoff.state.in_((HandoffState.WAITING, HandoffState.HELD)))
            .group_by(Handoff.state)
        )
    )
    in_range = (Handoff.waiting_since >= since, Handoff.waiting_since < until)
    reasons = list(
        session.execute(
            select(Handoff.reason, func.count()).where(*in_range).group_by(Handoff.reason)
        )
    )
    # A desk answers hundreds of handoffs a day, not millions: the pairs are read and the
    # percentiles computed here, the same on SQLite (no percentile_cont) and PostgreSQL.
    pairs = session.execute(
        select(Handoff.waiting_since, Handoff.first_reply_at).where(
            *in_range, Handoff.first_reply_at.is_not(None)
        )
    )
    waits = [(reply - queued).total_seconds() for queued, reply in pairs if reply is not None]
    started = session.scalar(
        select(func.count(Conversation.id)).where(
            Conversation.started_at >= since, Conversation.started_at < until
        )
    )
    return HandoffStats(
        waiting=now_counts.get(HandoffState.WAITING, 0),
        held=now_counts.get(HandoffState.HELD, 0),
        opened=sum(n for _, n in reasons),
        replied=len(waits),
        first_reply_p50_s=_percentile(waits, 0.5),
        first_reply_p95_s=_percentile(waits, 0.95),
        by_reason=sorted(
            (HandoffReason(r.value, n, rate(n, started or 0)) for r, n in reasons),
            key=lambda r: (-r.count, r.reason),
        ),
    )

"""Conversation review for managers: find conversations (outcome, rating, passenger, agent,
flag) and read one with its turns, feedback, audit records and transcript. Flagging for
coaching: coaching.py."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypedDict, Unpack

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from db.models import (
    AuditEvent,
    Conversation,
    ConversationStatus,
    Feedback,
    Passenger,
    Role,
    Turn,
    User,
)
from services.core.errors import InvalidInput, NotFound
from services.dashboards.audit_log import ROW_COLUMNS, AuditRow
from services.dashboards.common import TimeRange, check_limit

# Audit records shown with one conversation; a conversation has tens, not thousands.
MAX_AUDIT_ROWS = 500
# The runtime hands in how to read a transcript (from the LangGraph checkpoint); the review
# page works without one, showing turns and audit records.
TranscriptLoader = Callable[[str], Sequence["TranscriptMessage"]]


@dataclass(frozen=True)
class TranscriptMessage:
    role: str  # user | assistant | tool
    content: str
    tool_name: str | None = None


@dataclass(frozen=True)
class ConversationRow:
    id: str
    title: str
    status: str
    escalation_reason: str | None
    model: str
    started_at: datetime
    updated_at: datetime
    rating: int | None
    flagged: bool
    flag_note: str | None
    user_id: int | None
    username: str | None
    passenger_id: int | None
    passenger_name: str | None
    turns: int


@dataclass(frozen=True)
class ConversationCursor:
    """Where the next page starts: the last row shown (newest first)."""

    started_at: datetime
    id: str


@dataclass(frozen=True)
class ConversationPage:
    rows: list[ConversationRow]
    next_cursor: ConversationCursor | None


@dataclass(frozen=True)
class TurnRow:
    id: int
    started_at: datetime
    latency_ms: float
    tool_calls: list[dict[str, Any]]  # {"id", "name", "args", "status"}, see metrics.py
    tokens_in: int
    tokens_out: int
    model: str
    error: str | None


@dataclass(frozen=True)
class FeedbackRow:
    rating: int
    comment: str | None
    created_at: datetime


@dataclass(frozen=True)
class ConversationReview:
    conversation: ConversationRow
    turns: list[TurnRow]
    feedback: list[FeedbackRow]
    audit: list[AuditRow]
    transcript: list[TranscriptMessage] | None  # None: no loader given


@dataclass(frozen=True)
class Choice:
    id: int
    label: str


class ReviewFilters(TypedDict, total=False):
    """Optional filters shared by the list and the count (all must match)."""

    status: str | Sequence[str] | None  # outcome: open, resolved, escalated
    rating: int | Sequence[int] | None  # the conversation's rating (1-5)
    rated: bool | None  # True: rated only; False: unrated only
    passenger_id: int | None
    user_id: int | None  # the agent (or customer) who held the conversation
    flagged: bool | None


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple | set | frozenset) else [value]


def _conditions(
    since: datetime, until: datetime, filters: ReviewFilters
) -> list[ColumnElement[bool]]:
    span = TimeRange.of(since, until)
    where = [Conversation.started_at >= span.since, Conversation.started_at < span.until]
    if statuses := _as_list(filters.get("status")):
        try:
            where.append(Conversation.status.in_([ConversationStatus(s) for s in statuses]))
        except ValueError:
            allowed = ", ".join(s.value for s in ConversationStatus)
            raise InvalidInput(f"Unknown conversation outcome; use one of: {allowed}.") from None
    if ratings := _as_list(filters.get("rating")):
        where.append(Conversation.rating.in_(ratings))
    if (rated := filters.get("rated")) is not None:
        where.append(Conversation.rating.is_not(None) if rated else Conversation.rating.is_(None))
    if (passenger_id := filters.get("passenger_id")) is not None:
        where.append(Conversation.passenger_id == passenger_id)
    if (user_id := filters.get("user_id")) is not None:
        where.append(Conversation.user_id == user_id)
    if (flagged := filters.get("flagged")) is not None:
        where.append(Conversation.flagged.is_(flagged))
    return where


def base_select() -> Any:
    return (
        select(Conversation, User.username, Passenger.first_name, Passenger.last_name)
        .outerjoin(User, User.id == Conversation.user_id)
        .outerjoin(Passenger, Passenger.id == Conversation.passenger_id)
    )


def conversation_rows(session: Session, stmt: Any) -> list[ConversationRow]:
    """Rows of `base_select()`, with each conversation's turn count (one grouped query for
    the page's ids, not one per row)."""
    found = session.execute(stmt).all()
    ids = [row.Conversation.id for row in found]
    counts: dict[str, int] = {}
    if ids:
        grouped = session.execute(
            select(Turn.conversation_id, func.count())
            .where(Turn.conversation_id.in_(ids))
            .group_by(Turn.conversation_id)
        )
        counts = {cid: n for cid, n in grouped}
    return [
        ConversationRow(
            id=(c := row.Conversation).id,
            title=c.title,
            status=c.status.value,
            escalation_reason=c.escalation_reason,
            model=c.model,
            started_at=c.started_at,
            updated_at=c.updated_at,
            rating=c.rating,
            flagged=c.flagged,
            flag_note=c.flag_note,
            user_id=c.user_id,
            username=row.username,
            passenger_id=c.passenger_id,
            passenger_name=f"{row.first_name} {row.last_name}" if row.first_name else None,
            turns=counts.get(c.id, 0),
        )
        for row in found
    ]


def list_conversations(
    session: Session,
    *,
    since: datetime,
    until: datetime,
    limit: int = 50,
    after: ConversationCursor | None = None,
    **filters: Unpack[ReviewFilters],
) -> ConversationPage:
    """Newest first; keyset pagination on (started_at, id), which the started_at index serves."""
    check_limit(limit)
    where = _conditions(since, until, filters)
    if after is not None:
        where.append(
            or_(
                Conversation.started_at < after.started_at,
                and_(Conversation.started_at == after.started_at, Conversation.id < after.id),
            )
        )
    stmt = (
        base_select()
        .where(*where)
        .order_by(Conversation.started_at.desc(), Conversation.id.desc())
        .limit(limit + 1)  # one more than shown: is there a next page?
    )
    rows = conversation_rows(session, stmt)
    more = len(rows) > limit
    rows = rows[:limit]
    cursor = ConversationCursor(rows[-1].started_at, rows[-1].id) if more else None
    return ConversationPage(rows, cursor)


def count_conversations(
    session: Session, *, since: datetime, until: datetime, **filters: Unpack[ReviewFilters]
) -> int:
    where = _conditions(since, until, filters)
    return session.scalar(select(func.count()).select_from(Conversation).where(*where)) or 0


def agent_choices(session: Session) -> list[Choice]:
    """Users who can hold conversations (agents, admins, customers), for the agent filter."""
    users = session.execute(
        select(User.id, User.username, User.name)
        .where(User.role.in_([Role.AGENT, Role.ADMIN, Role.CUSTOMER]))
        .order_by(User.username)
    ).all()
    return [Choice(u.id, f"{u.name} ({u.username})") for u in users]


def conversation_review(
    session: Session, conversation_id: str, *, transcript_loader: TranscriptLoader | None = None
) -> ConversationReview:
    """One conversation for review. `transcript_loader(conversation_id)` comes from the agent
    runtime (it reads the LangGraph checkpoint); without it the transcript is None."""
    found = conversation_rows(session, base_select().where(Conversation.id == conversation_id))
    if not found:
        raise NotFound(f"There is no conversation {conversation_id}.")
    turns = session.scalars(
        select(Turn)
        .where(Turn.conversation_id == conversation_id)
        .order_by(Turn.started_at, Turn.id)
    )
    feedback = session.scalars(
        select(Feedback)
        .where(Feedback.conversation_id == conversation_id)
        .order_by(Feedback.created_at)
    )
    events = session.execute(
        select(*ROW_COLUMNS)
        .where(AuditEvent.conversation_id == conversation_id)
        .order_by(AuditEvent.seq)
        .limit(MAX_AUDIT_ROWS)
    )
    return ConversationReview(
        conversation=found[0],
        turns=[
            TurnRow(
                id=t.id,
                started_at=t.started_at,
                latency_ms=t.latency_ms,
                tool_calls=t.tool_calls or [],
                tokens_in=t.tokens_in,
                tokens_out=t.tokens_out,
                model=t.model,
                error=t.error,
            )
            for t in turns
        ],
        feedback=[
            FeedbackRow(rating=f.rating, comment=f.comment, created_at=f.created_at)
            for f in feedback
        ],
        audit=[AuditRow(**e._asdict()) for e in events],
        transcript=list(transcript_loader(conversation_id)) if transcript_loader else None,
    )

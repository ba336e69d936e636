"""The per-conversation event log of the channel API (api/): every event a run streamed, in
order, so a client that lost its connection asks for what came after the last id it saw.

Why a table rather than the turns the runtime records: a Turn row is written when its run ends,
so a client that drops mid-run could not resume until then, and turns keep no text deltas or
event ids. The log is written as the run goes (one short transaction per event) and read by any
replica."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import ConversationEvent

MAX_READ = 500  # events per read; a follower reads again for the rest


@dataclass(frozen=True)
class LoggedEvent:
    id: int
    kind: str
    data: dict[str, Any]


@dataclass(frozen=True)
class NewEvent:
    kind: str
    data: dict[str, Any]
    approval_id: str | None = None  # set on approval_requested


def append_events(
    session: Session, *, conversation_id: str, events: list[NewEvent], now: datetime
) -> list[LoggedEvent]:
    """Append and commit events in one transaction, in order; their ids are the stream's event
    ids (several text deltas share one commit: a commit per delta cost a turn ~20 writes)."""
    rows = [
        ConversationEvent(
            conversation_id=conversation_id,
            kind=e.kind,
            data=e.data,
            approval_id=e.approval_id,
            created_at=now,
        )
        for e in events
    ]
    for row in rows:  # one by one: each flush assigns the next id, in order on every database
        session.add(row)
        session.flush()
    session.commit()
    return [LoggedEvent(r.id, r.kind, r.data) for r in rows]


def events_after(
    session: Session, *, conversation_id: str, after: int, limit: int = MAX_READ
) -> list[LoggedEvent]:
    rows = session.scalars(
        select(ConversationEvent)
        .where(ConversationEvent.conversation_id == conversation_id, ConversationEvent.id > after)
        .order_by(ConversationEvent.id)
        .limit(limit)
    )
    return [LoggedEvent(r.id, r.kind, r.data) for r in rows]


def last_event(session: Session, *, conversation_id: str) -> LoggedEvent | None:
    """The conversation's newest event (a run in progress has not logged its `done` yet)."""
    row = session.scalar(
        select(ConversationEvent)
        .where(ConversationEvent.conversation_id == conversation_id)
        .order_by(ConversationEvent.id.desc())
        .limit(1)
    )
    return LoggedEvent(row.id, row.kind, row.data) if row is not None else None


def conversation_of_approval(session: Session, *, approval_id: str) -> str | None:
    """The conversation whose run asked for this approval, or None."""
    return session.scalar(
        select(ConversationEvent.conversation_id)
        .where(ConversationEvent.approval_id == approval_id)
        .limit(1)
    )

"""The support desk's records of the assistant: one Conversation row per thread, one Turn row
per graph run (a message, or an approval's resolution)."""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import case, select, text, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from agent.events import HistoryItem
from db.models import Conversation, ConversationStatus, EscalationReason, Turn, TurnToolCall
from observability import metrics
from services.core.clock import Clock
from services.core.context import Actor

log = logging.getLogger(__name__)


def create_conversation(
    factory: sessionmaker[Session],
    *,
    thread_id: str,
    actor: Actor,
    passenger_id: int,
    model: str,
    now: datetime,
    title: str = "",
) -> Conversation:
    with factory() as session, session.begin():
        conversation = Conversation(
            id=thread_id,
            user_id=actor.user_id,
            passenger_id=passenger_id,
            title=title[:200],
            status=ConversationStatus.OPEN,
            model=model[:60],
            started_at=now,
            updated_at=now,
        )
        session.add(conversation)
    return conversation


def set_status(
    factory: sessionmaker[Session],
    thread_id: str,
    status: ConversationStatus,
    now: datetime,
    reason: EscalationReason | str | None = None,
) -> None:
    with factory() as session, session.begin():
        conversation = session.get(Conversation, thread_id, with_for_update=True)
        if conversation is None:
            raise LookupError(f"no conversation {thread_id}")
        conversation.status = status
        if status == ConversationStatus.ESCALATED:
            conversation.escalation_reason = EscalationReason(reason).value if reason else None
        conversation.updated_at = now


@dataclass
class TurnLog:
    """Collects what one run did while it streams; `save` writes the Turn row."""

    conversation_id: str
    model: str
    clock: Clock
    started_at: datetime
    t0: float = field(default_factory=time.perf_counter)
    calls: dict[str, dict[str, Any]] = field(default_factory=dict)
    tokens_in: int = 0
    tokens_out: int = 0
    error: str | None = None
    # The messages this run added, as the history shows them: kept on the Turn row so review
    # and history outlive the checkpoints (retention deletes those; agent/retention.py).
    transcript: list[HistoryItem] = field(default_factory=list)

    def call(self, call_id: str, name: str, args: Any, status: str) -> None:
        self.calls[call_id] = {"id": call_id, "name": name, "args": args, "status": status}

    def status(self, call_id: str, name: str, status: str) -> None:
        self.calls.setdefault(call_id, {"id": call_id, "name": name, "args": None})
        self.calls[call_id]["status"] = status

    def save(self, factory: sessionmaker[Session], *, title: str | None = None) -> None:
        """Never raises: a turn that could not be recorded must not break the chat."""
        latency = (time.perf_counter() - self.t0) * 1000
        metrics.observe_turn(
            latency / 1000,
            self.model,
            self.error,
            tokens_in=self.tokens_in,
            tokens_out=self.tokens_out,
        )
        for call in self.calls.values():
            metrics.count_tool_call(call["name"], str(call.get("status") or "unknown"))
        try:
            with factory() as session, session.begin():
                if session.get_bind().dialect.name == "postgresql":
                    # Metrics, not money: no need to wait for the WAL flush on every turn.
                    session.execute(text("SET LOCAL synchronous_commit TO OFF"))
                turn = Turn(
                    conversation_id=self.conversation_id,
                    started_at=self.started_at,
                    latency_ms=round(latency, 3),
                    tool_calls=list(self.calls.values()),
                    tokens_in=self.tokens_in,
                    tokens_out=self.tokens_out,
                    model=self.model[:60],
                    error=self.error,
                    transcript=[asdict(item) for item in self.transcript],
                )
                session.add(turn)
                session.flush()  # the turn's id, for its calls' rows
                session.add_all(TurnToolCall.of(turn))
                # One UPDATE, not a read and a write: this runs on every turn.
                values: dict[str, Any] = {"updated_at": self.clock.now()}
                if title:
                    values["title"] = case(
                        (Conversation.title == "", title[:200]), else_=Conversation.title
                    )
                session.execute(
                    update(Conversation)
                    .where(Conversation.id == self.conversation_id)
                    .values(**values)
                    .execution_options(synchronize_session=False)
                )
        except SQLAlchemyError:
            log.exception("could not record a turn of %s", self.conversation_id)


def expired_transcript(factory: sessionmaker[Session], thread_id: str) -> list[HistoryItem]:
    """The history retention took out of the checkpoints, from the Turn rows of the runs before
    it (oldest first); empty while the thread's checkpoints were never deleted."""
    with factory() as session:
        deleted_at = session.scalar(
            select(Conversation.checkpoints_deleted_at).where(Conversation.id == thread_id)
        )
        if deleted_at is None:
            return []
        recorded = session.scalars(
            select(Turn.transcript)
            .where(Turn.conversation_id == thread_id, Turn.started_at <= deleted_at)
            .order_by(Turn.started_at, Turn.id)
        ).all()
    return [_history_item(item) for items in recorded for item in items or []]


def _history_item(stored: dict[str, Any]) -> HistoryItem:
    return HistoryItem(
        role=stored["role"],
        text=str(stored.get("text") or ""),
        tool_name=stored.get("tool_name"),
        status=stored.get("status"),
        tool_calls=tuple(stored.get("tool_calls") or ()),
    )

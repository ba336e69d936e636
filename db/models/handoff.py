"""Live handoff to a person: the queue entry of a conversation handed to the desk, and the
messages written while a person holds it (the assistant's own turns stay in its checkpoint)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base
from db.models.enums import EscalationReason, HandoffState, MessageAuthor, Tier, str_enum


class Handoff(Base):
    """One handoff of a conversation: opened when the assistant escalates or the passenger asks
    for a person, ended by hand-back or resolution. A conversation has at most one that has not
    ended (services/support/handoff.py opens it under the conversation's row lock)."""

    __tablename__ = "handoffs"
    # The Queue lists waiting ones oldest first; Metrics counts them by time.
    __table_args__ = (Index("ix_handoffs_state_waiting_since", "state", "waiting_since"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"), index=True)
    passenger_id: Mapped[int] = mapped_column(ForeignKey("passengers.id"), index=True)
    reason: Mapped[EscalationReason] = mapped_column(str_enum(EscalationReason))
    # The tier and disruption as they were when it was queued: the order the desk saw.
    tier: Mapped[Tier] = mapped_column(str_enum(Tier))
    disruption: Mapped[bool] = mapped_column(default=False)
    state: Mapped[HandoffState] = mapped_column(str_enum(HandoffState))
    waiting_since: Mapped[datetime]
    taken_by: Mapped[str | None] = mapped_column(String(60))
    taken_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    taken_at: Mapped[datetime | None]
    first_reply_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    ended_by: Mapped[str | None] = mapped_column(String(60))


class HandoffMessage(Base):
    """A message between the passenger and the person holding the conversation. The id orders
    them and is the cursor a live listener resumes from (services/support/live.py)."""

    __tablename__ = "handoff_messages"
    __table_args__ = (Index("ix_handoff_messages_conversation_id_id", "conversation_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id"))
    handoff_id: Mapped[int] = mapped_column(ForeignKey("handoffs.id"), index=True)
    author: Mapped[MessageAuthor] = mapped_column(str_enum(MessageAuthor))
    username: Mapped[str] = mapped_column(String(60))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]

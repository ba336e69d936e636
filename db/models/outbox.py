"""Passenger notices: the outbox a write fills in its own transaction, and what the demo
delivery adapter "sent" (services/notifications)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base
from db.models.enums import NoticeKind, str_enum


class OutboxMessage(Base):
    """One notice to one passenger, queued in the same transaction as the change it tells of
    (so a rolled-back change leaves none), delivered later by the worker at least once. The
    dedupe key (e.g. "<batch>:<ticket>") makes a second queueing of one notice impossible."""

    __tablename__ = "outbox_messages"
    # The worker's claim: undelivered rows due for an attempt, oldest first.
    __table_args__ = (Index("ix_outbox_messages_pending", "delivered_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    passenger_id: Mapped[int] = mapped_column(ForeignKey("passengers.id"), index=True)
    flight_id: Mapped[int | None] = mapped_column(ForeignKey("flights.id"), index=True)
    ticket_no: Mapped[str | None] = mapped_column(String(13))
    kind: Mapped[NoticeKind] = mapped_column(str_enum(NoticeKind))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    dedupe_key: Mapped[str] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]
    channel: Mapped[str | None] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)


class DeliveredMessage(Base):
    """A notice as the demo adapter delivered it (the "messages sent" view reads these). One
    row per outbox message at most: a redelivery after a crash finds it and adds none."""

    __tablename__ = "delivered_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    outbox_id: Mapped[int] = mapped_column(ForeignKey("outbox_messages.id"), unique=True)
    passenger_id: Mapped[int] = mapped_column(ForeignKey("passengers.id"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    recipient: Mapped[str] = mapped_column(String(120))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    delivered_at: Mapped[datetime]

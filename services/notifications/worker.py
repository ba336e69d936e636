"""Delivering the outbox: at least once, and idempotently.

A run claims due, undelivered notices with SELECT ... FOR UPDATE SKIP LOCKED (PostgreSQL), so
two workers (two replicas, or a loop and a manual run) never take the same notice; on SQLite
the write lock serialises runs. Each notice goes to the DeliveryAdapter (the seam for e-mail or
SMS) and is marked delivered in the same transaction. An adapter that fails leaves the notice
pending with its attempt counted, the error kept and the next attempt pushed back (doubling,
capped), until MAX_ATTEMPTS. A crash between an external send and the commit sends the notice
again on the next run (at least once); adapters receive the notice's dedupe key so a provider
that accepts an idempotency key drops the repeat, and the demo adapter does so itself."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from db.engine import SQLITE_IMMEDIATE
from db.models import DeliveredMessage, OutboxMessage, Passenger
from services.core.clock import Clock, SystemClock

MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=1)
MAX_ERROR = 500


class DeliveryAdapter(Protocol):
    """Sends one notice; raises to report a failed delivery (the notice is retried)."""

    channel: str

    def deliver(self, session: Session, message: OutboxMessage) -> None: ...


class DemoAdapter:
    """The demo world's delivery: the notice is written to `delivered_messages`, addressed to
    the passenger's e-mail, and listed by the "messages sent" view. A second delivery of one
    notice (a run that crashed after delivering) finds its row and adds none."""

    channel = "demo-email"

    def deliver(self, session: Session, message: OutboxMessage) -> None:
        already = session.scalar(
            select(DeliveredMessage.id).where(DeliveredMessage.outbox_id == message.id)
        )
        if already is not None:
            return
        passenger = session.get(Passenger, message.passenger_id)
        session.add(
            DeliveredMessage(
                outbox_id=message.id,
                passenger_id=message.passenger_id,
                channel=self.channel,
                recipient=(passenger.email if passenger else "")[:120],
                subject=message.subject,
                body=message.body,
                delivered_at=message.delivered_at or message.created_at,
            )
        )


@dataclass(frozen=True)
class DeliveryRun:
    """What one run of the worker did."""

    claimed: int
    delivered: int
    failed: int


def retry_delay(attempts: int) -> timedelta:
    """30 s after the first failure, doubling, at most an hour."""
    delay: timedelta = FIRST_RETRY * 2 ** max(attempts - 1, 0)
    return min(delay, LONGEST_RETRY)


def _claim(session: Session, clock: Clock, limit: int) -> list[OutboxMessage]:
    now = clock.now()
    query = (
        select(OutboxMessage)
        .where(
            OutboxMessage.delivered_at.is_(None),
            OutboxMessage.attempts < MAX_ATTEMPTS,
            or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now),
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
        # SKIP LOCKED on PostgreSQL; SQLite ignores FOR UPDATE (BEGIN IMMEDIATE serialises).
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    return list(session.scalars(query))


def deliver_pending(
    session: Session,
    adapter: DeliveryAdapter,
    *,
    limit: int = 100,
    clock: Clock | None = None,
) -> DeliveryRun:
    """Deliver up to `limit` due notices in one transaction; what was claimed, delivered and
    failed. Nothing is audited here: delivery decides nothing about a booking, and each notice
    row records its own attempts, error and delivery time."""
    clock = clock or SystemClock()
    if session.in_transaction():
        session.rollback()
    session.connection(execution_options={SQLITE_IMMEDIATE: True})
    delivered = failed = 0
    try:
        claimed = _claim(session, clock, limit)
        for message in claimed:
            now = clock.now()
            try:
                # A savepoint per notice: a failing adapter's half-written rows go, the others'
                # deliveries and this notice's attempt count stay.
                with session.begin_nested():
                    message.delivered_at = now
                    message.channel = adapter.channel
                    adapter.deliver(session, message)
                    session.flush()
                delivered += 1
            except Exception as err:  # an adapter's failure of any kind is retried
                message.delivered_at = None
                message.channel = None
                message.attempts += 1
                message.last_error = f"{type(err).__name__}: {err}"[:MAX_ERROR]
                message.next_attempt_at = now + retry_delay(message.attempts)
                failed += 1
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return DeliveryRun(claimed=len(claimed), delivered=delivered, failed=failed)

"""Queueing a passenger notice inside the caller's write transaction (the transactional outbox):
the notice commits with the change it tells of, or rolls back with it, and the worker
(services.notifications.worker) delivers it afterwards."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import NoticeKind, OutboxMessage
from services.core.access import writing
from services.core.context import ServiceContext
from services.text.masking import mask_text

MAX_SUBJECT = 200


def queue_notice(
    session: Session,
    ctx: ServiceContext,
    *,
    passenger_id: int,
    kind: NoticeKind,
    subject: str,
    body: str,
    dedupe_key: str,
    flight_id: int | None = None,
    ticket_no: str | None = None,
) -> OutboxMessage:
    """Add a notice to the outbox in the write's own transaction; the caller commits.

    Refuses outside a write transaction: a notice queued on its own could outlive a change
    that rolled back, or be missing for one that committed. A notice already queued under the
    key is returned as it is (the unique key is the last line of defence against a second)."""
    if not writing(session):
        raise RuntimeError("queue_notice must run inside a write service's transaction")
    existing = session.scalar(select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key))
    if existing is not None:
        return existing
    message = OutboxMessage(
        passenger_id=passenger_id,
        flight_id=flight_id,
        ticket_no=ticket_no,
        kind=kind,
        # Passenger-entered text (names) reaches the notice; card numbers or contact data
        # typed into it stay masked on the way out, as in the audit.
        subject=mask_text(subject)[:MAX_SUBJECT],
        body=mask_text(body),
        dedupe_key=dedupe_key,
        created_at=ctx.clock.now(),
        attempts=0,
    )
    session.add(message)
    return message

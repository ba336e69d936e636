"""The "messages sent" view: the notices of a flight or a passenger, delivered or still
waiting, newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import DeliveredMessage, OutboxMessage, Role
from services.core.context import ServiceContext
from services.core.errors import PolicyViolation, Rule
from services.core.operations import operation
from services.notifications.worker import MAX_ATTEMPTS

STAFF = frozenset({Role.AGENT, Role.MANAGER, Role.ADMIN})
MAX_ROWS = 500


class NoticeStatus(StrEnum):
    DELIVERED = "delivered"
    PENDING = "pending"  # waiting for its first attempt or a retry
    GAVE_UP = "gave_up"  # MAX_ATTEMPTS failed: a person looks at last_error


@dataclass(frozen=True)
class SentMessage:
    outbox_id: int
    passenger_id: int
    ticket_no: str | None
    kind: str
    subject: str
    body: str
    status: NoticeStatus
    queued_at: datetime
    delivered_at: datetime | None
    channel: str | None
    recipient: str | None
    attempts: int
    last_error: str | None


def _status(message: OutboxMessage) -> NoticeStatus:
    if message.delivered_at is not None:
        return NoticeStatus.DELIVERED
    return NoticeStatus.GAVE_UP if message.attempts >= MAX_ATTEMPTS else NoticeStatus.PENDING


@operation("messages_sent", write=False)
def messages_sent(
    session: Session,
    ctx: ServiceContext,
    *,
    flight_id: int | None = None,
    passenger_id: int | None = None,
) -> list[SentMessage]:
    """Notices for the desk (agents, managers, admins: any passenger's); a customer sees only
    their own, whatever passenger they name."""
    if ctx.actor.role == Role.CUSTOMER:
        if ctx.actor.passenger_id is None:
            raise PolicyViolation(Rule.PERMISSION, "This account has no passenger record.")
        passenger_id = ctx.actor.passenger_id
    elif ctx.actor.role not in STAFF:
        raise PolicyViolation(
            Rule.PERMISSION, f"A {ctx.actor.role.value} account cannot read passenger notices."
        )
    query = (
        select(OutboxMessage, DeliveredMessage)
        .outerjoin(DeliveredMessage, DeliveredMessage.outbox_id == OutboxMessage.id)
        .order_by(OutboxMessage.id.desc())
        .limit(MAX_ROWS)
    )
    if flight_id is not None:
        query = query.where(OutboxMessage.flight_id == flight_id)
    if passenger_id is not None:
        query = query.where(OutboxMessage.passenger_id == passenger_id)
    return [
        SentMessage(
            outbox_id=message.id,
            passenger_id=message.passenger_id,
            ticket_no=message.ticket_no,
            kind=message.kind.value,
            subject=message.subject,
            body=message.body,
            status=_status(message),
            queued_at=message.created_at,
            delivered_at=message.delivered_at,
            channel=message.channel,
            recipient=sent.recipient if sent is not None else None,
            attempts=message.attempts,
            last_error=message.last_error,
        )
        for message, sent in session.execute(query)
    ]

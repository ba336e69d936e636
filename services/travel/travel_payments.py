"""Which card pays for a hotel, car or excursion booking, and how its charges and refunds are
recorded: a new booking is charged to a card of the passenger's own, and every later charge or
refund goes to the card that paid it (docs/policy.md, "Acting for others and privacy")."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Passenger, Payment
from services.core.context import ServiceContext
from services.core.money import chf, money
from services.flights.policy import ZERO
from services.flights.tickets import record_payment
from services.payments.payments import own_card, paying_card


def paid_with(session: Session, passenger: Passenger, reasons: Iterable[str], kind: str) -> int:
    """The card that paid a booking (refunds go back to it), else the passenger's first card."""
    # Travel bookings keep no card of their own; the booking's charges name it.
    method = session.scalars(
        select(Payment.payment_method_id)
        .where(
            Payment.passenger_id == passenger.id,
            Payment.kind == "charge",
            Payment.reason.in_(list(reasons)),
            Payment.payment_method_id.is_not(None),
        )
        .order_by(Payment.id.desc())
        .limit(1)
    ).first()
    if (
        kind == "charge"
    ):  # a charge only ever to the passenger's own card (services.payments.payments)
        return own_card(session, passenger, paid_by=method).id
    return paying_card(session, passenger, method).id


def settle_difference(
    session: Session,
    ctx: ServiceContext,
    passenger: Passenger,
    *,
    old: Decimal,
    new: Decimal,
    reasons: list[str],
) -> tuple[Decimal, Decimal, str]:
    """Charge a higher new price or refund a lower one to the card that paid the booking.

    `reasons` are the booking's payment reasons, the first for the booking, the last for changes.
    Returns (charged, refunded, the outcome in words)."""
    difference = money(new - old)
    charged, refunded = max(difference, ZERO), max(-difference, ZERO)
    if difference:
        amount, kind = (charged, "charge") if charged else (refunded, "refund")
        record_payment(
            session,
            ctx,
            passenger=passenger,
            ticket=None,
            kind=kind,
            amount=amount,
            reason=reasons[-1],
            payment_method_id=paid_with(session, passenger, reasons, kind),
        )
    if charged:
        return charged, refunded, f"charged {chf(charged)}"
    if refunded:
        return charged, refunded, f"refunded {chf(refunded)}"
    return charged, refunded, "same price, nothing charged or refunded"


def charge_booking(
    session: Session,
    ctx: ServiceContext,
    passenger: Passenger,
    *,
    amount: Decimal,
    reason: str,
    payment_method_id: int,
) -> None:
    """Charge a new booking to the card chosen for it."""
    record_payment(
        session,
        ctx,
        passenger=passenger,
        ticket=None,
        kind="charge",
        amount=amount,
        reason=reason,
        payment_method_id=payment_method_id,
    )


def refund_booking(
    session: Session,
    ctx: ServiceContext,
    passenger: Passenger,
    *,
    amount: Decimal,
    reasons: list[str],
    reason: str,
) -> Decimal:
    """Refund a cancelled booking in full to the card that paid it."""
    refund = money(amount)
    if refund > ZERO:
        record_payment(
            session,
            ctx,
            passenger=passenger,
            ticket=None,
            kind="refund",
            amount=refund,
            reason=reason,
            payment_method_id=paid_with(session, passenger, reasons, "refund"),
        )
    return refund

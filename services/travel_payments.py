"""Which card pays for a hotel, car or excursion booking, and how its charges and refunds are
recorded: a new booking is charged to a card of the passenger's own, and every later charge or
refund goes to the card that paid it (BRIEF section 4, docs/policy.md)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Passenger, Payment, PaymentMethod
from services.context import ServiceContext
from services.errors import PolicyViolation, Rule
from services.policy import ZERO
from services.pricing import money
from services.tickets import record_payment
from services.travel_common import as_id


def charge_method(session: Session, passenger: Passenger, payment_method_id: int | None) -> int:
    """The card a new booking is charged to: one of the passenger's own, by default the first."""
    if payment_method_id is None:
        if not passenger.payment_methods:
            raise PolicyViolation(
                Rule.PAYMENT_METHOD,
                f"{passenger.full_name} has no payment method on file, so nothing can be charged; "
                "add a card first.",
            )
        return passenger.payment_methods[0].id
    method = session.get(PaymentMethod, as_id(payment_method_id, "payment method"))
    if method is None or method.passenger_id != passenger.id:
        raise PolicyViolation(
            Rule.PAYMENT_METHOD,
            f"Payment method {payment_method_id} is not one of {passenger.full_name}'s cards; "
            "use a card on the passenger's own file.",
        )
    return method.id


def paid_with(
    session: Session, passenger: Passenger, reasons: Iterable[str], amount: Decimal, kind: str
) -> int:
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
    if method is not None:
        return method
    if not passenger.payment_methods:
        raise PolicyViolation(
            Rule.PAYMENT_METHOD,
            f"{passenger.full_name} has no payment method on file for the {kind} of "
            f"CHF {amount}; add a card first.",
        )
    return passenger.payment_methods[0].id


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
            payment_method_id=paid_with(session, passenger, reasons, amount, kind),
        )
    if charged:
        return charged, refunded, f"charged CHF {charged}"
    if refunded:
        return charged, refunded, f"refunded CHF {refunded}"
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
            payment_method_id=paid_with(session, passenger, reasons, refund, "refund"),
        )
    return refund

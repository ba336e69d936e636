"""Which card a payment goes to: the one place flights, hotels, cars and excursions choose it
(docs/policy.md, "Acting for others and privacy").

- A charge goes only to a card on the served passenger's own file: the card they name, else the
  card that paid the ticket when it is theirs, else their first card. A companion's card that
  paid a shared booking is never charged for someone else's change.
- A refund goes back to the card that paid, even when that card is a companion's: money returns
  where it came from (standard airline practice, and it keeps a refund from being diverted).
- Compensation is owed to the passenger, not to whoever paid, so it is paid to their own card."""

from __future__ import annotations

from sqlalchemy.orm import Session

from db.models import Passenger, PaymentMethod
from services.core.errors import PolicyViolation, Rule
from services.core.validation import as_id


def describe_card(method: PaymentMethod) -> str:
    """'Diego Ruiz's Visa ending 1234': whose card and which one, as approval cards show it."""
    return f"{method.passenger.full_name}'s {method.brand} ending {method.last4}"


def own_card(
    session: Session,
    passenger: Passenger,
    payment_method_id: int | None = None,
    *,
    paid_by: int | None = None,
) -> PaymentMethod:
    """The card a charge (or a compensation payout) goes to: one of the passenger's own (the card
    named, else the card that paid (`paid_by`) when it is theirs, else their first card)."""
    if payment_method_id is not None:
        method = session.get(PaymentMethod, as_id(payment_method_id, "payment method"))
        if method is None or method.passenger_id != passenger.id:
            raise PolicyViolation(
                Rule.PAYMENT_METHOD,
                f"Payment method {payment_method_id} is not one of {passenger.full_name}'s cards; "
                "use a card on the passenger's own file.",
            )
        return method
    if paid_by is not None:
        paid = session.get(PaymentMethod, paid_by)
        if paid is not None and paid.passenger_id == passenger.id:
            return paid
    if not passenger.payment_methods:
        raise PolicyViolation(
            Rule.PAYMENT_METHOD,
            f"{passenger.full_name} has no payment method of their own on file, so nothing can be "
            "charged (a companion's card is never charged for them); add a card first.",
        )
    return passenger.payment_methods[0]


def paying_card(session: Session, passenger: Passenger, paid_by: int | None) -> PaymentMethod:
    """The card a refund goes to: the card that paid (`paid_by`), whoever's it is; the
    passenger's own card only when no paying card is known."""
    method = session.get(PaymentMethod, paid_by) if paid_by is not None else None
    return method if method is not None else own_card(session, passenger)

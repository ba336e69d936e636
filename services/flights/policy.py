"""The airline policy as data and pure functions (docs/policy.md).

No database here: the service functions gather the facts and ask these functions what the rules
say, so every rule is unit-tested without a model or a database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from db.models import Fare, Tier
from services.core.errors import PolicyViolation, Rule

CHANGE_CUTOFF = timedelta(hours=3)
FREE_CANCELLATION_AFTER_BOOKING = timedelta(hours=24)
AIRLINE_CANCELLATION_REBOOKING_WINDOW = timedelta(days=7)
TRAVEL_BOOKING_FREE_CANCELLATION = timedelta(hours=24)
CLASSIC_CHANGE_FEE = Decimal("50.00")
CLASSIC_CANCELLATION_FEE = Decimal("100.00")
MIN_CONNECTION = timedelta(minutes=40)
MAX_CONNECTION = timedelta(hours=24)
ZERO = Decimal("0.00")

# Checked bags by fare and tier (regular, silver, gold).
BAGGAGE: dict[Fare, tuple[int, int, int]] = {
    Fare.LIGHT: (0, 1, 2),
    Fare.CLASSIC: (1, 2, 3),
    Fare.FLEX: (1, 2, 3),
    Fare.BUSINESS: (2, 3, 4),
}
TIER_INDEX = {Tier.REGULAR: 0, Tier.SILVER: 1, Tier.GOLD: 2}


def baggage_allowance(fare: Fare, tier: Tier) -> int:
    return BAGGAGE[fare][TIER_INDEX[tier]]


@dataclass(frozen=True)
class ChangeFee:
    fee: Decimal
    rule: str


def change_fee(fare: Fare, tier: Tier, *, airline_cancelled: bool) -> ChangeFee:
    """The fee for changing a ticket's flights (the fare difference comes on top)."""
    if airline_cancelled:
        return ChangeFee(ZERO, "Free rebooking: the airline cancelled the flight.")
    if fare == Fare.LIGHT:
        raise PolicyViolation(
            Rule.FARE_NO_CHANGE,
            "Light fares cannot be changed. The ticket can be cancelled (without refund) "
            "and a new flight booked instead.",
        )
    if fare == Fare.CLASSIC:
        if tier == Tier.GOLD:
            return ChangeFee(
                ZERO, "Classic fare: the CHF 50 change fee is waived for gold members."
            )
        return ChangeFee(
            CLASSIC_CHANGE_FEE, "Classic fare: CHF 50 change fee plus any fare difference."
        )
    return ChangeFee(
        ZERO, f"{fare.value} fare: changes are free; only a fare difference is charged."
    )


def check_timing(departure: datetime, now: datetime, *, airline_cancelled: bool, what: str) -> None:
    """No change or cancellation after departure or within 3 hours of it (airline cancellations aside)."""
    if airline_cancelled:
        return
    if departure <= now:
        raise PolicyViolation(
            Rule.ALREADY_DEPARTED,
            f"The flight has already departed, so the ticket cannot be {what}.",
        )
    if departure - now < CHANGE_CUTOFF:
        raise PolicyViolation(
            Rule.TOO_CLOSE_TO_DEPARTURE,
            f"Tickets cannot be {what} less than 3 hours before departure.",
        )


def check_rebooking_window(original_departure: datetime, new_departure: datetime) -> None:
    """After an airline cancellation, free rebooking is on flights within 7 days of the original."""
    if new_departure - original_departure > AIRLINE_CANCELLATION_REBOOKING_WINDOW:
        raise PolicyViolation(
            Rule.REBOOKING_WINDOW,
            "Free rebooking after an airline cancellation is limited to flights within 7 days "
            "of the cancelled flight; a full refund is available instead.",
        )


@dataclass(frozen=True)
class Refund:
    amount: Decimal
    rule: str


def cancellation_refund(
    fare: Fare, paid: Decimal, *, booked_at: datetime, now: datetime, airline_cancelled: bool
) -> Refund:
    if airline_cancelled:
        return Refund(paid, "Full refund: the airline cancelled the flight.")
    if now - booked_at <= FREE_CANCELLATION_AFTER_BOOKING:
        return Refund(paid, "Full refund: cancelled within 24 hours of booking.")
    if fare == Fare.LIGHT:
        return Refund(ZERO, "Light fares are not refundable.")
    if fare == Fare.CLASSIC:
        amount = max(paid - CLASSIC_CANCELLATION_FEE, ZERO)
        return Refund(amount, "Classic fare: the amount paid minus CHF 100 is refunded.")
    return Refund(paid, f"{fare.value} fare: fully refundable.")


def refund_less_compensation(refund: Refund, delay_compensation: Decimal) -> Refund:
    """A cancelled ticket gives back the delay compensation already paid on it: the passenger
    does not fly the delayed flight, and book-claim-cancel would otherwise earn CHF 100 a loop."""
    if delay_compensation <= ZERO:
        return refund
    amount = max(refund.amount - delay_compensation, ZERO)
    return Refund(
        amount,
        f"{refund.rule} The CHF {delay_compensation} delay compensation already paid on this "
        "ticket is deducted from the refund.",
    )


class CompensationReason(StrEnum):
    CANCELLED = "cancelled"
    DELAYED = "delayed"


@dataclass(frozen=True)
class CompensationDue:
    """What one flight of a ticket is owed: the EU 261/2004 amount in euros, paid in CHF
    (services.disruptions.eu261 decides it; `article` and `sentence` say why)."""

    amount: Decimal  # CHF, what is paid
    amount_eur: Decimal
    eur_chf_rate: Decimal
    reason: CompensationReason
    article: str
    sentence: str


def check_booked_before_disruption(
    *, booked_at: datetime, disrupted_at: datetime | None, flight: str
) -> None:
    """Compensation is for a disruption that hit a trip already booked: a leg bought (or moved
    onto the flight) once the delay or cancellation was public is owed nothing. With no record of
    when it was announced we cannot tell, so we refuse rather than pay a possible farmer."""
    if disrupted_at is None:
        raise PolicyViolation(
            Rule.COMPENSATION_DISRUPTION_UNRECORDED,
            f"There is no record of when the disruption of {flight} was announced, so we cannot "
            "confirm it was booked before; compensation cannot be paid here. A colleague can "
            "check the claim.",
        )
    if booked_at >= disrupted_at:
        raise PolicyViolation(
            Rule.COMPENSATION_BOOKED_AFTER_DISRUPTION,
            f"{flight} was booked on this ticket after its delay or cancellation was announced; "
            "compensation is paid only for flights booked before the announcement.",
        )


def check_ticket_not_cancelled(*, ticket_cancelled: bool, reason: CompensationReason) -> None:
    """A delay is compensated only on a ticket still held: a cancelled ticket was refunded, and
    its passenger did not sit through the delay. The airline's own cancellation still counts."""
    if ticket_cancelled and reason == CompensationReason.DELAYED:
        raise PolicyViolation(
            Rule.COMPENSATION_TICKET_CANCELLED,
            "The ticket was cancelled, so no compensation is paid for the delay of its flight.",
        )


def check_travel_cancellation(start: datetime, now: datetime, what: str) -> None:
    if start - now < TRAVEL_BOOKING_FREE_CANCELLATION:
        raise PolicyViolation(
            Rule.BOOKING_CANCEL_WINDOW,
            f"{what} bookings can be cancelled free of charge only until 24 hours before they start.",
        )

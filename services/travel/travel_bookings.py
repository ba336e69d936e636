"""The steps hotel stays, car rentals and excursions share: confirm a new booking, move its dates,
cancel it (docs/policy.md, "Hotels and car rentals", "Excursions").

Each kind describes itself once as a TravelKind (its table, names, local start time, audit
snapshot and wording); the rules, payments and before/after snapshots are then the same code for
all three. The callers stay `@operation` functions in hotels, cars and excursions, so permission,
the transaction, the audit record and idempotency are unchanged."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, Generic
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from db.models import BookingStatus, Passenger
from db.models.travel import TravelBooking as Booking
from db.models.travel import TravelOffer as Offer
from services.core.access import current_passenger
from services.core.context import ServiceContext
from services.core.errors import InvalidInput
from services.core.money import chf, money
from services.core.operations import OperationResult
from services.text.words import plural
from services.travel.travel_common import (
    cancellation_deadline,
    check_active,
    check_cancellable,
    check_change_window,
    check_not_started,
    check_period,
    city_timezone,
    locked,
    owned_booking,
    start_moment,
)
from services.travel.travel_payments import charge_booking, refund_booking, settle_difference


@dataclass(frozen=True)
class Period:
    """How a stay or rental is measured: the names of its two dates, its unit and its limit."""

    labels: tuple[str, str]  # ("check-in", "check-out"), as messages name the two dates
    unit: str  # "night" or "day"
    max_units: int

    def check(
        self, start: date | str, end: date | str, tz: ZoneInfo, now: datetime
    ) -> tuple[date, date, int]:
        """The validated [start, end) and its number of nights or days."""
        return check_period(
            start, end, tz=tz, now=now, labels=self.labels, unit=self.unit, max_units=self.max_units
        )


@dataclass(frozen=True)
class TravelKind(Generic[Booking, Offer]):
    """What sets one kind of travel booking apart in the steps every kind shares."""

    model: type[Booking]
    record: str  # "hotel booking": "Hotel booking 5 is already cancelled", payment reasons
    result_key: str  # "booking_id" or "rental_id": the booking's id in the result's data
    label: str  # "Hotel": "Hotel bookings can be cancelled free of charge only until ..."
    cancel_what: str  # "This excursion starts on ..." in a refused cancellation
    starts_at: time  # the local time on the first day that the 24-hour window counts from
    free_cancellation: str  # the policy line quoted when booking and cancelling
    offer_of: Callable[[Booking], Offer]
    first_day: Callable[[Booking], date]
    view: Callable[[Booking, Offer], dict[str, Any]]  # the audit's before/after snapshot
    describe: Callable[[Booking, Offer], str]  # "Hotel booking 5 at X (2026-12-01 - ...)"

    @property
    def changeable(self) -> bool:
        return False

    def payment_reason(self, booking_id: int) -> str:
        """The reason on the booking's first charge, which later refunds find its card by."""
        return f"{self.record} {booking_id}"

    def payment_reasons(self, booking_id: int) -> list[str]:
        """Every reason the booking's charges carry, the first for the booking itself."""
        first = self.payment_reason(booking_id)
        return [first, f"{first} change"] if self.changeable else [first]


@dataclass(frozen=True)
class ChangeableKind(TravelKind[Booking, Offer]):
    """A kind whose dates can be moved until it starts (hotel stays and car rentals; an
    excursion is cancelled and booked again instead)."""

    period: Period
    span: str  # "hotel stay": "This hotel stay started on ..."
    offer_model: type[Offer]
    offer_record: str  # "hotel": "There is no hotel 7."
    offer_id: Callable[[Booking], int]  # read without loading the offer, which is then locked
    dates: Callable[[Booking], tuple[date, date]]
    move: Callable[[Booking, date, date], None]  # sets the booking's new dates
    rate: Callable[[Offer], Decimal]  # the price of one night or day
    # Refuses dates on which the offer has nothing free (the last argument: a booking to ignore).
    check_free: Callable[[Session, Offer, date, date, int | None], None]
    name: Callable[[Booking, Offer], str]  # "Hotel booking 5 at X" in the change summary
    change_rule: str

    @property
    def changeable(self) -> bool:
        return True


def own_active_booking(
    session: Session, ctx: ServiceContext, kind: TravelKind[Booking, Offer], *, booking_id: int
) -> tuple[Passenger, Booking]:
    """The current passenger and their booking, locked, if it is their own and still confirmed."""
    passenger = current_passenger(session, ctx)
    booking = owned_booking(session, kind.model, booking_id, passenger, kind.record)
    check_active(booking.status, kind.record, booking.id)
    return passenger, booking


def confirm_booking(
    session: Session,
    ctx: ServiceContext,
    kind: TravelKind[Booking, Offer],
    *,
    passenger: Passenger,
    booking: Booking,
    offer: Offer,
    tz: ZoneInfo,
    payment_method_id: int,
    summary: str,
) -> OperationResult:
    """Save a new, checked booking and charge its price to the chosen card.

    `summary` says what was booked; the charge and the free-cancellation deadline are added."""
    session.add(booking)
    session.flush()  # the new id names the charge
    price = booking.price
    charge_booking(
        session,
        ctx,
        passenger,
        amount=price,
        reason=kind.payment_reason(booking.id),
        payment_method_id=payment_method_id,
    )
    deadline = cancellation_deadline(start_moment(kind.first_day(booking), kind.starts_at, tz), tz)
    return OperationResult(
        summary=f"{summary}; charged {chf(price)}. Free cancellation until {deadline}.",
        after=kind.view(booking, offer),
        charged=price,
        rule=f"{kind.free_cancellation} ({deadline}).",
        data={kind.result_key: booking.id},
    )


def change_booking_dates(
    session: Session,
    ctx: ServiceContext,
    kind: ChangeableKind[Booking, Offer],
    *,
    booking_id: int,
    start: date | str,
    end: date | str,
) -> OperationResult:
    """Move a booking to new dates before it starts, charging or refunding the difference."""
    passenger, booking = own_active_booking(session, ctx, kind, booking_id=booking_id)
    offer = locked(session, kind.offer_model, kind.offer_id(booking), kind.offer_record)
    tz = city_timezone(session, offer.city)
    now = ctx.clock.now()
    old = kind.dates(booking)
    starts = start_moment(old[0], kind.starts_at, tz)
    check_not_started(starts, now, kind.span, tz)
    start, end, units = kind.period.check(start, end, tz, now)
    check_change_window(starts, now, old=old, new=(start, end), what=kind.span, tz=tz)
    if (start, end) == old:
        raise InvalidInput(
            f"{kind.record.capitalize()} {booking.id} is already from {start} to {end}; "
            "nothing to change."
        )
    kind.check_free(session, offer, start, end, booking.id)
    before = kind.view(booking, offer)
    new_price = money(kind.rate(offer) * units)
    charged, refunded, money_text = settle_difference(
        session,
        ctx,
        passenger,
        old=booking.price,
        new=new_price,
        reasons=kind.payment_reasons(booking.id),
    )
    kind.move(booking, start, end)
    booking.price = new_price
    session.flush()
    return OperationResult(
        summary=(
            f"{kind.name(booking, offer)} moved to {start} - {end} "
            f"({plural(units, kind.period.unit)}); {money_text}."
        ),
        before=before,
        after=kind.view(booking, offer),
        charged=charged,
        refunded=refunded,
        rule=kind.change_rule,
        data={kind.result_key: booking.id, "name": kind.name(booking, offer)},
    )


def cancel_booking(
    session: Session, ctx: ServiceContext, kind: TravelKind[Booking, Offer], *, booking_id: int
) -> OperationResult:
    """Cancel a booking free of charge (until 24 hours before it starts) and refund it in full
    to the card that paid it."""
    passenger, booking = own_active_booking(session, ctx, kind, booking_id=booking_id)
    offer = kind.offer_of(booking)
    tz = city_timezone(session, offer.city)
    start = start_moment(kind.first_day(booking), kind.starts_at, tz)
    check_cancellable(
        start,
        ctx.clock.now(),
        kind=kind.label,
        what=kind.cancel_what,
        tz=tz,
        changeable=kind.changeable,
    )
    before = kind.view(booking, offer)
    booking.status = BookingStatus.CANCELLED
    refund = refund_booking(
        session,
        ctx,
        passenger,
        amount=booking.price,
        reasons=kind.payment_reasons(booking.id),
        reason=f"{kind.payment_reason(booking.id)} cancellation",
    )
    session.flush()
    return OperationResult(
        summary=f"{kind.describe(booking, offer)} cancelled; refunded {chf(refund)}.",
        before=before,
        after=kind.view(booking, offer),
        refunded=refund,
        rule=(
            f"{kind.free_cancellation} ({cancellation_deadline(start, tz)}); "
            "the full price is refunded."
        ),
        data={kind.result_key: booking.id},
    )

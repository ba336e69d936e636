"""The race harness: for every write service, 20 approvals (distinct approval ids, two tabs, two
agents, a customer with five tabs) of one write on one object at the same instant.

Exactly one takes effect, every other gets a refusal a person can read (never a database error),
and the database stays consistent (tests/security/consistency.py). Under PostgreSQL's READ
COMMITTED this holds only because every write locks the rows it decides on; on SQLite the write
lock serialises, and the same assertions still hold."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from db.models import Fare, FlightStatus, Payment, Ticket, TicketStatus
from services.core.clock import FixedClock
from services.core.context import ServiceContext
from services.flights import cancellations, flight_bookings, tickets
from tests import factories as f
from tests.conftest import FROZEN_NOW, context_for
from tests.security.consistency import RACERS, problems, race
from tests.services.travel.travel_kinds import (
    CAR,
    EXCURSION,
    HOTEL,
    Kind,
    changeable_kind,
    every_kind,
)

CLOCK = FixedClock(FROZEN_NOW)
ISSUED = FROZEN_NOW - timedelta(days=30)
HALF = RACERS // 2


def ctx_of(passenger_id: int) -> ServiceContext:
    return context_for(passenger_id, CLOCK)


def paid_ticket(s: Session, owner, flights, fare: Fare = Fare.CLASSIC) -> Ticket:
    """A ticket with the charge its purchase made, so refunds can be held against it."""
    ticket = f.ticket(s, owner, flights, fare=fare, issued_at=ISSUED)
    s.add(
        Payment(
            passenger_id=owner.id,
            payment_method_id=ticket.payment_method_id,
            ticket_id=ticket.id,
            kind="charge",
            amount=sum((leg.price_paid for leg in ticket.legs), Decimal("0.00")),
            reason=f"new ticket {ticket.ticket_no}",
            created_at=ISSUED,
        )
    )
    s.flush()
    return ticket


@pytest.fixture
def trip(session_factory: sessionmaker[Session]) -> dict[str, object]:
    """A passenger's Classic ticket ZRH-LHR in three days and two later flights to move it to."""
    with session_factory() as s:
        f.reference_data(s, economy_seats=RACERS + 4)
        now = CLOCK.now()
        source = f.flight(s, "ZRH", "LHR", now + timedelta(days=3))
        first = f.flight(s, "ZRH", "LHR", now + timedelta(days=4), base_price=260)
        second = f.flight(s, "ZRH", "LHR", now + timedelta(days=5), base_price=300)
        owner = f.passenger(s)
        ticket = paid_ticket(s, owner, [source])
        s.commit()
        return {
            "passenger": owner.id,
            "ticket_no": ticket.ticket_no,
            "targets": [first.id, second.id],
        }


def cancel(trip):
    return lambda s, ctx, _: cancellations.cancel_ticket(s, ctx, ticket_no=trip["ticket_no"])


def change_to(trip, pick):
    def work(s: Session, ctx: ServiceContext, i: int) -> object:
        target = trip["targets"][pick(i)]
        return tickets.change_flight(s, ctx, ticket_no=trip["ticket_no"], new_flight_ids=[target])

    return work


def either(first, second):
    """The first half of the racers do one write, the second half the other."""
    return lambda s, ctx, i: (first if i < HALF else second)(s, ctx, i)


def payments(session_factory, kind: str) -> int:
    with session_factory() as s:
        return s.scalar(select(func.count()).select_from(Payment).where(Payment.kind == kind))


def consistent(session_factory) -> None:
    with session_factory() as s:
        assert problems(s) == []


def test_twenty_cancels_of_one_ticket_refund_once(session_factory, trip) -> None:
    outcomes = race(session_factory, lambda _: ctx_of(trip["passenger"]), cancel(trip))
    assert outcomes == Counter({"ok": 1, "ticket_not_active": RACERS - 1})
    assert payments(session_factory, "refund") == 1
    consistent(session_factory)


def test_twenty_changes_of_one_ticket_move_it_once(session_factory, trip) -> None:
    outcomes = race(
        session_factory, lambda _: ctx_of(trip["passenger"]), change_to(trip, lambda _: 0)
    )
    assert outcomes == Counter({"ok": 1, "same_itinerary": RACERS - 1})
    assert payments(session_factory, "charge") == 2  # the purchase and one change
    consistent(session_factory)


def test_changes_to_two_flights_at_once_leave_one_itinerary(session_factory, trip) -> None:
    """Each change that runs starts from the ticket as the previous one left it, and is
    charged once; whatever the order, the ticket ends on one flight with one seat."""
    outcomes = race(
        session_factory, lambda _: ctx_of(trip["passenger"]), change_to(trip, lambda i: i % 2)
    )
    assert set(outcomes) <= {"ok", "same_itinerary"}, outcomes
    assert outcomes["ok"] >= 1
    assert payments(session_factory, "charge") == 1 + outcomes["ok"]
    consistent(session_factory)


def test_cancel_and_change_of_one_ticket_at_once(session_factory, trip) -> None:
    """Cancels and changes racing: the ticket ends cancelled, refunded once, with no active leg
    or seat left behind, whichever ran first."""
    work = either(cancel(trip), change_to(trip, lambda _: 0))
    outcomes = race(session_factory, lambda _: ctx_of(trip["passenger"]), work)
    assert set(outcomes) <= {"ok", "ticket_not_active", "same_itinerary"}, outcomes
    assert 1 <= outcomes["ok"] <= 2  # the cancel, maybe after one change
    assert payments(session_factory, "refund") == 1
    with session_factory() as s:
        status = s.scalar(select(Ticket.status).where(Ticket.ticket_no == trip["ticket_no"]))
        assert status == TicketStatus.CANCELLED
        assert problems(s) == []


def airline_cancelled_ticket(session_factory) -> tuple[str, int]:
    """A paid ticket on a flight the airline cancelled: (ticket number, passenger id)."""
    with session_factory() as s:
        f.reference_data(s)
        flight = f.flight(
            s, "ZRH", "LHR", CLOCK.now() + timedelta(hours=6), status=FlightStatus.CANCELLED
        )
        owner = f.passenger(s)
        ticket_no = paid_ticket(s, owner, [flight]).ticket_no
        s.commit()
        return ticket_no, owner.id


def test_twenty_rebookings_of_a_cut_connection_move_the_rest_of_the_journey_once(
    session_factory,
) -> None:
    """The first leg flown, the connection cancelled by the airline: racing rebookings (the
    console's batch and a chat, say) move the rest of the journey once, for free, and the
    flown leg keeps its place and its seat."""
    with session_factory() as s:
        f.reference_data(s)
        flown = f.flight(
            s, "ZRH", "LHR", CLOCK.now() - timedelta(hours=5), status=FlightStatus.ARRIVED
        )
        cut = f.flight(
            s, "LHR", "ZRH", CLOCK.now() + timedelta(hours=2), status=FlightStatus.CANCELLED
        )
        later = f.flight(s, "LHR", "ZRH", CLOCK.now() + timedelta(hours=6))
        owner = f.passenger(s)
        ticket_no = paid_ticket(s, owner, [flown, cut]).ticket_no
        s.commit()
        passenger_id, ids = owner.id, (flown.id, later.id)

    def rebook(s: Session, ctx: ServiceContext, _i: int) -> object:
        return tickets.change_flight(s, ctx, ticket_no=ticket_no, new_flight_ids=[ids[1]])

    outcomes = race(session_factory, lambda _: ctx_of(passenger_id), rebook)
    # Once rebooked, the journey is no longer cut: the others find a ticket with a flown leg.
    assert outcomes == Counter({"ok": 1, "leg_already_flown": RACERS - 1})
    assert payments(session_factory, "charge") == 1  # the purchase only: the rebooking is free
    with session_factory() as s:
        ticket = s.scalars(select(Ticket).where(Ticket.ticket_no == ticket_no)).one()
        assert [leg.flight_id for leg in ticket.active_legs] == list(ids)
    consistent(session_factory)


def test_twenty_compensation_claims_pay_once(session_factory) -> None:
    ticket_no, passenger_id = airline_cancelled_ticket(session_factory)

    def claim(s: Session, ctx: ServiceContext, _i: int) -> object:
        return flight_bookings.request_compensation(s, ctx, ticket_no=ticket_no)

    outcomes = race(session_factory, lambda _: ctx_of(passenger_id), claim)
    assert outcomes == Counter({"ok": 1, "compensation_already_paid": RACERS - 1})
    consistent(session_factory)


def test_compensation_claims_and_cancels_of_one_ticket_at_once(session_factory) -> None:
    """An airline-cancelled flight: the passenger may both claim and take the refund, each
    exactly once, whichever order the racing approvals run in."""
    ticket_no, passenger_id = airline_cancelled_ticket(session_factory)

    work = either(
        lambda s, ctx, _: flight_bookings.request_compensation(s, ctx, ticket_no=ticket_no),
        lambda s, ctx, _: cancellations.cancel_ticket(s, ctx, ticket_no=ticket_no),
    )
    outcomes = race(session_factory, lambda _: ctx_of(passenger_id), work)
    assert outcomes == Counter(
        {"ok": 2, "compensation_already_paid": HALF - 1, "ticket_not_active": HALF - 1}
    )
    assert payments(session_factory, "refund") == 2  # the compensation and the fare
    consistent(session_factory)


def test_twenty_buyers_of_the_last_seat(session_factory) -> None:
    with session_factory() as s:
        f.reference_data(s, economy_seats=RACERS + 4)
        flight = f.flight(s, "ZRH", "LHR", CLOCK.now() + timedelta(days=3))
        f.fill(s, flight, leave=1, issued_at=ISSUED)
        buyers = [f.passenger(s).id for _ in range(RACERS)]
        s.commit()
        flight_id = flight.id

    def buy(s: Session, ctx: ServiceContext, _i: int) -> object:
        return flight_bookings.book_flight(s, ctx, flight_ids=[flight_id], fare=Fare.CLASSIC)

    outcomes = race(session_factory, lambda i: ctx_of(buyers[i]), buy)
    assert outcomes == Counter({"ok": 1, "no_seat_available": RACERS - 1})
    consistent(session_factory)


# The offers with room for exactly one booking, for "the last place" races.
LAST_PLACE = {
    HOTEL.name: lambda s: f.hotel(s, rooms=1),
    CAR.name: lambda s: f.car_offer(s, units=1),
    EXCURSION.name: lambda s: f.excursion(s, capacity=1),
}


@every_kind
def test_twenty_bookers_of_the_last_place(session_factory, kind: Kind) -> None:
    with session_factory() as s:
        f.reference_data(s)
        offer = LAST_PLACE[kind.name](s)
        bookers = [f.passenger(s).id for _ in range(RACERS)]
        s.commit()

    outcomes = race(
        session_factory, lambda i: ctx_of(bookers[i]), lambda s, ctx, _: kind.book(s, ctx, offer)
    )
    assert outcomes == Counter({"ok": 1, "no_availability": RACERS - 1})
    consistent(session_factory)


def booked(session_factory, kind: Kind) -> tuple[int, int]:
    """A passenger and their booking of `kind`, made (and charged) through the service."""
    with session_factory() as s:
        f.reference_data(s)
        offer = LAST_PLACE[kind.name](s)
        passenger_id = f.passenger(s).id
        s.commit()
        result = kind.book(s, ctx_of(passenger_id), offer)
        return passenger_id, result.data[kind.id_arg]


@every_kind
def test_twenty_cancels_of_one_booking_refund_once(session_factory, kind: Kind) -> None:
    passenger_id, booking_id = booked(session_factory, kind)
    outcomes = race(
        session_factory,
        lambda _: ctx_of(passenger_id),
        lambda s, ctx, _: kind.cancel(s, ctx, booking_id),
    )
    assert outcomes == Counter({"ok": 1, "booking_not_active": RACERS - 1})
    assert payments(session_factory, "refund") == 1
    consistent(session_factory)


@changeable_kind
def test_twenty_date_changes_of_one_booking_settle_once(session_factory, kind: Kind) -> None:
    passenger_id, booking_id = booked(session_factory, kind)
    start, end = FROZEN_NOW.date() + timedelta(days=4), FROZEN_NOW.date() + timedelta(days=7)
    change = kind.change
    assert change is not None  # changeable kinds only
    outcomes = race(
        session_factory,
        lambda _: ctx_of(passenger_id),
        lambda s, ctx, _: change(s, ctx, booking_id, start, end),
    )
    # The losers find the booking already on the new dates: "nothing to change".
    assert outcomes == Counter({"ok": 1, "invalid_input": RACERS - 1})
    assert payments(session_factory, "charge") == 2  # the booking and one longer stay
    consistent(session_factory)


@changeable_kind
def test_cancel_and_change_of_one_booking_at_once(session_factory, kind: Kind) -> None:
    passenger_id, booking_id = booked(session_factory, kind)
    start, end = FROZEN_NOW.date() + timedelta(days=4), FROZEN_NOW.date() + timedelta(days=7)
    change = kind.change
    assert change is not None  # changeable kinds only
    work = either(
        lambda s, ctx, _: kind.cancel(s, ctx, booking_id),
        lambda s, ctx, _: change(s, ctx, booking_id, start, end),
    )
    outcomes = race(session_factory, lambda _: ctx_of(passenger_id), work)
    assert set(outcomes) <= {"ok", "booking_not_active", "invalid_input"}, outcomes
    assert 1 <= outcomes["ok"] <= 2
    assert payments(session_factory, "refund") == 1
    consistent(session_factory)

"""Searching, booking, status and compensation."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from db.models import Compensation, ExecutedAction, Fare, FlightStatus, PaymentMethod, Ticket
from services.core.clock import demo_date
from services.core.errors import AlreadyExecuted, InvalidInput, NotFound, PolicyViolation, Rule
from services.flights import cancellations, flight_bookings, flights, tickets
from tests import factories as f
from tests.conftest import context_for

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)


@pytest.fixture
def setup(session, clock):
    f.reference_data(session)
    now = clock.now()
    world = {
        "lhr": f.flight(session, "ZRH", "LHR", now + 3 * DAY),
        "fra": f.flight(session, "ZRH", "FRA", now + 10 * DAY),
        "sin": f.flight(session, "FRA", "SIN", now + 10 * DAY + 3 * HOUR, hours=12),
        "passenger": f.passenger(session),
    }
    session.commit()
    return world


def test_search_returns_free_seats_and_prices(session, clock, setup) -> None:
    f.fill(session, setup["lhr"], leave=2, issued_at=clock.now() - 9 * DAY)
    session.commit()
    ctx = context_for(setup["passenger"].id, clock)
    day = (clock.now() + 3 * DAY).date()
    [itinerary] = flights.search_flights(session, ctx, origin="zrh", destination="London", day=day)
    assert itinerary.free_seats == 2 and itinerary.legs[0].price == Decimal("200")
    assert (
        flights.search_flights(session, ctx, origin="ZRH", destination="LHR", day=day, seats=3)
        == []
    )


def test_search_finds_one_stop_connections(session, clock, setup) -> None:
    ctx = context_for(setup["passenger"].id, clock)
    found = flights.search_flights(
        session, ctx, origin="ZRH", destination="SIN", day=(clock.now() + 10 * DAY).date()
    )
    assert [[leg.flight_no for leg in it.legs] for it in found] == [
        [setup["fra"].flight_no, setup["sin"].flight_no]
    ]


def test_search_rejects_bad_input(session, clock, setup) -> None:
    ctx = context_for(setup["passenger"].id, clock)
    with pytest.raises(NotFound, match="Atlantis"):
        flights.search_flights(
            session, ctx, origin="Atlantis", destination="LHR", day=demo_date(clock)
        )
    with pytest.raises(InvalidInput):
        flights.search_flights(session, ctx, origin="ZRH", destination="zrh", day=demo_date(clock))


@pytest.mark.usefixtures("setup")
def test_flight_status_reports_delay(session, clock) -> None:
    late = f.flight(
        session, "GVA", "LHR", clock.now() + 5 * HOUR, delay=4 * HOUR, flight_no="AL 910"
    )
    session.commit()
    view = flights.get_flight_status(
        session, flight_no="al910", day=late.scheduled_departure.date()
    )
    assert (view.status, view.delay_minutes) == (FlightStatus.DELAYED, 240)
    with pytest.raises(InvalidInput):
        flights.get_flight_status(session, flight_no="hello", day=demo_date(clock))


def test_book_connection_charges_card_and_takes_seats(session, clock, setup) -> None:
    ctx = context_for(setup["passenger"].id, clock)
    result = flight_bookings.book_flight(
        session, ctx, flight_ids=[setup["fra"].id, setup["sin"].id], fare="Flex"
    )
    ticket = session.scalar(select(Ticket).where(Ticket.passenger_id == setup["passenger"].id))
    assert ticket.fare == Fare.FLEX and len(ticket.active_legs) == 2
    assert result.charged == sum(leg.price_paid for leg in ticket.active_legs)
    assert all(leg.seat_assignment is not None for leg in ticket.active_legs)


def test_book_refuses_another_passengers_card(session, clock, setup) -> None:
    other = f.passenger(session)
    session.commit()
    card = session.scalar(select(PaymentMethod).where(PaymentMethod.passenger_id == other.id))
    with pytest.raises(PolicyViolation) as err:
        flight_bookings.book_flight(
            session,
            context_for(setup["passenger"].id, clock),
            flight_ids=[setup["lhr"].id],
            fare="Classic",
            payment_method_id=card.id,
        )
    assert err.value.code == Rule.PAYMENT_METHOD.value


def test_book_refuses_cancelled_flight_and_unknown_fare(session, clock, setup) -> None:
    gone = f.flight(session, "ZRH", "LHR", clock.now() + 2 * DAY, status=FlightStatus.CANCELLED)
    session.commit()
    ctx = context_for(setup["passenger"].id, clock)
    with pytest.raises(PolicyViolation) as err:
        flight_bookings.book_flight(session, ctx, flight_ids=[gone.id], fare="Classic")
    assert err.value.code == Rule.FLIGHT_NOT_BOOKABLE.value
    with pytest.raises(InvalidInput, match="Premium"):
        flight_bookings.book_flight(session, ctx, flight_ids=[setup["lhr"].id], fare="Premium")


def test_compensation_for_airline_cancellation_once(session, clock, setup) -> None:
    gone = f.flight(session, "ZRH", "BCN", clock.now() + HOUR, status=FlightStatus.CANCELLED)
    t = f.ticket(session, setup["passenger"], [gone], issued_at=clock.now() - 20 * DAY)
    session.commit()
    ctx = context_for(setup["passenger"].id, clock)
    result = flight_bookings.request_compensation(session, ctx, ticket_no=t.ticket_no)
    assert result.refunded == f.eu261_chf(250)  # ZRH-BCN, 850 km: Art. 7(1)(a)
    with pytest.raises(PolicyViolation) as err:
        flight_bookings.request_compensation(session, ctx, ticket_no=t.ticket_no)
    assert err.value.code == Rule.COMPENSATION_ALREADY_PAID.value
    assert session.scalar(select(func.count()).select_from(Compensation)) == 1


def test_compensation_survives_rebooking(session, clock, setup) -> None:
    gone = f.flight(session, "ZRH", "LHR", clock.now() + HOUR, status=FlightStatus.CANCELLED)
    t = f.ticket(
        session, setup["passenger"], [gone], fare=Fare.LIGHT, issued_at=clock.now() - 20 * DAY
    )
    session.commit()
    ctx = context_for(setup["passenger"].id, clock)
    tickets.change_flight(session, ctx, ticket_no=t.ticket_no, new_flight_ids=[setup["lhr"].id])
    # The rerouting lands three days after the original: no Art. 7(2) reduction.
    assert flight_bookings.request_compensation(
        session, ctx, ticket_no=t.ticket_no
    ).refunded == f.eu261_chf(250)


def test_compensation_for_long_delay_but_not_short(session, clock, setup) -> None:
    long = f.flight(session, "GVA", "LHR", clock.now() + 5 * HOUR, delay=4 * HOUR)
    short = f.flight(session, "GVA", "LHR", clock.now() + 6 * HOUR, delay=HOUR)
    t_long = f.ticket(session, setup["passenger"], [long], issued_at=clock.now() - 20 * DAY)
    t_short = f.ticket(session, setup["passenger"], [short], issued_at=clock.now() - 20 * DAY)
    session.commit()
    ctx = context_for(setup["passenger"].id, clock)
    assert flight_bookings.request_compensation(
        session, ctx, ticket_no=t_long.ticket_no
    ).refunded == f.eu261_chf(250)  # GVA-LHR, 750 km, 4 hours late: Art. 7(1)(a)
    with pytest.raises(PolicyViolation) as err:
        flight_bookings.request_compensation(session, ctx, ticket_no=t_short.ticket_no)
    assert err.value.code == Rule.COMPENSATION_NOT_ELIGIBLE.value


def test_approved_write_executes_once_per_key(session, clock, setup) -> None:
    t = f.ticket(
        session,
        setup["passenger"],
        [setup["lhr"]],
        fare=Fare.FLEX,
        issued_at=clock.now() - 20 * DAY,
    )
    session.commit()
    ctx = context_for(setup["passenger"].id, clock).once("thread-1:call-1")
    cancellations.cancel_ticket(session, ctx, ticket_no=t.ticket_no)
    with pytest.raises(AlreadyExecuted, match="cancelled"):
        cancellations.cancel_ticket(session, ctx, ticket_no=t.ticket_no)
    assert session.scalar(select(func.count()).select_from(ExecutedAction)) == 1

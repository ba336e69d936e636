"""Car rental search, booking, changes and cancellation: every rule allowed once and refused once
(the rules every kind of travel booking shares are in test_travel_rules)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from db.models import BookingStatus, CarRental, CarRentalOffer
from services.core.errors import InvalidInput, NotFound, PolicyViolation, Rule
from services.travel import cars
from tests import factories as f
from tests.conftest import context_for
from tests.services.travel.travel_helpers import (
    BOOKED_AT,
    D,
    World,
    car_world,
    count,
    day,
    invalid,
    last_audit,
    payments,
    refused,
    reloaded,
)


@pytest.fixture
def world(session: Session) -> World[CarRentalOffer]:
    return car_world(session)


def rental_row(session: Session, rental_id: int) -> tuple[date, date, BookingStatus, Decimal]:
    r = reloaded(session, CarRental, rental_id)
    return r.start_date, r.end_date, r.status, r.price


@pytest.fixture
def rental(session: Session, world: World[CarRentalOffer]) -> CarRental:
    """Diego's 3-day rental of the cheap car from D+5."""
    r = f.car_rental(session, world.me, world.cheap, day(5), 3, created_at=BOOKED_AT)
    session.commit()
    return r


# --- search ---------------------------------------------------------------------------------


def test_search_lists_offers_cheapest_first(session, clock, world):
    offers = cars.search_car_rentals(
        session, context_for(world.me.id, clock), city="LONDON", start=day(2), end=day(5)
    )
    assert [o.offer_id for o in offers] == [world.cheap.id, world.dear.id]
    assert offers[0].days == 3 and offers[0].total_price == Decimal("150.00")
    assert offers[0].cars_left == 2


def test_search_counts_cars_day_by_day(session, clock, world):
    f.car_rental(session, world.companion, world.cheap, day(2), 2, created_at=BOOKED_AT)
    f.car_rental(session, world.companion, world.cheap, day(4), 2, created_at=BOOKED_AT)
    f.car_rental(session, world.companion, world.dear, day(3), 1, created_at=BOOKED_AT)
    cancelled = f.car_rental(session, world.companion, world.cheap, day(2), 4, created_at=BOOKED_AT)
    cancelled.status = BookingStatus.CANCELLED
    session.commit()
    ctx = context_for(world.me.id, clock)
    offers = cars.search_car_rentals(session, ctx, city="London", start=day(2), end=day(6))
    assert [(o.offer_id, o.cars_left) for o in offers] == [(world.cheap.id, 1)]
    # The dear car comes back on day 4 and can go out again that day.
    later = cars.search_car_rentals(session, ctx, city="London", start=day(4), end=day(6))
    assert {o.offer_id for o in later} == {world.cheap.id, world.dear.id}


def test_search_unknown_city(session, clock, world):
    with pytest.raises(NotFound) as exc:
        cars.search_car_rentals(
            session, context_for(world.me.id, clock), city="Gotham", start=day(2), end=day(3)
        )
    invalid(exc.value, "no car rentals in Gotham")


@pytest.mark.parametrize(
    ("start", "end", "words"),
    [
        (day(4), day(2), "must be after"),
        (day(-1), day(2), "in the past"),
        (day(1), day(62), "at most 60 days"),
    ],
)
def test_search_rejects_bad_dates(session, clock, world, start, end, words):
    with pytest.raises(InvalidInput) as exc:
        cars.search_car_rentals(
            session, context_for(world.me.id, clock), city="London", start=start, end=end
        )
    invalid(exc.value, words)


# --- booking --------------------------------------------------------------------------------


def test_book_charges_and_audits(session, clock, world):
    result = cars.book_car_rental(
        session, context_for(world.me.id, clock), offer_id=world.dear.id, start=day(2), end=day(4)
    )
    assert result.charged == Decimal("180.00")
    assert result.after["status"] == "confirmed" and result.after["days"] == 2
    assert "pick-up" in (result.rule or "")
    assert payments(session, world.me) == [
        ("charge", Decimal("180.00"), world.me.payment_methods[0].id)
    ]
    event = last_audit(session)
    assert (event.action, event.outcome) == ("book_car_rental", "executed")
    assert event.details["after"]["start"] == day(2).isoformat()


def test_book_sixty_days_from_today_is_allowed(session, clock, world):
    result = cars.book_car_rental(
        session, context_for(world.me.id, clock), offer_id=world.cheap.id, start=D, end=day(60)
    )
    assert result.after["days"] == 60


def test_book_refuses_when_no_car_is_free(session, clock, world):
    f.car_rental(session, world.companion, world.dear, day(3), 1, created_at=BOOKED_AT)
    session.commit()
    with pytest.raises(PolicyViolation) as exc:
        cars.book_car_rental(
            session,
            context_for(world.me.id, clock),
            offer_id=world.dear.id,
            start=day(2),
            end=day(5),
        )
    refused(session, exc.value, Rule.NO_AVAILABILITY, "free for every day")
    assert count(session, CarRental) == 1 and payments(session, world.me) == []


# --- changing -------------------------------------------------------------------------------


def test_change_longer_charges_the_difference(session, clock, world, rental):
    result = cars.change_car_rental(
        session, context_for(world.me.id, clock), rental_id=rental.id, start=day(5), end=day(10)
    )
    assert result.charged == Decimal("100.00")
    assert (result.before["end"], result.after["end"]) == (day(8).isoformat(), day(10).isoformat())
    assert rental_row(session, rental.id) == (
        day(5),
        day(10),
        BookingStatus.CONFIRMED,
        Decimal("250.00"),
    )
    event = last_audit(session)
    assert (event.action, event.outcome) == ("change_car_rental", "executed")
    assert event.details["before"]["days"] == 3 and event.details["after"]["days"] == 5


def test_change_shorter_refunds_the_difference(session, clock, world, rental):
    result = cars.change_car_rental(
        session, context_for(world.me.id, clock), rental_id=rental.id, start=day(6), end=day(7)
    )
    assert result.refunded == Decimal("100.00") and result.charged == Decimal("0.00")
    assert payments(session, world.me) == [
        ("refund", Decimal("100.00"), world.me.payment_methods[0].id)
    ]


def test_change_refuses_days_without_a_free_car(session, clock, world):
    mine = f.car_rental(session, world.me, world.dear, day(2), 2, created_at=BOOKED_AT)
    f.car_rental(session, world.companion, world.dear, day(6), 2, created_at=BOOKED_AT)
    session.commit()
    before = rental_row(session, mine.id)
    with pytest.raises(PolicyViolation) as exc:
        cars.change_car_rental(
            session, context_for(world.me.id, clock), rental_id=mine.id, start=day(3), end=day(7)
        )
    refused(session, exc.value, Rule.NO_AVAILABILITY)
    assert rental_row(session, mine.id) == before


def test_change_is_allowed_before_pick_up_and_refused_after(session, clock, world):
    r = f.car_rental(session, world.me, world.cheap, D, 3, created_at=BOOKED_AT)
    session.commit()
    ctx = context_for(world.me.id, clock)
    ok = cars.change_car_rental(session, ctx, rental_id=r.id, start=D, end=day(4))
    assert ok.after["days"] == 4
    clock.advance(timedelta(hours=1))  # 09:00 in London: the car has been picked up
    before = rental_row(session, r.id)
    with pytest.raises(PolicyViolation) as exc:
        cars.change_car_rental(session, ctx, rental_id=r.id, start=D, end=day(5))
    refused(session, exc.value, Rule.BOOKING_STARTED, "started", "09:00")
    assert rental_row(session, r.id) == before


# --- cancelling -----------------------------------------------------------------------------


def test_cancel_refunds_in_full_and_audits(session, clock, world, rental):
    result = cars.cancel_car_rental(session, context_for(world.me.id, clock), rental_id=rental.id)
    assert result.refunded == Decimal("150.00")
    assert (result.before["status"], result.after["status"]) == ("confirmed", "cancelled")
    assert rental_row(session, rental.id)[2] == BookingStatus.CANCELLED
    event = last_audit(session)
    assert (event.action, event.outcome) == ("cancel_car_rental", "executed")
    assert event.details["refunded"] == "150.00"


def test_cancel_after_pick_up_says_it_started(session, clock, world):
    r = f.car_rental(session, world.me, world.cheap, day(-2), 5, created_at=BOOKED_AT)
    session.commit()
    with pytest.raises(PolicyViolation) as exc:
        cars.cancel_car_rental(session, context_for(world.me.id, clock), rental_id=r.id)
    refused(session, exc.value, Rule.BOOKING_CANCEL_WINDOW, "already started")

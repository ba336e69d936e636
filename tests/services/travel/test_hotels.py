"""Hotel search, booking, changes and cancellation: every rule allowed once and refused once
(the rules every kind of travel booking shares are in test_travel_rules)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import BookingStatus, Hotel, HotelBooking
from services.core.errors import InvalidInput, NotFound, PolicyViolation, Rule
from services.travel import hotels
from tests import factories as f
from tests.conftest import context_for
from tests.services.travel.travel_helpers import (
    BOOKED_AT,
    D,
    World,
    day,
    hotel_world,
    invalid,
    last_audit,
    payments,
    refused,
    reloaded,
)


@pytest.fixture
def world(session: Session) -> World[Hotel]:
    return hotel_world(session)


def booking_row(session: Session, booking_id: int) -> tuple[date, date, BookingStatus, Decimal]:
    b = reloaded(session, HotelBooking, booking_id)
    return b.checkin, b.checkout, b.status, b.price


# --- search ---------------------------------------------------------------------------------


def test_search_lists_hotels_cheapest_first_with_prices(session, clock, world):
    offers = hotels.search_hotels(
        session, context_for(world.me.id, clock), city="london", checkin=day(3), checkout=day(6)
    )
    assert [o.hotel_id for o in offers] == [world.cheap.id, world.dear.id]
    assert offers[0].nights == 3 and offers[0].total_price == Decimal("360.00")
    assert offers[0].rooms_left == 2 and offers[0].city == "London"


def test_search_by_airport_code_finds_the_city(session, clock, world):
    offers = hotels.search_hotels(
        session, context_for(world.me.id, clock), city="LHR", checkin=day(3), checkout=day(4)
    )
    assert {o.city for o in offers} == {"London"}


def test_search_counts_rooms_night_by_night(session, clock, world):
    # Two bookings that never share a night leave one of the two rooms free every night.
    f.hotel_booking(session, world.companion, world.cheap, day(2), 2, created_at=BOOKED_AT)
    f.hotel_booking(session, world.companion, world.cheap, day(4), 2, created_at=BOOKED_AT)
    f.hotel_booking(session, world.companion, world.dear, day(5), 1, created_at=BOOKED_AT)
    session.commit()
    ctx = context_for(world.me.id, clock)
    offers = hotels.search_hotels(session, ctx, city="London", checkin=day(2), checkout=day(6))
    assert [(o.hotel_id, o.rooms_left) for o in offers] == [(world.cheap.id, 1)]
    # The full hotel is free again from the guest's checkout day.
    later = hotels.search_hotels(session, ctx, city="London", checkin=day(6), checkout=day(7))
    assert {o.hotel_id for o in later} == {world.cheap.id, world.dear.id}


def test_search_ignores_cancelled_bookings(session, clock, world):
    b = f.hotel_booking(session, world.companion, world.dear, day(3), 2, created_at=BOOKED_AT)
    b.status = BookingStatus.CANCELLED
    session.commit()
    offers = hotels.search_hotels(
        session, context_for(world.me.id, clock), city="London", checkin=day(3), checkout=day(5)
    )
    assert world.dear.id in {o.hotel_id for o in offers}


def test_search_unknown_city_says_no_hotels_there(session, clock, world):
    with pytest.raises(NotFound) as exc:
        hotels.search_hotels(
            session,
            context_for(world.me.id, clock),
            city="Atlantis",
            checkin=day(3),
            checkout=day(4),
        )
    invalid(exc.value, "no hotels in Atlantis")


@pytest.mark.parametrize(
    ("checkin", "checkout", "guests", "words"),
    [
        (day(5), day(3), 1, "must be after"),
        (day(5), day(5), 1, "must be after"),
        (day(-1), day(2), 1, "in the past"),
        (day(1), day(32), 1, "at most 30 nights"),
        (day(1), day(2), 0, "between 1 and 9"),
        (day(1), day(2), 10, "between 1 and 9"),
        ("next friday", day(2), 1, "not a date"),
    ],
)
def test_search_rejects_bad_input(session, clock, world, checkin, checkout, guests, words):
    with pytest.raises(InvalidInput) as exc:
        hotels.search_hotels(
            session,
            context_for(world.me.id, clock),
            city="London",
            checkin=checkin,
            checkout=checkout,
            guests=guests,
        )
    invalid(exc.value, words)


# --- booking --------------------------------------------------------------------------------


def test_book_charges_the_stay_and_audits_it(session, clock, world):
    ctx = context_for(world.me.id, clock)
    result = hotels.book_hotel(
        session, ctx, hotel_id=world.cheap.id, checkin=day(3), checkout=day(5), guests=2
    )
    assert result.charged == Decimal("240.00")
    assert result.after["status"] == "confirmed" and result.after["checkin"] == day(3).isoformat()
    assert "24 hours" in (result.rule or "")
    booking = session.get(HotelBooking, result.data["booking_id"])
    assert booking is not None and booking.passenger_id == world.me.id and booking.guests == 2
    assert payments(session, world.me) == [
        ("charge", Decimal("240.00"), world.me.payment_methods[0].id)
    ]
    event = last_audit(session)
    assert (event.action, event.outcome) == ("book_hotel", "executed")
    assert event.details["after"]["hotel"] == world.cheap.name


def test_book_today_and_for_nine_guests_and_thirty_nights_is_allowed(session, clock, world):
    result = hotels.book_hotel(
        session,
        context_for(world.me.id, clock),
        hotel_id=world.cheap.id,
        checkin=D,
        checkout=day(30),
        guests=9,
    )
    assert result.after["nights"] == 30


def test_book_refuses_when_no_room_is_free(session, clock, world):
    f.hotel_booking(session, world.companion, world.dear, day(4), 1, created_at=BOOKED_AT)
    session.commit()
    with pytest.raises(PolicyViolation) as exc:
        hotels.book_hotel(
            session,
            context_for(world.me.id, clock),
            hotel_id=world.dear.id,
            checkin=day(3),
            checkout=day(6),
        )
    refused(session, exc.value, Rule.NO_AVAILABILITY, "no free room")
    assert session.scalar(select(func.count()).select_from(HotelBooking)) == 1
    assert payments(session, world.me) == []


def test_book_right_after_another_guest_checks_out(session, clock, world):
    f.hotel_booking(session, world.companion, world.dear, day(1), 2, created_at=BOOKED_AT)
    session.commit()
    result = hotels.book_hotel(
        session,
        context_for(world.me.id, clock),
        hotel_id=world.dear.id,
        checkin=day(3),
        checkout=day(4),
    )
    assert result.after["status"] == "confirmed"


# --- changing -------------------------------------------------------------------------------


@pytest.fixture
def stay(session: Session, world: World[Hotel]) -> HotelBooking:
    """Diego's 2-night stay in the cheap hotel from D+5, paid with his card."""
    b = f.hotel_booking(session, world.me, world.cheap, day(5), 2, created_at=BOOKED_AT)
    session.commit()
    return b


def test_change_to_a_longer_stay_charges_the_difference(session, clock, world, stay):
    result = hotels.change_hotel_booking(
        session,
        context_for(world.me.id, clock),
        booking_id=stay.id,
        checkin=day(5),
        checkout=day(8),
    )
    assert result.charged == Decimal("120.00") and result.refunded == Decimal("0.00")
    assert result.before["checkout"] == day(7).isoformat()
    assert result.after["checkout"] == day(8).isoformat()
    assert booking_row(session, stay.id) == (
        day(5),
        day(8),
        BookingStatus.CONFIRMED,
        Decimal("360.00"),
    )
    assert payments(session, world.me) == [
        ("charge", Decimal("120.00"), world.me.payment_methods[0].id)
    ]
    event = last_audit(session)
    assert (event.action, event.outcome) == ("change_hotel_booking", "executed")
    assert event.details["before"]["checkin"] == day(5).isoformat()
    assert event.details["charged"] == "120.00"


def test_change_to_a_shorter_stay_refunds_to_the_card_that_paid(session, clock, world):
    card = f.payment_method(session, world.me)
    session.commit()
    ctx = context_for(world.me.id, clock)
    booked = hotels.book_hotel(
        session,
        ctx,
        hotel_id=world.cheap.id,
        checkin=day(5),
        checkout=day(8),
        payment_method_id=card.id,
    )
    result = hotels.change_hotel_booking(
        session, ctx, booking_id=booked.data["booking_id"], checkin=day(6), checkout=day(7)
    )
    assert result.refunded == Decimal("240.00")
    assert payments(session, world.me)[-1] == ("refund", Decimal("240.00"), card.id)


def test_change_may_overlap_its_own_old_dates(session, clock, world):
    b = f.hotel_booking(session, world.me, world.dear, day(5), 2, created_at=BOOKED_AT)
    session.commit()
    result = hotels.change_hotel_booking(
        session, context_for(world.me.id, clock), booking_id=b.id, checkin=day(6), checkout=day(8)
    )
    assert result.after["checkin"] == day(6).isoformat()


def test_change_refuses_dates_without_a_free_room(session, clock, world):
    b = f.hotel_booking(session, world.me, world.dear, day(5), 2, created_at=BOOKED_AT)
    f.hotel_booking(session, world.companion, world.dear, day(9), 1, created_at=BOOKED_AT)
    session.commit()
    before = booking_row(session, b.id)
    with pytest.raises(PolicyViolation) as exc:
        hotels.change_hotel_booking(
            session,
            context_for(world.me.id, clock),
            booking_id=b.id,
            checkin=day(8),
            checkout=day(10),
        )
    refused(session, exc.value, Rule.NO_AVAILABILITY, "no free room")
    assert booking_row(session, b.id) == before


def test_change_refuses_a_stay_that_has_started(session, clock, world):
    b = f.hotel_booking(session, world.me, world.cheap, day(-1), 3, created_at=BOOKED_AT)
    session.commit()
    before = booking_row(session, b.id)
    with pytest.raises(PolicyViolation) as exc:
        hotels.change_hotel_booking(
            session,
            context_for(world.me.id, clock),
            booking_id=b.id,
            checkin=day(-1),
            checkout=day(5),
        )
    refused(session, exc.value, Rule.BOOKING_STARTED, "started", "15:00")
    assert booking_row(session, b.id) == before
    assert payments(session, world.me) == []


def test_inside_24_hours_a_stay_can_be_extended_but_not_moved(session, clock, world):
    # Check-in today at 15:00 London time: free cancellation has closed, so moving or shortening
    # the stay (which would refund part of it) is refused, while a later check-out is allowed.
    b = f.hotel_booking(session, world.me, world.cheap, D, 2, created_at=BOOKED_AT)
    session.commit()
    clock.advance(timedelta(hours=6, minutes=59))
    ctx = context_for(world.me.id, clock)
    before = booking_row(session, b.id)
    with pytest.raises(PolicyViolation) as exc:
        hotels.change_hotel_booking(session, ctx, booking_id=b.id, checkin=day(1), checkout=day(3))
    refused(session, exc.value, Rule.BOOKING_CANCEL_WINDOW, "extended")
    assert booking_row(session, b.id) == before
    result = hotels.change_hotel_booking(session, ctx, booking_id=b.id, checkin=D, checkout=day(3))
    assert result.after["checkout"] == day(3).isoformat()


# --- cancelling -----------------------------------------------------------------------------


def test_cancel_refunds_in_full_and_audits(session, clock, world, stay):
    result = hotels.cancel_hotel_booking(
        session, context_for(world.me.id, clock), booking_id=stay.id
    )
    assert result.refunded == Decimal("240.00")
    assert (result.before["status"], result.after["status"]) == ("confirmed", "cancelled")
    assert booking_row(session, stay.id)[2] == BookingStatus.CANCELLED
    assert payments(session, world.me) == [
        ("refund", Decimal("240.00"), world.me.payment_methods[0].id)
    ]
    event = last_audit(session)
    assert (event.action, event.outcome) == ("cancel_hotel_booking", "executed")
    assert event.details["after"]["status"] == "cancelled"
    assert "24 hours" in event.details["rule_applied"]


def test_cancel_frees_the_room(session, clock, world):
    b = f.hotel_booking(session, world.companion, world.dear, day(3), 2, created_at=BOOKED_AT)
    session.commit()
    ctx = context_for(world.companion.id, clock)
    hotels.cancel_hotel_booking(session, ctx, booking_id=b.id)
    offers = hotels.search_hotels(session, ctx, city="London", checkin=day(3), checkout=day(5))
    assert world.dear.id in {o.hotel_id for o in offers}


def test_city_without_an_airport_uses_zurich_time(session, clock, world):
    lucerne = f.hotel(session, city="Lucerne", price=100, rooms=1)
    b = f.hotel_booking(session, world.me, lucerne, day(1), 1, created_at=BOOKED_AT)
    session.commit()
    # Check-in tomorrow 15:00 in Zurich time is 14:00 UTC: free until today 14:00 UTC.
    clock.advance(timedelta(hours=6))
    hotels.cancel_hotel_booking(session, context_for(world.me.id, clock), booking_id=b.id)
    again = f.hotel_booking(session, world.me, lucerne, day(1), 1, created_at=BOOKED_AT)
    session.commit()
    clock.advance(timedelta(minutes=1))
    with pytest.raises(PolicyViolation) as exc:
        hotels.cancel_hotel_booking(session, context_for(world.me.id, clock), booking_id=again.id)
    refused(session, exc.value, Rule.BOOKING_CANCEL_WINDOW)

"""Hotel search, booking, changes and cancellation: every rule allowed once and refused once."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from db.models import AuditEvent, BookingStatus, Hotel, HotelBooking, Passenger, Payment, Role
from services import hotels
from services.clock import FixedClock
from services.context import Actor
from services.errors import DomainError, InvalidInput, NotFound, PolicyViolation, Rule
from tests import factories as f
from tests.conftest import FROZEN_NOW, context_for

D = date(2026, 11, 26)  # FROZEN_NOW's date in London and Zurich (08:00 UTC, 08:00 in London)
BOOKED_AT = FROZEN_NOW - timedelta(days=20)


def day(n: int) -> date:
    return D + timedelta(days=n)


@dataclass
class World:
    me: Passenger
    companion: Passenger
    cheap: Hotel
    dear: Hotel


@pytest.fixture
def world(session: Session) -> World:
    f.reference_data(session)
    w = World(
        me=f.passenger(session, name="Diego Alvarez"),
        companion=f.passenger(session, name="Ines Alvarez"),
        cheap=f.hotel(session, city="London", price=120, rooms=2),
        dear=f.hotel(session, city="London", price=300, rooms=1),
    )
    f.hotel(session, city="Singapore", price=200, rooms=3)
    session.commit()
    return w


def last_audit(session: Session) -> AuditEvent:
    event = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert event is not None
    return event


def refused(session: Session, err: DomainError, rule: Rule, *words: str) -> None:
    """The refusal names its rule, explains itself in a sentence, and is audited."""
    assert err.code == rule.value
    assert err.message.endswith(".") and err.message[0].isupper()
    for word in words:
        assert word.lower() in err.message.lower(), err.message
    event = last_audit(session)
    assert (event.outcome, event.rule) == ("refused", rule.value)


def invalid(err: DomainError, *words: str) -> None:
    assert isinstance(err, InvalidInput | NotFound)
    assert err.message.endswith(".")
    for word in words:
        assert word.lower() in err.message.lower(), err.message


def payments(session: Session, passenger: Passenger) -> list[tuple[str, Decimal, int | None]]:
    rows = session.scalars(
        select(Payment).where(Payment.passenger_id == passenger.id).order_by(Payment.id)
    )
    return [(p.kind, p.amount, p.payment_method_id) for p in rows]


def booking_row(session: Session, booking_id: int) -> tuple[date, date, BookingStatus, Decimal]:
    session.expire_all()
    b = session.get(HotelBooking, booking_id)
    assert b is not None
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


def test_book_with_own_second_card(session, clock, world):
    card = f.payment_method(session, world.me)
    session.commit()
    hotels.book_hotel(
        session,
        context_for(world.me.id, clock),
        hotel_id=world.cheap.id,
        checkin=day(3),
        checkout=day(4),
        payment_method_id=card.id,
    )
    assert payments(session, world.me) == [("charge", Decimal("120.00"), card.id)]


def test_book_refuses_someone_elses_card(session, clock, world):
    with pytest.raises(PolicyViolation) as exc:
        hotels.book_hotel(
            session,
            context_for(world.me.id, clock),
            hotel_id=world.cheap.id,
            checkin=day(3),
            checkout=day(4),
            payment_method_id=world.companion.payment_methods[0].id,
        )
    refused(session, exc.value, Rule.PAYMENT_METHOD, "not one of")
    assert session.scalar(select(func.count()).select_from(HotelBooking)) == 0


def test_book_refuses_a_passenger_without_a_card(session, clock, world):
    cardless = f.passenger(session, card=False)
    session.commit()
    with pytest.raises(PolicyViolation) as exc:
        hotels.book_hotel(
            session,
            context_for(cardless.id, clock),
            hotel_id=world.cheap.id,
            checkin=day(3),
            checkout=day(4),
        )
    refused(session, exc.value, Rule.PAYMENT_METHOD, "no payment method")


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"checkin": day(4), "checkout": day(2)}, "must be after"),
        ({"checkin": day(-2), "checkout": day(1)}, "in the past"),
        ({"checkin": day(1), "checkout": day(33)}, "at most 30 nights"),
        ({"checkin": day(1), "checkout": day(2), "guests": 0}, "between 1 and 9"),
        ({"checkin": day(1), "checkout": day(2), "hotel_id": 999_999}, "no hotel 999999"),
        ({"checkin": day(1), "checkout": day(2), "hotel_id": "abc"}, "not a hotel number"),
    ],
)
def test_book_rejects_bad_input_with_a_clear_message(session, clock, world, kwargs, words):
    args = {"hotel_id": world.cheap.id, **kwargs}
    with pytest.raises(DomainError) as exc:
        hotels.book_hotel(session, context_for(world.me.id, clock), **args)
    invalid(exc.value, words)
    assert last_audit(session).outcome == "invalid"
    assert session.scalar(select(func.count()).select_from(HotelBooking)) == 0


def test_book_needs_a_selected_passenger(session, clock, world):
    with pytest.raises(PolicyViolation) as exc:
        hotels.book_hotel(
            session,
            context_for(None, clock),
            hotel_id=world.cheap.id,
            checkin=day(3),
            checkout=day(4),
        )
    refused(session, exc.value, Rule.NO_PASSENGER, "no passenger")


def test_customer_login_books_only_for_itself(session, clock, world):
    me = Actor("diego", Role.CUSTOMER, passenger_id=world.me.id)
    ok = hotels.book_hotel(
        session,
        context_for(world.me.id, clock, me),
        hotel_id=world.cheap.id,
        checkin=day(3),
        checkout=day(4),
    )
    assert ok.after["status"] == "confirmed"
    with pytest.raises(PolicyViolation) as exc:
        hotels.book_hotel(
            session,
            context_for(world.companion.id, clock, me),
            hotel_id=world.cheap.id,
            checkin=day(3),
            checkout=day(4),
        )
    refused(session, exc.value, Rule.PERMISSION, "own passenger")


def test_manager_cannot_book(session, clock, world):
    boss = Actor("manager", Role.MANAGER)
    with pytest.raises(PolicyViolation) as exc:
        hotels.book_hotel(
            session,
            context_for(world.me.id, clock, boss),
            hotel_id=world.cheap.id,
            checkin=day(3),
            checkout=day(4),
        )
    refused(session, exc.value, Rule.PERMISSION, "manager")
    assert session.scalar(select(func.count()).select_from(HotelBooking)) == 0


def test_racing_guests_get_the_last_room_once(session_factory: sessionmaker[Session], world):
    guests = [world.me.id]
    with session_factory() as s:
        for _ in range(3):
            guests.append(f.passenger(s).id)
        s.commit()
    barrier = threading.Barrier(len(guests))
    outcomes: list[str] = []

    def attempt(passenger_id: int) -> None:
        with session_factory() as s:
            ctx = context_for(passenger_id, FixedClock(FROZEN_NOW))
            barrier.wait()
            try:
                hotels.book_hotel(s, ctx, hotel_id=world.dear.id, checkin=day(3), checkout=day(5))
                outcomes.append("booked")
            except DomainError as err:
                outcomes.append(err.code)

    threads = [threading.Thread(target=attempt, args=(p,)) for p in guests]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outcomes) == ["booked"] + [Rule.NO_AVAILABILITY.value] * 3
    with session_factory() as s:
        count = s.scalar(
            select(func.count())
            .select_from(HotelBooking)
            .where(HotelBooking.hotel_id == world.dear.id)
        )
        assert count == 1


# --- changing -------------------------------------------------------------------------------


@pytest.fixture
def stay(session: Session, world: World) -> HotelBooking:
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


def test_change_refuses_a_cancelled_booking(session, clock, world, stay):
    stay.status = BookingStatus.CANCELLED
    session.commit()
    with pytest.raises(PolicyViolation) as exc:
        hotels.change_hotel_booking(
            session,
            context_for(world.me.id, clock),
            booking_id=stay.id,
            checkin=day(6),
            checkout=day(8),
        )
    refused(session, exc.value, Rule.BOOKING_NOT_ACTIVE, "already cancelled")


def test_change_refuses_a_companions_booking(session, clock, world):
    theirs = f.hotel_booking(session, world.companion, world.cheap, day(5), 2, created_at=BOOKED_AT)
    session.commit()
    before = booking_row(session, theirs.id)
    with pytest.raises(PolicyViolation) as exc:
        hotels.change_hotel_booking(
            session,
            context_for(world.me.id, clock),
            booking_id=theirs.id,
            checkin=day(6),
            checkout=day(8),
        )
    refused(session, exc.value, Rule.NOT_OWNER, "not Diego Alvarez's own")
    assert booking_row(session, theirs.id) == before


@pytest.mark.parametrize(
    ("booking_id", "checkin", "checkout", "words"),
    [
        (None, day(8), day(6), "must be after"),
        (None, day(-3), day(2), "in the past"),
        (None, day(5), day(40), "at most 30 nights"),
        (None, day(5), day(7), "nothing to change"),
        (424242, day(5), day(7), "no hotel booking 424242"),
    ],
)
def test_change_rejects_bad_input(
    session, clock, world, stay, booking_id, checkin, checkout, words
):
    with pytest.raises(DomainError) as exc:
        hotels.change_hotel_booking(
            session,
            context_for(world.me.id, clock),
            booking_id=booking_id or stay.id,
            checkin=checkin,
            checkout=checkout,
        )
    invalid(exc.value, words)
    assert booking_row(session, stay.id) == (
        day(5),
        day(7),
        BookingStatus.CONFIRMED,
        Decimal("240.00"),
    )


def test_manager_cannot_change(session, clock, world, stay):
    with pytest.raises(PolicyViolation) as exc:
        hotels.change_hotel_booking(
            session,
            context_for(world.me.id, clock, Actor("manager", Role.MANAGER)),
            booking_id=stay.id,
            checkin=day(6),
            checkout=day(8),
        )
    refused(session, exc.value, Rule.PERMISSION)


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


def test_cancel_exactly_24_hours_before_check_in_is_free(session, clock, world):
    b = f.hotel_booking(session, world.me, world.cheap, day(1), 1, created_at=BOOKED_AT)
    session.commit()
    clock.advance(timedelta(hours=7))  # 15:00 London, check-in tomorrow 15:00
    result = hotels.cancel_hotel_booking(session, context_for(world.me.id, clock), booking_id=b.id)
    assert result.refunded == Decimal("120.00")


def test_cancel_less_than_24_hours_before_check_in_is_refused(session, clock, world):
    b = f.hotel_booking(session, world.me, world.cheap, day(1), 1, created_at=BOOKED_AT)
    session.commit()
    clock.advance(timedelta(hours=7, seconds=1))
    before = booking_row(session, b.id)
    with pytest.raises(PolicyViolation) as exc:
        hotels.cancel_hotel_booking(session, context_for(world.me.id, clock), booking_id=b.id)
    refused(session, exc.value, Rule.BOOKING_CANCEL_WINDOW, "24 hours", "can still be changed")
    assert booking_row(session, b.id) == before
    assert payments(session, world.me) == []


def test_cancel_window_follows_the_hotels_local_time(session, clock, world):
    # Check-in tomorrow 15:00 in Singapore is 07:00 UTC; the window closed at 07:00 UTC today.
    sg = session.scalars(select(Hotel).where(Hotel.city == "Singapore")).one()
    b = f.hotel_booking(session, world.me, sg, day(1), 2, created_at=BOOKED_AT)
    session.commit()
    with pytest.raises(PolicyViolation) as exc:
        hotels.cancel_hotel_booking(session, context_for(world.me.id, clock), booking_id=b.id)
    refused(session, exc.value, Rule.BOOKING_CANCEL_WINDOW, "2026-11-27 15:00 local time")


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


def test_cancel_twice_is_refused(session, clock, world, stay):
    ctx = context_for(world.me.id, clock)
    hotels.cancel_hotel_booking(session, ctx, booking_id=stay.id)
    with pytest.raises(PolicyViolation) as exc:
        hotels.cancel_hotel_booking(session, ctx, booking_id=stay.id)
    refused(session, exc.value, Rule.BOOKING_NOT_ACTIVE, "already cancelled")
    assert [p[0] for p in payments(session, world.me)] == ["refund"]


def test_cancel_refuses_a_companions_booking(session, clock, world):
    theirs = f.hotel_booking(session, world.companion, world.cheap, day(5), 2, created_at=BOOKED_AT)
    session.commit()
    with pytest.raises(PolicyViolation) as exc:
        hotels.cancel_hotel_booking(session, context_for(world.me.id, clock), booking_id=theirs.id)
    refused(session, exc.value, Rule.NOT_OWNER, "owner")
    assert booking_row(session, theirs.id)[2] == BookingStatus.CONFIRMED
    event = last_audit(session)
    assert (
        event.action == "cancel_hotel_booking" and event.details["args"]["booking_id"] == theirs.id
    )


def test_cancel_unknown_booking_is_not_found(session, clock, world):
    with pytest.raises(NotFound) as exc:
        hotels.cancel_hotel_booking(session, context_for(world.me.id, clock), booking_id=987654)
    invalid(exc.value, "no hotel booking 987654")


def test_manager_cannot_cancel(session, clock, world, stay):
    with pytest.raises(PolicyViolation) as exc:
        hotels.cancel_hotel_booking(
            session,
            context_for(world.me.id, clock, Actor("manager", Role.MANAGER)),
            booking_id=stay.id,
        )
    refused(session, exc.value, Rule.PERMISSION)
    assert booking_row(session, stay.id)[2] == BookingStatus.CONFIRMED

"""Car rental search, booking, changes and cancellation: every rule allowed once and refused once."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from db.models import (
    AuditEvent,
    BookingStatus,
    CarRental,
    CarRentalOffer,
    Passenger,
    Payment,
    Role,
)
from services import cars
from services.clock import FixedClock
from services.context import Actor
from services.errors import DomainError, InvalidInput, NotFound, PolicyViolation, Rule
from tests import factories as f
from tests.conftest import FROZEN_NOW, context_for

D = date(2026, 11, 26)  # FROZEN_NOW is 08:00 in London: today's 09:00 pick-up is an hour away
BOOKED_AT = FROZEN_NOW - timedelta(days=20)
MANAGER = Actor("manager", Role.MANAGER)


def day(n: int) -> date:
    return D + timedelta(days=n)


@dataclass
class World:
    me: Passenger
    companion: Passenger
    cheap: CarRentalOffer
    dear: CarRentalOffer


@pytest.fixture
def world(session: Session) -> World:
    f.reference_data(session)
    w = World(
        me=f.passenger(session, name="Diego Alvarez"),
        companion=f.passenger(session, name="Ines Alvarez"),
        cheap=f.car_offer(session, city="London", price=50, units=2),
        dear=f.car_offer(session, city="London", price=90, units=1),
    )
    f.car_offer(session, city="Singapore", price=70, units=2)
    session.commit()
    return w


def last_audit(session: Session) -> AuditEvent:
    event = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert event is not None
    return event


def refused(session: Session, err: DomainError, rule: Rule, *words: str) -> None:
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


def rental_row(session: Session, rental_id: int) -> tuple[date, date, BookingStatus, Decimal]:
    session.expire_all()
    r = session.get(CarRental, rental_id)
    assert r is not None
    return r.start_date, r.end_date, r.status, r.price


def rentals(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(CarRental)) or 0


@pytest.fixture
def rental(session: Session, world: World) -> CarRental:
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
    assert rentals(session) == 1 and payments(session, world.me) == []


def test_book_with_own_second_card_and_not_someone_elses(session, clock, world):
    card = f.payment_method(session, world.me)
    session.commit()
    ctx = context_for(world.me.id, clock)
    cars.book_car_rental(
        session, ctx, offer_id=world.cheap.id, start=day(2), end=day(3), payment_method_id=card.id
    )
    assert payments(session, world.me) == [("charge", Decimal("50.00"), card.id)]
    with pytest.raises(PolicyViolation) as exc:
        cars.book_car_rental(
            session,
            ctx,
            offer_id=world.cheap.id,
            start=day(2),
            end=day(3),
            payment_method_id=world.companion.payment_methods[0].id,
        )
    refused(session, exc.value, Rule.PAYMENT_METHOD, "not one of")
    assert rentals(session) == 1


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"start": day(3), "end": day(3)}, "must be after"),
        ({"start": day(-2), "end": day(1)}, "in the past"),
        ({"start": day(1), "end": day(70)}, "at most 60 days"),
        ({"start": day(1), "end": day(2), "offer_id": 31337}, "no car rental offer 31337"),
    ],
)
def test_book_rejects_bad_input(session, clock, world, kwargs, words):
    args = {"offer_id": world.cheap.id, **kwargs}
    with pytest.raises(DomainError) as exc:
        cars.book_car_rental(session, context_for(world.me.id, clock), **args)
    invalid(exc.value, words)
    assert last_audit(session).outcome == "invalid"
    assert rentals(session) == 0


def test_manager_cannot_book(session, clock, world):
    with pytest.raises(PolicyViolation) as exc:
        cars.book_car_rental(
            session,
            context_for(world.me.id, clock, MANAGER),
            offer_id=world.cheap.id,
            start=day(2),
            end=day(3),
        )
    refused(session, exc.value, Rule.PERMISSION, "manager")
    assert rentals(session) == 0


def test_racing_renters_get_the_last_car_once(session_factory: sessionmaker[Session], world):
    renters = [world.me.id, world.companion.id]
    with session_factory() as s:
        renters += [f.passenger(s).id for _ in range(2)]
        s.commit()
    barrier = threading.Barrier(len(renters))
    outcomes: list[str] = []

    def attempt(passenger_id: int) -> None:
        with session_factory() as s:
            ctx = context_for(passenger_id, FixedClock(FROZEN_NOW))
            barrier.wait()
            try:
                cars.book_car_rental(s, ctx, offer_id=world.dear.id, start=day(2), end=day(4))
                outcomes.append("booked")
            except DomainError as err:
                outcomes.append(err.code)

    threads = [threading.Thread(target=attempt, args=(p,)) for p in renters]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outcomes) == ["booked"] + [Rule.NO_AVAILABILITY.value] * 3
    with session_factory() as s:
        assert rentals(s) == 1


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


def test_change_refuses_a_cancelled_rental(session, clock, world, rental):
    rental.status = BookingStatus.CANCELLED
    session.commit()
    with pytest.raises(PolicyViolation) as exc:
        cars.change_car_rental(
            session, context_for(world.me.id, clock), rental_id=rental.id, start=day(6), end=day(8)
        )
    refused(session, exc.value, Rule.BOOKING_NOT_ACTIVE, "already cancelled")


def test_change_refuses_a_companions_rental(session, clock, world):
    theirs = f.car_rental(session, world.companion, world.cheap, day(5), 3, created_at=BOOKED_AT)
    session.commit()
    before = rental_row(session, theirs.id)
    with pytest.raises(PolicyViolation) as exc:
        cars.change_car_rental(
            session, context_for(world.me.id, clock), rental_id=theirs.id, start=day(6), end=day(8)
        )
    refused(session, exc.value, Rule.NOT_OWNER, "owner")
    assert rental_row(session, theirs.id) == before


@pytest.mark.parametrize(
    ("rental_id", "start", "end", "words"),
    [
        (None, day(9), day(6), "must be after"),
        (None, day(-1), day(6), "in the past"),
        (None, day(5), day(66), "at most 60 days"),
        (None, day(5), day(8), "nothing to change"),
        (777777, day(5), day(8), "no car rental 777777"),
    ],
)
def test_change_rejects_bad_input(session, clock, world, rental, rental_id, start, end, words):
    with pytest.raises(DomainError) as exc:
        cars.change_car_rental(
            session,
            context_for(world.me.id, clock),
            rental_id=rental_id or rental.id,
            start=start,
            end=end,
        )
    invalid(exc.value, words)
    assert rental_row(session, rental.id) == (
        day(5),
        day(8),
        BookingStatus.CONFIRMED,
        Decimal("150.00"),
    )


def test_manager_cannot_change(session, clock, world, rental):
    with pytest.raises(PolicyViolation) as exc:
        cars.change_car_rental(
            session,
            context_for(world.me.id, clock, MANAGER),
            rental_id=rental.id,
            start=day(6),
            end=day(8),
        )
    refused(session, exc.value, Rule.PERMISSION)


# --- cancelling -----------------------------------------------------------------------------


def test_cancel_refunds_in_full_and_audits(session, clock, world, rental):
    result = cars.cancel_car_rental(session, context_for(world.me.id, clock), rental_id=rental.id)
    assert result.refunded == Decimal("150.00")
    assert (result.before["status"], result.after["status"]) == ("confirmed", "cancelled")
    assert rental_row(session, rental.id)[2] == BookingStatus.CANCELLED
    event = last_audit(session)
    assert (event.action, event.outcome) == ("cancel_car_rental", "executed")
    assert event.details["refunded"] == "150.00"


def test_cancel_at_the_24_hour_boundary(session, clock, world):
    # Pick-up tomorrow 09:00 London (09:00 UTC): free until today 09:00 UTC, refused a second later.
    first = f.car_rental(session, world.me, world.cheap, day(1), 2, created_at=BOOKED_AT)
    second = f.car_rental(session, world.me, world.cheap, day(1), 2, created_at=BOOKED_AT)
    session.commit()
    ctx = context_for(world.me.id, clock)
    clock.advance(timedelta(hours=1))
    assert cars.cancel_car_rental(session, ctx, rental_id=first.id).refunded == Decimal("100.00")
    clock.advance(timedelta(seconds=1))
    with pytest.raises(PolicyViolation) as exc:
        cars.cancel_car_rental(session, ctx, rental_id=second.id)
    refused(session, exc.value, Rule.BOOKING_CANCEL_WINDOW, "24 hours", "can still be changed")
    assert rental_row(session, second.id)[2] == BookingStatus.CONFIRMED
    assert [p[0] for p in payments(session, world.me)] == ["refund"]


def test_cancel_window_uses_the_citys_time_zone(session, clock, world):
    sg = session.scalars(select(CarRentalOffer).where(CarRentalOffer.city == "Singapore")).one()
    # Pick-up the day after tomorrow 09:00 in Singapore is 01:00 UTC: still more than 24 h away.
    ok = f.car_rental(session, world.me, sg, day(2), 2, created_at=BOOKED_AT)
    # Pick-up tomorrow 09:00 in Singapore is today 01:00 UTC + 24 h: the window has closed.
    late = f.car_rental(session, world.me, sg, day(1), 2, created_at=BOOKED_AT)
    session.commit()
    ctx = context_for(world.me.id, clock)
    cars.cancel_car_rental(session, ctx, rental_id=ok.id)
    with pytest.raises(PolicyViolation) as exc:
        cars.cancel_car_rental(session, ctx, rental_id=late.id)
    refused(session, exc.value, Rule.BOOKING_CANCEL_WINDOW, "2026-11-27 09:00 local time")


def test_cancel_after_pick_up_says_it_started(session, clock, world):
    r = f.car_rental(session, world.me, world.cheap, day(-2), 5, created_at=BOOKED_AT)
    session.commit()
    with pytest.raises(PolicyViolation) as exc:
        cars.cancel_car_rental(session, context_for(world.me.id, clock), rental_id=r.id)
    refused(session, exc.value, Rule.BOOKING_CANCEL_WINDOW, "already started")


def test_cancel_twice_is_refused(session, clock, world, rental):
    ctx = context_for(world.me.id, clock)
    cars.cancel_car_rental(session, ctx, rental_id=rental.id)
    with pytest.raises(PolicyViolation) as exc:
        cars.cancel_car_rental(session, ctx, rental_id=rental.id)
    refused(session, exc.value, Rule.BOOKING_NOT_ACTIVE)
    assert len(payments(session, world.me)) == 1


def test_cancel_refuses_a_companions_rental(session, clock, world):
    theirs = f.car_rental(session, world.companion, world.cheap, day(5), 3, created_at=BOOKED_AT)
    session.commit()
    with pytest.raises(PolicyViolation) as exc:
        cars.cancel_car_rental(session, context_for(world.me.id, clock), rental_id=theirs.id)
    refused(session, exc.value, Rule.NOT_OWNER, "Diego Alvarez")
    assert rental_row(session, theirs.id)[2] == BookingStatus.CONFIRMED


def test_cancel_unknown_rental(session, clock, world):
    with pytest.raises(NotFound) as exc:
        cars.cancel_car_rental(session, context_for(world.me.id, clock), rental_id=55555)
    invalid(exc.value, "no car rental 55555")


def test_manager_cannot_cancel(session, clock, world, rental):
    with pytest.raises(PolicyViolation) as exc:
        cars.cancel_car_rental(
            session, context_for(world.me.id, clock, MANAGER), rental_id=rental.id
        )
    refused(session, exc.value, Rule.PERMISSION)
    assert rental_row(session, rental.id)[2] == BookingStatus.CONFIRMED

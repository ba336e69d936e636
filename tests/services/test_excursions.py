"""Excursion search, booking and cancellation: every rule allowed once and refused once."""

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
    Excursion,
    ExcursionBooking,
    Passenger,
    Payment,
    Role,
)
from services import excursions
from services.clock import FixedClock
from services.context import Actor
from services.errors import DomainError, InvalidInput, NotFound, PolicyViolation, Rule
from tests import factories as f
from tests.conftest import FROZEN_NOW, context_for

D = date(2026, 11, 26)  # FROZEN_NOW is 08:00 in London: today's 09:00 tours have not left yet
BOOKED_AT = FROZEN_NOW - timedelta(days=20)
MANAGER = Actor("manager", Role.MANAGER)


def day(n: int) -> date:
    return D + timedelta(days=n)


@dataclass
class World:
    me: Passenger
    companion: Passenger
    walk: Excursion  # CHF 40, 10 places a day
    boat: Excursion  # CHF 95, 4 places a day


@pytest.fixture
def world(session: Session) -> World:
    f.reference_data(session)
    w = World(
        me=f.passenger(session, name="Diego Alvarez"),
        companion=f.passenger(session, name="Ines Alvarez"),
        walk=f.excursion(session, city="London", price=40, capacity=10),
        boat=f.excursion(session, city="London", price=95, capacity=4),
    )
    f.excursion(session, city="Singapore", price=60, capacity=20)
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


def status_of(session: Session, booking_id: int) -> BookingStatus:
    session.expire_all()
    b = session.get(ExcursionBooking, booking_id)
    assert b is not None
    return b.status


def bookings(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(ExcursionBooking)) or 0


# --- search ---------------------------------------------------------------------------------


def test_search_without_a_day_lists_every_excursion_cheapest_first(session, clock, world):
    offers = excursions.search_excursions(
        session, context_for(world.me.id, clock), city="london", participants=2
    )
    assert [o.excursion_id for o in offers] == [world.walk.id, world.boat.id]
    assert offers[0].total_price == Decimal("80.00") and offers[0].spots_left is None


def test_search_on_a_day_shows_only_excursions_with_room(session, clock, world):
    f.excursion_booking(
        session, world.companion, world.boat, day(2), created_at=BOOKED_AT, participants=3
    )
    f.excursion_booking(
        session, world.companion, world.walk, day(2), created_at=BOOKED_AT, participants=8
    )
    other_day = f.excursion_booking(
        session, world.companion, world.boat, day(3), created_at=BOOKED_AT, participants=4
    )
    cancelled = f.excursion_booking(
        session, world.companion, world.walk, day(2), created_at=BOOKED_AT, participants=2
    )
    cancelled.status = BookingStatus.CANCELLED
    session.commit()
    ctx = context_for(world.me.id, clock)
    two = excursions.search_excursions(session, ctx, city="London", day=day(2), participants=2)
    assert [(o.excursion_id, o.spots_left) for o in two] == [(world.walk.id, 2)]
    one = excursions.search_excursions(session, ctx, city="London", day=day(2))
    assert [(o.excursion_id, o.spots_left) for o in one] == [(world.walk.id, 2), (world.boat.id, 1)]
    assert other_day.date == day(3)
    assert {
        o.excursion_id
        for o in excursions.search_excursions(session, ctx, city="London", day=day(3))
    } == {world.walk.id}


def test_search_today_before_the_start_and_not_after(session, clock, world):
    ctx = context_for(world.me.id, clock)
    assert len(excursions.search_excursions(session, ctx, city="London", day=D)) == 2
    clock.advance(timedelta(hours=1))
    with pytest.raises(InvalidInput) as exc:
        excursions.search_excursions(session, ctx, city="London", day=D)
    invalid(exc.value, "already passed", f"earliest day that can be booked is {day(1)}")


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"city": "Atlantis"}, "no excursions in Atlantis"),
        ({"city": "  "}, "which city"),
        ({"city": "London", "day": day(-1)}, "already passed"),
        ({"city": "London", "participants": 0}, "between 1 and 9"),
        ({"city": "London", "participants": 10}, "between 1 and 9"),
    ],
)
def test_search_rejects_bad_input(session, clock, world, kwargs, words):
    with pytest.raises(DomainError) as exc:
        excursions.search_excursions(session, context_for(world.me.id, clock), **kwargs)
    invalid(exc.value, words)


# --- booking --------------------------------------------------------------------------------


def test_book_charges_per_participant_and_audits(session, clock, world):
    result = excursions.book_excursion(
        session,
        context_for(world.me.id, clock),
        excursion_id=world.boat.id,
        day=day(2),
        participants=3,
    )
    assert result.charged == Decimal("285.00")
    assert result.after == {
        "booking_id": result.data["booking_id"],
        "name": world.boat.name,
        "city": "London",
        "date": day(2).isoformat(),
        "participants": 3,
        "price": Decimal("285.00"),
        "status": "confirmed",
    }
    assert payments(session, world.me) == [
        ("charge", Decimal("285.00"), world.me.payment_methods[0].id)
    ]
    event = last_audit(session)
    assert (event.action, event.outcome) == ("book_excursion", "executed")
    assert event.details["after"]["participants"] == 3


def test_book_the_last_places_and_then_no_more(session, clock, world):
    f.excursion_booking(
        session, world.companion, world.boat, day(2), created_at=BOOKED_AT, participants=2
    )
    session.commit()
    ctx = context_for(world.me.id, clock)
    with pytest.raises(PolicyViolation) as exc:
        excursions.book_excursion(
            session, ctx, excursion_id=world.boat.id, day=day(2), participants=3
        )
    refused(session, exc.value, Rule.NO_AVAILABILITY, "2 free spots", "not enough for 3")
    assert bookings(session) == 1 and payments(session, world.me) == []
    excursions.book_excursion(session, ctx, excursion_id=world.boat.id, day=day(2), participants=2)
    with pytest.raises(PolicyViolation) as exc:
        excursions.book_excursion(session, ctx, excursion_id=world.boat.id, day=day(2))
    refused(session, exc.value, Rule.NO_AVAILABILITY, "0 free spots")


def test_book_nine_participants_today_is_allowed(session, clock, world):
    result = excursions.book_excursion(
        session, context_for(world.me.id, clock), excursion_id=world.walk.id, day=D, participants=9
    )
    assert result.after["participants"] == 9 and result.after["date"] == D.isoformat()


def test_book_with_own_card_only(session, clock, world):
    card = f.payment_method(session, world.me)
    session.commit()
    ctx = context_for(world.me.id, clock)
    excursions.book_excursion(
        session, ctx, excursion_id=world.walk.id, day=day(2), payment_method_id=card.id
    )
    assert payments(session, world.me) == [("charge", Decimal("40.00"), card.id)]
    with pytest.raises(PolicyViolation) as exc:
        excursions.book_excursion(
            session,
            ctx,
            excursion_id=world.walk.id,
            day=day(2),
            payment_method_id=world.companion.payment_methods[0].id,
        )
    refused(session, exc.value, Rule.PAYMENT_METHOD, "not one of")
    assert bookings(session) == 1


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"day": day(-1)}, "already passed"),
        ({"day": day(2), "participants": 0}, "between 1 and 9"),
        ({"day": day(2), "participants": 12}, "between 1 and 9"),
        ({"day": day(2), "excursion_id": 4040}, "no excursion 4040"),
        ({"day": "soon"}, "not a date"),
    ],
)
def test_book_rejects_bad_input(session, clock, world, kwargs, words):
    args = {"excursion_id": world.walk.id, **kwargs}
    with pytest.raises(DomainError) as exc:
        excursions.book_excursion(session, context_for(world.me.id, clock), **args)
    invalid(exc.value, words)
    assert last_audit(session).outcome == "invalid"
    assert bookings(session) == 0


def test_book_a_tour_that_already_left_today_is_rejected(session, clock, world):
    clock.advance(timedelta(hours=2))
    with pytest.raises(InvalidInput) as exc:
        excursions.book_excursion(
            session, context_for(world.me.id, clock), excursion_id=world.walk.id, day=D
        )
    invalid(exc.value, "already passed")


def test_manager_cannot_book(session, clock, world):
    with pytest.raises(PolicyViolation) as exc:
        excursions.book_excursion(
            session,
            context_for(world.me.id, clock, MANAGER),
            excursion_id=world.walk.id,
            day=day(2),
        )
    refused(session, exc.value, Rule.PERMISSION, "manager")
    assert bookings(session) == 0


def test_racing_parties_cannot_overfill_a_tour(session_factory: sessionmaker[Session], world):
    parties = [world.me.id, world.companion.id]
    with session_factory() as s:
        parties += [f.passenger(s).id for _ in range(2)]
        s.commit()
    barrier = threading.Barrier(len(parties))
    outcomes: list[str] = []

    def attempt(passenger_id: int) -> None:
        with session_factory() as s:
            ctx = context_for(passenger_id, FixedClock(FROZEN_NOW))
            barrier.wait()
            try:
                excursions.book_excursion(
                    s, ctx, excursion_id=world.boat.id, day=day(2), participants=3
                )
                outcomes.append("booked")
            except DomainError as err:
                outcomes.append(err.code)

    threads = [threading.Thread(target=attempt, args=(p,)) for p in parties]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outcomes) == ["booked"] + [Rule.NO_AVAILABILITY.value] * 3
    with session_factory() as s:
        assert bookings(s) == 1


# --- cancelling -----------------------------------------------------------------------------


@pytest.fixture
def tour(session: Session, world: World) -> ExcursionBooking:
    b = f.excursion_booking(
        session, world.me, world.boat, day(4), created_at=BOOKED_AT, participants=2
    )
    session.commit()
    return b


def test_cancel_refunds_in_full_and_frees_the_places(session, clock, world, tour):
    ctx = context_for(world.me.id, clock)
    result = excursions.cancel_excursion(session, ctx, booking_id=tour.id)
    assert result.refunded == Decimal("190.00")
    assert (result.before["status"], result.after["status"]) == ("confirmed", "cancelled")
    assert status_of(session, tour.id) == BookingStatus.CANCELLED
    event = last_audit(session)
    assert (event.action, event.outcome) == ("cancel_excursion", "executed")
    assert event.details["before"]["status"] == "confirmed"
    offers = excursions.search_excursions(session, ctx, city="London", day=day(4), participants=4)
    assert world.boat.id in {o.excursion_id for o in offers}


def test_cancel_at_the_24_hour_boundary(session, clock, world):
    first = f.excursion_booking(session, world.me, world.walk, day(1), created_at=BOOKED_AT)
    second = f.excursion_booking(session, world.me, world.walk, day(1), created_at=BOOKED_AT)
    session.commit()
    ctx = context_for(world.me.id, clock)
    clock.advance(timedelta(hours=1))  # tomorrow's 09:00 start is exactly 24 hours away
    excursions.cancel_excursion(session, ctx, booking_id=first.id)
    clock.advance(timedelta(seconds=1))
    with pytest.raises(PolicyViolation) as exc:
        excursions.cancel_excursion(session, ctx, booking_id=second.id)
    refused(session, exc.value, Rule.BOOKING_CANCEL_WINDOW, "24 hours", "escalate")
    assert "changed" not in exc.value.message  # excursions cannot be changed, so it is not offered
    assert status_of(session, second.id) == BookingStatus.CONFIRMED
    assert [p[0] for p in payments(session, world.me)] == ["refund"]


def test_cancel_window_uses_local_time(session, clock, world):
    sg = session.scalars(select(Excursion).where(Excursion.city == "Singapore")).one()
    b = f.excursion_booking(session, world.me, sg, day(1), created_at=BOOKED_AT)
    session.commit()
    with pytest.raises(PolicyViolation) as exc:
        excursions.cancel_excursion(session, context_for(world.me.id, clock), booking_id=b.id)
    refused(session, exc.value, Rule.BOOKING_CANCEL_WINDOW, "2026-11-27 09:00 local time")


def test_cancel_twice_is_refused(session, clock, world, tour):
    ctx = context_for(world.me.id, clock)
    excursions.cancel_excursion(session, ctx, booking_id=tour.id)
    with pytest.raises(PolicyViolation) as exc:
        excursions.cancel_excursion(session, ctx, booking_id=tour.id)
    refused(session, exc.value, Rule.BOOKING_NOT_ACTIVE, "already cancelled")
    assert len(payments(session, world.me)) == 1


def test_cancel_refuses_a_companions_booking(session, clock, world):
    theirs = f.excursion_booking(session, world.companion, world.walk, day(4), created_at=BOOKED_AT)
    session.commit()
    with pytest.raises(PolicyViolation) as exc:
        excursions.cancel_excursion(session, context_for(world.me.id, clock), booking_id=theirs.id)
    refused(session, exc.value, Rule.NOT_OWNER, "owner")
    assert status_of(session, theirs.id) == BookingStatus.CONFIRMED
    # Ines herself may cancel it.
    excursions.cancel_excursion(
        session, context_for(world.companion.id, clock), booking_id=theirs.id
    )
    assert status_of(session, theirs.id) == BookingStatus.CANCELLED


def test_cancel_unknown_booking(session, clock, world):
    with pytest.raises(NotFound) as exc:
        excursions.cancel_excursion(session, context_for(world.me.id, clock), booking_id=8080)
    invalid(exc.value, "no excursion booking 8080")


def test_manager_cannot_cancel(session, clock, world, tour):
    with pytest.raises(PolicyViolation) as exc:
        excursions.cancel_excursion(
            session, context_for(world.me.id, clock, MANAGER), booking_id=tour.id
        )
    refused(session, exc.value, Rule.PERMISSION)
    assert status_of(session, tour.id) == BookingStatus.CONFIRMED

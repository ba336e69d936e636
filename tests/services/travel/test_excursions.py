"""Excursion search, booking and cancellation: every rule allowed once and refused once
(the rules every kind of travel booking shares are in test_travel_rules)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from db.models import BookingStatus, Excursion, ExcursionBooking
from services.core.errors import DomainError, InvalidInput, PolicyViolation, Rule
from services.travel import excursions
from tests import factories as f
from tests.conftest import context_for
from tests.services.travel.travel_helpers import (
    BOOKED_AT,
    D,
    World,
    count,
    day,
    excursion_world,
    invalid,
    last_audit,
    payments,
    refused,
    reloaded,
)


@pytest.fixture
def world(session: Session) -> World[Excursion]:
    """cheap: a CHF 40 walk with 10 places a day; dear: a CHF 95 boat tour with 4."""
    return excursion_world(session)


# --- search ---------------------------------------------------------------------------------


def test_search_without_a_day_lists_every_excursion_cheapest_first(session, clock, world):
    offers = excursions.search_excursions(
        session, context_for(world.me.id, clock), city="london", participants=2
    )
    assert [o.excursion_id for o in offers] == [world.cheap.id, world.dear.id]
    assert offers[0].total_price == Decimal("80.00") and offers[0].spots_left is None


def test_search_on_a_day_shows_only_excursions_with_room(session, clock, world):
    f.excursion_booking(
        session, world.companion, world.dear, day(2), created_at=BOOKED_AT, participants=3
    )
    f.excursion_booking(
        session, world.companion, world.cheap, day(2), created_at=BOOKED_AT, participants=8
    )
    other_day = f.excursion_booking(
        session, world.companion, world.dear, day(3), created_at=BOOKED_AT, participants=4
    )
    cancelled = f.excursion_booking(
        session, world.companion, world.cheap, day(2), created_at=BOOKED_AT, participants=2
    )
    cancelled.status = BookingStatus.CANCELLED
    session.commit()
    ctx = context_for(world.me.id, clock)
    two = excursions.search_excursions(session, ctx, city="London", day=day(2), participants=2)
    assert [(o.excursion_id, o.spots_left) for o in two] == [(world.cheap.id, 2)]
    one = excursions.search_excursions(session, ctx, city="London", day=day(2))
    assert [(o.excursion_id, o.spots_left) for o in one] == [
        (world.cheap.id, 2),
        (world.dear.id, 1),
    ]
    assert other_day.date == day(3)
    assert {
        o.excursion_id
        for o in excursions.search_excursions(session, ctx, city="London", day=day(3))
    } == {world.cheap.id}


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
        excursion_id=world.dear.id,
        day=day(2),
        participants=3,
    )
    assert result.charged == Decimal("285.00")
    assert result.after == {
        "booking_id": result.data["booking_id"],
        "name": world.dear.name,
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
        session, world.companion, world.dear, day(2), created_at=BOOKED_AT, participants=2
    )
    session.commit()
    ctx = context_for(world.me.id, clock)
    with pytest.raises(PolicyViolation) as exc:
        excursions.book_excursion(
            session, ctx, excursion_id=world.dear.id, day=day(2), participants=3
        )
    refused(session, exc.value, Rule.NO_AVAILABILITY, "2 free spots", "not enough for 3")
    assert count(session, ExcursionBooking) == 1 and payments(session, world.me) == []
    excursions.book_excursion(session, ctx, excursion_id=world.dear.id, day=day(2), participants=2)
    with pytest.raises(PolicyViolation) as exc:
        excursions.book_excursion(session, ctx, excursion_id=world.dear.id, day=day(2))
    refused(session, exc.value, Rule.NO_AVAILABILITY, "0 free spots")


def test_book_nine_participants_today_is_allowed(session, clock, world):
    result = excursions.book_excursion(
        session, context_for(world.me.id, clock), excursion_id=world.cheap.id, day=D, participants=9
    )
    assert result.after["participants"] == 9 and result.after["date"] == D.isoformat()


def test_book_a_tour_that_already_left_today_is_rejected(session, clock, world):
    clock.advance(timedelta(hours=2))
    with pytest.raises(InvalidInput) as exc:
        excursions.book_excursion(
            session, context_for(world.me.id, clock), excursion_id=world.cheap.id, day=D
        )
    invalid(exc.value, "already passed")


# --- cancelling -----------------------------------------------------------------------------


@pytest.fixture
def tour(session: Session, world: World[Excursion]) -> ExcursionBooking:
    b = f.excursion_booking(
        session, world.me, world.dear, day(4), created_at=BOOKED_AT, participants=2
    )
    session.commit()
    return b


def test_cancel_refunds_in_full_and_frees_the_places(session, clock, world, tour):
    ctx = context_for(world.me.id, clock)
    result = excursions.cancel_excursion(session, ctx, booking_id=tour.id)
    assert result.refunded == Decimal("190.00")
    assert (result.before["status"], result.after["status"]) == ("confirmed", "cancelled")
    assert reloaded(session, ExcursionBooking, tour.id).status == BookingStatus.CANCELLED
    event = last_audit(session)
    assert (event.action, event.outcome) == ("cancel_excursion", "executed")
    assert event.details["before"]["status"] == "confirmed"
    offers = excursions.search_excursions(session, ctx, city="London", day=day(4), participants=4)
    assert world.dear.id in {o.excursion_id for o in offers}

"""Booking rules that are the same for hotels, car rentals and excursions, each tested allowed
and refused for every kind: the passenger's own card, who may book, valid input, the last place."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from db.models import Role
from services.core.clock import FixedClock
from services.core.context import Actor
from services.core.errors import DomainError, Rule
from tests import factories as f
from tests.conftest import FROZEN_NOW, context_for
from tests.services.travel.travel_helpers import (
    MANAGER,
    World,
    count,
    day,
    invalid,
    last_audit,
    payments,
    refused_call,
)
from tests.services.travel.travel_kinds import CAR, EXCURSION, HOTEL, Kind, case_id, every_kind


@pytest.fixture
def world(session: Session, kind: Kind) -> World[Any]:
    return kind.world(session)


# --- booking --------------------------------------------------------------------------------


@every_kind
def test_book_with_own_second_card_and_not_someone_elses(session, clock, world, kind):
    card = f.payment_method(session, world.me)
    session.commit()
    ctx = context_for(world.me.id, clock)
    kind.book(session, ctx, world.cheap, payment_method_id=card.id)
    assert payments(session, world.me) == [("charge", kind.unit_price, card.id)]
    theirs = world.companion.payment_methods[0].id
    refused_call(
        session,
        lambda: kind.book(session, ctx, world.cheap, payment_method_id=theirs),
        Rule.PAYMENT_METHOD,
        "not one of",
    )
    assert count(session, kind.model) == 1 and len(payments(session, world.me)) == 1


@every_kind
def test_book_refuses_a_passenger_without_a_card(session, clock, world, kind):
    cardless = f.passenger(session, card=False)
    session.commit()
    ctx = context_for(cardless.id, clock)
    refused_call(
        session,
        lambda: kind.book(session, ctx, world.cheap),
        Rule.PAYMENT_METHOD,
        "no payment method",
    )
    assert count(session, kind.model) == 0


@every_kind
def test_book_needs_a_selected_passenger(session, clock, world, kind):
    ctx = context_for(None, clock)
    refused_call(
        session, lambda: kind.book(session, ctx, world.cheap), Rule.NO_PASSENGER, "no passenger"
    )


@every_kind
def test_customer_login_books_only_for_itself(session, clock, world, kind):
    me = Actor("diego", Role.CUSTOMER, passenger_id=world.me.id)
    ok = kind.book(session, context_for(world.me.id, clock, me), world.cheap)
    assert ok.after["status"] == "confirmed"
    for_ines = context_for(world.companion.id, clock, me)
    refused_call(
        session,
        lambda: kind.book(session, for_ines, world.cheap),
        Rule.PERMISSION,
        "own passenger",
    )
    assert count(session, kind.model) == 1


@pytest.mark.parametrize(
    ("kind", "arguments", "words"),
    [
        (HOTEL, {"checkin": day(4), "checkout": day(2)}, "must be after"),
        (HOTEL, {"checkin": day(-2), "checkout": day(1)}, "in the past"),
        (HOTEL, {"checkin": day(1), "checkout": day(33)}, "at most 30 nights"),
        (HOTEL, {"checkin": day(1), "checkout": day(2), "guests": 0}, "between 1 and 9"),
        (HOTEL, {"hotel_id": 999_999}, "no hotel 999999"),
        (HOTEL, {"hotel_id": "abc"}, "not a hotel number"),
        (CAR, {"start": day(3), "end": day(3)}, "must be after"),
        (CAR, {"start": day(-2), "end": day(1)}, "in the past"),
        (CAR, {"start": day(1), "end": day(70)}, "at most 60 days"),
        (CAR, {"offer_id": 31337}, "no car rental offer 31337"),
        (EXCURSION, {"day": day(-1)}, "already passed"),
        (EXCURSION, {"participants": 0}, "between 1 and 9"),
        (EXCURSION, {"participants": 12}, "between 1 and 9"),
        (EXCURSION, {"excursion_id": 4040}, "no excursion 4040"),
        (EXCURSION, {"day": "soon"}, "not a date"),
    ],
    ids=case_id,
)
def test_book_rejects_bad_input_with_a_clear_message(session, clock, world, kind, arguments, words):
    with pytest.raises(DomainError) as exc:
        kind.book(session, context_for(world.me.id, clock), world.cheap, **arguments)
    invalid(exc.value, words)
    assert last_audit(session).outcome == "invalid"
    assert count(session, kind.model) == 0


@every_kind
def test_manager_cannot_book(session, clock, world, kind):
    ctx = context_for(world.me.id, clock, MANAGER)
    refused_call(session, lambda: kind.book(session, ctx, world.cheap), Rule.PERMISSION, "manager")
    assert count(session, kind.model) == 0


@every_kind
def test_racing_bookers_get_the_last_place_once(
    session_factory: sessionmaker[Session], world, kind
):
    bookers = [world.me.id, world.companion.id]
    with session_factory() as s:
        bookers += [f.passenger(s).id for _ in range(2)]
        s.commit()
    barrier = threading.Barrier(len(bookers))
    outcomes: list[str] = []

    def attempt(passenger_id: int) -> None:
        with session_factory() as s:
            ctx = context_for(passenger_id, FixedClock(FROZEN_NOW))
            barrier.wait()
            try:
                kind.book(s, ctx, world.dear, **kind.fill_dear)
                outcomes.append("booked")
            except DomainError as err:
                outcomes.append(err.code)

    threads = [threading.Thread(target=attempt, args=(p,)) for p in bookers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outcomes) == ["booked"] + [Rule.NO_AVAILABILITY.value] * 3
    with session_factory() as s:
        assert count(s, kind.model) == 1

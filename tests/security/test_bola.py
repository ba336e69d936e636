"""Another passenger's records through a compromised model: a foreign ticket or booking and one
that does not exist get the same answer (type, rule and text), for reads and writes alike, so
probing numbers tells nothing about which ones are real."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from db.models import CarRentalOffer, Excursion, Passenger
from services.core.clock import FixedClock
from tests import factories as f
from tests.agent.conftest import World, audits, day

MISSING_TICKET = "7249999999999"
MISSING_ID = 987654

Args = Callable[[Any], dict[str, Any]]


def _foreign_car_rental(session: Session, world: World, clock: FixedClock) -> int:
    other = session.get_one(Passenger, world.other)
    offer = session.get_one(CarRentalOffer, world.car_offer)
    rental = f.car_rental(
        session, other, offer, day(12), 2, created_at=clock.now() - timedelta(days=30)
    )
    session.commit()
    return rental.id


def _foreign_excursion(session: Session, world: World, clock: FixedClock) -> int:
    other = session.get_one(Passenger, world.other)
    excursion = session.get_one(Excursion, world.excursion)
    booking = f.excursion_booking(
        session, other, excursion, day(12), created_at=clock.now() - timedelta(days=30)
    )
    session.commit()
    return booking.id


TICKET_CALLS: list[tuple[str, Args]] = [
    ("quote_cancellation", lambda t: {"ticket_no": t}),
    ("disruption_options", lambda t: {"ticket_no": t}),
    ("quote_flight_change", lambda t: {"ticket_no": t, "new_flight_ids": [2]}),
    ("cancel_ticket", lambda t: {"ticket_no": t}),
    ("change_flight", lambda t: {"ticket_no": t, "new_flight_ids": [2]}),
    ("request_compensation", lambda t: {"ticket_no": t}),
]
BOOKING_CALLS: list[tuple[str, str, Args]] = [
    ("hotel", "cancel_hotel_booking", lambda b: {"booking_id": b}),
    (
        "hotel",
        "change_hotel_booking",
        lambda b: {
            "booking_id": b,
            "checkin": day(20).isoformat(),
            "checkout": day(22).isoformat(),
        },
    ),
    ("car", "cancel_car_rental", lambda b: {"rental_id": b}),
    (
        "car",
        "change_car_rental",
        lambda b: {"rental_id": b, "start": day(20).isoformat(), "end": day(22).isoformat()},
    ),
    ("excursion", "cancel_excursion", lambda b: {"booking_id": b}),
]


def _answer(attack, tool: str, args: dict[str, Any], number: object) -> tuple[str, str, str]:
    result = attack([(tool, args)])
    assert not result.cards, "a foreign or missing record must never reach an approval card"
    [finished] = result.finished
    return finished.status, finished.rule or "", finished.content.replace(str(number), "<n>")


@pytest.mark.parametrize(("tool", "args"), TICKET_CALLS, ids=[t for t, _ in TICKET_CALLS])
def test_a_foreign_and_a_missing_ticket_answer_alike(
    attack, world: World, session: Session, tool: str, args: Args
) -> None:
    foreign = _answer(attack, tool, args(world.other_ticket), world.other_ticket)
    missing = _answer(attack, tool, args(MISSING_TICKET), MISSING_TICKET)
    assert foreign == missing
    assert foreign[0] == "refused" and "Olga" not in foreign[2]
    # The audit trail cannot tell them apart either (beyond the number itself).
    refusals = [(e.outcome, e.rule, e.message) for e in audits(session, action=tool)]
    if refusals:
        first, second = refusals[-2:]
        assert first[:2] == second[:2]
        assert first[2] is not None and second[2] is not None
        assert first[2].replace(world.other_ticket, "<n>") == second[2].replace(
            MISSING_TICKET, "<n>"
        )


@pytest.mark.parametrize(
    ("kind", "tool", "args"), BOOKING_CALLS, ids=[t for _, t, _ in BOOKING_CALLS]
)
def test_a_foreign_and_a_missing_booking_answer_alike(
    attack, world: World, session: Session, clock: FixedClock, kind: str, tool: str, args: Args
) -> None:
    theirs = {
        "hotel": lambda: world.other_hotel_booking,
        "car": lambda: _foreign_car_rental(session, world, clock),
        "excursion": lambda: _foreign_excursion(session, world, clock),
    }[kind]()
    foreign = _answer(attack, tool, args(theirs), theirs)
    missing = _answer(attack, tool, args(MISSING_ID), MISSING_ID)
    assert foreign == missing
    assert foreign[0] == "refused"

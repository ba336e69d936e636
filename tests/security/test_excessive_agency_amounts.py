"""A price that changes between the approval card and the click is never charged unapproved."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from db.models import CarRentalOffer, Excursion, Flight, Hotel, HotelBooking, Payment
from tests.agent.conftest import audits, day


def test_hotel_rate_raised_after_the_card_is_refused_in_the_write(attack, world, session) -> None:
    args = {
        "hotel_id": world.hotel,
        "checkin": day(20).isoformat(),
        "checkout": day(23).isoformat(),
        "guests": 1,
    }
    result = attack([("book_hotel", args)])
    assert result.cards[0].request.charge == Decimal("450.00")  # 3 nights at CHF 150, from the DB
    session.rollback()
    session.get(Hotel, world.hotel).price_per_night = Decimal(450)  # the rate triples
    session.commit()
    payments = session.scalar(select(func.count()).select_from(Payment))
    result.approve_all()
    outcome = result.finished[-1]
    assert outcome.status == "refused" and outcome.rule == "price_changed_since_approval"
    assert "from CHF 450.00 to CHF 1350.00" in outcome.content
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Payment)) == payments
    assert session.scalar(select(func.count()).where(HotelBooking.checkin == day(20))) == 0
    assert audits(session, action="book_hotel", outcome="refused")


def _raise_car(session, world) -> None:
    session.get(CarRentalOffer, world.car_offer).price_per_day *= 3


def _raise_excursion(session, world) -> None:
    session.get(Excursion, world.excursion).price *= 3


def _raise_later_flight(session, world) -> None:
    session.get(Flight, world.later).base_price *= 3


@pytest.mark.parametrize(
    ("tool", "args", "raise_price"),
    [
        (
            "book_car_rental",
            lambda w: {"offer_id": w.car_offer, "start": day(20), "end": day(23)},
            _raise_car,
        ),
        (
            "book_excursion",
            lambda w: {"excursion_id": w.excursion, "day": day(20), "participants": 2},
            _raise_excursion,
        ),
        (
            "change_flight",
            lambda w: {"ticket_no": w.ticket, "new_flight_ids": [w.later]},
            _raise_later_flight,
        ),
        ("book_flight", lambda w: {"flight_ids": [w.later], "fare": "Flex"}, _raise_later_flight),
    ],
)
def test_price_raised_after_the_card_is_refused_in_the_write(
    attack, world, session, tool, args, raise_price
) -> None:
    payload = {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in args(world).items()}
    result = attack([(tool, payload)])
    shown = result.cards[0].request.charge
    assert shown is not None and shown > 0
    session.rollback()
    raise_price(session, world)
    session.commit()
    payments = session.scalar(select(func.count()).select_from(Payment))
    result.approve_all()
    outcome = result.finished[-1]
    assert outcome.status == "refused" and outcome.rule == "price_changed_since_approval"
    assert f"from CHF {shown:.2f}" in outcome.content
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Payment)) == payments
    assert audits(session, action=tool, outcome="refused")

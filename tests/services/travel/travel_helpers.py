"""What the hotel, car and excursion service tests share: the frozen day, a world of two
passengers and three offers of one kind, and checks for refusals, input errors and payments."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Generic, TypeVar

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import (
    AuditEvent,
    CarRental,
    CarRentalOffer,
    Excursion,
    ExcursionBooking,
    Hotel,
    HotelBooking,
    Passenger,
    Payment,
    Role,
)
from services.core.context import Actor
from services.core.errors import DomainError, InvalidInput, NotFound, PolicyViolation, Rule
from tests import factories as f
from tests.conftest import FROZEN_NOW

# FROZEN_NOW's date: 08:00 in London, so today's 09:00 pick-ups and tours have not started yet
# and today's 15:00 check-in is seven hours away.
D = date(2026, 11, 26)
BOOKED_AT = FROZEN_NOW - timedelta(days=20)
MANAGER = Actor("manager", Role.MANAGER)

Offer = TypeVar("Offer", Hotel, CarRentalOffer, Excursion)
Booking = TypeVar("Booking", HotelBooking, CarRental, ExcursionBooking)


def day(n: int) -> date:
    return D + timedelta(days=n)


@dataclass
class World(Generic[Offer]):
    me: Passenger  # Diego, whom the agent is helping
    companion: Passenger  # Ines: travels with Diego, but her bookings are not his
    cheap: Offer  # in London
    dear: Offer  # in London, with the least room: for "nothing free" and races
    abroad: Offer  # in Singapore, for windows that follow the local time


def make_world(
    session: Session,
    offer: Callable[..., Offer],
    capacity: str,
    *,
    cheap: tuple[int, int],
    dear: tuple[int, int],
    abroad: tuple[int, int],
) -> World[Offer]:
    """Diego, Ines and three offers, each given as (price, capacity); `capacity` names the
    factory's argument for it (rooms, cars or places a day)."""
    f.reference_data(session)

    def one(city: str, price_and_capacity: tuple[int, int]) -> Offer:
        price, room = price_and_capacity
        return offer(session, city=city, price=price, **{capacity: room})

    world = World(
        me=f.passenger(session, name="Diego Alvarez"),
        companion=f.passenger(session, name="Ines Alvarez"),
        cheap=one("London", cheap),
        dear=one("London", dear),
        abroad=one("Singapore", abroad),
    )
    session.commit()
    return world


def hotel_world(session: Session) -> World[Hotel]:
    return make_world(session, f.hotel, "rooms", cheap=(120, 2), dear=(300, 1), abroad=(200, 3))


def car_world(session: Session) -> World[CarRentalOffer]:
    return make_world(session, f.car_offer, "units", cheap=(50, 2), dear=(90, 1), abroad=(70, 2))


def excursion_world(session: Session) -> World[Excursion]:
    """cheap: a CHF 40 walk with 10 places a day; dear: a CHF 95 boat tour with 4."""
    return make_world(
        session, f.excursion, "capacity", cheap=(40, 10), dear=(95, 4), abroad=(60, 20)
    )


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


def refused_call(session: Session, call: Callable[[], object], rule: Rule, *words: str) -> str:
    """Run a request that must be refused under `rule`; returns the refusal's message."""
    with pytest.raises(PolicyViolation) as exc:
        call()
    refused(session, exc.value, rule, *words)
    return exc.value.message


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


def reloaded(session: Session, model: type[Booking], booking_id: int) -> Booking:
    """The booking as the database has it now, not as this session last saw it."""
    session.expire_all()
    booking = session.get(model, booking_id)
    assert booking is not None
    return booking


def columns(session: Session, model: type[Booking], booking_id: int) -> dict[str, Any]:
    """Every stored field of a booking, to show that a refused request changed nothing."""
    booking = reloaded(session, model, booking_id)
    return {c.key: getattr(booking, c.key) for c in model.__table__.columns}


def count(session: Session, model: type[Booking]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0

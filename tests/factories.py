"""Factories on the real data layer: each builds rows through the ORM and flushes them."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from db.models import (
    Aircraft,
    AircraftType,
    Airport,
    Booking,
    BookingStatus,
    Cabin,
    CarRental,
    CarRentalOffer,
    Excursion,
    ExcursionBooking,
    Fare,
    Flight,
    FlightStatus,
    Hotel,
    HotelBooking,
    LegStatus,
    Passenger,
    PaymentMethod,
    Role,
    Seat,
    SeatAssignment,
    Ticket,
    TicketLeg,
    TicketStatus,
    Tier,
    User,
)
from services.core.context import Actor
from services.payments.pricing import cabin_for_fare, fare_price
from world.schedule import ANNOUNCED_BEFORE_DEPARTURE as DISRUPTION_ANNOUNCED_BEFORE

_counter = itertools.count(1)


def eu261_chf(eur: int | str) -> Decimal:
    """An EU 261/2004 amount in euros as paid in CHF at the configured rate."""
    from config import get_settings
    from services.disruptions.eu261 import to_chf

    return to_chf(Decimal(eur), get_settings().eur_chf_rate)


AIRPORTS = {
    "ZRH": ("Zurich Airport", "Zurich", "Switzerland", "Europe/Zurich", 47.46, 8.55),
    "GVA": ("Geneva Airport", "Geneva", "Switzerland", "Europe/Zurich", 46.24, 6.11),
    "LHR": ("Heathrow Airport", "London", "United Kingdom", "Europe/London", 51.47, -0.45),
    "FRA": ("Frankfurt Airport", "Frankfurt", "Germany", "Europe/Berlin", 50.04, 8.56),
    "SIN": ("Changi Airport", "Singapore", "Singapore", "Asia/Singapore", 1.36, 103.99),
    "BCN": ("Barcelona-El Prat Airport", "Barcelona", "Spain", "Europe/Madrid", 41.30, 2.08),
}


def reference_data(session: Session, *, economy_seats: int = 6, business_seats: int = 2) -> None:
    """A few airports and one small aircraft whose seats are easy to fill in a test."""
    for code, (name, city, country, tz, lat, lon) in AIRPORTS.items():
        session.add(
            Airport(
                code=code,
                name=name,
                city=city,
                country=country,
                timezone=tz,
                latitude=lat,
                longitude=lon,
            )
        )
    kind = AircraftType(
        code="T8", name="Test jet", business_seats=business_seats, economy_seats=economy_seats
    )
    session.add(kind)
    rows = [(Cabin.BUSINESS, business_seats), (Cabin.ECONOMY, economy_seats)]
    row_no = 1
    for cabin, count in rows:
        for i in range(count):
            session.add(
                Seat(
                    aircraft_type_code="T8", seat_no=f"{row_no + i // 2}{'AC'[i % 2]}", cabin=cabin
                )
            )
        row_no += (count + 1) // 2
    session.add(Aircraft(registration="HB-TST", type_code="T8"))
    session.flush()


def flight(
    session: Session,
    origin: str,
    destination: str,
    departs: datetime,
    *,
    hours: float = 1.5,
    status: FlightStatus = FlightStatus.SCHEDULED,
    base_price: Decimal | int = 200,
    delay: timedelta | None = None,
    flight_no: str | None = None,
    disrupted_at: datetime | None = None,
) -> Flight:
    """A flight; a delayed or cancelled one is announced `disrupted_at`, by default 6 hours
    before departure like the demo world (pass it to test a ticket bought after the news)."""
    status = FlightStatus.DELAYED if delay and status == FlightStatus.SCHEDULED else status
    if disrupted_at is None and status in (FlightStatus.DELAYED, FlightStatus.CANCELLED):
        disrupted_at = departs - DISRUPTION_ANNOUNCED_BEFORE
    f = Flight(
        flight_no=flight_no or f"AL {100 + next(_counter)}",
        origin=origin,
        destination=destination,
        aircraft_registration="HB-TST",
        scheduled_departure=departs,
        scheduled_arrival=departs + timedelta(hours=hours),
        estimated_departure=departs + delay if delay else None,
        estimated_arrival=departs + timedelta(hours=hours) + delay if delay else None,
        status=status,
        disrupted_at=disrupted_at,
        base_price=Decimal(base_price),
    )
    session.add(f)
    session.flush()
    return f


def user(
    session: Session, name: str, role: Role, *, at: datetime, passenger_id: int | None = None
) -> Actor:
    """A desk account (password "x", never used to sign in) and the actor it acts as."""
    row = User(
        username=name,
        name=name.title(),
        email=f"{name}@skydesk.example",
        password_hash="x",
        role=role,
        passenger_id=passenger_id,
        disabled=False,
        created_at=at,
    )
    session.add(row)
    session.flush()
    return Actor(row.username, row.role, row.id, passenger_id)


def passenger(
    session: Session, *, tier: Tier = Tier.REGULAR, name: str | None = None, card: bool = True
) -> Passenger:
    n = next(_counter)
    first, last = (name or f"Pat Tester{n}").split(" ", 1)
    p = Passenger(
        first_name=first,
        last_name=last,
        email=f"p{n}@example.com",
        phone="+41 44 000 00 00",
        tier=tier,
    )
    session.add(p)
    session.flush()
    if card:
        session.add(PaymentMethod(passenger_id=p.id, brand="Visa", last4="4242", expiry="2029-12"))
        session.flush()
    return p


def ticket(
    session: Session,
    owner: Passenger,
    flights: list[Flight],
    *,
    fare: Fare = Fare.CLASSIC,
    issued_at: datetime,
    booking: Booking | None = None,
) -> Ticket:
    n = next(_counter)
    if booking is None:
        booking = Booking(
            reference=f"T{n:05d}", created_at=issued_at, booked_by_passenger_id=owner.id
        )
        session.add(booking)
        session.flush()
    cabin = cabin_for_fare(fare)
    t = Ticket(
        ticket_no=f"724{n:010d}",
        booking_id=booking.id,
        passenger_id=owner.id,
        fare=fare,
        cabin=cabin,
        status=TicketStatus.ACTIVE,
        issued_at=issued_at,
        payment_method_id=owner.payment_methods[0].id if owner.payment_methods else None,
    )
    session.add(t)
    session.flush()
    for seq, f in enumerate(flights, start=1):
        leg = TicketLeg(
            ticket_id=t.id,
            flight_id=f.id,
            sequence=seq,
            fare=fare,
            cabin=cabin,
            price_paid=fare_price(f.base_price, fare),
            status=LegStatus.ACTIVE,
            booked_at=issued_at,
        )
        session.add(leg)
        session.flush()
        taken = {a.seat_id for a in session.query(SeatAssignment).filter_by(flight_id=f.id)}
        seat = (
            session.query(Seat)
            .filter(
                Seat.aircraft_type_code == "T8", Seat.cabin == cabin, Seat.id.not_in(taken or {0})
            )
            .order_by(Seat.id)
            .first()
        )
        assert seat is not None, "test aircraft is full"
        session.add(SeatAssignment(flight_id=f.id, seat_id=seat.id, ticket_leg_id=leg.id))
    session.flush()
    session.refresh(t)
    return t


def fill(
    session: Session,
    f: Flight,
    *,
    leave: int = 0,
    cabin: Cabin = Cabin.ECONOMY,
    issued_at: datetime,
) -> None:
    """Sell the flight's cabin until `leave` seats are left."""
    fare = Fare.BUSINESS if cabin == Cabin.BUSINESS else Fare.CLASSIC
    capacity = session.query(Seat).filter_by(aircraft_type_code="T8", cabin=cabin).count()
    taken = (
        session.query(SeatAssignment)
        .join(Seat)
        .filter(SeatAssignment.flight_id == f.id, Seat.cabin == cabin)
        .count()
    )
    for _ in range(capacity - taken - leave):
        ticket(session, passenger(session, card=False), [f], fare=fare, issued_at=issued_at)


def hotel(session: Session, *, city: str = "London", price: int = 150, rooms: int = 5) -> Hotel:
    h = Hotel(
        name=f"Hotel {next(_counter)}",
        city=city,
        stars=4,
        price_per_night=Decimal(price),
        rooms=rooms,
    )
    session.add(h)
    session.flush()
    return h


def hotel_booking(
    session: Session,
    owner: Passenger,
    h: Hotel,
    checkin: date,
    nights: int,
    *,
    created_at: datetime,
) -> HotelBooking:
    b = HotelBooking(
        passenger_id=owner.id,
        hotel_id=h.id,
        checkin=checkin,
        checkout=checkin + timedelta(days=nights),
        guests=1,
        price=h.price_per_night * nights,
        status=BookingStatus.CONFIRMED,
        created_at=created_at,
    )
    session.add(b)
    session.flush()
    return b


def car_offer(
    session: Session, *, city: str = "London", price: int = 60, units: int = 3
) -> CarRentalOffer:
    o = CarRentalOffer(
        company="Alpcar",
        city=city,
        car_class="Compact",
        model="VW Golf",
        price_per_day=Decimal(price),
        units=units,
    )
    session.add(o)
    session.flush()
    return o


def car_rental(
    session: Session,
    owner: Passenger,
    o: CarRentalOffer,
    start: date,
    days: int,
    *,
    created_at: datetime,
) -> CarRental:
    r = CarRental(
        passenger_id=owner.id,
        offer_id=o.id,
        start_date=start,
        end_date=start + timedelta(days=days),
        price=o.price_per_day * days,
        status=BookingStatus.CONFIRMED,
        created_at=created_at,
    )
    session.add(r)
    session.flush()
    return r


def excursion(
    session: Session, *, city: str = "London", price: int = 80, capacity: int = 10
) -> Excursion:
    e = Excursion(
        name=f"Tour {next(_counter)}",
        city=city,
        description="A walk.",
        price=Decimal(price),
        duration_hours=3.0,
        capacity=capacity,
    )
    session.add(e)
    session.flush()
    return e


def excursion_booking(
    session: Session,
    owner: Passenger,
    e: Excursion,
    day: date,
    *,
    created_at: datetime,
    participants: int = 1,
) -> ExcursionBooking:
    b = ExcursionBooking(
        passenger_id=owner.id,
        excursion_id=e.id,
        date=day,
        participants=participants,
        price=e.price * participants,
        status=BookingStatus.CONFIRMED,
        created_at=created_at,
    )
    session.add(b)
    session.flush()
    return b


def payment_method(session: Session, owner: Passenger, *, last4: str = "1111") -> PaymentMethod:
    """Another card on the passenger's file."""
    m = PaymentMethod(passenger_id=owner.id, brand="Mastercard", last4=last4, expiry="2030-06")
    session.add(m)
    session.flush()
    session.refresh(owner)
    return m


OPS_ADMIN = Actor("ops-admin", Role.ADMIN)


def disrupt(session: Session, clock: Any, flight: Flight, **kwargs: Any) -> None:
    """Disrupt `flight` as an administrator at `clock` (services.disruptions.disrupt_flight:
    kind, cause, delay_minutes, ...)."""
    from services.core.context import ServiceContext
    from services.disruptions import disrupt_flight

    disrupt_flight(session, ServiceContext(OPS_ADMIN, clock=clock), flight_id=flight.id, **kwargs)

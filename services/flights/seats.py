"""Taking and releasing seats. The flight row lock (PostgreSQL) or the write lock (SQLite)
serialises racing buyers; the unique (flight, seat) key is the last line of defence."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from db.models import Cabin, Flight, Seat, SeatAssignment, TicketLeg
from services.core.errors import PolicyViolation, Rule


def assign_seat(session: Session, flight: Flight, leg: TicketLeg, cabin: Cabin) -> Seat:
    """Give the leg the first free seat of its cabin, under the flight's row lock.

    Callers lock their flights up front in id order (flights.load_flights(lock=True)); taking
    the lock here again costs nothing then, and keeps a new caller that forgot it from racing."""
    session.scalars(select(Flight.id).where(Flight.id == flight.id).with_for_update()).all()
    taken = select(SeatAssignment.seat_id).where(SeatAssignment.flight_id == flight.id)
    seat = session.scalars(
        select(Seat)
        .where(
            Seat.aircraft_type_code == flight.aircraft.type_code,
            Seat.cabin == cabin,
            Seat.id.not_in(taken),
        )
        .order_by(Seat.id)
        .limit(1)
    ).first()
    if seat is None:
        local_day = flight.scheduled_departure.date().isoformat()
        raise PolicyViolation(
            Rule.NO_SEAT,
            f"No free {cabin.value} seat is left on {flight.flight_no} on {local_day}.",
        )
    session.add(SeatAssignment(flight_id=flight.id, seat_id=seat.id, ticket_leg_id=leg.id))
    return seat


def release_seats(session: Session, legs: list[TicketLeg]) -> None:
    """Free the legs' seats; the caller holds the ticket's and its legs' locks
    (access.owned_ticket in a write), so no racing write releases or re-assigns them."""
    ids = [leg.id for leg in legs]
    if ids:
        session.execute(delete(SeatAssignment).where(SeatAssignment.ticket_leg_id.in_(ids)))

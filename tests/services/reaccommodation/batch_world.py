"""A cancelled flight with booking groups on it and later flights on its route, for the
re-accommodation batch's tests (tests/services/reaccommodation/test_batch*.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import (
    AuditEvent,
    Booking,
    Flight,
    LegStatus,
    OutboxMessage,
    Role,
    Seat,
    SeatAssignment,
    Ticket,
    TicketLeg,
)
from services.core.clock import FixedClock
from services.core.context import Actor, ServiceContext
from services.disruptions import disrupt_flight
from services.reaccommodation.batch_types import Action, Batch, RowDecision
from tests import factories as f

DAY = timedelta(days=1)
ADMIN = Actor("ops-admin", Role.ADMIN)
APPROVER = Actor("anna", Role.AGENT)


@dataclass(frozen=True)
class World:
    cancelled: int
    later: list[int]  # later flights on the route, earliest first
    groups: list[tuple[str, ...]]  # ticket numbers per booking, as the planner groups them
    passengers: dict[str, int]  # ticket number -> passenger id


def build(
    session: Session,
    clock: FixedClock,
    *,
    group_sizes: tuple[int, ...] = (2, 1, 3),
    later_flights: int = 2,
    seats: int = 12,
) -> World:
    """Booking groups of `group_sizes` on a ZRH-LHR flight in two days, cancelled for a crew
    shortage, and `later_flights` flights on the route a day apart after it."""
    f.reference_data(session, economy_seats=seats)
    issued = clock.now() - 30 * DAY
    departs = clock.now() + 2 * DAY
    gone = f.flight(session, "ZRH", "LHR", departs)
    later = [
        f.flight(session, "ZRH", "LHR", departs + (i + 1) * DAY).id for i in range(later_flights)
    ]
    groups: list[tuple[str, ...]] = []
    passengers: dict[str, int] = {}
    for size in group_sizes:
        members = [f.passenger(session) for _ in range(size)]
        booking = Booking(
            reference=f"G{len(groups):05d}", created_at=issued,
            booked_by_passenger_id=members[0].id,
        )  # fmt: skip
        session.add(booking)
        session.flush()
        numbers = []
        for member in members:
            ticket = f.ticket(session, member, [gone], issued_at=issued, booking=booking)
            numbers.append(ticket.ticket_no)
            passengers[ticket.ticket_no] = member.id
        groups.append(tuple(numbers))
    session.commit()
    disrupt_flight(
        session, ServiceContext(ADMIN, clock=clock), flight_id=gone.id, kind="cancelled",
        cause="crew",
    )  # fmt: skip
    return World(gone.id, later, groups, passengers)


def rebook_all(world: World, batch_id: str = "batch-1", to: int = 0) -> Batch:
    rows = tuple(RowDecision(group, Action.REBOOK, (world.later[to],)) for group in world.groups)
    return Batch(batch_id, world.cancelled, rows)


def staff(clock: FixedClock, actor: Actor = APPROVER) -> ServiceContext:
    return ServiceContext(actor, clock=clock)


def active_flights(session: Session, ticket_no: str) -> list[int]:
    return list(
        session.scalars(
            select(TicketLeg.flight_id)
            .join(Ticket, Ticket.id == TicketLeg.ticket_id)
            .where(Ticket.ticket_no == ticket_no, TicketLeg.status == LegStatus.ACTIVE)
            .order_by(TicketLeg.sequence)
        )
    )


def executed_records(session: Session, action: str) -> dict[str, int]:
    """Executed audit records of `action` per ticket number."""
    counts: dict[str, int] = {}
    for details in session.scalars(
        select(AuditEvent.details).where(
            AuditEvent.action == action, AuditEvent.outcome == "executed"
        )
    ):
        number = details["args"]["ticket_no"]
        counts[number] = counts.get(number, 0) + 1
    return counts


def notices(session: Session) -> dict[str, int]:
    rows = session.execute(
        select(OutboxMessage.ticket_no, func.count()).group_by(OutboxMessage.ticket_no)
    ).all()
    return {str(no): n for no, n in rows}


def oversold(session: Session) -> list[str]:
    """Flights holding more seats of a cabin than their aircraft has."""
    found = []
    for flight in session.scalars(select(Flight)):
        capacity = dict(
            session.execute(
                select(Seat.cabin, func.count())
                .where(Seat.aircraft_type_code == flight.aircraft.type_code)
                .group_by(Seat.cabin)
            ).all()
        )
        taken = session.execute(
            select(Seat.cabin, func.count())
            .join(SeatAssignment, SeatAssignment.seat_id == Seat.id)
            .where(SeatAssignment.flight_id == flight.id)
            .group_by(Seat.cabin)
        ).all()
        found += [
            f"{flight.flight_no}: {n} {cabin} seats of {capacity.get(cabin, 0)}"
            for cabin, n in taken
            if n > capacity.get(cabin, 0)
        ]
    return found


def free_economy(session: Session, flight_id: int) -> int:
    flight = session.get_one(Flight, flight_id)
    capacity = session.scalar(
        select(func.count()).where(
            Seat.aircraft_type_code == flight.aircraft.type_code, Seat.cabin == "economy"
        )
    )
    taken = session.scalar(
        select(func.count())
        .select_from(SeatAssignment)
        .join(Seat, Seat.id == SeatAssignment.seat_id)
        .where(SeatAssignment.flight_id == flight_id, Seat.cabin == "economy")
    )
    return int(capacity or 0) - int(taken or 0)

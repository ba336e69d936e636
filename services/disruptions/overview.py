"""What the Disruptions desk page reads: the disrupted flights with how many passengers and
parties each affects (`disrupted_flights`), and the itineraries that fit a whole party
(`party_options`, what a row can be moved to and what a failed row is re-planned with).

Staff only, read-only; the list is two set-based queries whatever the number of flights."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from db.models import Disruption, Flight, Ticket, TicketLeg
from db.models.enums import DisruptionCause, FlightStatus, LegStatus, TicketStatus
from services.core.context import ServiceContext
from services.core.errors import InvalidInput
from services.core.operations import operation
from services.disruptions.causes import CAUSE_WORDS
from services.disruptions.plan_types import Itinerary
from services.disruptions.planner import options_for_ticket
from services.disruptions.priorities import require_staff
from services.disruptions.records import describe

DISRUPTED = (FlightStatus.CANCELLED, FlightStatus.DELAYED)
MAX_FLIGHTS = 200  # a storm on the large world stays readable (the earliest first)


@dataclass(frozen=True)
class DisruptedFlight:
    flight_id: int
    label: str  # "AL 102 ZRH-LHR 2026-11-30 07:10" (local departure)
    flight_no: str
    origin: str
    destination: str
    scheduled_departure: datetime
    status: FlightStatus
    delay_minutes: int | None  # a delay's minutes after the scheduled departure
    new_departure: datetime | None
    cause: DisruptionCause | None  # None: disrupted before records existed
    cause_text: str  # "crew availability"
    extraordinary: bool | None  # EU 261/2004 Art. 5(3); None without a record
    announced_at: datetime | None
    passengers: int  # active tickets with an active leg on the flight
    parties: int  # the bookings those tickets belong to


@operation("disrupted_flights", write=False)
def disrupted_flights(
    session: Session, ctx: ServiceContext, *, since: datetime, until: datetime | None = None
) -> list[DisruptedFlight]:
    """Cancelled and delayed flights departing (as scheduled) from `since` on, earliest first,
    with the passengers and parties each affects and its recorded cause."""
    require_staff(ctx)
    query = (
        select(Flight, Disruption)
        .outerjoin(Disruption, Disruption.flight_id == Flight.id)
        .where(Flight.status.in_(DISRUPTED), Flight.scheduled_departure >= since)
        .options(joinedload(Flight.origin_airport))
        .order_by(Flight.scheduled_departure, Flight.id)
        .limit(MAX_FLIGHTS)
    )
    if until is not None:
        query = query.where(Flight.scheduled_departure < until)
    found = list(session.execute(query))
    counts = _counts(session, [flight.id for flight, _ in found])
    rows = []
    for flight, record in found:
        passengers, parties = counts.get(flight.id, (0, 0))
        rows.append(
            DisruptedFlight(
                flight_id=flight.id,
                label=describe(flight),
                flight_no=flight.flight_no,
                origin=flight.origin,
                destination=flight.destination,
                scheduled_departure=flight.scheduled_departure,
                status=flight.status,
                delay_minutes=record.delay_minutes if record else None,
                new_departure=flight.estimated_departure,
                cause=record.cause if record else None,
                cause_text=CAUSE_WORDS[record.cause] if record else "not recorded",
                extraordinary=record.extraordinary if record else None,
                announced_at=record.announced_at if record else flight.disrupted_at,
                passengers=passengers,
                parties=parties,
            )
        )
    return rows


def _counts(session: Session, flight_ids: list[int]) -> dict[int, tuple[int, int]]:
    """flight id -> (passengers, parties), in one grouped query."""
    if not flight_ids:
        return {}
    query = (
        select(
            TicketLeg.flight_id,
            func.count(func.distinct(Ticket.id)),
            func.count(func.distinct(Ticket.booking_id)),
        )
        .join(Ticket, Ticket.id == TicketLeg.ticket_id)
        .where(
            TicketLeg.flight_id.in_(flight_ids),
            TicketLeg.status == LegStatus.ACTIVE,
            Ticket.status == TicketStatus.ACTIVE,
        )
        .group_by(TicketLeg.flight_id)
    )
    return {fid: (int(p), int(b)) for fid, p, b in session.execute(query)}


@dataclass(frozen=True)
class PartyMember:
    ticket_no: str
    passenger_id: int


def party_options(
    session: Session,
    ctx: ServiceContext,
    *,
    party: Sequence[PartyMember],
    exclude: Sequence[int] = (),
    limit: int = 8,
) -> tuple[Itinerary, ...]:
    """The itineraries every member of the party can take together (each member's own options,
    services.disruptions.planner.options_for_ticket, with seats for the whole party on every
    leg), earliest arrival first. `exclude`: an itinerary (its flight ids) not to offer again,
    such as the one that just failed."""
    require_staff(ctx)
    if not party:
        raise InvalidInput("A party has at least one ticket.")
    size = len(party)
    per_member = [
        options_for_ticket(
            session,
            replace(ctx, passenger_id=m.passenger_id),
            ticket_no=m.ticket_no,
            limit=limit * 3,
        )
        for m in party
    ]
    others = [{o.flight_ids: o for o in options} for options in per_member[1:]]
    fitting = []
    for option in per_member[0]:
        if option.flight_ids == tuple(exclude):
            continue
        same = [by_ids.get(option.flight_ids) for by_ids in others]
        if any(o is None for o in same):
            continue
        left = min([option.seats_left, *(o.seats_left for o in same if o is not None)])
        if left >= size:
            fitting.append(option)
            if len(fitting) >= limit:
                break
    return tuple(fitting)

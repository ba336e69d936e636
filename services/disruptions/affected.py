"""Who a disruption affects: every active ticket with an active leg on a disrupted flight, as
the journey still ahead of it, and those journeys grouped by booking so a party is planned as one.

Read in a few set-based queries (the tickets by a subquery on their legs, their legs and flights
by one select-in load), never ticket by ticket."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from db.models import Booking, Flight, Ticket, TicketLeg
from db.models.enums import Cabin, FlightStatus, LegStatus, TicketStatus, Tier

# An onward flight leaving within this of the disrupted flight's scheduled arrival is a tight
# connection (the world books connections of 1 to 3 hours; a longer stopover is a stay).
TIGHT_CONNECTION = timedelta(hours=3)


def effective_departure(flight: Flight) -> datetime:
    return flight.actual_departure or flight.estimated_departure or flight.scheduled_departure


def effective_arrival(flight: Flight) -> datetime:
    return flight.actual_arrival or flight.estimated_arrival or flight.scheduled_arrival


@dataclass(frozen=True)
class Journey:
    """What is left of one ticket from its disrupted leg to its final destination."""

    ticket: Ticket
    disrupted: Flight
    legs: tuple[TicketLeg, ...]  # the active legs from the disrupted one on
    ready_at: datetime  # the earliest a replacement may leave the journey's origin
    broken: bool  # the passenger cannot fly on as booked (cancelled, or a connection missed)
    tight_connection: bool

    @property
    def origin(self) -> str:
        return self.legs[0].flight.origin

    @property
    def destination(self) -> str:
        return self.legs[-1].flight.destination

    @property
    def original_departure(self) -> datetime:
        return self.legs[0].flight.scheduled_departure

    @property
    def original_arrival(self) -> datetime:
        return self.legs[-1].flight.scheduled_arrival

    @property
    def held_flight_ids(self) -> frozenset[int]:
        """Flights this ticket already has a seat on: a rebooking keeping one needs no new seat
        there (the change releases the old seats before it assigns the new ones)."""
        return frozenset(leg.flight_id for leg in self.legs if leg.flight_id != self.disrupted.id)


@dataclass
class Group:
    """The journeys of one booking on the same disrupted flight and route: one party."""

    booking: Booking
    disrupted: Flight
    journeys: list[Journey] = field(default_factory=list)

    @property
    def broken(self) -> bool:
        return any(j.broken for j in self.journeys)

    @property
    def size(self) -> int:
        return len(self.journeys)

    @property
    def origin(self) -> str:
        return self.journeys[0].origin

    @property
    def destination(self) -> str:
        return self.journeys[0].destination

    @property
    def ready_at(self) -> datetime:
        return max(j.ready_at for j in self.journeys)

    @property
    def original_departure(self) -> datetime:
        return min(j.original_departure for j in self.journeys)

    @property
    def original_arrival(self) -> datetime:
        return max(j.original_arrival for j in self.journeys)

    @property
    def tiers(self) -> set[Tier]:
        return {j.ticket.passenger.tier for j in self.journeys}

    def seats_needed(self, flight_id: int) -> Counter[Cabin]:
        """Seats per cabin this party needs on a flight (none where a member already sits)."""
        return Counter(j.ticket.cabin for j in self.journeys if flight_id not in j.held_flight_ids)


def journey_of(ticket: Ticket, disrupted: Flight, min_connection: timedelta) -> Journey | None:
    """The ticket's journey from its leg on `disrupted`, or None when it has no active leg there."""
    legs = ticket.active_legs
    index = next((i for i, leg in enumerate(legs) if leg.flight_id == disrupted.id), None)
    if index is None:
        return None
    onward = legs[index + 1].flight if index + 1 < len(legs) else None
    if disrupted.status == FlightStatus.CANCELLED:
        broken = True
    else:
        broken = onward is not None and (
            effective_departure(onward) - effective_arrival(disrupted) < min_connection
        )
    ready_at = disrupted.scheduled_departure
    if index > 0:
        # Still on the way in: the replacement waits for the feeder (as it now flies).
        ready_at = effective_arrival(legs[index - 1].flight) + min_connection
    tight = onward is not None and (
        onward.scheduled_departure - disrupted.scheduled_arrival <= TIGHT_CONNECTION
    )
    return Journey(ticket, disrupted, tuple(legs[index:]), ready_at, broken, tight)


def load_journeys(
    session: Session, flights: Sequence[Flight], min_connection: timedelta
) -> list[Journey]:
    """Every active ticket with an active leg on one of `flights`, once (on its first
    disrupted leg), with its passenger, booking and legs loaded in bulk."""
    ids = [f.id for f in flights]
    on_flights = select(TicketLeg.ticket_id).where(
        TicketLeg.flight_id.in_(ids), TicketLeg.status == LegStatus.ACTIVE
    )
    tickets = session.scalars(
        select(Ticket)
        .where(Ticket.id.in_(on_flights), Ticket.status == TicketStatus.ACTIVE)
        .options(
            joinedload(Ticket.passenger),
            joinedload(Ticket.booking),
            selectinload(Ticket.legs).joinedload(TicketLeg.flight),
        )
        .order_by(Ticket.id)
    ).unique()
    by_id = {f.id: f for f in flights}
    journeys = []
    for ticket in tickets:
        first = next((leg for leg in ticket.active_legs if leg.flight_id in by_id), None)
        if first is None:
            continue
        journey = journey_of(ticket, by_id[first.flight_id], min_connection)
        if journey is not None:
            journeys.append(journey)
    return journeys


def group_journeys(journeys: Iterable[Journey]) -> list[Group]:
    """Parties: the same booking, disrupted flight, route and need (rebook or stay)."""
    groups: dict[tuple[int, int, str, str, bool], Group] = {}
    for j in journeys:
        key = (j.ticket.booking_id, j.disrupted.id, j.origin, j.destination, j.broken)
        group = groups.get(key)
        if group is None:
            group = groups[key] = Group(j.ticket.booking, j.disrupted)
        group.journeys.append(j)
    return list(groups.values())

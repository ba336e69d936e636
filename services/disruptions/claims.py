"""What a passenger's disrupted flights entitle them to, read from the database and decided by
services.disruptions.eu261. Shared by the compensation payment (services.flights), the
assistant's tools and the re-accommodation planner, so all apply the same rules."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from config import get_settings
from db.models import Disruption, DisruptionKind, Flight, FlightStatus, LegStatus, Ticket, TicketLeg
from services.core.access import legs_on, owned_ticket
from services.core.context import ServiceContext
from services.core.operations import operation
from services.disruptions.eu261 import (
    REGULATION_AREA,
    Entitlements,
    FlightFacts,
    Rerouting,
    entitlements,
    great_circle_km,
)


def eur_chf_rate() -> Decimal:
    return get_settings().eur_chf_rate


def disruption_of(session: Session, flight: Flight) -> Disruption | None:
    return session.scalar(select(Disruption).where(Disruption.flight_id == flight.id))


def _kind(flight: Flight, record: Disruption | None) -> DisruptionKind | None:
    if flight.status == FlightStatus.CANCELLED:
        return DisruptionKind.CANCELLED
    if record is not None:
        return record.kind
    # A flight disrupted before disruption records existed (or by the timetable's jitter):
    # late by its own estimated or actual times.
    if (flight.actual_departure or flight.estimated_departure) is not None:
        return DisruptionKind.DELAYED
    return None


def flight_facts(session: Session, flight: Flight) -> FlightFacts:
    """The regulation's view of a flight: distance from the airports' coordinates, its
    disruption record (or, without one, its status and times: an unknown cause is not an
    extraordinary circumstance, the carrier having to prove one)."""
    origin, destination = flight.origin_airport, flight.destination_airport
    record = disruption_of(session, flight)
    kind = _kind(flight, record)
    departure = arrival = None
    if kind == DisruptionKind.DELAYED:
        departure = flight.actual_departure or flight.estimated_departure
        arrival = flight.actual_arrival or flight.estimated_arrival
        if arrival is None and departure is not None:
            arrival = departure + (flight.scheduled_arrival - flight.scheduled_departure)
    return FlightFacts(
        flight_no=flight.flight_no,
        distance_km=great_circle_km(
            origin.latitude, origin.longitude, destination.latitude, destination.longitude
        ),
        origin_in_area=origin.country in REGULATION_AREA,
        destination_in_area=destination.country in REGULATION_AREA,
        origin_timezone=origin.timezone,
        scheduled_departure=flight.scheduled_departure,
        scheduled_arrival=flight.scheduled_arrival,
        kind=kind,
        extraordinary=record.extraordinary if record is not None else False,
        announced_at=record.announced_at if record is not None else flight.disrupted_at,
        new_departure=departure,
        new_arrival=arrival,
    )


def rerouting_for(ticket: Ticket, leg: TicketLeg) -> Rerouting | None:
    """The rerouting a passenger took from a cancelled leg: once the leg was exchanged, the
    ticket's active legs from the cancelled flight's origin to its destination."""
    if leg.status != LegStatus.EXCHANGED:
        return None
    active = ticket.active_legs
    start = next((i for i, a in enumerate(active) if a.flight.origin == leg.flight.origin), None)
    if start is None:
        return None
    for later in active[start:]:
        if later.flight.destination == leg.flight.destination:
            first, last = active[start].flight, later.flight
            departure = first.estimated_departure or first.scheduled_departure
            arrival = last.estimated_arrival or last.scheduled_arrival
            return Rerouting(departure, arrival)
    return None


def leg_entitlements(
    session: Session, ticket: Ticket, leg: TicketLeg, rate: Decimal | None = None
) -> Entitlements:
    facts = flight_facts(session, leg.flight)
    return entitlements(facts, rate or eur_chf_rate(), rerouting_for(ticket, leg))


def disrupted_legs(session: Session, ticket: Ticket, flight_no: str | None) -> list[TicketLeg]:
    legs = legs_on(ticket, flight_no)
    return [leg for leg in legs if flight_facts(session, leg.flight).kind is not None]


@operation("quote_entitlements", write=False)
def ticket_entitlements(
    session: Session, ctx: ServiceContext, *, ticket_no: str, flight_no: str | None = None
) -> list[Entitlements]:
    """What the current passenger's ticket is owed under EU 261/2004, flight by flight (only
    its cancelled or delayed flights; none when nothing was disrupted)."""
    ticket = owned_ticket(session, ctx, ticket_no)
    return [
        leg_entitlements(session, ticket, leg) for leg in disrupted_legs(session, ticket, flight_no)
    ]

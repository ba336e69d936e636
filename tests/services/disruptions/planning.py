"""Helpers shared by the planner's tests: staff contexts, cancelling through the real write,
tickets bought some days ago (alone or in a party's booking), a plan's row by ticket."""

from __future__ import annotations

from datetime import timedelta

from db.models import Fare, Flight, Role, Ticket, Tier
from services.core.clock import FixedClock
from services.core.context import Actor, ServiceContext
from services.disruptions import Plan, PlanRow, disrupt_flight
from tests import factories as f

H = timedelta(hours=1)
ADMIN = Actor("ops-admin", Role.ADMIN)


def staff(clock: FixedClock, role: Role = Role.AGENT) -> ServiceContext:
    return ServiceContext(Actor(f"desk-{role.value}", role), clock=clock)


def cancel(session, clock: FixedClock, flight: Flight) -> None:
    disrupt_flight(
        session, ServiceContext(ADMIN, clock=clock), flight_id=flight.id, kind="cancelled",
        cause="technical",
    )  # fmt: skip


def row_of(plan: Plan, ticket_no: str) -> PlanRow:
    (row,) = [r for r in plan.rows if ticket_no in r.ticket_nos]
    return row


def booked(
    session, clock: FixedClock, flights: list[Flight], *, tier: Tier = Tier.REGULAR,
    fare: Fare = Fare.CLASSIC, days_ago: float = 10, party: Ticket | None = None,
) -> Ticket:  # fmt: skip
    """A ticket bought `days_ago`; with `party` (a ticket), in that ticket's booking."""
    owner = f.passenger(session, tier=tier)
    return f.ticket(
        session, owner, flights, fare=fare, issued_at=clock.now() - timedelta(days=days_ago),
        booking=party.booking if party is not None else None,
    )  # fmt: skip

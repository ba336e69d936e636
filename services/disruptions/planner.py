"""The re-accommodation planner: for disrupted flights, a proposed itinerary for every affected
party, with what EU 261/2004 entitles each passenger to. Read-only: the plan is a proposal an
agent adjusts and approves (executed elsewhere, through the audited change).

Parties are served one by one against a running seat inventory (free seats as booked when the
plan starts, each assignment consuming them). The planner serves them by the configured
priorities and gives each the earliest arrival; the greedy baseline serves them by booking time
and gives each the first departing option, as a desk working a queue would."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from config import get_settings
from db.models import Flight, FlightStatus
from services.core.access import owned_ticket
from services.core.context import ServiceContext
from services.core.errors import InvalidInput, NotFound
from services.core.operations import operation
from services.disruptions.affected import Group, Journey, group_journeys, journey_of, load_journeys
from services.disruptions.candidates import (
    REBOOKING_WINDOW,
    Chain,
    RouteIndex,
    SeatInventory,
    by_arrival,
    by_departure,
    itinerary,
    load_hops,
    load_inventory,
)
from services.disruptions.plan_entitlements import FactsBook, affected_passengers, kept_delay
from services.disruptions.plan_types import Itinerary, Plan, PlanRow, Priority, RowAction, Strategy
from services.disruptions.priorities import parse_priorities, queue, require_staff


def min_connection() -> timedelta:
    return timedelta(minutes=get_settings().reaccommodation_min_connection_minutes)


class Searcher:
    """The candidate itineraries of every route the plan needs, and the seats on them."""

    def __init__(self, session: Session, groups: Sequence[Group], now: datetime) -> None:
        self.now, self.mct = now, min_connection()
        travelling = [g for g in groups if g.broken]
        hops = []
        if travelling:
            hops = load_hops(
                session,
                origins={g.origin for g in travelling},
                destinations={g.destination for g in travelling},
                start=min(self.earliest(g) for g in travelling),
                end=max(self.latest(g) for g in travelling),
                now=now,
            )
        self.index = RouteIndex(hops, self.mct)
        self.inventory: SeatInventory = load_inventory(session, hops)
        self._sorted: dict[tuple[str, str, Strategy], list[Chain]] = {}

    def earliest(self, group: Group) -> datetime:
        """Not before the original departure (the passengers planned their day around it) nor
        the feeder's arrival, and with the connection time from now."""
        return max(group.ready_at, self.now + self.mct)

    def latest(self, group: Group) -> datetime:
        return group.original_departure + REBOOKING_WINDOW

    def candidates(self, group: Group, strategy: Strategy) -> list[Chain]:
        key = (group.origin, group.destination, strategy)
        if key not in self._sorted:
            order = by_arrival if strategy == Strategy.PLANNER else by_departure
            self._sorted[key] = sorted(
                self.index.chains(group.origin, group.destination), key=order
            )
        earliest, latest = self.earliest(group), self.latest(group)
        return [
            c for c in self._sorted[key]
            if earliest <= c[0].departs <= latest and group.disrupted.id not in {h.id for h in c}
        ]  # fmt: skip

    def _release_old_seats(self, group: Group, chain: Chain) -> None:
        """The change frees the seats of the onward flights the party leaves, for the parties
        served after it."""
        kept = {hop.id for hop in chain}
        for journey in group.journeys:
            for flight_id in journey.held_flight_ids - kept:
                self.inventory.release(flight_id, journey.ticket.cabin)

    def assign(self, group: Group, strategy: Strategy) -> tuple[Itinerary | None, str | None]:
        """The first candidate (in the strategy's order) with seats for the whole party, its
        seats taken; or why there is none."""
        candidates = self.candidates(group, strategy)
        for chain in candidates:
            needs = {hop.id: group.seats_needed(hop.id) for hop in chain}
            if self.inventory.fits(chain, needs):
                self.inventory.take(chain, needs)
                self._release_old_seats(group, chain)
                cabins = {j.ticket.cabin for j in group.journeys}
                left = min(self.inventory.left(h.id, c) for h in chain for c in cabins)
                return itinerary(chain, left), None
        route = f"{group.origin} to {group.destination}"
        if not candidates:
            return None, (
                f"No flight or one-stop connection from {route} leaves within the 7-day "
                "rebooking window; a full refund is due instead."
            )
        cabin_names = " and ".join(sorted({j.ticket.cabin.value for j in group.journeys}))
        party = "a passenger" if group.size == 1 else f"a party of {group.size}"
        return None, (
            f"All {len(candidates)} itineraries from {route} within the 7-day rebooking window "
            f"are full in {cabin_names} for {party}; a full refund is due instead."
        )


def _row(
    group: Group, reasons: tuple[Priority, ...], book: FactsBook, searcher: Searcher,
    strategy: Strategy,
) -> PlanRow:  # fmt: skip
    option: Itinerary | None = None
    if group.broken:
        option, reason = searcher.assign(group, strategy)
        action = RowAction.REBOOK if option is not None else RowAction.NO_OPTION
        delay = None if option is None else option.arrives - group.original_arrival
    else:
        action, delay = RowAction.KEEP, kept_delay(group)
        reason = f"{group.disrupted.flight_no} is delayed but the journey's connections still hold."
    return PlanRow(
        booking_reference=group.booking.reference,
        booked_at=group.booking.created_at,
        disrupted_flight_id=group.disrupted.id,
        origin=group.origin,
        destination=group.destination,
        original_arrival=group.original_arrival,
        passengers=affected_passengers(book, group, option, delay),
        priorities=reasons,
        action=action,
        option=option,
        arrival_delay_minutes=None if delay is None else max(int(delay.total_seconds() // 60), 0),
        reason=reason,
    )


def _disrupted_flights(session: Session, flight_ids: Sequence[int]) -> list[Flight]:
    ids = list(dict.fromkeys(flight_ids))
    if not ids:
        raise InvalidInput("Choose at least one disrupted flight to plan.")
    query = (
        select(Flight)
        .where(Flight.id.in_(ids))
        .options(joinedload(Flight.origin_airport), joinedload(Flight.destination_airport))
    )
    found = {f.id: f for f in session.scalars(query)}
    for fid in ids:
        flight = found.get(fid)
        if flight is None:
            raise NotFound(f"No flight with id {fid}.")
        if flight.status not in (FlightStatus.CANCELLED, FlightStatus.DELAYED):
            raise InvalidInput(
                f"{flight.flight_no} is {flight.status.value}: only a cancelled or delayed "
                "flight has passengers to re-accommodate."
            )
    return [found[fid] for fid in ids]


@operation("plan_reaccommodation", write=False)
def plan_flights(
    session: Session,
    ctx: ServiceContext,
    *,
    flight_ids: Sequence[int],
    strategy: Strategy | str = Strategy.PLANNER,
    priorities: str | Sequence[Priority | str] | None = None,
) -> Plan:
    """A plan for every passenger of the disrupted flights (one shared seat inventory, so a
    storm's parties never share a seat). `priorities`: the order of criteria for the planner
    (default Settings.reaccommodation_priorities); the greedy strategy uses none."""
    require_staff(ctx)
    strategy = Strategy(strategy)
    order = parse_priorities(
        get_settings().reaccommodation_priorities if priorities is None else priorities
    )
    flights = _disrupted_flights(session, flight_ids)
    now = ctx.clock.now()
    groups = group_journeys(load_journeys(session, flights, min_connection()))
    searcher = Searcher(session, groups, now)
    book = FactsBook(session)
    rows = tuple(
        _row(g, reasons, book, searcher, strategy) for g, reasons in queue(groups, strategy, order)
    )
    return Plan(
        flight_ids=tuple(f.id for f in flights),
        strategy=strategy,
        priorities=order if strategy == Strategy.PLANNER else (),
        made_at=now,
        rows=rows,
    )


def plan_flight(
    session: Session,
    ctx: ServiceContext,
    *,
    flight_id: int,
    strategy: Strategy | str = Strategy.PLANNER,
    priorities: str | Sequence[Priority | str] | None = None,
) -> Plan:
    """The plan for one disrupted flight."""
    return plan_flights(
        session, ctx, flight_ids=[flight_id], strategy=strategy, priorities=priorities
    )


def greedy_plan(session: Session, ctx: ServiceContext, *, flight_ids: Sequence[int]) -> Plan:
    """The first-come, first-departing baseline the planner is compared against."""
    return plan_flights(session, ctx, flight_ids=flight_ids, strategy=Strategy.GREEDY)


@operation("reaccommodation_options", write=False)
def options_for_ticket(
    session: Session,
    ctx: ServiceContext,
    *,
    ticket_no: str,
    limit: int = 10,
    earlier_ok: bool = False,
) -> tuple[Itinerary, ...]:
    """The current passenger's alternatives to the ticket's first cancelled or delayed flight,
    earliest arrival first, each with a free seat in the ticket's cabin now: what the
    assistant's read tool offers and what the console re-plans a failed row with.

    A plan never moves anyone before the original departure (they planned their day around
    it); with `earlier_ok` a passenger choosing for themselves (the chat) also sees the flights
    leaving sooner, when nothing ties them to a feeder flight."""
    ticket = owned_ticket(session, ctx, ticket_no)
    mct = min_connection()
    disrupted = [
        leg.flight for leg in ticket.active_legs
        if leg.flight.status in (FlightStatus.CANCELLED, FlightStatus.DELAYED)
    ]  # fmt: skip
    journey = next((j for f in disrupted if (j := journey_of(ticket, f, mct)) is not None), None)
    if journey is None:
        raise InvalidInput(
            f"Ticket {ticket.ticket_no} has no cancelled or delayed flight, so there is nothing "
            "to re-accommodate."
        )
    group = Group(ticket.booking, journey.disrupted, [journey])
    now = ctx.clock.now()
    no_feeder = journey.legs == tuple(ticket.active_legs)
    group = _as_travelling(group, ready_at=now if earlier_ok and no_feeder else None)
    searcher = Searcher(session, [group], now)
    options = []
    for chain in searcher.candidates(group, Strategy.PLANNER):
        needs = {hop.id: group.seats_needed(hop.id) for hop in chain}
        if searcher.inventory.fits(chain, needs):
            left = min(searcher.inventory.left(h.id, ticket.cabin) for h in chain)
            options.append(itinerary(chain, left))
            if len(options) >= limit:
                break
    return tuple(options)


def _as_travelling(group: Group, *, ready_at: datetime | None = None) -> Group:
    """The group as one that travels, so its route's flights are loaded even when its delay
    leaves the connections standing (the passenger may still prefer another flight); with
    `ready_at`, free to leave from then on."""
    journeys = [
        Journey(j.ticket, j.disrupted, j.legs, ready_at or j.ready_at, True, j.tight_connection)
        for j in group.journeys
    ]
    return Group(group.booking, group.disrupted, journeys)

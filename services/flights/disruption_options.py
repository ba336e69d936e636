"""What a disrupted passenger can do next: for each cancelled or delayed flight on their own
tickets, the cause and new times, the free rebookings (same route, within the rebooking window,
a free seat in the ticket's cabin, earliest arrival first), the refund where EU 261 Art. 8
gives the choice, and what the regulation entitles them to (compensation, care).

It lives in services.flights, not services.disruptions, because it needs the flight search and
the seat inventory: services.flights already imports services.disruptions for the rules, and
sibling packages may not import each other in a cycle. It only reads; every next step (the
change, the refund, the compensation) is its own audited write the passenger must ask for."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Flight, FlightStatus, LegStatus, Ticket, TicketLeg, TicketStatus
from services.core.access import current_passenger, owned_ticket
from services.core.context import ServiceContext
from services.core.errors import PolicyViolation
from services.core.operations import operation
from services.disruptions.causes import CAUSE_WORDS
from services.disruptions.claims import disruption_of, flight_facts, leg_entitlements
from services.disruptions.eu261 import Entitlements
from services.disruptions.plan_types import Itinerary
from services.disruptions.planner import options_for_ticket
from services.flights import cancellations
from services.flights.flights import day_offset, load_flights
from services.flights.itinerary import describe
from services.flights.policy import AIRLINE_CANCELLATION_REBOOKING_WINDOW

MAX_OPTIONS = 3  # a few to choose from; the change flow can search any other day


class Entitlement(BaseModel):
    """One EU 261 decision, as the passenger is told it: due or not, the article, why."""

    entitled: bool
    article: str
    sentence: str
    rule: str | None = None  # the refusal's code


class CompensationView(Entitlement):
    amount_eur: Decimal = Decimal("0.00")
    amount_chf: Decimal = Decimal("0.00")
    eur_chf_rate: Decimal = Decimal("1")


class CareView(Entitlement):
    meals: bool = False
    hotel: bool = False
    transfers: bool = False  # to and from the hotel (Art. 9(1)(c)), with the hotel


class RefundView(Entitlement):
    amount: Decimal | None = None  # what cancelling the ticket refunds now, when it can be


class RebookingOption(BaseModel):
    option: int  # 1, 2, 3: what "put me on option 2" names
    flight_ids: list[int]
    flights: list[str]
    departure_local: datetime
    arrival_local: datetime
    arrival_day_offset: int
    free_seats: int


class DisruptedFlight(BaseModel):
    ticket_no: str
    route: str  # the ticket's whole route, which a rebooking keeps
    flight: str  # "AL 126 ZRH-BCN 2026-11-26 13:40"
    flight_no: str
    kind: str  # cancelled | delayed
    cause: str  # in words
    extraordinary: bool
    scheduled_departure_local: datetime
    new_departure_local: datetime | None = None
    new_arrival_local: datetime | None = None
    delay_minutes: int = 0
    compensation: CompensationView
    care: CareView
    refund: RefundView
    rebooking: list[RebookingOption]
    rebooking_note: str
    next_steps: list[str]


class DisruptionOptions(BaseModel):
    passenger: str
    disrupted: list[DisruptedFlight]
    summary: str


def _decisions(owed: Entitlements) -> tuple[CompensationView, CareView]:
    pay, care = owed.compensation, owed.care
    compensation = CompensationView(
        entitled=pay.entitled,
        article=pay.article,
        sentence=pay.sentence,
        rule=pay.rule.value if pay.rule else None,
        amount_eur=pay.amount_eur,
        amount_chf=pay.amount_chf,
        eur_chf_rate=pay.eur_chf_rate,
    )
    care_view = CareView(
        entitled=care.entitled,
        article=care.article,
        sentence=care.sentence,
        rule=care.rule.value if care.rule else None,
        meals=care.meals,
        hotel=care.hotel,
        transfers=care.hotel,
    )
    return compensation, care_view


def _refund(
    session: Session, ctx: ServiceContext, ticket: Ticket, owed: Entitlements
) -> RefundView:
    choice = owed.choice
    amount = None
    if choice.entitled:
        try:
            quote = cancellations.quote_cancellation.__wrapped__(
                session, ctx, ticket_no=ticket.ticket_no
            )
            amount = quote.refund if quote.airline_cancelled else None
        except PolicyViolation:  # a flown leg: the refund is for a colleague to work out
            amount = None
    return RefundView(
        entitled=choice.entitled,
        article=choice.article,
        sentence=choice.sentence,
        rule=choice.rule.value if choice.rule else None,
        amount=amount,
    )


def rebooking_options(
    session: Session, ctx: ServiceContext, ticket: Ticket
) -> tuple[list[RebookingOption], str]:
    """The free rebookings after an airline cancellation (services.flights.policy: within 7
    days of the original departure), with a free seat in the ticket's cabin, earliest arrival
    first; and a sentence saying what the list is (or why it is empty). The options are the
    re-accommodation planner's for this one ticket, so the chat offers what the Disruptions
    console would."""
    legs = ticket.active_legs
    first, last = legs[0].flight, legs[-1].flight
    if first.scheduled_departure + AIRLINE_CANCELLATION_REBOOKING_WINDOW <= ctx.clock.now():
        return [], "The 7-day window for a free rebooking has passed."
    found = options_for_ticket(
        session, ctx, ticket_no=ticket.ticket_no, limit=MAX_OPTIONS, earlier_ok=True
    )
    ids = [i for it in found for i in it.flight_ids]
    flights = {f.id: f for f in load_flights(session, ids)} if ids else {}
    options = [
        _option(n, it, [flights[i] for i in it.flight_ids]) for n, it in enumerate(found, start=1)
    ]
    if not options:
        return [], (
            f"No {first.origin}-{last.destination} flight with a free {ticket.cabin.value} seat "
            "departs within the 7-day free rebooking window."
        )
    return options, (
        f"the airline cancelled, so rebooking is free: the earliest arrivals on {first.origin}-"
        f"{last.destination} within 7 days with a free {ticket.cabin.value} seat"
    )


def _option(number: int, it: Itinerary, flights: list[Flight]) -> RebookingOption:
    departs = it.departs.astimezone(ZoneInfo(flights[0].origin_airport.timezone))
    arrives = it.arrives.astimezone(ZoneInfo(flights[-1].destination_airport.timezone))
    return RebookingOption(
        option=number,
        flight_ids=list(it.flight_ids),
        flights=[describe(f) for f in flights],
        departure_local=departs,
        arrival_local=arrives,
        arrival_day_offset=day_offset(departs, arrives),
        free_seats=it.seats_left,
    )


def _next_steps(flight: DisruptedFlight) -> list[str]:
    """What the passenger may ask for next; nothing here is done until they ask."""
    steps = [
        f"Ask to be rebooked onto option {o.option} ({o.flights[0]}), free of charge."
        for o in flight.rebooking
    ]
    if flight.kind == "delayed":
        steps.append(
            "Keep the delayed flight, or ask to change to another flight (fare rules apply)."
        )
    if flight.refund.entitled:
        amount = f" (CHF {flight.refund.amount})" if flight.refund.amount is not None else ""
        steps.append(f"Ask for a full refund of ticket {flight.ticket_no} instead{amount}.")
    if flight.compensation.entitled:
        steps.append(
            f"Claim the compensation: CHF {flight.compensation.amount_chf} "
            f"(EUR {flight.compensation.amount_eur}); it is paid only on request."
        )
    if flight.care.entitled:
        what = "meals and refreshments" + (", a hotel and transfers" if flight.care.hotel else "")
        steps.append(f"Ask the airport service desk for the care due: {what}.")
    return steps


def _local(moment: datetime | None, timezone: str) -> datetime | None:
    return moment.astimezone(ZoneInfo(timezone)) if moment is not None else None


def _disrupted_flight(
    session: Session, ctx: ServiceContext, ticket: Ticket, leg: TicketLeg
) -> DisruptedFlight:
    flight = leg.flight
    facts = flight_facts(session, flight)
    assert facts.kind is not None  # only disrupted legs are described
    record = disruption_of(session, flight)
    owed = leg_entitlements(session, ticket, leg)
    compensation, care = _decisions(owed)
    cancelled = flight.status == FlightStatus.CANCELLED
    options, note = rebooking_options(session, ctx, ticket) if cancelled else ([], (
        "A delayed flight still operates: a change to another flight follows the fare's change "
        "rules (the free rebooking is for a cancellation)."
    ))  # fmt: skip
    origin_tz, dest_tz = flight.origin_airport.timezone, flight.destination_airport.timezone
    legs = ticket.active_legs
    described = DisruptedFlight(
        ticket_no=ticket.ticket_no,
        route="-".join([legs[0].flight.origin, *[x.flight.destination for x in legs]]),
        flight=describe(flight),
        flight_no=flight.flight_no,
        kind=facts.kind.value,
        cause=CAUSE_WORDS[record.cause] if record is not None else "not recorded",
        extraordinary=facts.extraordinary,
        scheduled_departure_local=flight.scheduled_departure.astimezone(ZoneInfo(origin_tz)),
        new_departure_local=_local(facts.new_departure, origin_tz),
        new_arrival_local=_local(facts.new_arrival, dest_tz),
        delay_minutes=int(facts.departure_delay.total_seconds() // 60),
        compensation=compensation,
        care=care,
        refund=_refund(session, ctx, ticket, owed),
        rebooking=options,
        rebooking_note=note,
        next_steps=[],
    )
    described.next_steps = _next_steps(described)
    return described


def _open_disrupted_legs(session: Session, ticket: Ticket) -> list[TicketLeg]:
    """The ticket's flights still on it (not exchanged or cancelled) that are disrupted."""
    if ticket.status != TicketStatus.ACTIVE:
        return []
    return [
        leg
        for leg in ticket.legs
        if leg.status == LegStatus.ACTIVE and flight_facts(session, leg.flight).kind is not None
    ]


@operation("disruption_options", write=False)
def disruption_options(
    session: Session, ctx: ServiceContext, *, ticket_no: str | None = None
) -> DisruptionOptions:
    """The current passenger's disrupted flights (on one ticket of theirs, or on all their
    active tickets) with the options and EU 261 entitlements of each; when none is
    disrupted, a summary saying so."""
    passenger = current_passenger(session, ctx)
    if ticket_no:
        tickets = [owned_ticket(session, ctx, ticket_no)]
    else:
        tickets = list(
            session.scalars(
                select(Ticket)
                .where(Ticket.passenger_id == passenger.id, Ticket.status == TicketStatus.ACTIVE)
                .order_by(Ticket.issued_at, Ticket.id)
            )
        )
    disrupted = [
        _disrupted_flight(session, ctx, ticket, leg)
        for ticket in tickets
        for leg in _open_disrupted_legs(session, ticket)
    ]
    where = f"ticket {tickets[0].ticket_no}" if ticket_no else f"{passenger.full_name}'s tickets"
    if not disrupted:
        summary = (
            f"No disrupted flight: no flight on {where} is cancelled or delayed, so there is "
            "nothing to rebook and no EU 261 entitlement."
        )
    else:
        summary = f"{len(disrupted)} disrupted flight(s) on {where}: " + "; ".join(
            f"{d.flight} {d.kind} ({d.cause})" for d in disrupted
        )
    return DisruptionOptions(passenger=passenger.full_name, disrupted=disrupted, summary=summary)

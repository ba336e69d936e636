"""The assistant's tools. Each is a small function: its docstring is what the model reads, its
body is one service call. The first parameter, `env`, is injected by the graph (session and
the run's ServiceContext) and is not part of the schema the model sees, so the acting user and
the passenger can only come from the session, never from a tool argument."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from langchain_core.tools import StructuredTool

from agent import previews, travel_previews
from agent.previews import PreviewFn
from agent.tool_args import (
    Card,
    Day,
    Env,
    FlightIds,
    Seats,
    TicketNo,
)
from agent.travel_tools import (
    book_car_rental,
    book_excursion,
    book_hotel,
    cancel_car_rental,
    cancel_excursion,
    cancel_hotel_booking,
    change_car_rental,
    change_hotel_booking,
    search_car_rentals,
    search_excursions,
    search_hotels,
)
from db.models import EscalationReason, Fare
from services.flights import cancellations, flight_bookings, flights, tickets
from services.flights import disruption_options as disruptions
from services.support import escalations, policy_docs, snapshot
from services.travel.travel_kinds import CAR, EXCURSION, HOTEL


# ---- read tools: run as soon as the model calls them ------------------------------------
def get_passenger_trips(env: Env) -> Any:
    """The selected passenger's profile and all their trips: tickets (ticket_no, status, fare,
    cabin, route, departure, flights with status and delay), hotel bookings, car rentals,
    excursions, compensations paid and escalations. Start here to see what they booked."""
    return snapshot.passenger_snapshot(env.session, env.ctx)


def search_flights(
    env: Env,
    origin: Annotated[str, "IATA code or city of departure, e.g. ZRH"],
    destination: Annotated[str, "IATA code or city of arrival, e.g. LHR"],
    day: Annotated[date, "departure date (local at the origin), YYYY-MM-DD"],
    fare: Fare = Fare.CLASSIC,
    seats: Seats = 1,
) -> Any:
    """Bookable Alpine Air itineraries on one day, direct first, then one-stop connections,
    each with its flight ids, local times, seats left and price in the fare asked for."""
    return flights.search_flights(
        env.session,
        env.ctx,
        origin=origin,
        destination=destination,
        day=day,
        fare=fare,
        seats=seats,
    )


def get_flight_status(
    env: Env, flight_no: Annotated[str, "flight number, e.g. AL 123"], day: Day
) -> Any:
    """Status of a flight on a day: scheduled, delayed (with the delay), cancelled, departed."""
    return flights.get_flight_status(env.session, flight_no=flight_no, day=day)


# Every tool takes the injected `env` (the graph passes it by name); this one reads no records.
def lookup_policy(env: Env, question: Annotated[str, "the policy question, in words"]) -> Any:  # noqa: ARG001
    """The sections of Alpine Air's policy document that answer a question (fares, changes,
    refunds, baggage, compensation, hotels, cars, excursions). Cite them when explaining."""
    return policy_docs.lookup_policy(question, k=2)


def quote_flight_change(env: Env, ticket_no: TicketNo, new_flight_ids: FlightIds) -> Any:
    """What moving a ticket to other flights (ids from search_flights, in order) would cost:
    change fee, fare difference, total and the rule; or the rule that refuses the change."""
    return tickets.quote_flight_change(
        env.session, env.ctx, ticket_no=ticket_no, new_flight_ids=new_flight_ids
    )


def quote_cancellation(env: Env, ticket_no: TicketNo) -> Any:
    """How much cancelling a ticket would refund and under which rule, or why it cannot be
    cancelled. Use it to answer 'how much would they get back?' without cancelling."""
    return cancellations.quote_cancellation(env.session, env.ctx, ticket_no=ticket_no)


def disruption_options(
    env: Env,
    ticket_no: Annotated[str | None, "one of the passenger's tickets; default: all of them"] = None,
) -> Any:
    """The passenger's cancelled or delayed flights, each with its cause and new times, the
    options (free rebooking onto other flights of the route within 7 days, earliest arrival
    first, as numbered options with flight ids for change_flight; a refund where EU 261 Art. 8
    gives the choice) and what they are owed (compensation in EUR and CHF, or the refusal and
    its article; care: meals, hotel, transfers), with the next steps they can ask for. Only
    reads: use it for "my flight was cancelled, what are my options?" or "what am I owed?"."""
    return disruptions.disruption_options(env.session, env.ctx, ticket_no=ticket_no)


# ---- write tools: each waits for the support agent's approval, then runs exactly once ----
def change_flight(env: Env, ticket_no: TicketNo, new_flight_ids: FlightIds) -> Any:
    """Move a ticket (all its legs) to other flights on the same route, charging the change
    fee and fare difference. Needs approval; quote_flight_change first."""
    return tickets.change_flight(
        env.session, env.ctx, ticket_no=ticket_no, new_flight_ids=new_flight_ids
    )


def cancel_ticket(env: Env, ticket_no: TicketNo) -> Any:
    """Cancel a ticket and refund what the fare rules allow. Needs approval;
    quote_cancellation first."""
    return cancellations.cancel_ticket(env.session, env.ctx, ticket_no=ticket_no)


def book_flight(env: Env, flight_ids: FlightIds, fare: Fare, payment_method_id: Card = None) -> Any:
    """Buy a new ticket for the passenger on the given flights (ids from search_flights, in
    order) in a fare, charged to a card on file. Needs approval."""
    return flight_bookings.book_flight(
        env.session, env.ctx, flight_ids=flight_ids, fare=fare, payment_method_id=payment_method_id
    )


def request_compensation(
    env: Env,
    ticket_no: TicketNo,
    flight_no: Annotated[str | None, "the affected flight, if the ticket has several"] = None,
) -> Any:
    """Pay the EU 261 compensation a ticket is owed for an airline-cancelled flight or an
    arrival 3 hours or more late (EUR 250/400/600 by distance, paid in CHF). Only when the
    passenger asks. Needs approval."""
    return flight_bookings.request_compensation(
        env.session, env.ctx, ticket_no=ticket_no, flight_no=flight_no
    )


def escalate_to_human(
    env: Env,
    reason: EscalationReason,
    summary: Annotated[str, "what the colleague needs to know, in two or three sentences"],
) -> Any:
    """Hand the conversation to a human colleague: when the customer asks for one, when the
    policy or the tools cannot solve the problem, or when a tool keeps failing. Needs approval."""
    return escalations.escalate(env.session, env.ctx, reason=reason, summary=summary)


# ---- registry ------------------------------------------------------------------------------
@dataclass(frozen=True)
class ToolSpec:
    name: str
    fn: Callable[..., Any]
    tool: StructuredTool  # the schema and description bound to the model
    # A write tool's approval card (agent/previews.py); None for a read, which runs at once.
    preview: PreviewFn | None = None
    # Search results are kept as the ToolMessage artifact: an approval card for a booking
    # quotes the price from the offer the model saw.
    keep_artifact: bool = False

    @property
    def write(self) -> bool:
        return self.preview is not None


def _spec(
    fn: Callable[..., Any], *, preview: PreviewFn | None = None, keep_artifact: bool = False
) -> ToolSpec:
    description = inspect.cleandoc(fn.__doc__ or "")
    tool = StructuredTool.from_function(fn, name=fn.__name__, description=description)
    return ToolSpec(fn.__name__, fn, tool, preview, keep_artifact)


# Each tool has its own arguments (the schema LangChain derives from its signature validates
# them); what the lists share is only that they are called with keywords after `env`.
ToolFunction = Callable[..., Any]

READ_TOOLS: list[ToolFunction] = [
    get_passenger_trips,
    search_flights,
    get_flight_status,
    lookup_policy,
    quote_flight_change,
    quote_cancellation,
    disruption_options,
]
SEARCH_TOOLS: list[ToolFunction] = [search_hotels, search_car_rentals, search_excursions]
# Each write tool with the preview that prices its approval card.
WRITE_TOOLS: list[tuple[ToolFunction, PreviewFn]] = [
    (change_flight, previews.change_flight_preview),
    (cancel_ticket, previews.cancel_ticket_preview),
    (book_flight, previews.book_flight_preview),
    (request_compensation, previews.request_compensation_preview),
    (book_hotel, travel_previews.book_preview(HOTEL)),
    (change_hotel_booking, travel_previews.change_preview(HOTEL)),
    (cancel_hotel_booking, travel_previews.cancel_preview(HOTEL)),
    (book_car_rental, travel_previews.book_preview(CAR)),
    (change_car_rental, travel_previews.change_preview(CAR)),
    (cancel_car_rental, travel_previews.cancel_preview(CAR)),
    (book_excursion, travel_previews.book_preview(EXCURSION)),
    (cancel_excursion, travel_previews.cancel_preview(EXCURSION)),
    (escalate_to_human, previews.escalate_preview),
]

TOOLS: dict[str, ToolSpec] = {
    spec.name: spec
    for spec in (
        [_spec(fn) for fn in READ_TOOLS]
        + [_spec(fn, keep_artifact=True) for fn in SEARCH_TOOLS]
        + [_spec(fn, preview=preview) for fn, preview in WRITE_TOOLS]
    )
}
MODEL_TOOLS = [spec.tool for spec in TOOLS.values()]

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

from langchain_core.tools import InjectedToolArg, StructuredTool
from sqlalchemy.orm import Session

from agent.tool_args import (
    BookingId,
    Card,
    Day,
    ExcursionId,
    FlightIds,
    Guests,
    HotelId,
    OfferId,
    Participants,
    RentalId,
    Seats,
    TicketNo,
)
from db.models import EscalationReason, Fare
from services import (
    cancellations,
    cars,
    escalations,
    excursions,
    flight_bookings,
    flights,
    hotels,
    policy_docs,
    snapshot,
    tickets,
)
from services.context import ServiceContext


class ToolEnv:
    """What a tool body needs besides its arguments. A plain class, not a dataclass: the
    schema builder then treats it as an opaque injected value."""

    __slots__ = ("ctx", "session")

    def __init__(self, session: Session, ctx: ServiceContext) -> None:
        self.session = session
        self.ctx = ctx


Env = Annotated[ToolEnv, InjectedToolArg]


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
    return flights.get_flight_status(env.session, env.ctx, flight_no=flight_no, day=day)


def lookup_policy(env: Env, question: Annotated[str, "the policy question, in words"]) -> Any:
    """The sections of Alpine Air's policy document that answer a question (fares, changes,
    refunds, baggage, compensation, hotels, cars, excursions). Cite them when explaining."""
    return policy_docs.lookup_policy(question, k=3)


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


def search_hotels(env: Env, city: str, checkin: Day, checkout: Day, guests: Guests = 1) -> Any:
    """Hotels in a city with a free room for every night of the stay, cheapest first, with
    hotel_id, stars, price per night and total."""
    return hotels.search_hotels(
        env.session, env.ctx, city=city, checkin=checkin, checkout=checkout, guests=guests
    )


def search_car_rentals(env: Env, city: str, start: Day, end: Day) -> Any:
    """Car rental offers in a city with a car free from pick-up (start) to return (end),
    cheapest first, with offer_id, company, car, price per day and total."""
    return cars.search_car_rentals(env.session, env.ctx, city=city, start=start, end=end)


def search_excursions(
    env: Env,
    city: str,
    day: Day | None = None,
    participants: Participants = 1,
) -> Any:
    """Excursions in a city, cheapest first, with excursion_id and price per participant;
    with a day, only those with enough free spots that day."""
    return excursions.search_excursions(
        env.session, env.ctx, city=city, day=day, participants=participants
    )


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
    """Pay the compensation a ticket is owed for an airline-cancelled flight (CHF 200) or a
    delay of 3 hours or more (CHF 100). Only when the passenger asks. Needs approval."""
    return flight_bookings.request_compensation(
        env.session, env.ctx, ticket_no=ticket_no, flight_no=flight_no
    )


def book_hotel(
    env: Env,
    hotel_id: HotelId,
    checkin: Day,
    checkout: Day,
    guests: Guests = 1,
    payment_method_id: Card = None,
) -> Any:
    """Book a hotel room (hotel_id from search_hotels) and charge it to a card on file.
    Needs approval."""
    return hotels.book_hotel(
        env.session,
        env.ctx,
        hotel_id=hotel_id,
        checkin=checkin,
        checkout=checkout,
        guests=guests,
        payment_method_id=payment_method_id,
    )


def change_hotel_booking(
    env: Env,
    booking_id: BookingId,
    checkin: Day,
    checkout: Day,
) -> Any:
    """Move a hotel booking to new dates before check-in; the price difference is charged or
    refunded. Needs approval."""
    return hotels.change_hotel_booking(
        env.session, env.ctx, booking_id=booking_id, checkin=checkin, checkout=checkout
    )


def cancel_hotel_booking(env: Env, booking_id: BookingId) -> Any:
    """Cancel a hotel booking (free until 24 hours before check-in), refunding it in full.
    Needs approval."""
    return hotels.cancel_hotel_booking(env.session, env.ctx, booking_id=booking_id)


def book_car_rental(
    env: Env,
    offer_id: OfferId,
    start: Day,
    end: Day,
    payment_method_id: Card = None,
) -> Any:
    """Rent a car (offer_id from search_car_rentals) from start to end, charged to a card on
    file. Needs approval."""
    return cars.book_car_rental(
        env.session,
        env.ctx,
        offer_id=offer_id,
        start=start,
        end=end,
        payment_method_id=payment_method_id,
    )


def change_car_rental(
    env: Env,
    rental_id: RentalId,
    start: Day,
    end: Day,
) -> Any:
    """Move a car rental to new dates before pick-up; the price difference is charged or
    refunded. Needs approval."""
    return cars.change_car_rental(env.session, env.ctx, rental_id=rental_id, start=start, end=end)


def cancel_car_rental(env: Env, rental_id: RentalId) -> Any:
    """Cancel a car rental (free until 24 hours before pick-up), refunding it in full.
    Needs approval."""
    return cars.cancel_car_rental(env.session, env.ctx, rental_id=rental_id)


def book_excursion(
    env: Env,
    excursion_id: ExcursionId,
    day: Day,
    participants: Participants = 1,
    payment_method_id: Card = None,
) -> Any:
    """Book an excursion (excursion_id from search_excursions) on a day for a number of
    participants, charged to a card on file. Needs approval."""
    return excursions.book_excursion(
        env.session,
        env.ctx,
        excursion_id=excursion_id,
        day=day,
        participants=participants,
        payment_method_id=payment_method_id,
    )


def cancel_excursion(env: Env, booking_id: BookingId) -> Any:
    """Cancel an excursion booking (free until 24 hours before it starts), refunding it in
    full. Needs approval."""
    return excursions.cancel_excursion(env.session, env.ctx, booking_id=booking_id)


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
    write: bool
    # Search results are kept as the ToolMessage artifact: an approval card for a booking
    # quotes the price from the offer the model saw.
    keep_artifact: bool = False


def _spec(fn: Callable[..., Any], *, write: bool, keep_artifact: bool = False) -> ToolSpec:
    description = inspect.cleandoc(fn.__doc__ or "")
    tool = StructuredTool.from_function(fn, name=fn.__name__, description=description)
    return ToolSpec(fn.__name__, fn, tool, write, keep_artifact)


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
]
SEARCH_TOOLS: list[ToolFunction] = [search_hotels, search_car_rentals, search_excursions]
WRITE_TOOLS: list[ToolFunction] = [
    change_flight,
    cancel_ticket,
    book_flight,
    request_compensation,
    book_hotel,
    change_hotel_booking,
    cancel_hotel_booking,
    book_car_rental,
    change_car_rental,
    cancel_car_rental,
    book_excursion,
    cancel_excursion,
    escalate_to_human,
]

TOOLS: dict[str, ToolSpec] = {
    spec.name: spec
    for spec in (
        [_spec(fn, write=False) for fn in READ_TOOLS]
        + [_spec(fn, write=False, keep_artifact=True) for fn in SEARCH_TOOLS]
        + [_spec(fn, write=True) for fn in WRITE_TOOLS]
    )
}
MODEL_TOOLS = [spec.tool for spec in TOOLS.values()]

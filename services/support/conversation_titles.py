"""A conversation's title as the Chat page lists it: what happened in it ("Flight change
ZRH-LHR", "Compensation AL 123", "Hotel in London"), read from the tool calls its turns
recorded, else its first message, shortened.

The calls are the runtime's turn records (turns.tool_calls: name, arguments, status); the most
telling one names the conversation: a write (approved, executed or waiting) before a quote,
a quote before a search or a status question. Places and flights come from the records the
arguments name (flights by id, tickets by number), never from the model's text."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Flight, Ticket, TicketLeg, Turn
from services.text.user_text import strip_invisible

MAX_TITLE = 48
NO_MESSAGE = "(no message yet)"
# Tool name -> (title, what names it); the first match in this order titles the conversation.
KINDS: tuple[tuple[str, str, str], ...] = (
    ("change_flight", "Flight change", "new_route"),
    ("cancel_ticket", "Cancellation", "ticket_route"),
    ("request_compensation", "Compensation", "flight_no"),
    ("book_flight", "New flight", "new_route"),
    ("book_hotel", "Hotel", "city"),
    ("change_hotel_booking", "Hotel change", ""),
    ("cancel_hotel_booking", "Hotel cancellation", ""),
    ("book_car_rental", "Car rental", "city"),
    ("change_car_rental", "Car rental change", ""),
    ("cancel_car_rental", "Car rental cancellation", ""),
    ("book_excursion", "Excursion", "city"),
    ("cancel_excursion", "Excursion cancellation", ""),
    ("escalate_to_human", "Handed to a colleague", ""),
    ("quote_flight_change", "Flight change", "new_route"),
    ("quote_cancellation", "Cancellation quote", "ticket_route"),
    ("search_flights", "Flights", "search_route"),
    ("get_flight_status", "Flight status", "flight_no"),
    ("search_hotels", "Hotel", "city"),
    ("search_car_rentals", "Car rental", "city"),
    ("search_excursions", "Excursion", "city"),
)
RANK = {name: i for i, (name, _, _) in enumerate(KINDS)}
FAILED = frozenset({"error", "failed", "invalid", "refused", "denied"})


@dataclass(frozen=True)
class Call:
    name: str
    args: Mapping[str, Any]
    status: str


def calls_of(tool_calls: Iterable[Any]) -> list[Call]:
    """The recorded calls (turns.tool_calls items) as Calls; anything malformed is skipped."""
    found = []
    for item in tool_calls:
        if not isinstance(item, Mapping) or not isinstance(item.get("name"), str):
            continue
        args = item.get("args")
        found.append(
            Call(item["name"], args if isinstance(args, Mapping) else {}, str(item.get("status")))
        )
    return found


def shorten(text: str, limit: int = MAX_TITLE) -> str:
    """One line of at most `limit` characters, cut at a word with an ellipsis."""
    line = " ".join(strip_invisible(text or "").split())
    if len(line) <= limit:
        return line
    cut = line[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,.;:-") + "…"


def _headline(calls: Sequence[Call]) -> Call | None:
    """The call that names the conversation: the best-ranked one that did not fail (a write
    refused by the policy still says what the conversation was about, so it counts last)."""
    known = [c for c in calls if c.name in RANK]
    if not known:
        return None
    return min(known, key=lambda c: (c.status in FAILED, RANK[c.name]))


@dataclass
class Lookups:
    """The records the headline calls name, read in two queries for a whole list."""

    routes_by_flight: dict[int, tuple[str, str, str]]  # id -> (flight_no, origin, destination)
    ticket_routes: dict[str, tuple[str, str, str]]  # ticket_no -> first flight_no, origin, dest

    @classmethod
    def load(cls, session: Session, calls: Iterable[Call]) -> Lookups:
        flight_ids: set[int] = set()
        tickets: set[str] = set()
        for call in calls:
            for key in ("new_flight_ids", "flight_ids"):
                ids = call.args.get(key)
                if isinstance(ids, list):
                    flight_ids.update(i for i in ids if isinstance(i, int))
            ticket_no = call.args.get("ticket_no")
            if isinstance(ticket_no, str | int):
                tickets.add("".join(ch for ch in str(ticket_no) if ch.isdigit()))
        flights = {
            f.id: (f.flight_no, f.origin, f.destination)
            for f in session.scalars(select(Flight).where(Flight.id.in_(flight_ids)))
        }
        legs = session.execute(
            select(Ticket.ticket_no, Flight.flight_no, Flight.origin, Flight.destination)
            .join(TicketLeg, TicketLeg.ticket_id == Ticket.id)
            .join(Flight, Flight.id == TicketLeg.flight_id)
            .where(Ticket.ticket_no.in_(tickets))
            .order_by(Ticket.ticket_no, TicketLeg.sequence)
        ).all()
        routes: dict[str, tuple[str, str, str]] = {}
        for ticket_no, flight_no, origin, destination in legs:
            first = routes.get(ticket_no)
            routes[ticket_no] = (
                (first[0], first[1], destination) if first else (flight_no, origin, destination)
            )
        return cls(flights, routes)

    def route(self, ids: Any) -> str:
        legs = [self.routes_by_flight[i] for i in ids or [] if i in self.routes_by_flight]
        return f"{legs[0][1]}-{legs[-1][2]}" if legs else ""

    def ticket(self, ticket_no: Any) -> tuple[str, str, str] | None:
        return self.ticket_routes.get("".join(ch for ch in str(ticket_no or "") if ch.isdigit()))


def _what(call: Call, how: str, lookups: Lookups) -> str:
    """What names this call's subject: a route, a flight number or a city."""
    args = call.args
    if how == "new_route":
        return lookups.route(args.get("new_flight_ids") or args.get("flight_ids"))
    if how == "ticket_route":
        ticket = lookups.ticket(args.get("ticket_no"))
        return f"{ticket[1]}-{ticket[2]}" if ticket else ""
    if how == "flight_no":
        flight_no = args.get("flight_no")
        if isinstance(flight_no, str) and flight_no.strip():
            return flight_no.strip().upper()
        ticket = lookups.ticket(args.get("ticket_no"))
        return ticket[0] if ticket else ""
    if how == "search_route":
        origin, destination = args.get("origin"), args.get("destination")
        return f"{origin}-{destination}" if origin and destination else ""
    if how == "city":
        city = args.get("city")
        return f"in {city}" if isinstance(city, str) and city.strip() else ""
    return ""


def title(calls: Sequence[Call], first_message: str, lookups: Lookups) -> str:
    """The conversation's list title (see the module's docstring)."""
    headline = _headline(calls)
    if headline is None:
        return shorten(first_message) or NO_MESSAGE
    name, how = next((t, h) for n, t, h in KINDS if n == headline.name)
    what = shorten(_what(headline, how, lookups), 24)
    return shorten(f"{name} {what}" if what else name)


def titles(session: Session, conversations: Mapping[str, str]) -> dict[str, str]:
    """conversation id -> list title, for the conversations given (id -> first message)."""
    calls: dict[str, list[Call]] = {cid: [] for cid in conversations}
    rows = session.execute(
        select(Turn.conversation_id, Turn.tool_calls)
        .where(Turn.conversation_id.in_(list(conversations)))
        .order_by(Turn.id)
    )
    for conversation_id, tool_calls in rows:
        calls[conversation_id] += calls_of(tool_calls or [])
    lookups = Lookups.load(session, (c for found in calls.values() for c in found))
    return {cid: title(calls[cid], first, lookups) for cid, first in conversations.items()}

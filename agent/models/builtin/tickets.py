"""Which of the passenger's tickets the user means, from the trips the model looked up."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from agent.models.builtin.core import Task
from agent.models.builtin.render import numbered, ticket_line


def active_tickets(trips: dict[str, Any]) -> list[dict[str, Any]]:
    return [t for t in trips.get("tickets", []) if t.get("status") == "active"]


def disrupted(ticket: dict[str, Any]) -> bool:
    """A leg (current, or replaced by a rebooking) cancelled by the airline or 3 h+ late."""
    legs = [*ticket.get("legs", []), *ticket.get("replaced_legs", [])]
    return any(
        leg.get("status") == "cancelled" or leg.get("delay_minutes", 0) >= 180 for leg in legs
    )


def _route_filter(candidates: list[dict[str, Any]], slots: dict[str, Any]) -> list[dict[str, Any]]:
    """Keep the tickets whose route fits the places named: "from Paris" is an origin,
    "to London" or a bare "London" a destination (or, failing that, any stop)."""
    origin, destination = slots.get("origin"), slots.get("destination")
    kept = candidates
    if origin:
        kept = [t for t in kept if t["route"].split("-")[0] == origin] or kept
    if destination:
        kept = [t for t in kept if destination in t["route"].split("-")[1:]] or kept
    codes = set(slots.get("places") or [])
    if codes and kept is candidates:
        kept = [t for t in kept if codes & set(t["route"].split("-"))] or kept
    return kept


def _flight_no_filter(tickets: list[dict[str, Any]], slots: dict[str, Any]) -> list[dict[str, Any]]:
    """The tickets with a flight the message names; all of them when it names none of theirs."""
    numbers = {n.replace(" ", "") for n in slots.get("flight_nos") or []}
    if not numbers:
        return tickets
    return [
        t for t in tickets if numbers & {n.replace(" ", "") for n in t["flight_nos"]}
    ] or tickets


@dataclass(frozen=True)
class WhichTicket:
    """Several tickets fit: the user must say which (`question` lists them)."""

    question: str


@dataclass(frozen=True)
class NoActiveTicket:
    """The passenger has no ticket the task could be about."""


def choose_ticket(
    task: Task,
    trips: dict[str, Any],
    *,
    prefer_disrupted: bool = False,
    include_cancelled: bool = False,
) -> dict[str, Any] | WhichTicket | NoActiveTicket:
    """The ticket when one fits; otherwise the question to ask, or that there is none."""
    slots = task.slots
    wanted = slots.get("ticket_no")
    tickets: list[dict[str, Any]] = (
        trips.get("tickets", []) if include_cancelled else active_tickets(trips)
    )
    if wanted:
        ticket: dict[str, Any]
        for ticket in trips.get("tickets", []):
            if ticket["ticket_no"] == wanted:
                return ticket
        # Not among this passenger's tickets: the service will say whose rules apply.
        return {"ticket_no": wanted, "foreign": True}
    if not tickets:
        return NoActiveTicket()
    candidates = _flight_no_filter(_route_filter(tickets, slots), slots)
    if slots.get("direction") and len(candidates) > 1:
        ordered = sorted(candidates, key=lambda t: t.get("departs_local") or "")
        candidates = [ordered[-1] if slots["direction"] == "return" else ordered[0]]
    if prefer_disrupted and len(candidates) > 1:
        candidates = [t for t in candidates if disrupted(t)] or candidates
    if slots.get("ticket_index") is not None:
        index: int = slots["ticket_index"]
        ordered = sorted(candidates, key=lambda t: t.get("departs_local") or "")
        if -len(ordered) <= index < len(ordered):
            return ordered[index]
    if len(candidates) == 1:
        return candidates[0]
    ordered = sorted(candidates, key=lambda t: t.get("departs_local") or "")
    question = "Which ticket do you mean?\n" + numbered([ticket_line(t) for t in ordered])
    return WhichTicket(question)


def ticket_options(trips: dict[str, Any]) -> dict[str, Any]:
    ordered = sorted(active_tickets(trips), key=lambda t: t.get("departs_local") or "")
    return {
        "kind": "tickets",
        "items": [
            {
                "ticket_no": t["ticket_no"],
                "flight_nos": t["flight_nos"],
                "name": t["route"],
                "time": (t.get("departs_local") or "")[11:16],
            }
            for t in ordered
        ],
    }

"""The seeded history's tool calls, recorded the way the live runtime records them, and the
audit events each call leaves behind.

agent/records.py (TurnLog) writes one object per call into turns.tool_calls:
`{"id", "name", "args", "status"}`. The status is the tool's answer (agent/toolcalls.py: ok,
error, refused, invalid, denied, already_done) or "awaiting_approval" when the run paused at
an approval card; the run that resolves the card records the same call again (same id) with
its final status. A call carries no error text: a failing tool is audited by
services.core.operations (rule = the exception's class, message = its text), and a run that failed
as a whole writes its kind into turns.error (agent.models.explain_failure, the graph's stop
reasons, the runtime's fault record: kind, type name and reference)."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from services.core.errors import Rule
from world.airports import AIRPORTS, HUBS
from world.draw import Weighted

READ_TOOLS = (
    "get_passenger_trips", "search_flights", "get_flight_status", "lookup_policy",
    "quote_flight_change", "quote_cancellation", "search_hotels", "search_car_rentals",
    "search_excursions",
)  # fmt: skip
WRITE_TOOLS = (
    "change_flight", "cancel_ticket", "book_flight", "request_compensation", "book_hotel",
    "change_hotel_booking", "cancel_hotel_booking", "book_car_rental", "change_car_rental",
    "cancel_car_rental", "book_excursion", "cancel_excursion",
)  # fmt: skip
ESCALATE = "escalate_to_human"
READ_WEIGHTS = (30, 18, 10, 12, 9, 7, 6, 4, 4)
WRITE_WEIGHTS = (22, 12, 6, 10, 8, 3, 4, 5, 2, 2, 4, 2)
READS = Weighted(READ_TOOLS, READ_WEIGHTS)
# Reads that apply the policy, so they can be refused like the writes they quote.
QUOTES = frozenset({"quote_flight_change", "quote_cancellation"})

# Status values as the runtime writes them.
OK, ERROR, REFUSED, INVALID, DENIED = "ok", "error", "refused", "invalid", "denied"
AWAITING = "awaiting_approval"
Fates = tuple[tuple[str, int], ...]  # (status, weight)
# What becomes of a call, per mille. INVALID: arguments the tool rejects (no audit record);
# ERROR: the service failed (database gone, statement timeout). A write that passes its
# preview waits for approval: OK means approved and executed, DENIED the agent said no.
READ_FATES: Fates = ((OK, 966), (ERROR, 27), (INVALID, 7))
QUOTE_FATES: Fates = ((OK, 830), (REFUSED, 140), (ERROR, 25), (INVALID, 5))
WRITE_FATES: Fates = ((OK, 740), (REFUSED, 120), (DENIED, 100), (ERROR, 30), (INVALID, 10))


def _with_fates(
    tools: tuple[str, ...], weights: tuple[int, ...], fates: Callable[[str], Fates]
) -> Weighted[tuple[str, str]]:
    """Tool and fate in one draw: this runs for every call of a 200k-turn history."""
    pairs = [
        ((tool, fate), weight * share)
        for tool, weight in zip(tools, weights, strict=True)
        for fate, share in fates(tool)
    ]
    return Weighted([p for p, _ in pairs], [w for _, w in pairs])


READ_CALLS = _with_fates(
    READ_TOOLS, READ_WEIGHTS, lambda t: QUOTE_FATES if t in QUOTES else READ_FATES
)
WRITE_CALLS = _with_fates(WRITE_TOOLS, WRITE_WEIGHTS, lambda _tool: WRITE_FATES)

# Refusals as the services word them (services/flights/policy.py, access.py, tickets.py, seats.py;
# names and dates left general).
REFUSALS: tuple[tuple[str, str], ...] = tuple((rule.value, text) for rule, text in (
    (Rule.FARE_NO_CHANGE, "Light fares cannot be changed. The ticket can be cancelled (without "
     "refund) and a new flight booked instead."),
    (Rule.TOO_CLOSE_TO_DEPARTURE, "Tickets cannot be changed less than 3 hours before "
     "departure."),
    (Rule.NO_SEAT, "No free economy seat is left on this flight."),
    (Rule.COMPENSATION_NOT_ELIGIBLE, "This ticket has no flight that qualifies for "
     "compensation."),
    (Rule.BOOKING_CANCEL_WINDOW, "Hotel bookings can be cancelled free of charge only until 24 "
     "hours before they start."),
    (Rule.NOT_OWNER, "This booking is not the passenger's own; only the owner's bookings can be "
     "changed."),
    (Rule.LEG_FLOWN, "The ticket has a flight already flown, so it cannot be changed."),
    (Rule.REBOOKING_WINDOW, "Free rebooking after an airline cancellation is limited to flights "
     "within 7 days of the cancelled flight; a full refund is available instead."),
))  # fmt: skip
# A service that failed in the database: services.core.operations audits the exception's type name
# and the fault's record (kind, type, reference; the exception's text with its SQL stays in the
# server log, services.core.faults).
DB_FAILURE_RULE = "OperationalError"
DB_FAILURES = (
    "service_unavailable: OperationalError (reference 3f9a1c07)",
    "service_unavailable: OperationalError (reference b21e64d8)",
)
# turns.error of a failed run: an OpenAI-compatible endpoint times out or fails; the built-in
# model runs in-process, so only the database (the runtime's fault record) or a loop stops it.
REMOTE_ERRORS = Weighted(
    ("model_timeout", "model_http_429", "model_http_500", "model_http_503", "model_unreachable",
     "invalid_calls", "too_many_steps"),
    (40, 15, 10, 10, 10, 10, 5),
)  # fmt: skip
BUILTIN_ERRORS = Weighted((DB_FAILURES[0], "too_many_steps"), (80, 20))
INVALID_ROUNDS = 3  # agent.nodes.MAX_FAILED_ROUNDS: invalid rounds before the run gives up
DENY_REASONS = (None, None, "customer changed their mind", "wrong date")

# The arguments a model passes to each tool (agent/tools.py signatures, defaults left out).
ARG_NAMES: dict[str, tuple[str, ...]] = {
    "get_passenger_trips": (),
    "search_flights": ("origin", "destination", "day"),
    "get_flight_status": ("flight_no", "day"),
    "lookup_policy": ("question",),
    "quote_flight_change": ("ticket_no", "new_flight_ids"),
    "quote_cancellation": ("ticket_no",),
    "search_hotels": ("city", "checkin", "checkout"),
    "search_car_rentals": ("city", "start", "end"),
    "search_excursions": ("city", "day"),
    "change_flight": ("ticket_no", "new_flight_ids"),
    "cancel_ticket": ("ticket_no",),
    "book_flight": ("flight_ids", "fare"),
    "request_compensation": ("ticket_no",),
    "book_hotel": ("hotel_id", "checkin", "checkout"),
    "change_hotel_booking": ("booking_id", "checkin", "checkout"),
    "cancel_hotel_booking": ("booking_id",),
    "book_car_rental": ("offer_id", "start", "end"),
    "change_car_rental": ("rental_id", "start", "end"),
    "cancel_car_rental": ("rental_id",),
    "book_excursion": ("excursion_id", "day"),
    "cancel_excursion": ("booking_id",),
    ESCALATE: ("reason", "summary"),
}
DESTINATIONS = tuple(a for a in AIRPORTS if a.code not in HUBS)
QUESTIONS = ("How many checked bags are included?", "Can a Light fare be changed?",
             "What is refunded when a Classic ticket is cancelled?",
             "Is there compensation for a delayed flight?")  # fmt: skip

Call = dict[str, Any]
Event = tuple[str, str, str | None, str | None]  # audit action, outcome, rule, message

DAYS = tuple(timedelta(days=n) for n in range(32))  # ready-made: slots runs per conversation


def slots(rng: random.Random, started: datetime, reason: str | None) -> dict[str, Any]:
    """Argument values for one conversation: one trip, so its calls agree with each other.
    Sliced from two random numbers, as this runs for every conversation."""
    a, b = rng.getrandbits(32), rng.getrandbits(64)
    dest = DESTINATIONS[a % len(DESTINATIONS)]
    day = started.date() + DAYS[1 + (a >> 8) % 30]
    first, last = day.isoformat(), (day + DAYS[3]).isoformat()
    flight_id, booking_id = 1 + b % 9_999, 1 + (b >> 16) % 4_999
    return {
        "origin": HUBS[(a >> 16) % len(HUBS)], "destination": dest.code, "city": dest.city,
        "day": first, "checkin": first, "checkout": last, "start": first, "end": last,
        "flight_no": f"AL {flight_id % 900 + 100}", "ticket_no": f"724{(b >> 30) % 10**10:010d}",
        "new_flight_ids": [flight_id], "flight_ids": [flight_id], "fare": "Classic",
        "hotel_id": booking_id % 150 + 1, "offer_id": booking_id % 200 + 1,
        "excursion_id": booking_id % 120 + 1, "booking_id": booking_id, "rental_id": booking_id,
        "question": QUESTIONS[(a >> 24) % len(QUESTIONS)], "reason": reason,
        "summary": reason and f"Customer needs a human ({reason.replace('_', ' ')}).",
    }  # fmt: skip


def _failure(rng: random.Random, tool: str) -> Event:
    return (tool, "error", DB_FAILURE_RULE, rng.choice(DB_FAILURES))


def _refusal(rng: random.Random, tool: str) -> Event:
    rule, message = rng.choice(REFUSALS)
    return (tool, "refused", rule, message)


class Calls:
    """One conversation's calls, run by run. A write that reaches its approval card stays
    pending and is answered by the next run, as a resolution run answers it live."""

    def __init__(self, rng: random.Random, values: dict[str, Any]) -> None:
        self.rng = rng
        self.values = values
        self.pending: tuple[Call, str] | None = None  # the call at the card, and its fate
        # Ids in agent.calls.with_call_ids' form ("call_" and 24 hex digits): a random prefix
        # per conversation and a counter, cheaper than a random number per call.
        self.prefix = f"call_{rng.getrandbits(64):016x}"
        self.count = 0
        self.args: dict[str, dict[str, Any]] = {}  # per tool: the same trip, the same values

    def call(self, name: str, status: str) -> Call:
        self.count += 1
        args = self.args.get(name)
        if args is None:
            args = self.args[name] = {key: self.values[key] for key in ARG_NAMES[name]}
        return {
            "id": f"{self.prefix}{self.count:08x}",
            "name": name,
            "args": args,
            "status": status,
        }

    def resolve(self) -> tuple[list[Call], list[Event]]:
        """The pending card's answer: the same call with its final status, and its audit."""
        if self.pending is None:
            return [], []
        call, fate = self.pending
        self.pending = None
        name = call["name"]
        if fate == DENIED:
            return [{**call, "status": DENIED}], [
                ("deny", "denied", None, self.rng.choice(DENY_REASONS))
            ]
        approved: Event = ("approve", "approved", None, None)
        if fate == ERROR:
            return [{**call, "status": ERROR}], [approved, _failure(self.rng, name)]
        return [{**call, "status": OK}], [approved, (name, "executed", None, None)]

    def turn(self, error: str | None, *, writes: bool = True) -> tuple[list[Call], list[Event]]:
        """One run: the answer to a pending card, then the calls the model makes."""
        rng = self.rng
        calls, events = self.resolve() if self.pending else ([], [])
        if error == "invalid_calls":  # the run stopped after rounds of invalid calls
            tool = READS.pick(rng)
            return calls + [self.call(tool, INVALID) for _ in range(INVALID_ROUNDS)], events
        roll = rng.random()
        if roll < 0.25:
            return calls, events
        for _ in range(1 if roll < 0.75 else 2):
            tool, fate = READ_CALLS.pick(rng)
            calls.append(self.call(tool, fate))
            if fate == OK:
                events.append((tool, "ok", None, None))
            elif fate != INVALID:  # invalid arguments never reach the service
                events.append(_refusal(rng, tool) if fate == REFUSED else _failure(rng, tool))
        if writes and rng.random() < 0.3:
            tool, fate = WRITE_CALLS.pick(rng)
            if fate in (REFUSED, INVALID):  # answered at once: no approval card
                calls.append(self.call(tool, fate))
                if fate == REFUSED:
                    events.append(_refusal(rng, tool))
            else:
                call = self.call(tool, AWAITING)
                calls.append(call)
                self.pending = (call, fate)
        return calls, events

    def escalate(self, calls: list[Call], *, approved_now: bool) -> list[Event]:
        """Ask for a human: the card waits for the next run, or (a one-run conversation) the
        approved call is all that was recorded."""
        if approved_now:
            calls.append(self.call(ESCALATE, OK))
            return [("approve", "approved", None, None), (ESCALATE, "executed", None, None)]
        call = self.call(ESCALATE, AWAITING)
        calls.append(call)
        self.pending = (call, OK)
        return []


def turn_error(rng: random.Random, builtin: bool) -> str | None:
    """turns.error for a run: about 2% of runs fail as a whole."""
    if rng.random() >= 0.02:
        return None
    return (BUILTIN_ERRORS if builtin else REMOTE_ERRORS).pick(rng)

"""Flight flows besides the change (flows_change.py): cancel (or the refund), compensation,
status, search and book."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from agent.models.builtin.choices import preselect
from agent.models.builtin.core import (
    Decision,
    Task,
    call,
    results_of,
    say,
    trips_of,
)
from agent.models.builtin.dates import MONTHS, WEEKDAYS
from agent.models.builtin.flows_change import change_flight, flight_items, need_ticket
from agent.models.builtin.outcomes import failure, refusal, report_write
from agent.models.builtin.render import (
    arrival_text,
    chf,
    day_text,
    flight_option,
    numbered,
    shortlist,
    time_text,
    when_text,
)
from agent.models.builtin.state import Intent, Stage
from agent.models.builtin.tickets import (
    choose_ticket,
    disrupted,
)
from agent.models.builtin.transcript import Transcript


# ---- cancel ---------------------------------------------------------------------------------
def _cancel_all(t: Transcript, task: Task, trips: dict[str, Any]) -> Decision:
    """ "Cancel both his flights": quote every matching ticket, then cancel those allowed."""
    from agent.models.builtin.tickets import active_tickets

    tickets = active_tickets(trips)
    written = results_of(t, "cancel_ticket")
    if written:
        parts = [report_write(w, task).text for w in written]
        return say("\n".join(parts), Task(task.intent, task.slots, Stage.DONE))
    quotes = results_of(t, "quote_cancellation")
    if not quotes:
        return Decision(
            calls=[("quote_cancellation", {"ticket_no": x["ticket_no"]}) for x in tickets],
            task=task,
        )
    allowed = [q for q in quotes if q.ok]
    lines = [
        f"ticket {q.data['ticket_no']}: refund {chf(q.data['refund'])} ({q.data['rule']})"
        if q.ok
        else f"ticket {q.args.get('ticket_no')}: {q.message}"
        for q in quotes
    ]
    if not allowed or task.intent == "quote_cancel":
        return say(
            "\n".join(lines),
            Task(
                Intent.CANCEL_TICKET,
                task.slots,
                Stage.AWAITING_CONFIRM if allowed else Stage.REFUSED,
            ),
        )
    return Decision(
        text="Cancelling:\n" + "\n".join(lines) + "\nHere are the cancellations for your approval.",
        calls=[("cancel_ticket", {"ticket_no": q.data["ticket_no"]}) for q in allowed],
        task=Task(task.intent, task.slots, Stage.EXECUTING),
    )


def cancel_ticket(t: Transcript, task: Task) -> Decision:
    if task.slots.get("all_tickets"):
        trips = trips_of(t)
        return _cancel_all(t, task, trips) if trips else call("get_passenger_trips", task)
    written = t.result("cancel_ticket")
    if written is not None:
        return report_write(written, task)
    ticket = need_ticket(t, task)
    if isinstance(ticket, Decision):
        return ticket
    quote = t.result("quote_cancellation")
    if quote is None:
        return call("quote_cancellation", task, ticket_no=ticket["ticket_no"])
    if not quote.ok:
        lead = f"Ticket {ticket['ticket_no']} can't be cancelled"
        return refusal(quote, task, lead=lead) if quote.refused else failure(quote, task)
    q = quote.data
    refund = f"Cancelling ticket {q['ticket_no']} ({q['fare']} fare, paid {chf(q['paid'])}) refunds {chf(q['refund'])}: {q['rule']}"
    slots = {**task.slots, "ticket_no": ticket["ticket_no"]}
    if task.intent == "quote_cancel" or _full_refund_refused(task, q):
        return say(
            f"{refund}\nShould I cancel it?",
            Task(Intent.CANCEL_TICKET, slots, Stage.AWAITING_CONFIRM),
        )
    return call(
        "cancel_ticket",
        Task(task.intent, slots, Stage.EXECUTING),
        f"{refund} Here is the cancellation for your approval.",
        ticket_no=ticket["ticket_no"],
    )


def _full_refund_refused(task: Task, quote: dict[str, Any]) -> bool:
    """ "cancel it, full refund pls" when the fare refunds less: the condition fails, so the
    quote is shown and asked about, never proposed as if it met the request."""
    if not task.slots.get("full_refund") or task.slots.get("anyway"):  # "... so go ahead"
        return False
    return Decimal(quote["refund"]) < Decimal(quote["paid"])


# ---- compensation ---------------------------------------------------------------------------
def compensation(t: Transcript, task: Task) -> Decision:
    written = t.result("request_compensation")
    if written is not None:
        return report_write(written, task)
    ticket = need_ticket(t, task, prefer_disrupted=True, include_cancelled=True)
    if isinstance(ticket, Decision):
        return ticket
    if not ticket.get("foreign"):
        paid = _already_compensated(t, ticket)
        if paid:
            return say(
                f"Compensation for {paid} on ticket {ticket['ticket_no']} has already been paid; it is paid once per ticket and flight (rule: compensation_already_paid), so nothing more is due.",
                Task(task.intent, task.slots, Stage.REFUSED),
            )
        if task.slots.get("wondering") or not disrupted(ticket):
            return _compensation_answer(t, task, ticket)
    args: dict[str, Any] = {"ticket_no": ticket["ticket_no"]}
    if task.slots.get("flight_nos"):
        args["flight_no"] = task.slots["flight_nos"][0]
    return call(
        "request_compensation",
        Task(task.intent, {**task.slots, "ticket_no": ticket["ticket_no"]}, Stage.EXECUTING),
        "Here is the compensation request for your approval.",
        **args,
    )


def _already_compensated(t: Transcript, ticket: dict[str, Any]) -> str | None:
    """The flight number of a disrupted leg whose compensation the trips show as paid."""
    trips = trips_of(t) or {}
    paid_flights = {c.get("flight_id") for c in trips.get("compensations", [])}
    for leg in [*ticket.get("legs", []), *ticket.get("replaced_legs", [])]:
        bad = leg.get("status") == "cancelled" or leg.get("delay_minutes", 0) >= 180
        if bad and leg.get("id") in paid_flights:
            flight_no: str = leg["flight_no"]
            return flight_no
    return None


def _compensation_answer(t: Transcript, task: Task, ticket: dict[str, Any]) -> Decision:
    """Whether compensation is due, in the words and amounts of the EU 261 decision the trips
    carry for each disrupted leg (services.disruptions): never an amount of our own."""
    legs = [*ticket.get("legs", []), *ticket.get("replaced_legs", [])]
    bad = [
        leg
        for leg in legs
        if leg.get("status") == "cancelled" or leg.get("delay_minutes", 0) >= 180
    ]
    decided = [leg for leg in bad if leg.get("eu261")]
    owed = [leg for leg in decided if leg["eu261"]["compensation_due"]]
    who = t.first_name
    if owed:
        due = owed[0]["eu261"]
        text = f"Yes: {due['reason']} So {who} is entitled to CHF {due['compensation_chf']} (EUR {due['compensation_eur']}, EU 261 {due['article']}), once per ticket and flight."
    elif decided:
        refused = decided[0]["eu261"]
        return say(
            f"No compensation is due: {refused['reason']} (EU 261 {refused['article']}; rule: {refused['rule']}).",
            Task(task.intent, task.slots, Stage.DONE),
        )
    elif bad:
        text = f"Yes: {bad[0]['flight_no']} is disrupted, so {who} may be entitled to compensation under EU 261 (EUR 250, 400 or 600 by distance, paid in CHF)."
    else:
        return say(
            f"No compensation is due: under EU 261 it is paid only for a flight cancelled by the airline or arriving 3 hours or more late, and ticket {ticket['ticket_no']} has neither (rule: compensation_not_eligible).",
            Task(task.intent, task.slots, Stage.DONE),
        )
    return say(
        text + " It is paid only on request — shall I request it?",
        Task(
            Intent.COMPENSATION,
            {**task.slots, "wondering": False, "ticket_no": ticket["ticket_no"]},
            Stage.AWAITING_CONFIRM,
        ),
    )


# ---- status ---------------------------------------------------------------------------------
def flight_status(t: Transcript, task: Task) -> Decision:
    status = t.result("get_flight_status")
    if status is not None:
        if not status.ok:
            return failure(status, task)
        return say(_status_text(status.data), Task(task.intent, task.slots, Stage.DONE))
    numbers = task.slots.get("flight_nos")
    if numbers:
        day = (task.slots.get("dates") or [t.today.isoformat()])[0]
        return call("get_flight_status", task, flight_no=numbers[0], day=day)
    ticket = need_ticket(t, task)
    if isinstance(ticket, Decision):
        return ticket
    legs = [
        leg for leg in ticket.get("legs", []) if leg.get("status") not in ("arrived",)
    ] or ticket.get("legs", [])
    if not legs:
        return say(f"I found no flight on ticket {ticket['ticket_no']}.", task)
    leg = legs[0]
    return call(
        "get_flight_status", task, flight_no=leg["flight_no"], day=leg["departure_local"][:10]
    )


def _status_text(view: dict[str, Any]) -> str:
    head = f"{view['flight_no']} {view['origin']}-{view['destination']} on {when_text(view['departure_local'])}"
    state = view["status"]
    if state == "cancelled":
        return f"{head} has been cancelled by the airline. The passenger can be rebooked free of charge on the same route within 7 days, or get a full refund."
    if state == "delayed" or view.get("delay_minutes"):
        minutes = view.get("delay_minutes", 0)
        new = time_text(view.get("estimated_departure_local"))
        return f"{head} is delayed by {minutes // 60} h {minutes % 60:02d} min; expected departure {new} local time (arrival about {arrival_text(view['departure_local'], view['arrival_local'])})."
    if state in ("departed", "arrived"):
        return f"{head} has {state}."
    return f"{head} is on time: departure {time_text(view['departure_local'])}, arrival {arrival_text(view['departure_local'], view['arrival_local'])} local time."


# ---- search and book ------------------------------------------------------------------------
def _missing_flight_details(slots: dict[str, Any]) -> list[str]:
    asks = (("where to", "destination"), ("from which airport", "origin"), ("on which date", "day"))
    return [name for name, key in asks if not slots.get(key)]


def _from_home(slots: dict[str, Any], trips: Any) -> dict[str, Any]:
    """A flight to somewhere with no origin named leaves from the passenger's home airport."""
    home = _home_airport(trips) if trips else None
    if (
        home
        and slots.get("destination")
        and not slots.get("origin")
        and home != slots["destination"]
    ):
        return {**slots, "origin": home}
    return slots


def _route_of_ticket(slots: dict[str, Any], trips: Any) -> dict[str, Any]:
    """ "... on that sunday 12:25 flight": no route named, the ticket just discussed gives it."""
    wanted = slots.get("route_of_ticket")
    if not wanted or not trips or slots.get("origin") or slots.get("destination"):
        return slots
    for ticket in trips.get("tickets", []):
        if ticket.get("ticket_no") == wanted:
            stops = str(ticket["route"]).split("-")
            routed = {**slots, "origin": stops[0], "destination": stops[-1]}
            return _weekday_of_that_trip(routed, str(ticket.get("departs_date") or ""))
    return slots


# A day number or a month: the date is said in full, not only as a weekday.
_FULL_DATE = re.compile(rf"\b\d{{1,2}}(st|nd|rd|th)\b|\b\d{{1,2}}[./]\d{{1,2}}\b|\b({MONTHS})\b")


def _weekday_of_that_trip(slots: dict[str, Any], departs: str) -> dict[str, Any]:
    """ "that sunday flight" about a trip on Saturday 5 December is Sunday 6 December, the
    weekday nearest the trip (within three days), not the next Sunday from today."""
    question = str(slots.get("question", "")).lower()
    day = slots.get("day")
    if not (day and departs) or _FULL_DATE.search(question):
        return slots
    wanted = date.fromisoformat(day)
    if WEEKDAYS[wanted.weekday()] not in question:
        return slots
    trip = date.fromisoformat(departs)
    near = [trip + timedelta(days=k) for k in (0, 1, -1, 2, -2, 3, -3)]
    same = next(d for d in near if d.weekday() == wanted.weekday())
    return {**slots, "day": same.isoformat(), "dates": [same.isoformat()]}


def _rebooks_disrupted(slots: dict[str, Any], ticket: dict[str, Any]) -> bool:
    """ "he can only travel on thursday now, book it": no route named, and the ticket's flight
    was cancelled or badly delayed by the airline: the booking meant is the rebooking."""
    named_route = slots.get("origin") or slots.get("destination") or slots.get("places")
    return not named_route and not slots.get("new_trip") and disrupted(ticket)


def book_flight(t: Transcript, task: Task) -> Decision:
    written = t.result("book_flight")
    if written is not None:
        return report_write(written, task)
    slots = task.slots
    fare = slots.get("fare") or "Classic"
    if task.stage is Stage.CHOSEN and slots.get("chosen_ids"):
        return call(
            "book_flight",
            Task(task.intent, slots, Stage.EXECUTING),
            f"Here is the booking ({fare} fare) for your approval.",
            flight_ids=slots["chosen_ids"],
            fare=fare,
        )
    missing = _missing_flight_details(slots)
    if missing and not (slots.get("origin") and slots.get("destination")):
        trips = trips_of(t)
        if trips is None and t.result("get_passenger_trips") is None:
            return call("get_passenger_trips", task)
        reroute = not slots.get("explicit_book") and not slots.get("new_trip")
        ticket = choose_ticket(task, trips) if trips else None
        if isinstance(ticket, dict) and (reroute or _rebooks_disrupted(slots, ticket)):
            # "get him on a flight tomorrow" with a ticket booked means moving that ticket.
            return change_flight(t, Task(Intent.CHANGE_FLIGHT, slots, Stage.START))
        slots = _from_home(_route_of_ticket(slots, trips), trips)
        missing = _missing_flight_details(slots)
    if missing:
        return say(
            f"Happy to look for flights — {', and '.join(missing)}?",
            Task(task.intent, slots, Stage.AWAITING_DETAILS),
        )
    search = t.result("search_flights")
    if search is None:
        return call(
            "search_flights",
            task,
            origin=slots["origin"],
            destination=slots["destination"],
            day=slots["day"],
            fare=fare,
            seats=slots.get("party") or 1,
        )
    if not search.ok:
        return failure(search, task)
    options = shortlist(search.results, 5)
    if not options:
        return say(
            f"There is no Alpine Air flight from {slots['origin']} to {slots['destination']} with free seats on {day_text(slots['day'])}. Shall I try another date?",
            Task(task.intent, {**slots, "day": None}, Stage.AWAITING_DETAILS),
        )
    return _offer_flights(t, task, slots, options, fare)


def _offer_flights(
    t: Transcript, task: Task, slots: dict[str, Any], options: list[dict[str, Any]], fare: str
) -> Decision:
    """Book the flight the request already singles out, else list the options."""
    items = flight_items(options)
    lines = [f"{flight_option(o)} — {chf(o['price'])} per person ({fare})" for o in options]
    browsing = bool(slots.get("browse"))
    chosen = None if browsing else preselect(slots.get("question", ""), items, t.today)
    if task.intent == "book_flight" and chosen is not None:
        return call(
            "book_flight",
            Task(task.intent, {**slots, "chosen_ids": items[chosen]["ids"]}, Stage.EXECUTING),
            f"{lines[chosen]}. Here is the booking for your approval.",
            flight_ids=items[chosen]["ids"],
            fare=fare,
        )
    if task.intent == "book_flight" and len(options) == 1 and not browsing:
        return call(
            "book_flight",
            Task(task.intent, {**slots, "chosen_ids": items[0]["ids"]}, Stage.EXECUTING),
            f"There is one flight: {lines[0]}. Here is the booking for your approval.",
            flight_ids=items[0]["ids"],
            fare=fare,
        )
    return say(
        f"Flights on {day_text(slots['day'])}:\n{numbered(lines)}\n"
        + ("Would you like me to book one of them?" if browsing else "Which one should I book?"),
        Task(Intent.BOOK_FLIGHT, slots, Stage.AWAITING_CHOICE),
        {"kind": "flights", "items": items},
    )


def _home_airport(trips: dict[str, Any]) -> str | None:
    """Where the passenger usually starts: the origin of their first ticket."""
    for ticket in trips.get("tickets", []):
        origin: str = ticket["route"].split("-")[0]
        return origin
    return None

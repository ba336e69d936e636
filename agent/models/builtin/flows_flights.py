"""Flight flows: change (or its cost), cancel (or the refund), book, status, compensation."""

from __future__ import annotations

from typing import Any

from agent.models.builtin.choices import preselect
from agent.models.builtin.core import (
    Decision,
    Task,
    call,
    plus_days,
    possessive,
    results_of,
    say,
    trips_of,
)
from agent.models.builtin.outcomes import failure, refusal, report_write
from agent.models.builtin.render import (
    chf,
    day_text,
    flight_option,
    numbered,
    ticket_line,
    time_text,
    when_text,
)
from agent.models.builtin.tickets import (
    NoActiveTicket,
    WhichTicket,
    choose_ticket,
    disrupted,
    ticket_options,
)
from agent.models.builtin.transcript import Transcript

MAX_QUOTES = 6
MAX_SEARCH_DAYS = 3


def _need_ticket(
    t: Transcript, task: Task, *, prefer_disrupted: bool = False, include_cancelled: bool = False
) -> dict[str, Any] | Decision:
    """The ticket the task is about, or the decision to take first (look the trips up, ask which
    ticket, or say there is none)."""
    trips = trips_of(t)
    if trips is None:
        lookup = t.result("get_passenger_trips")
        if lookup is not None and not lookup.ok:
            return failure(lookup, task)
        return call("get_passenger_trips", task)
    choice = choose_ticket(
        task, trips, prefer_disrupted=prefer_disrupted, include_cancelled=include_cancelled
    )
    if isinstance(choice, NoActiveTicket):
        who = possessive(t, task.slots.get("first_person", False))
        return say(
            f"I don't see any active tickets in {who} bookings.",
            Task(task.intent, task.slots, "done"),
        )
    if isinstance(choice, WhichTicket):
        return say(
            choice.question, Task(task.intent, task.slots, "awaiting_ticket"), ticket_options(trips)
        )
    return choice


def _flight_items(
    options: list[dict[str, Any]], totals: dict[tuple[int, ...], str] | None = None
) -> list[dict[str, Any]]:
    items = []
    for option in options:
        ids = [leg["id"] for leg in option["legs"]]
        items.append(
            {
                "ids": ids,
                "flight_nos": [leg["flight_no"] for leg in option["legs"]],
                "time": time_text(option["legs"][0]["departure_local"]),
                "day": option["legs"][0]["departure_local"][:10],
                "price": (totals or {}).get(tuple(ids), option.get("price")),
                "label": flight_option(option),
            }
        )
    return items


def _target_day(task: Task, ticket: dict[str, Any], t: Transcript) -> str | None:
    slots = task.slots
    departs = ticket.get("departs_date")
    if slots.get("dates"):
        # "can't make it on Sunday, something on Monday?": the target is the other date.
        others = [d for d in slots["dates"] if d != departs]
        target: str = (others or slots["dates"])[-1]
        return target
    if slots.get("shift") is not None and departs:
        return plus_days(departs, slots["shift"])
    if slots.get("asap") or (
        disrupted(ticket)
        and any(leg.get("status") == "cancelled" for leg in ticket.get("legs", []))
    ):
        return max(departs or t.today.isoformat(), t.today.isoformat())
    return None


# ---- change ---------------------------------------------------------------------------------
def _foreign_ticket(t: Transcript, task: Task, ticket: dict[str, Any]) -> Decision:
    """Someone else's ticket: the service says no, and the reply passes its rule on."""
    quote = t.result("quote_flight_change")
    if quote is None:
        # The service checks whose ticket it is before anything else; no ids are invented.
        return call("quote_flight_change", task, ticket_no=ticket["ticket_no"], new_flight_ids=[])
    return refusal(quote, task) if quote.refused else failure(quote, task)


def _no_free_flight(
    task: Task, ticket: dict[str, Any], searched_day: str, searches: int
) -> Decision:
    """Nothing to move to on the day searched: "as soon as possible" tries the next day."""
    route = ticket["route"].split("-")
    if task.slots.get("asap") and searches < MAX_SEARCH_DAYS:
        return call(
            "search_flights",
            task,
            origin=route[0],
            destination=route[-1],
            day=plus_days(searched_day, 1),
            fare=ticket["fare"],
        )
    return say(
        f"There is no {ticket['route']} flight with a free seat on {day_text(searched_day)}. Shall I look at another date?",
        Task(
            task.intent,
            {**task.slots, "ticket_no": ticket["ticket_no"], "dates": []},
            "awaiting_date",
        ),
    )


def change_flight(t: Transcript, task: Task) -> Decision:
    written = t.result("change_flight")
    if written is not None:
        return report_write(written, task)
    ticket = _need_ticket(t, task)
    if isinstance(ticket, Decision):
        return ticket
    task.slots["ticket_no"] = ticket["ticket_no"]  # remembered for "cancel that ticket" later
    slots = task.slots
    if ticket.get("foreign"):
        return _foreign_ticket(t, task, ticket)
    if task.stage == "chosen" and slots.get("chosen_ids"):
        return call(
            "change_flight",
            Task(task.intent, slots, "executing"),
            "Here is the change for your approval.",
            ticket_no=ticket["ticket_no"],
            new_flight_ids=slots["chosen_ids"],
        )
    day = _target_day(task, ticket, t)
    if day is None:
        who = possessive(t, slots.get("first_person", False))
        return say(
            f"{who.capitalize()} {ticket_line(ticket)}. To which date should I move it?",
            Task(task.intent, {**slots, "ticket_no": ticket["ticket_no"]}, "awaiting_date"),
        )
    searches = results_of(t, "search_flights")
    route = ticket["route"].split("-")
    if not searches:
        return call(
            "search_flights",
            task,
            origin=route[0],
            destination=route[-1],
            day=day,
            fare=ticket["fare"],
        )
    last = searches[-1]
    if not last.ok:
        return failure(last, task)
    current = [leg.get("id") for leg in ticket.get("legs", [])]
    options = [o for o in last.results if [leg["id"] for leg in o["legs"]] != current]
    if not options:
        return _no_free_flight(task, ticket, str(last.args.get("day", day)), len(searches))
    quotes = results_of(t, "quote_flight_change")
    if not quotes:
        return Decision(
            calls=[
                (
                    "quote_flight_change",
                    {
                        "ticket_no": ticket["ticket_no"],
                        "new_flight_ids": [leg["id"] for leg in o["legs"]],
                    },
                )
                for o in options[:MAX_QUOTES]
            ],
            task=task,
        )
    return _offer_change(t, task, ticket, options[:MAX_QUOTES], quotes)


def _offer_change(
    t: Transcript,
    task: Task,
    ticket: dict[str, Any],
    options: list[dict[str, Any]],
    quotes: list[Any],
) -> Decision:
    fine = [q for q in quotes if q.ok]
    if not fine:
        first = quotes[0]
        return (
            refusal(
                first,
                task,
                lead=f"Ticket {ticket['ticket_no']} ({ticket['route']}, {ticket['fare']}) can't be changed",
            )
            if first.refused
            else failure(first, task)
        )
    totals: dict[tuple[int, ...], str] = {}
    lines = []
    for option, quote in zip(options, quotes, strict=False):
        if not quote.ok:
            continue
        q = quote.data
        totals[tuple(q["new_flight_ids"])] = q["total"]
        cost = (
            "free of charge"
            if float(q["total"]) == 0
            else f"{chf(q['total'])} in total ({chf(q['change_fee'])} change fee + {chf(q['fare_difference'])} fare difference)"
        )
        lines.append(f"{flight_option(option)} — {cost}")
    rule = fine[0].data["rule"]
    items = [i for i in _flight_items(options, totals) if tuple(i["ids"]) in totals]
    slots = {**task.slots, "ticket_no": ticket["ticket_no"]}
    chosen = (
        preselect(task.slots.get("question", ""), items, t.today)
        if task.intent == "change_flight" and not task.slots.get("browse")
        else None
    )
    if chosen is not None:
        item = items[chosen]
        return call(
            "change_flight",
            Task(task.intent, {**slots, "chosen_ids": item["ids"]}, "executing"),
            f"{lines[chosen]}. {rule} Here is the change for your approval.",
            ticket_no=ticket["ticket_no"],
            new_flight_ids=item["ids"],
        )
    if len(items) == 1 and task.intent == "change_flight" and not task.slots.get("browse"):
        return call(
            "change_flight",
            Task(task.intent, {**slots, "chosen_ids": items[0]["ids"]}, "executing"),
            f"There is one option: {lines[0]}. {rule} Here is the change for your approval.",
            ticket_no=ticket["ticket_no"],
            new_flight_ids=items[0]["ids"],
        )
    intro = f"Options for ticket {ticket['ticket_no']} ({ticket['route']}, {ticket['fare']} fare):"
    ending = (
        "Which one should I take?"
        if task.intent == "change_flight"
        else "Tell me which one, and I'll prepare the change."
    )
    return say(
        f"{intro}\n{numbered(lines)}\n{rule}\n{ending}",
        Task("change_flight", slots, "awaiting_choice"),
        {"kind": "flights", "items": items},
    )


# ---- cancel ---------------------------------------------------------------------------------
def _cancel_all(t: Transcript, task: Task, trips: dict[str, Any]) -> Decision:
    """ "Cancel both his flights": quote every matching ticket, then cancel those allowed."""
    from agent.models.builtin.tickets import active_tickets

    tickets = active_tickets(trips)
    written = results_of(t, "cancel_ticket")
    if written:
        parts = [report_write(w, task).text for w in written]
        return say("\n".join(parts), Task(task.intent, task.slots, "done"))
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
            Task("cancel_ticket", task.slots, "awaiting_confirm" if allowed else "refused"),
        )
    return Decision(
        text="Cancelling:\n" + "\n".join(lines) + "\nHere are the cancellations for your approval.",
        calls=[("cancel_ticket", {"ticket_no": q.data["ticket_no"]}) for q in allowed],
        task=Task(task.intent, task.slots, "executing"),
    )


def cancel_ticket(t: Transcript, task: Task) -> Decision:
    if task.slots.get("all_tickets"):
        trips = trips_of(t)
        return _cancel_all(t, task, trips) if trips else call("get_passenger_trips", task)
    written = t.result("cancel_ticket")
    if written is not None:
        return report_write(written, task)
    ticket = _need_ticket(t, task)
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
    if task.intent == "quote_cancel":
        return say(
            f"{refund}\nShould I cancel it?", Task("cancel_ticket", slots, "awaiting_confirm")
        )
    return call(
        "cancel_ticket",
        Task(task.intent, slots, "executing"),
        f"{refund} Here is the cancellation for your approval.",
        ticket_no=ticket["ticket_no"],
    )


# ---- compensation ---------------------------------------------------------------------------
def compensation(t: Transcript, task: Task) -> Decision:
    written = t.result("request_compensation")
    if written is not None:
        return report_write(written, task)
    ticket = _need_ticket(t, task, prefer_disrupted=True, include_cancelled=True)
    if isinstance(ticket, Decision):
        return ticket
    if not ticket.get("foreign"):
        paid = _already_compensated(t, ticket)
        if paid:
            return say(
                f"Compensation for {paid} on ticket {ticket['ticket_no']} has already been paid; it is paid once per ticket and flight (rule: compensation_already_paid), so nothing more is due.",
                Task(task.intent, task.slots, "refused"),
            )
        if task.slots.get("question") or not disrupted(ticket):
            return _compensation_answer(t, task, ticket)
    args: dict[str, Any] = {"ticket_no": ticket["ticket_no"]}
    if task.slots.get("flight_nos"):
        args["flight_no"] = task.slots["flight_nos"][0]
    return call(
        "request_compensation",
        Task(task.intent, {**task.slots, "ticket_no": ticket["ticket_no"]}, "executing"),
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
    legs = [*ticket.get("legs", []), *ticket.get("replaced_legs", [])]
    cancelled = [leg for leg in legs if leg.get("status") == "cancelled"]
    late = [leg for leg in legs if leg.get("delay_minutes", 0) >= 180]
    who = t.first_name
    if cancelled:
        text = f"Yes: {cancelled[0]['flight_no']} was cancelled by the airline, so {who} is entitled to CHF 200 compensation (once per ticket and flight)."
    elif late:
        text = f"Yes: {late[0]['flight_no']} is delayed by {late[0]['delay_minutes'] // 60} hours, so {who} is entitled to CHF 100 compensation."
    else:
        return say(
            f"No compensation is due: it is paid only for a flight cancelled by the airline (CHF 200) or delayed by 3 hours or more (CHF 100), and ticket {ticket['ticket_no']} has neither (rule: compensation_not_eligible).",
            Task(task.intent, task.slots, "done"),
        )
    return say(
        text + " It is paid only on request — shall I request it?",
        Task(
            "compensation",
            {**task.slots, "question": False, "ticket_no": ticket["ticket_no"]},
            "awaiting_confirm",
        ),
    )


# ---- status ---------------------------------------------------------------------------------
def flight_status(t: Transcript, task: Task) -> Decision:
    status = t.result("get_flight_status")
    if status is not None:
        if not status.ok:
            return failure(status, task)
        return say(_status_text(status.data), Task(task.intent, task.slots, "done"))
    numbers = task.slots.get("flight_nos")
    if numbers:
        day = (task.slots.get("dates") or [t.today.isoformat()])[0]
        return call("get_flight_status", task, flight_no=numbers[0], day=day)
    ticket = _need_ticket(t, task)
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
        return f"{head} is delayed by {minutes // 60} h {minutes % 60:02d} min; expected departure {new} local time (arrival about {time_text(view['arrival_local'])})."
    if state in ("departed", "arrived"):
        return f"{head} has {state}."
    return f"{head} is on time: departure {time_text(view['departure_local'])}, arrival {time_text(view['arrival_local'])} local time."


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


def book_flight(t: Transcript, task: Task) -> Decision:
    written = t.result("book_flight")
    if written is not None:
        return report_write(written, task)
    slots = task.slots
    fare = slots.get("fare") or "Classic"
    if task.stage == "chosen" and slots.get("chosen_ids"):
        return call(
            "book_flight",
            Task(task.intent, slots, "executing"),
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
        if trips and reroute and isinstance(choose_ticket(task, trips), dict):
            # "get him on a flight tomorrow" with a ticket booked means moving that ticket.
            return change_flight(t, Task("change_flight", slots, "start"))
        slots = _from_home(slots, trips)
        missing = _missing_flight_details(slots)
    if missing:
        return say(
            f"Happy to look for flights — {', and '.join(missing)}?",
            Task(task.intent, slots, "awaiting_details"),
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
    options = search.results[:5]
    if not options:
        return say(
            f"There is no Alpine Air flight from {slots['origin']} to {slots['destination']} with free seats on {day_text(slots['day'])}. Shall I try another date?",
            Task(task.intent, {**slots, "day": None}, "awaiting_details"),
        )
    return _offer_flights(t, task, slots, options, fare)


def _offer_flights(
    t: Transcript, task: Task, slots: dict[str, Any], options: list[dict[str, Any]], fare: str
) -> Decision:
    """Book the flight the request already singles out, else list the options."""
    items = _flight_items(options)
    lines = [f"{flight_option(o)} — {chf(o['price'])} per person ({fare})" for o in options]
    browsing = bool(slots.get("browse"))
    chosen = None if browsing else preselect(slots.get("question", ""), items, t.today)
    if task.intent == "book_flight" and chosen is not None:
        return call(
            "book_flight",
            Task(task.intent, {**slots, "chosen_ids": items[chosen]["ids"]}, "executing"),
            f"{lines[chosen]}. Here is the booking for your approval.",
            flight_ids=items[chosen]["ids"],
            fare=fare,
        )
    if task.intent == "book_flight" and len(options) == 1 and not browsing:
        return call(
            "book_flight",
            Task(task.intent, {**slots, "chosen_ids": items[0]["ids"]}, "executing"),
            f"There is one flight: {lines[0]}. Here is the booking for your approval.",
            flight_ids=items[0]["ids"],
            fare=fare,
        )
    return say(
        f"Flights on {day_text(slots['day'])}:\n{numbered(lines)}\n"
        + ("Would you like me to book one of them?" if browsing else "Which one should I book?"),
        Task("book_flight", slots, "awaiting_choice"),
        {"kind": "flights", "items": items},
    )


def _home_airport(trips: dict[str, Any]) -> str | None:
    """Where the passenger usually starts: the origin of their first ticket."""
    for ticket in trips.get("tickets", []):
        origin: str = ticket["route"].split("-")[0]
        return origin
    return None

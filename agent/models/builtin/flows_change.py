"""The flight-change flow: the ticket, the target day, the search, the quotes, the offer
and, once a flight is chosen (or singled out by the request), the change itself."""

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
from agent.models.builtin.lexicon import CLOCK_OR_PICK
from agent.models.builtin.outcomes import failure, refusal, report_write
from agent.models.builtin.quotes import fee_answer
from agent.models.builtin.render import (
    chf,
    day_text,
    flight_option,
    numbered,
    shortlist,
    ticket_line,
    time_text,
)
from agent.models.builtin.state import Intent, Stage
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


def need_ticket(
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
            Task(task.intent, task.slots, Stage.DONE),
        )
    if isinstance(choice, WhichTicket):
        return say(
            choice.question,
            Task(task.intent, task.slots, Stage.AWAITING_TICKET),
            ticket_options(trips),
        )
    return choice


def flight_items(
    options: list[dict[str, Any]],
    totals: dict[tuple[int, ...], str] | None = None,
    ticket: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """The options as choosable items; with the ticket being changed, each says whether it
    keeps the ticket's flights or departure time ("same time as now", on another day)."""
    now_time = (
        time_text(ticket["departs_local"]) if ticket and ticket.get("departs_local") else None
    )
    now_flights = [n.replace(" ", "") for n in (ticket or {}).get("flight_nos", [])]
    items = []
    for option in options:
        ids = [leg["id"] for leg in option["legs"]]
        numbers = [leg["flight_no"] for leg in option["legs"]]
        departs = time_text(option["legs"][0]["departure_local"])
        same = bool(now_flights) and [n.replace(" ", "") for n in numbers] == now_flights
        items.append(
            {
                "ids": ids,
                "flight_nos": numbers,
                "time": departs,
                "day": option["legs"][0]["departure_local"][:10],
                "price": (totals or {}).get(tuple(ids), option.get("price")),
                "label": flight_option(option),
                "same_as_now": same or (now_time is not None and departs == now_time),
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
    cancelled = any(leg.get("status") == "cancelled" for leg in ticket.get("legs", []))
    # "can she hop on the 14:40 instead?" about a delayed flight: a flight named without a day
    # is on the day she is travelling.
    names_a_flight = CLOCK_OR_PICK.search(str(slots.get("question", "")).lower()) is not None
    if slots.get("asap") or (disrupted(ticket) and (cancelled or names_a_flight)):
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
            Stage.AWAITING_DATE,
        ),
    )


def _without_day(t: Transcript, task: Task, ticket: dict[str, Any]) -> Decision:
    """No new date named: a question gets the fee the policy sets; a request, "which date?"."""
    slots = task.slots
    who = possessive(t, slots.get("first_person", False))
    if task.intent is Intent.QUOTE_CHANGE or slots.get("hold"):
        tier = (trips_of(t) or {}).get("passenger", {}).get("tier") or t.tier or "regular"
        return fee_answer(task, ticket, tier, who.capitalize())
    return say(
        f"{who.capitalize()} {ticket_line(ticket)}. To which date should I move it?",
        Task(task.intent, {**slots, "ticket_no": ticket["ticket_no"]}, Stage.AWAITING_DATE),
    )


def change_flight(t: Transcript, task: Task) -> Decision:
    written = t.result("change_flight")
    if written is not None:
        return report_write(written, task)
    ticket = need_ticket(t, task)
    if isinstance(ticket, Decision):
        return ticket
    task.slots["ticket_no"] = ticket["ticket_no"]  # remembered for "cancel that ticket" later
    slots = task.slots
    if ticket.get("foreign"):
        return _foreign_ticket(t, task, ticket)
    if task.stage is Stage.CHOSEN and slots.get("chosen_ids"):
        return call(
            "change_flight",
            Task(task.intent, slots, Stage.EXECUTING),
            "Here is the change for your approval.",
            ticket_no=ticket["ticket_no"],
            new_flight_ids=slots["chosen_ids"],
        )
    day = _target_day(task, ticket, t)
    if day is None:
        return _without_day(t, task, ticket)
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
    return _quote_or_offer(t, task, ticket, options)


def _quote_or_offer(
    t: Transcript, task: Task, ticket: dict[str, Any], options: list[dict[str, Any]]
) -> Decision:
    quotes = results_of(t, "quote_flight_change")
    described = _described(t, task, flight_items(options, ticket=ticket))
    # The flight the request described: quote only that; else the direct flights first, by time.
    options = [options[described]] if described is not None else shortlist(options, MAX_QUOTES)
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
                for o in options
            ],
            task=task,
        )
    return _offer_change(t, task, ticket, options, quotes)


def _free(
    items: list[dict[str, Any]], totals: dict[tuple[int, ...], str], chosen: int | None
) -> bool:
    """The option the request would take (the described one, else the only one) costs nothing."""
    if chosen is None and len(items) != 1:
        return False
    item = items[0 if chosen is None else chosen]
    return float(totals[tuple(item["ids"])]) == 0


def _described(t: Transcript, task: Task, items: list[dict[str, Any]]) -> int | None:
    """The option the change request itself described ("the late one", "first flight
    tomorrow", "same time as now"), or None when it described none."""
    request = str(task.slots.get("question", ""))
    return preselect(request, items, t.today)


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
    items = [i for i in flight_items(options, totals, ticket) if tuple(i["ids"]) in totals]
    slots = {**task.slots, "ticket_no": ticket["ticket_no"]}
    proposing = task.intent == "change_flight" and not task.slots.get("browse")
    chosen = _described(t, task, items) if proposing else None
    if task.slots.get("if_free") and not _free(items, totals, chosen):
        # "if it's free, book it" and it is not (or which one is unclear): show, don't propose.
        proposing, chosen = False, None
    if chosen is not None:
        item = items[chosen]
        return call(
            "change_flight",
            Task(task.intent, {**slots, "chosen_ids": item["ids"]}, Stage.EXECUTING),
            f"{lines[chosen]}. {rule} Here is the change for your approval.",
            ticket_no=ticket["ticket_no"],
            new_flight_ids=item["ids"],
        )
    if len(items) == 1 and proposing:
        return call(
            "change_flight",
            Task(task.intent, {**slots, "chosen_ids": items[0]["ids"]}, Stage.EXECUTING),
            f"There is one option: {lines[0]}. {rule} Here is the change for your approval.",
            ticket_no=ticket["ticket_no"],
            new_flight_ids=items[0]["ids"],
        )
    intro = f"Options for ticket {ticket['ticket_no']} ({ticket['route']}, {ticket['fare']} fare):"
    ending = (
        "It is not free of charge: shall I make the change anyway, or which one should I take?"
        if task.slots.get("if_free") and all(float(total) != 0 for total in totals.values())
        else "Which one should I take?"
        if task.intent == "change_flight"
        else "Shall I make this change?"
        if len(items) == 1
        else "Tell me which one, and I'll prepare the change."
    )
    return say(
        f"{intro}\n{numbered(lines)}\n{rule}\n{ending}",
        Task(Intent.CHANGE_FLIGHT, slots, Stage.AWAITING_CHOICE),
        {"kind": "flights", "items": items},
    )

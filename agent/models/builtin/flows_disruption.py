"""A disrupted passenger's questions ("my flight was cancelled, what are my options?", "what am
I owed for the delay?", "can I get a hotel?"): one read (disruption_options), then an answer
that says what happened, the free rebookings as a numbered list, the refund where it is due,
what the passenger is owed and what they can ask for next. It never writes: the list is left
as a choice for the change flow, so "put me on the first one" proposes the change (its
approval card) under the same rules as any change."""

from __future__ import annotations

from typing import Any

from agent.models.builtin import flows_travel as travel
from agent.models.builtin.core import Decision, Task, call, possessive, say, subject
from agent.models.builtin.outcomes import failure, refusal
from agent.models.builtin.render import arrival_text, chf, when_text
from agent.models.builtin.state import Intent, Stage
from agent.models.builtin.transcript import Transcript
from services.travel.travel_kinds import HOTEL

TOOL = "disruption_options"


def disruption(t: Transcript, task: Task) -> Decision:
    result = t.result(TOOL)
    if result is None:
        # Only a ticket number typed in this message narrows the read; the service decides
        # whose tickets these are (a foreign one is refused like any other).
        typed = task.slots.get("ticket_no") if task.slots.get("typed_ticket") else None
        return call(TOOL, task, **({"ticket_no": typed} if typed else {}))
    if result.refused:
        return refusal(result, task)
    if not result.ok or not isinstance(result.data, dict):
        return failure(result, task)
    flights: list[dict[str, Any]] = result.data.get("disrupted") or []
    if not flights:
        if task.slots.get("hotel_wanted"):
            # "can I get a hotel?" with nothing disrupted: a stay to book, not care owed.
            return travel.book(
                t, Task(Intent.HOTEL_BOOK, task.slots, Stage.START, task.rule), HOTEL
            )
        return say(_nothing_disrupted(t, task), Task(task.intent, task.slots, Stage.DONE))
    return _answer(t, task, flights)


def _nothing_disrupted(t: Transcript, task: Task) -> str:
    who = possessive(t, task.slots.get("first_person", False))
    return (
        f"No disrupted flight: none of the flights in {who} bookings is cancelled or delayed, so "
        "there is nothing to rebook and no EU 261 compensation or care is due. If another "
        "flight is meant, tell me its number or ticket."
    )


def _headline(flight: dict[str, Any]) -> str:
    control = (
        "extraordinary circumstances outside the airline's control"
        if flight["extraordinary"]
        else "within the airline's control"
    )
    if flight["kind"] == "cancelled":
        return f"{flight['flight']} was cancelled (cause: {flight['cause']}; {control})."
    minutes = int(flight.get("delay_minutes") or 0)
    new = flight.get("new_departure_local")
    arrives = arrival_text(new, flight.get("new_arrival_local"))
    return (
        f"{flight['flight']} is delayed by {minutes // 60} h {minutes % 60:02d} min (cause: "
        f"{flight['cause']}; {control}): it now leaves {when_text(new)} and arrives about "
        f"{arrives} local time."
    )


def _option_line(option: dict[str, Any]) -> str:
    numbers = " + ".join(f.split(" ", 2)[0] + " " + f.split(" ", 2)[1] for f in option["flights"])
    via = " (one stop)" if len(option["flights"]) > 1 else ""
    arrives = arrival_text(option["departure_local"], option["arrival_local"])
    return (
        f"{option['option']}. {numbers}{via}, departs {when_text(option['departure_local'])}, "
        f"arrives {arrives}, {option['free_seats']} seats left — free of charge"
    )


def _compensation_line(flight: dict[str, Any]) -> str:
    pay = flight["compensation"]
    if pay["entitled"]:
        return (
            f"Compensation: {chf(pay['amount_chf'])} (EUR {pay['amount_eur']}, EU 261 "
            f"{pay['article']}), paid only on request, once per ticket and flight."
        )
    return f"Compensation: none — {pay['sentence']} (EU 261 {pay['article']})."


def _care_line(flight: dict[str, Any]) -> str:
    care = flight["care"]
    if not care["entitled"]:
        return f"Care: not yet — {care['sentence']} (EU 261 {care['article']})."
    if care["hotel"]:
        hotel = "a hotel night with the transfers to and from it"
    elif flight["kind"] == "cancelled":
        hotel = "a hotel with transfers too if the new flight leaves only the next day"
    else:
        hotel = "no hotel, as the flight still leaves the same day"
    return f"Care: meals and refreshments while waiting; {hotel} (EU 261 {care['article']})."


def _refund_line(flight: dict[str, Any]) -> str | None:
    refund = flight["refund"]
    if not refund["entitled"]:
        return None
    amount = f", {chf(refund['amount'])}" if refund.get("amount") is not None else ""
    return (
        f"Or, instead of travelling, a full refund of ticket {flight['ticket_no']}{amount} "
        f"(EU 261 {refund['article']})."
    )


def _next_steps(t: Transcript, task: Task, flight: dict[str, Any]) -> str:
    you = subject(t, task.slots.get("first_person", False))
    steps = []
    if flight["rebooking"]:
        steps.append("name an option to be rebooked onto it")
    elif flight["kind"] == "delayed":
        steps.append("keep the delayed flight or ask to look at another one (fare rules apply)")
    if flight["refund"]["entitled"]:
        steps.append("ask for the refund")
    if flight["compensation"]["entitled"]:
        steps.append("ask me to claim the compensation")
    if not steps:
        steps.append("ask me to hand this to a colleague")
    asker = "You can" if you == "you" else f"{you} can"
    return f"{asker} {', '.join(steps[:-1]) + ' or ' + steps[-1] if len(steps) > 1 else steps[0]}. I haven't changed anything."


def _entitlement_lines(task: Task, flight: dict[str, Any]) -> list[str]:
    refund = _refund_line(flight)
    owed = [_compensation_line(flight), _care_line(flight)]
    if task.slots.get("care_first"):
        owed.reverse()  # "can I get a hotel?": the care first
    return ([refund] if refund else []) + owed


def _answer(t: Transcript, task: Task, flights: list[dict[str, Any]]) -> Decision:
    # The flight whose options are listed: the first with free rebookings (one list to pick from).
    listed = next((f for f in flights if f["rebooking"]), None)
    lines = []
    for flight in flights:
        lines.append(_headline(flight))
        if flight is listed:
            lines.append(f"Rebooking options — {flight['rebooking_note']}:")
            lines += [_option_line(o) for o in flight["rebooking"]]
        elif flight["kind"] == "cancelled":
            lines.append(flight["rebooking_note"])
        lines += _entitlement_lines(task, flight)
    lines.append(_next_steps(t, task, listed or flights[0]))
    text = "\n".join(lines)
    slots = {**task.slots, "ticket_no": (listed or flights[0])["ticket_no"], "hold": False}
    if listed is None:
        return say(text, Task(task.intent, slots, Stage.DONE))
    items = [_item(o) for o in listed["rebooking"]]
    # The list waits for a pick: "put me on the first one" continues as a change of this ticket.
    return say(
        text,
        Task(Intent.CHANGE_FLIGHT, slots, Stage.AWAITING_CHOICE, task.rule),
        {"kind": "flights", "items": items},
    )


def _item(option: dict[str, Any]) -> dict[str, Any]:
    numbers = [f.split(" ", 2)[0] + " " + f.split(" ", 2)[1] for f in option["flights"]]
    departs = option["departure_local"]
    return {
        "ids": option["flight_ids"],
        "flight_nos": numbers,
        "time": departs[11:16],
        "day": departs[:10],
        "price": "0.00",
        "label": " + ".join(numbers),
        "same_as_now": False,
    }

"""Hotel, car rental and excursion flows: search and book, change dates, cancel. The kinds' tool
names, snapshot lists and date fields come from their one declaration (services.travel.travel_kinds)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from agent.models.builtin.change_quotes import quote_period_change
from agent.models.builtin.choices import preselect
from agent.models.builtin.core import Decision, Task, call, say, trips_of
from agent.models.builtin.descriptions import of_named_class
from agent.models.builtin.outcomes import failure, refusal, report_write
from agent.models.builtin.render import chf, day_text, numbered
from agent.models.builtin.state import Stage
from agent.models.builtin.stays import TripStay, dates_of, trip_stay
from agent.models.builtin.transcript import Transcript
from agent.models.builtin.travel_bookings import pick_booking
from services.text.words import plural
from services.travel.travel_kinds import CAR, EXCURSION, HOTEL, TravelKindSpec

SHOWN, CHOOSABLE = 5, 12


def _offer_line(kind: TravelKindSpec, item: dict[str, Any]) -> str:
    if kind is HOTEL:
        return f"{item['name']} ({item['stars']}★), {chf(item['price_per_night'])} per night, {chf(item['total_price'])} for {plural(item['nights'], 'night')}"
    if kind is CAR:
        return f"{item['company']} {item['car_class']} ({item['model']}), {chf(item['price_per_day'])} per day, {chf(item['total_price'])} for {plural(item['days'], 'day')}"
    return f"{item['name']} ({item['duration_hours']:g} h), {chf(item['price_per_participant'])} per person, {chf(item['total_price'])} in total"


def _offer_items(kind: TravelKindSpec, results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "label": _offer_line(kind, r),
            "id": r[kind.offer_id],
            "name": r.get("name") or f"{r.get('company')} {r.get('car_class')}",
            "price": r.get("total_price"),
            "about": r.get("description") or "",  # what the excursion is ("nocturnal zoo")
        }
        for r in results
    ]


def _missing_details(kind: TravelKindSpec, city: str | None, start: Any, end: Any) -> list[str]:
    """What to ask before searching: an excursion needs only a city, a stay or rental dates."""
    missing = []
    if not city:
        missing.append("in which city")
    if kind is not EXCURSION and not start:
        missing.append("from which date")
    if kind is not EXCURSION and start and not end:
        missing.append("for how many nights" if kind is HOTEL else "until which date")
    return missing


def _book_args(
    kind: TravelKindSpec, chosen: Any, start: Any, end: Any, party: int, offer_day: Any
) -> dict[str, Any]:
    if kind is HOTEL:
        return {kind.offer_id: chosen, "checkin": start, "checkout": end, "guests": party}
    if kind is CAR:
        return {kind.offer_id: chosen, "start": start, "end": end}
    return {kind.offer_id: chosen, "day": start or offer_day, "participants": party}


def _search_args(
    kind: TravelKindSpec, city: str, start: Any, end: Any, party: int
) -> dict[str, Any]:
    if kind is HOTEL:
        return {"city": city, "checkin": start, "checkout": end, "guests": party}
    if kind is CAR:
        return {"city": city, "start": start, "end": end}
    # Without a date, the excursions on any day (the tool's day is optional).
    return {"city": city} | ({"day": start} if start else {}) | {"participants": party}


def _with_trip_defaults(
    t: Transcript, task: Task, kind: TravelKindSpec
) -> tuple[dict[str, Any], TripStay | None] | None:
    """The task's slots, with the city of the passenger's trip where the request left it out,
    and the trip's stay there (for the dates); None while the trips still have to be read."""
    slots = task.slots
    from_trip = slots.get("after_arrival") is not None or (
        slots.get("end_date") and not slots.get("start_date")
    )
    if (
        slots.get("city") is not None
        and (slots.get("dates") or kind is EXCURSION)
        and not from_trip
    ):
        return slots, None
    trips = trips_of(t)
    if trips is None and t.result("get_passenger_trips") is None:
        return None
    stay = trip_stay(trips, slots.get("city")) or (None if slots.get("city") else trip_stay(trips))
    return {**slots, "city": slots.get("city") or (stay.city if stay else None)}, stay


def _period_text(start: Any, end: Any) -> str:
    if end:
        return f" from {day_text(start)} to {day_text(end)}"
    return f" on {day_text(start)}" if start else ""


def book(t: Transcript, task: Task, kind: TravelKindSpec) -> Decision:
    written = t.result(kind.book_tool)
    if written is not None:
        return report_write(written, task)
    found = _with_trip_defaults(t, task, kind)
    if found is None:
        return call("get_passenger_trips", task)
    slots, stay = found
    city = slots.get("city")
    start, end = dates_of(kind, slots, stay)
    if (missing := _missing_details(kind, city, start, end)) or city is None:
        return say(
            f"Sure — {', and '.join(missing)}?", Task(task.intent, slots, Stage.AWAITING_DETAILS)
        )
    chosen = slots.get("chosen_id")
    party = slots.get("party") or 1
    if task.stage is Stage.CHOSEN and chosen is not None:
        return call(
            kind.book_tool,
            Task(task.intent, slots, Stage.EXECUTING),
            "Here is the booking for your approval.",
            **_book_args(kind, chosen, start, end, party, slots.get("offer_day")),
        )
    search = t.result(kind.search_tool)
    if search is None:
        return call(kind.search_tool, task, **_search_args(kind, city, start, end, party))
    if not search.ok:
        return refusal(search, task) if search.refused else failure(search, task)
    return _offer(t, task, kind, slots, search.results, (start, end))


def _offer(
    t: Transcript,
    task: Task,
    kind: TravelKindSpec,
    slots: dict[str, Any],
    found: list[dict[str, Any]],
    period_days: tuple[Any, Any],
) -> Decision:
    """Book the offer the request already singles out, else list them. Five are listed; the
    rest can still be chosen by what they are ("the 5 star")."""
    city, (start, end) = slots.get("city"), period_days
    if kind is CAR:
        found = of_named_class(str(slots.get("question", "")), found)
    results, choosable = found[:SHOWN], found[:CHOOSABLE]
    period = _period_text(start, end)
    if not results:
        return say(
            f"Nothing is available in {city}{period}. Shall I try other dates?",
            Task(task.intent, {**slots, "dates": []}, Stage.AWAITING_DETAILS),
        )
    lines = [_offer_line(kind, r) for r in results]
    items = _offer_items(kind, choosable)
    listing = numbered(lines)
    if len(choosable) > len(results):
        listing += f"\n(and {len(choosable) - len(results)} more: ask by name, stars or price)"
    slots = {**slots, "dates": [d for d in (start, end) if d]}
    chosen_index = preselect(slots.get("question", ""), items, t.today)
    if chosen_index is not None and (start or kind is not EXCURSION):
        return book(
            t,
            Task(task.intent, {**slots, "chosen_id": items[chosen_index]["id"]}, Stage.CHOSEN),
            kind,
        )
    if kind is EXCURSION and not start:
        return say(
            f"Excursions in {city}:\n{listing}\nWhich one, and on which date?",
            Task(task.intent, slots, Stage.AWAITING_CHOICE),
            {"kind": kind.key.value, "items": items},
        )
    return say(
        f"Available in {city}{period}:\n{listing}\nWhich one should I book?",
        Task(task.intent, slots, Stage.AWAITING_CHOICE),
        {"kind": kind.key.value, "items": items},
    )


def cancel(t: Transcript, task: Task, kind: TravelKindSpec) -> Decision:
    written = t.result(kind.cancel_tool)
    if written is not None:
        return report_write(written, task)
    booking = pick_booking(t, task, kind)
    if isinstance(booking, Decision):
        return booking
    what = booking.get("hotel") or booking.get("name") or booking.get("company") or kind.noun
    start = booking.get(kind.start_field)
    if start and start <= t.today.isoformat():
        # Starting today (or already started): well inside the 24-hour window, so no card.
        return say(
            f"The {what} {kind.noun} starts on {day_text(start)}, so it can no longer be cancelled: free cancellation ends 24 hours before the start (rule: booking_cancel_window). It stays booked; I can hand this to a colleague if needed.",
            Task(task.intent, task.slots, Stage.REFUSED),
        )
    args = {kind.booking_id: booking[kind.booking_id]}
    if task.slots.get("wondering"):
        # "could he still cancel his hotel for free?": the rule and what comes back, and the
        # cancellation kept ready for a "yes".
        back = f", refunding {chf(booking['price'])}" if booking.get("price") is not None else ""
        starts = f" starts on {day_text(start)} and" if start else ""
        return say(
            f"Yes: the {what} {kind.noun}{starts} can be cancelled free of charge until 24 hours "
            f"before the start{back}. Nothing is cancelled yet; shall I cancel it?",
            Task(
                task.intent,
                {**task.slots, "held_calls": [[kind.cancel_tool, args]], "hold": False},
                Stage.AWAITING_CONFIRM,
            ),
        )
    return call(
        kind.cancel_tool,
        Task(task.intent, task.slots, Stage.EXECUTING),
        f"Here is the cancellation of the {what} {kind.noun} for your approval.",
        **args,
    )


def change(t: Transcript, task: Task, kind: TravelKindSpec) -> Decision:
    written = t.result(kind.change_tool or "")
    if written is not None:
        return report_write(written, task)
    booking = pick_booking(t, task, kind)
    if isinstance(booking, Decision):
        return booking
    if kind.end_field is None or kind.change_tool is None:
        return say(
            f"An {kind.noun} can't be moved; I can cancel it and book another date instead.",
            Task(task.intent, task.slots, Stage.DONE),
        )
    period = _new_period(task.slots, booking[kind.start_field], booking[kind.end_field])
    if period is None:
        return say(
            "Which new dates should I use?", Task(task.intent, task.slots, Stage.AWAITING_DETAILS)
        )
    args = {
        kind.booking_id: booking[kind.booking_id],
        kind.start_field: period.start,
        kind.end_field: period.end,
    }
    if task.slots.get("hold"):  # "what would one more night cost?": the price, not the card
        return quote_period_change(t, task, kind, booking, (period.start, period.end), args)
    return call(
        kind.change_tool,
        Task(task.intent, task.slots, Stage.EXECUTING),
        f"Here is the new period ({day_text(period.start)} to {day_text(period.end)}) for your approval.",
        **args,
    )


@dataclass(frozen=True)
class Period:
    """A booking's new dates (ISO days)."""

    start: str
    end: str


def _new_period(slots: dict[str, Any], start: str, end: str) -> Period | None:
    """The booking's new period from what the user asked, or None when they named no dates."""
    s, e = date.fromisoformat(start), date.fromisoformat(end)
    if slots.get("start_date") or slots.get("end_date"):
        new_s = date.fromisoformat(slots["start_date"]) if slots.get("start_date") else None
        new_e = date.fromisoformat(slots["end_date"]) if slots.get("end_date") else None
        if new_s and not new_e:
            new_e = e if slots.get("keep_end") else new_s + (e - s)
        return Period((new_s or s).isoformat(), (new_e or e).isoformat())
    dates = [date.fromisoformat(d) for d in slots.get("dates") or []]
    extra = slots.get("nights") or slots.get("days")
    if len(dates) >= 2:
        return Period(dates[0].isoformat(), dates[1].isoformat())
    keep_end = bool(slots.get("keep_end"))  # "pick-up a day later, return date stays"
    if dates and (slots.get("extend") or slots.get("shorten")):
        # "extend it so she leaves on the 12th": a longer or shorter stay keeps its start.
        return Period(s.isoformat(), dates[0].isoformat())
    if dates:
        return Period(dates[0].isoformat(), (e if keep_end else dates[0] + (e - s)).isoformat())
    if extra and slots.get("shorten"):
        return Period(s.isoformat(), (e - timedelta(days=extra)).isoformat())
    if extra and slots.get("extend"):
        return Period(s.isoformat(), (e + timedelta(days=extra)).isoformat())
    if slots.get("shift") is not None:
        shift = timedelta(days=slots["shift"])
        if slots.get("end_moves"):
            return Period(s.isoformat(), (e + shift).isoformat())
        return Period((s + shift).isoformat(), (e if keep_end else e + shift).isoformat())
    return None

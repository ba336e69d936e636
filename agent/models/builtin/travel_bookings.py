"""Which of the passenger's hotel, car or excursion bookings a request is about: the one named
(by id, city or name), the only one, or a question listing them."""

from __future__ import annotations

from typing import Any

from agent.models.builtin.choices import pick
from agent.models.builtin.core import Decision, Task, call, possessive, say, trips_of
from agent.models.builtin.outcomes import failure
from agent.models.builtin.render import numbered
from agent.models.builtin.state import Stage
from agent.models.builtin.transcript import Transcript
from agent.models.builtin.understanding import understand
from services.travel.travel_kinds import TravelKindSpec


def pick_booking(t: Transcript, task: Task, kind: TravelKindSpec) -> dict[str, Any] | Decision:
    """The booking the task is about, or the decision to take first (look the trips up, ask
    which booking, or say there is none)."""
    trips = trips_of(t)
    if trips is None:
        lookup = t.result("get_passenger_trips")
        return failure(lookup, task) if lookup is not None else call("get_passenger_trips", task)
    bookings: list[dict[str, Any]] = [
        b for b in trips.get(kind.snapshot_list, []) if b.get("status") == "confirmed"
    ]
    wanted = task.slots.get("booking_id")
    if wanted is not None:
        found = [b for b in trips.get(kind.snapshot_list, []) if b.get(kind.booking_id) == wanted]
        return found[0] if found else {kind.booking_id: wanted}
    city = task.slots.get("city")
    if city and len(bookings) > 1:
        bookings = [b for b in bookings if b.get("city", "").lower() == city.lower()] or bookings
    if not bookings:
        who = possessive(t, task.slots.get("first_person", False))
        return say(
            f"I don't see an active {kind.noun} in {who} bookings.",
            Task(task.intent, task.slots, Stage.DONE),
        )
    if len(bookings) > 1:
        index = pick(
            understand(t.user_text, t.today),
            [{"name": b.get("hotel") or b.get("name") or b.get("company")} for b in bookings],
        )
        if index is None:
            lines = [
                f"{b.get('hotel') or b.get('name') or b.get('company')} in {b.get('city')} from {b.get(kind.start_field)}"
                for b in bookings
            ]
            return say(
                f"Which {kind.noun}?\n{numbered(lines)}",
                Task(task.intent, task.slots, Stage.AWAITING_BOOKING),
                {
                    "kind": f"{kind.key.value}_booking",
                    "items": [
                        {
                            "id": b[kind.booking_id],
                            "name": b.get("hotel") or b.get("name") or b.get("company"),
                        }
                        for b in bookings
                    ],
                },
            )
        return bookings[index]
    return bookings[0]

"""What moving a hotel stay or a car rental would cost, for a question ("what would one more
night cost? not booking yet"): the same offer searched for the new period, its price against
what the booking cost. The service charges or refunds that difference on a change, so the
answer is the figure the approval card would show; the change itself is kept ready for a yes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from agent.models.builtin.core import Decision, Task, call, say
from agent.models.builtin.render import chf, day_text
from agent.models.builtin.state import Stage
from agent.models.builtin.transcript import Transcript
from services.travel.travel_kinds import HOTEL, TravelKindSpec


def quote_period_change(
    t: Transcript,
    task: Task,
    kind: TravelKindSpec,
    booking: dict[str, Any],
    period: tuple[str, str],
    change_args: dict[str, Any],
) -> Decision:
    """Search the booking's own offer for the new period and answer with the difference."""
    start, end = period
    search = t.result(kind.search_tool)
    if search is None:
        return call(kind.search_tool, task, **_search(kind, booking, start, end))
    same = _same_offer(kind, booking, search.results if search.ok else [])
    held = {**task.slots, "held_calls": [[kind.change_tool, change_args]], "hold": False}
    ready = Task(task.intent, held, Stage.AWAITING_CONFIRM)
    new_period = f"{day_text(start)} to {day_text(end)}"
    if same is None or booking.get("price") is None:
        return say(f"I can move it to {new_period}. Nothing is changed yet; shall I?", ready)
    diff = Decimal(str(same["total_price"])) - Decimal(str(booking["price"]))
    what = booking.get("hotel") or booking.get("company") or kind.noun
    if diff > 0:
        cost = f"costs {chf(diff)} more (new total {chf(same['total_price'])})"
    elif diff < 0:
        cost = f"refunds {chf(-diff)} (new total {chf(same['total_price'])})"
    else:
        cost = "costs the same"
    return say(
        f"The {what} {kind.noun} from {new_period} {cost}: the price difference is "
        "charged or refunded. Nothing is changed yet; shall I change it?",
        ready,
    )


def _search(kind: TravelKindSpec, booking: dict[str, Any], start: str, end: str) -> dict[str, Any]:
    if kind is HOTEL:
        guests = booking.get("guests") or 1
        return {"city": booking["city"], "checkin": start, "checkout": end, "guests": guests}
    return {"city": booking["city"], "start": start, "end": end}


def _same_offer(
    kind: TravelKindSpec, booking: dict[str, Any], results: list[dict[str, Any]]
) -> dict[str, Any] | None:
    """The search result that is the booking's own hotel, or its company and car class."""
    for r in results:
        if kind is HOTEL and r.get("name") == booking.get("hotel"):
            return r
        car = str(booking.get("car") or "")
        same_company = kind is not HOTEL and r.get("company") == booking.get("company")
        if same_company and car.startswith(str(r.get("car_class"))):
            return r
    return None

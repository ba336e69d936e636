"""A reply to the model's own question ("the second one", "yes", "on Monday then") continues
the task it belongs to: the rule table asks here first."""

from __future__ import annotations

import re
from typing import Any

from agent.models.builtin.choices import pick
from agent.models.builtin.guard import only_asks
from agent.models.builtin.lexicon import FIRST_OR_LAST
from agent.models.builtin.slots import domain
from agent.models.builtin.state import Intent, Slots, Stage, Task
from agent.models.builtin.understanding import CORRECTION, Utterance, corrected

PICKING = (Stage.AWAITING_CHOICE, Stage.AWAITING_TICKET, Stage.AWAITING_BOOKING)
NEW_DETAILS = (
    "dates",
    "shift",
    "nights",
    "days",
    "party",
    "fare",
    "origin",
    "destination",
    "city",
    "day",
)


def follow_up(
    u: Utterance, prev: Task | None, options: dict[str, Any] | None, slots: Slots
) -> tuple[str, Task] | None:
    """The continued task and the name of the rule that continued it, or None."""
    if prev is None or not prev.stage.awaiting:
        return None
    strong_new = u.has(
        "cancel", "compensation", "escalate", "policy", "status", "trips"
    ) and not u.has("affirm")
    if prev.stage in PICKING and options and not _another_day(u, options):
        index = pick(corrected(u), options.get("items", []))
        if index is not None and not (strong_new and u.ordinal is None):
            return "picks_listed_option", _chosen(
                u, prev, options["kind"], options["items"][index], slots
            )
    if strong_new:
        return None
    if prev.stage is Stage.AWAITING_CONFIRM and u.has("affirm"):
        return "confirms_offer", prev.at(Stage.START, wondering=False, hold=False)
    task = _with_new_details(u, prev, slots)
    return ("adds_details", task) if task is not None else None


def _another_day(u: Utterance, options: dict[str, Any]) -> bool:
    """ "actually make it tue, the 15:50 one" under Monday's flights: a new search, not a pick."""
    listed = {str(item.get("day")) for item in options.get("items", []) if item.get("day")}
    return bool(listed and u.dates) and listed.isdisjoint(d.isoformat() for d in u.dates)


def _chosen(u: Utterance, prev: Task, kind: str, item: dict[str, Any], slots: Slots) -> Task:
    """The task continued with the listed item the reply picked."""
    if kind == "tickets":
        return prev.at(Stage.START, ticket_no=item["ticket_no"])
    if kind.endswith("_booking"):
        return prev.at(Stage.START, booking_id=item["id"])
    if kind == "flights":
        fare = {"fare": slots["fare"]} if slots.get("fare") else {}
        return prev.at(Stage.CHOSEN, chosen_ids=item["ids"], **fare)
    # "sagrada familia, sat 5 dec, 2 ppl": the pick also says how many, how long, which day.
    extra: dict[str, Any] = {k: slots[k] for k in ("party", "nights", "days") if slots.get(k)}
    if u.dates and kind == "excursion":
        extra["dates"] = [d.isoformat() for d in u.dates]
    return prev.at(Stage.CHOSEN, chosen_id=item["id"], **extra)


def _with_new_details(u: Utterance, prev: Task, slots: Slots) -> Task | None:
    """The task started again with the dates, party or places the reply adds."""
    new_info = {k: slots[k] for k in NEW_DETAILS if slots.get(k) not in (None, [], "")}
    if not new_info or (u.has("book", "change", "cancel") and domain(u) != domain_of(prev)):
        return None
    merged = {**prev.slots, **new_info}
    if u.has("change", "book") and not only_asks(u):
        merged["browse"] = False  # "ok rebook then, saturday": a look has become a request
    # "make it tue, the 15:50 one", "the first one tomorrow morning": the reply now chooses.
    if u.clock_time or u.superlative or u.flight_nos or FIRST_OR_LAST.search(u.lower):
        merged["question"] = u.text
    if "dates" in new_info or "shift" in new_info:
        merged.pop("chosen_ids", None)
        if "dates" in new_info and "shift" not in new_info:
            merged.pop("shift", None)
    return Task(prev.intent, merged, Stage.START, prev.rule)


def domain_of(task: Task) -> str | None:
    head = task.intent.split("_")[0]
    return head if head in ("hotel", "car", "excursion") else None


# "ok then the 11:05 that day" after a refusal, "actually make it thursday, same time" after a
# change: the next try of the change just finished, on the same ticket.
SAME_DAY = re.compile(r"\b(that|the same|same) day\b")
SAME_TIME = re.compile(r"\b(same|the same) (time|hour|departure time)\b")
RETRIED = (Stage.DONE, Stage.REFUSED)
RETRY_WORDS = re.compile(r"\b(then|instead|make it|rather|try|what about|how about)\b")


def retries_last_change(u: Utterance, prev: Task | None, slots: Slots) -> Task | None:
    """The flight change just done or refused, tried again with the day or the flight the
    message now names; None unless it names one and nothing else (no route, no other kind)."""
    if prev is None or prev.intent != Intent.CHANGE_FLIGHT or prev.stage not in RETRIED:
        return None
    if u.places or domain(u) or u.has("cancel", "book", "compensation", "escalate", "status"):
        return None
    names_day = bool(u.dates) or SAME_DAY.search(u.lower) is not None
    names_flight = bool(u.clock_time or u.flight_nos) or SAME_TIME.search(u.lower) is not None
    # A day alone ("see you on the 3rd") is not a new try: it must say it replaces the last one.
    # After a change that went through, only words that replace it retry it ("yes the 07:10
    # one" names the flight just taken); after a refusal, naming another flight is enough.
    replaces = RETRY_WORDS.search(u.lower) or CORRECTION.search(u.text)
    retrying = replaces or (names_flight and prev.stage is Stage.REFUSED)
    if not (names_day or names_flight) or not retrying or only_asks(u):
        return None
    merged = {**prev.slots, "question": u.text, "browse": False}
    if prev.stage is Stage.DONE:
        merged.pop("shift", None)  # the ticket has moved already: a shift is not applied twice
    if u.dates:
        merged["dates"], merged["day"] = slots["dates"], slots["dates"][0]
        merged.pop("shift", None)
    merged.pop("chosen_ids", None)
    return Task(Intent.CHANGE_FLIGHT, merged, Stage.START)

"""Intent selection as a table of named rules. Each rule states, in full, when it applies and
which task it starts; `select` returns the task of the first rule that applies, with the
rule's name recorded on the task (and so in the model's notes and the evaluation JSON).

The table reads top to bottom: a request about someone else, then escalation and general
questions, then travel writes, ticket writes, questions and bookings. To add an intent, add
its `Intent` (state.py), a flow (planner.FLOWS) and a rule here, with a test in
tests/agent/models/builtin/test_rules.py (utterance and prior state -> intent and rule)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from agent.models.builtin.disruption_cues import asks_about_disruption, disruption_slots
from agent.models.builtin.followups import domain_of, follow_up, retries_last_change
from agent.models.builtin.guard import asks_to_be_put_on, holds_back, only_asks
from agent.models.builtin.lexicon import (
    ACTION_WORDS,
    DEADLINE,
    GENERIC_SUBJECT,
    IF_FREE_THEN_ACT,
    OWN_ITEM,
    PICKED_FLIGHT,
)
from agent.models.builtin.slots import carry_over, domain, read_slots
from agent.models.builtin.state import Intent, Slots, Stage, Task
from agent.models.builtin.transcript import Transcript
from agent.models.builtin.understanding import Utterance


@dataclass(frozen=True)
class Ctx:
    """What every rule reads: the message, its slots, the task before it, the travel kind."""

    u: Utterance
    slots: Slots
    prev: Task | None
    domain: str | None

    @property
    def asks_only(self) -> bool:
        """A question or a "not yet": the task may quote or explain, never write."""
        return only_asks(self.u)


@dataclass(frozen=True)
class Rule:
    name: str
    when: Callable[[Ctx], bool]
    then: Callable[[Ctx], Task]


def _acting(c: Ctx) -> bool:
    return c.u.has("cancel", "change", "book", "compensation", "refund", "trips", "status")


def _general_question(u: Utterance) -> bool:
    """A question about the rules themselves, not about this passenger's booking."""
    if not u.is_question or u.ticket_nos or ACTION_WORDS.search(u.lower):
        return False
    generic = GENERIC_SUBJECT.search(u.lower) is not None
    return generic and ("in general" in u.lower or not OWN_ITEM.search(u.lower))


def _asks_cost(u: Utterance) -> bool:
    return u.has("cost", "refund") and (u.is_question or "much" in u.lower or holds_back(u))


def _moving_travel(c: Ctx) -> bool:
    moving_dates = (
        c.u.has("instead")
        or c.u.shift_days is not None
        or "old_date" in c.slots
        or re.search(r"\bsame (return|check-?out|end|pick-?up) date\b", c.u.lower) is not None
    )
    return c.u.has("change") or (moving_dates and not c.u.has("book"))


def _moving_ticket(c: Ctx) -> bool:
    # "instead" means a change, unless a new booking is asked for ("book him ... instead").
    u = c.u
    moving = u.has("change") or (
        (u.shift_days is not None or "old_date" in c.slots or u.has("instead"))
        and not u.has("book")
    )
    moving = moving or (asks_to_be_put_on(u) and not u.has("book"))  # "can he get on AL 130?"
    rebooking = u.has("disruption") and bool(
        u.dates or u.shift_days is not None or u.is_question or u.has("flight")
    )
    return (moving or rebooking or _picks_a_flight_on(u)) and not c.domain


# "thursday 3.12., the earliest one", "the 15:35 today": a day and a flight chosen on it, with
# no route and no booking word, is about the trip the passenger already has.


def _picks_a_flight_on(u: Utterance) -> bool:
    chosen = bool(u.clock_time) or PICKED_FLIGHT.search(u.lower) is not None
    return chosen and bool(u.dates) and not u.places and not u.has("book") and not u.is_question


def _task(intent: Intent, **extra: Any) -> Callable[[Ctx], Task]:
    return lambda c: Task(intent, {**c.slots, **extra})


def _kind(action: str) -> Callable[[Ctx], Task]:
    return lambda c: Task(Intent(f"{c.domain}_{action}"), c.slots)


def _escalate(c: Ctx) -> Task:
    refused_before = c.prev is not None and c.prev.stage is Stage.REFUSED
    reason = "policy_restriction" if refused_before else "customer_request"
    return Task(Intent.ESCALATE, {**c.slots, "reason": reason})


def _compensation(c: Ctx) -> Task:
    return Task(Intent.COMPENSATION, {**c.slots, "wondering": c.asks_only})


def _cancel_travel(c: Ctx) -> Task:
    # "could he still cancel his hotel for free?": the rule and the refund, the write kept ready.
    return Task(Intent(f"{c.domain}_cancel"), {**c.slots, "wondering": c.asks_only})


def _cancel_ticket(c: Ctx) -> Task:
    # "how much would she get back?" is a quote; "he'd rather have his money back" is a request.
    wondering = _asks_cost(c.u) or c.asks_only
    extra = {"all_tickets": True} if re.search(r"\b(both|all)\b", c.u.lower) else {}
    return Task(Intent.QUOTE_CANCEL if wondering else Intent.CANCEL_TICKET, {**c.slots, **extra})


def _change_ticket(c: Ctx) -> Task:
    looking = c.u.is_question and not (c.u.has("change") or asks_to_be_put_on(c.u))
    extra = {"browse": bool(c.asks_only or looking)}  # a request now overrides an earlier look
    if_free = IF_FREE_THEN_ACT.search(c.u.lower) is not None
    if if_free:
        extra = {"browse": False, "if_free": True}  # a request, on the quote's condition
    intent = Intent.QUOTE_CHANGE if _asks_cost(c.u) and not if_free else Intent.CHANGE_FLIGHT
    return Task(intent, {**c.slots, **extra})


# "is diego allowed", "the pax", "on the singapore trip": this passenger's own allowance.
THIS_PASSENGER = re.compile(
    r"\b(she|he|her|his|i|my|they|pax|passenger|customer|cust|client)\b|"
    r"\b(the|this|her|his|their|my) (\w+ )?(trip|flight|booking|ticket)\b"
)


def _personal_policy(c: Ctx) -> Task:
    general = not (c.u.names_passenger or THIS_PASSENGER.search(c.u.lower))
    return Task(Intent.POLICY, {**c.slots, "general": general})


NEEDS_TRIP = re.compile(r"\b(needs?|wants?|would like|'d like)\b(?! to know)")


def _book_flight(c: Ctx) -> Task:
    slots = dict(c.slots)
    u = c.u
    if "origin" not in slots and len(u.places) == 1 and slots.get("destination") is None:
        slots["destination"] = u.places[0].place.code
    # Looking is not buying: without a booking word ("book", "hugo needs zrh-cdg thu") the
    # options are listed, never booked.
    wants_trip = bool(NEEDS_TRIP.search(u.lower)) and not u.is_question
    browse = not (u.has("book") or wants_trip or _specifies_a_ticket(u)) or c.asks_only
    return Task(Intent.BOOK_FLIGHT, {**slots, "browse": browse, "explicit_book": u.has("book")})


def _wants_a_route(u: Utterance) -> bool:
    """ "hugo wants zurich to rome sun 6.12.": someone wants a route on a day, without the
    word "flight" or "book" (and even after "no trips yet")."""
    route = len(u.places) >= 2 or (bool(u.places) and u.places[0].role == "to")
    return route and bool(u.dates) and bool(NEEDS_TRIP.search(u.lower)) and not u.is_question


def _specifies_a_ticket(u: Utterance) -> bool:
    """ "zrh -> vie fri 4.12., light fare, whichever is cheapest": a route, a day, a fare and
    the flight chosen on it are a ticket ordered, even without the word "book"."""
    chosen = bool(u.clock_time or u.superlative) or PICKED_FLIGHT.search(u.lower) is not None
    return bool(u.places and u.dates and u.fare and chosen) and not u.is_question


# "which hotel is he booked in?", "where is she staying?", "what car does he have?": a question
# about what the trip holds, not a request for a new booking.
ALREADY_BOOKED = re.compile(
    r"\b(is|are|was|were|am)\s+(she|he|they|i|we|the \w+)\s+(booked|staying|registered)\b|"
    r"\bbooked (in|at|into|on|for)\b|\balready (booked|has|have)\b|"
    r"\bwhat (hotels?|cars?|rentals?|excursions?|tours?) (does|do|did) (she|he|they|i|we) have\b"
)


RULES: tuple[Rule, ...] = (
    Rule(
        "acts_for_someone_else",
        lambda c: bool(c.u.other_person) and _acting(c) and not c.u.ticket_nos,
        _task(Intent.OTHER_PERSON),
    ),
    Rule("asks_for_a_human", lambda c: c.u.has("escalate"), _escalate),
    Rule(
        "asks_what_is_booked",
        lambda c: (
            bool(c.domain)
            and c.u.is_question
            and ALREADY_BOOKED.search(c.u.lower) is not None
            and not c.u.has("book", "change", "cancel")
        ),
        _task(Intent.TRIPS),
    ),
    Rule(
        "general_rule_question",
        lambda c: (
            _general_question(c.u)
            and (
                c.u.has("policy", "compensation", "cancel", "change", "refund", "cost")
                or bool(c.domain)
            )
        ),
        _task(Intent.POLICY, general=True),
    ),
    Rule(
        "deadline_question",
        lambda c: (
            DEADLINE.search(c.u.lower) is not None
            and c.u.is_question
            and c.u.has("change", "cancel", "refund", "disruption", "compensation")
        ),
        _task(Intent.POLICY, deadline=True),
    ),
    Rule(
        "disruption_question",
        lambda c: asks_about_disruption(c.u, asks_only=c.asks_only),
        lambda c: Task(Intent.DISRUPTION, {**c.slots, **disruption_slots(c.u)}),
    ),
    Rule("compensation", lambda c: c.u.has("compensation"), _compensation),
    Rule("cancel_travel_booking", lambda c: bool(c.domain) and c.u.has("cancel"), _cancel_travel),
    Rule(
        "same_dates_as_last_change",
        lambda c: (
            c.prev is not None
            and bool(c.slots.get("same_dates"))
            and c.prev.intent.endswith("_change")
            and c.domain not in (None, "excursion")
        ),
        _kind("change"),
    ),
    Rule(
        "move_travel_booking",
        lambda c: c.domain not in (None, "excursion") and _moving_travel(c),
        _kind("change"),
    ),
    Rule(
        "cancel_or_refund_ticket",
        lambda c: c.u.has("cancel") or (c.u.has("refund") and not c.u.has("policy")),
        _cancel_ticket,
    ),
    Rule(
        "status_of_named_flight",
        lambda c: (
            bool(c.u.flight_nos)
            and not c.u.has("change", "book", "cost")
            and c.u.shift_days is None
            and (c.u.has("status") or (c.u.is_question and not asks_to_be_put_on(c.u)))
        ),
        _task(Intent.FLIGHT_STATUS),
    ),
    Rule("move_ticket", _moving_ticket, _change_ticket),
    Rule(
        "flight_status", lambda c: c.u.has("status") and not c.domain, _task(Intent.FLIGHT_STATUS)
    ),
    Rule(
        "policy_question",
        lambda c: (
            c.u.has("policy")
            or (
                c.u.is_question
                and re.search(r"\b(can (she|he|i|they)|allowed|what happens)\b", c.u.lower)
                is not None
                and not c.domain
                and not asks_to_be_put_on(c.u)
            )
        ),
        _personal_policy,
    ),
    Rule("book_travel", lambda c: bool(c.domain), _kind("book")),
    Rule(
        "book_or_find_flight",
        lambda c: (
            c.u.has("book")
            or (c.u.has("flight", "search") and bool(c.u.places or c.u.dates))
            or _specifies_a_ticket(c.u)
            or _wants_a_route(c.u)
        ),
        _book_flight,
    ),
    Rule(
        "trips_overview",
        lambda c: c.u.has("trips") or (c.u.is_question and c.u.has("flight")),
        _task(Intent.TRIPS),
    ),
)
RULE_NAMES = (
    "picks_listed_option",
    "confirms_offer",
    "adds_details",
    "retries_last_change",
    *(r.name for r in RULES),
)
EXPLICIT = re.compile(
    r"\b(flights?|fly|flying|plane|hotels?|car|cars|rental|excursions?|tours?|legs?|"
    r"outbound|inbound|return flight)\b"
)


REFERS_BACK = re.compile(r"\b(it|that|that one|this one|the booking|the reservation)\b")
FLIGHT_WORDS = re.compile(r"\b(flights?|ticket|fly|plane)\b")


def _referred_kind(u: Utterance, prev: Task | None) -> str | None:
    """ "cancel it again": the hotel, car or excursion the last task was about."""
    if prev is None or FLIGHT_WORDS.search(u.lower) or not REFERS_BACK.search(u.lower):
        return None
    return domain_of(prev)


def select(
    u: Utterance, t: Transcript, prev: Task | None, options: dict[str, Any] | None
) -> Task | None:
    """The task the message asks for, its `rule` naming the rule that chose it; None when no
    rule applies (or the message is about something out of scope)."""
    slots = read_slots(u, t)
    carry_over(u, prev, slots)
    if only_asks(u):
        slots["hold"] = True
    followed = follow_up(u, prev, options, slots)
    if followed is None and (retried := retries_last_change(u, prev, slots)) is not None:
        followed = "retries_last_change", retried
    if followed is not None:
        name, task = followed
        task.rule = name
        return task
    if u.has("scope") and not EXPLICIT.search(u.lower):
        return None
    c = Ctx(u, slots, prev, domain(u) or _referred_kind(u, prev))
    for rule in RULES:
        if rule.when(c):
            task = rule.then(c)
            task.rule = rule.name
            return task
    return None

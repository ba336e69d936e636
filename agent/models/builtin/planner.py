"""The built-in model's dialogue policy: from the user's words and its notes, the task it
pursues; from the task and the tool results of this turn, its next step."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from agent.models.builtin import flows_flights as flights
from agent.models.builtin import flows_info as info
from agent.models.builtin import flows_travel as travel
from agent.models.builtin.choices import pick
from agent.models.builtin.core import Decision, Task, say
from agent.models.builtin.transcript import Transcript
from agent.models.builtin.understanding import Utterance, understand
from services.travel.travel_kinds import CAR, EXCURSION, HOTEL

Flow = Callable[[Transcript, Task], Decision]

FLOWS: dict[str, Flow] = {
    "change_flight": flights.change_flight,
    "quote_change": flights.change_flight,
    "cancel_ticket": flights.cancel_ticket,
    "quote_cancel": flights.cancel_ticket,
    "compensation": flights.compensation,
    "flight_status": flights.flight_status,
    "book_flight": flights.book_flight,
    "trips": info.trips,
    "policy": info.policy,
    "escalate": info.escalate,
    "other_person": info.other_person,
    "hotel_book": lambda t, task: travel.book(t, task, HOTEL),
    "hotel_change": lambda t, task: travel.change(t, task, HOTEL),
    "hotel_cancel": lambda t, task: travel.cancel(t, task, HOTEL),
    "car_book": lambda t, task: travel.book(t, task, CAR),
    "car_change": lambda t, task: travel.change(t, task, CAR),
    "car_cancel": lambda t, task: travel.cancel(t, task, CAR),
    "excursion_book": lambda t, task: travel.book(t, task, EXCURSION),
    "excursion_cancel": lambda t, task: travel.cancel(t, task, EXCURSION),
}
AWAITING = (
    "awaiting_choice",
    "awaiting_date",
    "awaiting_ticket",
    "awaiting_details",
    "awaiting_confirm",
    "awaiting_booking",
)


def decide(t: Transcript) -> Decision:
    memory_task = Task.from_dict(t.memory.get("task"))
    if t.results and memory_task is not None:
        # Mid-turn: the tools answered; carry on with the same task.
        return _then(t, memory_task, FLOWS[memory_task.intent](t, memory_task))
    first, rest = _split_requests(t.user_text)
    u = understand(first, t.today, t.passenger_name)
    decision = _conversational(t, u, memory_task)
    if decision is not None:
        return decision
    options = t.memory.get("options")
    task = interpret(u, t, memory_task, options)
    if (
        task is None
        and memory_task is not None
        and memory_task.stage == "awaiting_choice"
        and options
    ):
        # An answer to our question that we could not place: ask again rather than give up.
        return say(
            "Sorry, I'm not sure which one you mean. Please tell me the number from the list, the time or the name.",
            memory_task,
            options,
        )
    if task is None:
        if u.has("scope") or len(u.lower.split()) >= 4:
            # Offer a colleague; a "yes" next turn escalates as an unsupported request.
            offer = Task(
                "escalate",
                {
                    "reason": "unsupported_request",
                    "summary": f"Out-of-scope request: {t.user_text[:300]}",
                },
                "awaiting_confirm",
            )
            return say(info.OUT_OF_SCOPE, offer)
        return say(info.UNCLEAR.format(name=t.first_name), memory_task)
    if rest:
        task.slots["then"] = rest
    decision = _then(t, task, FLOWS[task.intent](t, task))
    prefix = _claims(u, t)
    if prefix:
        decision.text = f"{prefix} {decision.text}".strip()
    return decision


NEXT_REQUEST = re.compile(
    r"[,;.]?\s+\b(?:and then|then|and also|and)\s+(?=(?:please\s+)?(?:book|cancel|change|move|request|add|rent|reserve|get (?:him|her|me|them) (?:a|the))\b)",
    re.IGNORECASE,
)


def _split_requests(text: str) -> tuple[str, str | None]:
    """ "Cancel that ticket and book him the 10:30 instead": two requests, done in order."""
    for match in NEXT_REQUEST.finditer(text):
        head = text[: match.start()]
        if len(re.findall(r"\w+", head)) >= 3:  # "OK. Then cancel it" is one request
            return head, text[match.end() :]
    return text, None


def _then(t: Transcript, task: Task, decision: Decision) -> Decision:
    """When a request is finished and the user asked for something next, start on it now."""
    follow_text = task.slots.get("then")
    if not follow_text:
        return decision
    finished = not decision.calls and decision.task is not None and decision.task.stage == "done"
    if not finished:
        if decision.task is not None:
            decision.task.slots.setdefault("then", follow_text)
        return decision
    u = understand(follow_text, t.today, t.passenger_name)
    nxt = interpret(u, t.fresh(), None, None)
    if nxt is None:
        return decision
    nxt.slots["question"] = follow_text
    following = FLOWS[nxt.intent](t.fresh(), nxt)
    following.text = f"{decision.text}\n\n{following.text}".strip()
    return following


def _conversational(t: Transcript, u: Utterance, memory_task: Task | None) -> Decision | None:
    """Greetings, thanks and a plain "no": answered without a task."""
    awaiting = memory_task is not None and memory_task.stage in AWAITING
    substantive = u.cues - {"greeting", "thanks", "affirm", "negate"}
    if u.has("negate") and awaiting and not substantive and not u.dates:
        return say("Alright, I've left everything as it is. Anything else I can help with?", None)
    if u.has("greeting") and not substantive and not u.places and not u.dates and len(u.lower) < 40:
        return say(info.GREETING.format(name=t.first_name), memory_task)
    if u.has("thanks") and not substantive and not u.has("affirm") and not u.places:
        return say("You're welcome! Anything else I can do?", None)
    return None


# Slots that are set (True) when the message has these words.
FLAG_WORDS = {
    "asap": r"\b(asap|as soon as possible|next available|earliest|first available|soonest)\b",
    "new_trip": r"\b(new|another trip|additional|also book|a second|extra ticket|one-way ticket)\b",
    "keep_end": r"\bsame (return|check-?out|end|drop-?off) (date|day)\b|\bkeep the (return|check-?out|end)\b",
    "same_dates": r"\b(the )?same (dates|days|period)\b",
    "extend": r"\b(extend|extra|more|longer|add)\b",
    "shorten": r"\b(shorten|less|fewer|cut|earlier check-?out|leave .* earlier)\b",
}


def _slots(u: Utterance, t: Transcript) -> dict[str, Any]:
    slots: dict[str, Any] = {
        "first_person": u.first_person,
        "question": t.user_text,
        "places": [p.place.code for p in u.places],
        "dates": [d.isoformat() for d in u.dates if d != u.date_roles.get("old")],
    }
    for role in ("start", "end", "old"):
        if role in u.date_roles:
            slots[f"{role}_date"] = u.date_roles[role].isoformat()
    optional = {
        "shift": u.shift_days,
        "ticket_no": u.ticket_nos[0] if u.ticket_nos else None,
        "flight_nos": u.flight_nos or None,
        "fare": u.fare,
        "party": u.party,
        "nights": u.nights,
        "days": u.days or u.nights,
        "origin": u.origin,
        "destination": u.destination,
        "city": u.city,
        "other_person": u.other_person,
    }
    slots |= {k: v for k, v in optional.items() if v is not None}
    if re.search(r"\b(return|way back|back home|inbound|flight back)\b", u.lower):
        slots["direction"] = "return"
    elif re.search(r"\b(outbound|way there|first flight)\b", u.lower):
        slots["direction"] = "outbound"
    slots |= {flag: True for flag, words in FLAG_WORDS.items() if re.search(words, u.lower)}
    if slots["dates"]:
        slots["day"] = slots["dates"][0]
    return slots


def _domain(u: Utterance) -> str | None:
    for key in ("hotel", "car", "excursion"):
        if u.has(key):
            return key
    return None


GENERIC_SUBJECT = re.compile(
    r"\b(a|an|any) (passenger|ticket|flight|fare|booking|hotel booking|excursion booking|car rental|"
    r"light|classic|flex|business)\b|\bin general\b|\bgold members\b|\bsilver members\b|"
    r"\balpine air\b|\bwhat is the (change )?fee\b|\bhow close\b|\buntil when\b|"
    r"\bwhere does the money\b|\bwhat do they get\b|\bthe rules?\b|\bpolicy\b"
)
OWN_ITEM = re.compile(
    r"\b(her|his|my|their|your) (flight|ticket|booking|hotel|car|rental|trip|excursion)"
)
ACTION_WORDS = re.compile(r"\b(please|can you|could you|would you|go ahead|do it)\b")
WANTS = re.compile(
    r"\b(wants?|would like|requests?|claims?|pay|give|process|file|submit|get (him|her|me|them))\b"
)


def _general_question(u: Utterance) -> bool:
    """A question about the rules themselves, not about this passenger's booking."""
    if not u.is_question or u.ticket_nos or ACTION_WORDS.search(u.lower):
        return False
    generic = GENERIC_SUBJECT.search(u.lower) is not None
    return generic and ("in general" in u.lower or not OWN_ITEM.search(u.lower))


def interpret(
    u: Utterance, t: Transcript, prev: Task | None, options: dict[str, Any] | None
) -> Task | None:
    slots = _slots(u, t)
    _carry_over(u, prev, slots)
    follow = _follow_up(u, prev, options, slots)
    if follow is not None:
        return follow
    domain = _domain(u)
    explicit = re.search(
        r"\b(flights?|fly|flying|plane|hotels?|car|cars|rental|excursions?|tours?)\b", u.lower
    )
    if u.has("scope") and not explicit:
        return None
    # In this order: who is asked about, travel writes, ticket writes, questions and bookings.
    for stage in (_people_and_claims, _travel_write, _ticket_write, _question_or_booking):
        task = stage(u, prev, slots, domain)
        if task is not None:
            return task
    return None


def _carry_over(u: Utterance, prev: Task | None, slots: dict[str, Any]) -> None:
    """What the message refers back to: the ticket just discussed, the dates just used."""
    if prev is None:
        return
    # "cancel that ticket", "move it": the ticket we were just talking about.
    refers_back = re.search(
        r"\b(that|this|the same) (ticket|flight|booking)\b|\b(it|that one)\b", u.lower
    )
    if prev.slots.get("ticket_no") and "ticket_no" not in slots and refers_back:
        slots["ticket_no"] = prev.slots["ticket_no"]
    if slots.get("same_dates"):
        # "and the car the same dates": the period of what we just did.
        for key in ("start_date", "end_date", "dates"):
            if prev.slots.get(key) and not slots.get(key):
                slots[key] = prev.slots[key]


def _asks_cost(u: Utterance) -> bool:
    return u.has("cost", "refund") and (u.is_question or "much" in u.lower)


def _people_and_claims(
    u: Utterance, prev: Task | None, slots: dict[str, Any], domain: str | None
) -> Task | None:
    acting = u.has("cancel", "change", "book", "compensation", "refund", "trips", "status")
    if u.other_person and acting and not u.ticket_nos:
        return Task("other_person", slots)
    if u.has("escalate"):
        refused_before = prev is not None and prev.stage == "refused"
        return Task(
            "escalate",
            {**slots, "reason": "policy_restriction" if refused_before else "customer_request"},
        )
    if _general_question(u) and (
        u.has("policy", "compensation", "cancel", "change", "refund", "cost") or domain
    ):
        return Task("policy", {**slots, "general": True})
    if u.has("compensation"):
        return Task(
            "compensation", {**slots, "question": u.is_question and not WANTS.search(u.lower)}
        )
    return None


def _travel_write(
    u: Utterance, prev: Task | None, slots: dict[str, Any], domain: str | None
) -> Task | None:
    """Cancelling or moving a hotel stay, car rental or excursion."""
    if domain and u.has("cancel"):
        return Task(f"{domain}_cancel", slots)
    same_as_before = (
        prev is not None and slots.get("same_dates") and prev.intent.endswith("_change")
    )
    if same_as_before and domain and domain != "excursion":
        # "and the car the same dates": the period of the change just made.
        return Task(f"{domain}_change", slots)
    moving_dates = (
        u.has("instead")
        or u.shift_days is not None
        or "old_date" in slots
        or re.search(r"\bsame (return|check-?out|end|pick-?up) date\b", u.lower)
    )
    if (
        domain
        and domain != "excursion"
        and (u.has("change") or (moving_dates and not u.has("book")))
    ):
        return Task(f"{domain}_change", slots)
    return None


def _ticket_write(
    u: Utterance, _prev: Task | None, slots: dict[str, Any], domain: str | None
) -> Task | None:
    """Cancelling, quoting or moving a flight ticket, and flight status."""
    if u.has("cancel") or (u.has("refund") and not u.has("policy")):
        # "how much would she get back?" is a quote; "he'd rather have his money back" is a request.
        wondering = _asks_cost(u) or (u.is_question and not ACTION_WORDS.search(u.lower))
        if re.search(r"\b(both|all)\b", u.lower):
            slots["all_tickets"] = True
        return Task("quote_cancel" if wondering else "cancel_ticket", slots)
    if (
        u.flight_nos
        and not u.has("change", "book", "cost")
        and u.shift_days is None
        and (u.has("status") or u.is_question)
    ):
        return Task("flight_status", slots)
    # "instead" means a change, unless a new booking is asked for ("book him ... instead").
    moving = u.has("change") or (
        (u.shift_days is not None or "old_date" in slots or u.has("instead")) and not u.has("book")
    )
    rebooking = u.has("disruption") and (
        u.dates or u.shift_days is not None or u.is_question or u.has("flight")
    )
    if (moving or rebooking) and not domain:
        if u.is_question and not u.has("change"):
            slots["browse"] = True
        return Task("quote_change" if _asks_cost(u) else "change_flight", slots)
    if u.has("status") and not domain:
        return Task("flight_status", slots)
    return None


def _question_or_booking(
    u: Utterance, _prev: Task | None, slots: dict[str, Any], domain: str | None
) -> Task | None:
    if u.has("policy") or (
        u.is_question
        and re.search(r"\b(can (she|he|i|they)|allowed|what happens)\b", u.lower)
        and not domain
    ):
        return Task(
            "policy",
            {**slots, "general": not re.search(r"\b(she|he|her|his|i|my|they)\b", u.lower)},
        )
    if domain:
        return Task(f"{domain}_book", slots)
    if u.has("book") or (u.has("flight", "search") and (u.places or u.dates)):
        if "origin" not in slots and len(u.places) == 1 and slots.get("destination") is None:
            slots["destination"] = u.places[0].place.code
        # Looking is not buying: without a booking word the options are listed, never booked.
        return Task(
            "book_flight", {**slots, "browse": not u.has("book"), "explicit_book": u.has("book")}
        )
    if u.has("trips") or (u.is_question and u.has("flight")):
        return Task("trips", slots)
    return None


def _follow_up(
    u: Utterance,
    prev: Task | None,
    options: dict[str, Any] | None,
    slots: dict[str, Any],
) -> Task | None:
    """A reply to the model's own question continues the task it belongs to."""
    if prev is None or prev.stage not in AWAITING:
        return None
    strong_new = u.has(
        "cancel", "compensation", "escalate", "policy", "status", "trips"
    ) and not u.has("affirm")
    if prev.stage in ("awaiting_choice", "awaiting_ticket", "awaiting_booking") and options:
        index = pick(u, options.get("items", []))
        if index is not None and not (strong_new and u.ordinal is None):
            return _chosen(u, prev, options["kind"], options["items"][index], slots)
    if strong_new:
        return None
    if prev.stage == "awaiting_confirm" and u.has("affirm"):
        return Task(prev.intent, {**prev.slots, "question": False}, "start")
    return _with_new_details(u, prev, slots)


def _chosen(
    u: Utterance, prev: Task, kind: str, item: dict[str, Any], slots: dict[str, Any]
) -> Task:
    """The task continued with the listed item the reply picked."""
    merged = dict(prev.slots)
    if kind == "tickets":
        merged["ticket_no"] = item["ticket_no"]
        return Task(prev.intent, merged, "start")
    if kind.endswith("_booking"):
        merged["booking_id"] = item["id"]
        return Task(prev.intent, merged, "start")
    if kind == "flights":
        merged["chosen_ids"] = item["ids"]
        if slots.get("fare"):
            merged["fare"] = slots["fare"]
        return Task(prev.intent, merged, "chosen")
    merged["chosen_id"] = item["id"]
    if u.dates and kind == "excursion":
        merged["dates"] = [d.isoformat() for d in u.dates]
    return Task(prev.intent, merged, "chosen")


def _with_new_details(u: Utterance, prev: Task, slots: dict[str, Any]) -> Task | None:
    """The task started again with the dates, party or places the reply adds."""
    new_info = {
        k: slots[k]
        for k in (
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
        if slots.get(k) not in (None, [], "")
    }
    if new_info and not (u.has("book", "change", "cancel") and _domain(u) != _domain_of(prev)):
        merged = {**prev.slots, **new_info}
        if "dates" in new_info or "shift" in new_info:
            merged.pop("chosen_ids", None)
            if "dates" in new_info and "shift" not in new_info:
                merged.pop("shift", None)
        return Task(prev.intent, merged, "start")
    return None


def _domain_of(task: Task) -> str | None:
    head = task.intent.split("_")[0]
    return head if head in ("hotel", "car", "excursion") else None


def _claims(u: Utterance, t: Transcript) -> str:
    """Claims in the chat change nothing; say so briefly when someone makes one."""
    notes = []
    claimed = re.search(
        r"\bi'?m (a )?(gold|silver|platinum|vip)\b|\b(she|he) is (a )?(gold|silver|platinum|vip)\b",
        u.lower,
    )
    if claimed and t.tier and t.tier not in u.lower:
        notes.append(
            f"Our records show {t.first_name} as a {t.tier} member, and the rules follow the records."
        )
    if re.search(
        r"\b(already approved|approved it|manager said|agent said|supervisor said|was promised)\b",
        u.lower,
    ):
        notes.append(
            "Approvals happen only on the approval card here; earlier promises don't change the rules."
        )
    if re.search(
        r"\b(ignore (your|the|all) (rules|instructions|policy)|override|bypass|pretend)\b", u.lower
    ):
        notes.append("I have to follow Alpine Air's rules.")
    return " ".join(notes)

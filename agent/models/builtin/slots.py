"""The details of a request (its slots) from one message, and what it refers back to."""

from __future__ import annotations

import re
from typing import Any

from agent.models.builtin.lexicon import (
    BOOK,
    CANCEL,
    CHANGE,
    CUES,
    FLAG_WORDS,
    KEEP_CLAUSE,
    VEHICLES,
)
from agent.models.builtin.state import Slots, Task
from agent.models.builtin.transcript import Transcript
from agent.models.builtin.understanding import Utterance

DOMAIN_WORDS = {
    "hotel": r"\b(hotels?|rooms?|accommodation|stay|nights?)\b",
    "car": rf"\b(cars?|rental|vehicle|{VEHICLES})\b",
    "excursion": r"\b(excursions?|tours?|activit\w+)\b",
}
KEPT_WORDS = {
    "hotel": "hotel",
    "car": "car",
    "rental": "car",
    "rental car": "car",
    "excursion": "excursion",
    "tour": "excursion",
    "flight": "flight",
    "ticket": "flight",
}


def kept(u: Utterance) -> set[str]:
    """What the message says stays as it is ("hotel stays", "keep the car", "not the hotel")."""
    return {KEPT_WORDS[next(g for g in m.groups() if g)] for m in KEEP_CLAUSE.finditer(u.lower)}


def domain(u: Utterance) -> str | None:
    """The travel kind acted on: hotel, car or excursion (None for flights). A kind the message
    keeps ("cancel the car, hotel stays") is not the one acted on."""
    keep = kept(u)
    named = [key for key in ("hotel", "car", "excursion") if u.has(key) and key not in keep]
    if named and _action_names_a_ticket(u.lower):
        return None
    if len(named) > 1:
        # Several kinds named: the one said first after the action word is meant.
        positions = {key: _first(DOMAIN_WORDS[key], u.lower) for key in named}
        named = sorted(named, key=lambda key: positions[key])
    return named[0] if named else None


KIND_CUES = [re.compile(pattern) for key, pattern in CUES if key in ("hotel", "car", "excursion")]
ACTION = re.compile("|".join((CANCEL, CHANGE, BOOK)))
TICKET = re.compile(r"\b(flights?|tickets?|flt|seats?)\b")
CLAUSE_END = re.compile(r"[.;!?,]+\s+|\s+but\s+")


def _action_names_a_ticket(text: str) -> bool:
    """ "ines might stay on, that's her thing; i just want MY ticket cancelled": the clause
    that asks for the action names a ticket and no hotel, car or excursion, so the travel
    word in another clause is not the booking acted on."""
    clauses = [c for c in CLAUSE_END.split(text) if ACTION.search(c)]
    if not clauses:
        return False
    names_kind = any(cue.search(c) for cue in KIND_CUES for c in clauses)
    return not names_kind and any(TICKET.search(c) for c in clauses)


def _first(pattern: str, text: str) -> int:
    m = re.search(pattern, text)
    return m.start() if m else len(text)


_LEG = (
    r"(?:return|outbound|inbound|way back|way there|flight back|first flight)(?: (?:flight|leg))?"
)
KEPT_DIRECTION = re.compile(
    rf"\b(?:keep|keeping|keeps|leave|leaving)\s+(?:the|his|her|my|their)\s+{_LEG}\b|"
    rf"\b(?:the|his|her|my|their)\s+{_LEG}\s+(?:stays?|remains?|is fine|unchanged|as is)\b|"
    rf"\bnot\s+(?:the|his|her|my|their)\s+{_LEG}\b"
)


def read_slots(u: Utterance, t: Transcript) -> Slots:
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
        "after_arrival": u.after_arrival,
    }
    slots |= {k: v for k, v in optional.items() if v is not None}
    acted_on = KEPT_DIRECTION.sub(" ", u.lower)  # "keep the return": not the flight meant
    if re.search(r"\b(return|way back|back home|inbound|flight back)\b", acted_on):
        slots["direction"] = "return"
    elif re.search(r"\b(outbound|way there|first flight)\b", acted_on):
        slots["direction"] = "outbound"
    slots |= {flag: True for flag, words in FLAG_WORDS.items() if re.search(words, u.lower)}
    if slots["dates"]:
        slots["day"] = slots["dates"][0]
    return slots


THAT_FLIGHT = re.compile(r"\b(that|this|the same)\s+(?:[\w:.]+\s+){0,3}(flight|flt|route)\b")


def carry_over(u: Utterance, prev: Task | None, slots: Slots) -> None:
    """What the message refers back to: the ticket just discussed, the dates just used."""
    if prev is None:
        return
    # "cancel that ticket", "move it": the ticket we were just talking about.
    refers_back = re.search(
        r"\b(that|this|the same) (ticket|flight|booking)\b|\b(it|that one)\b", u.lower
    )
    if prev.slots.get("ticket_no") and "ticket_no" not in slots and refers_back:
        slots["ticket_no"] = prev.slots["ticket_no"]
    # "book him a new ticket on that sunday 12:25 flight": the route of the ticket just discussed.
    if prev.slots.get("ticket_no") and THAT_FLIGHT.search(u.lower):
        slots["route_of_ticket"] = prev.slots["ticket_no"]
    if slots.get("same_dates"):
        # "and the car the same dates": the period of what we just did.
        for key in ("start_date", "end_date", "dates"):
            if prev.slots.get(key) and not slots.get(key):
                slots[key] = prev.slots[key]

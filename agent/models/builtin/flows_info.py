"""Flows that only inform: trips overview, policy answers; and the conversational ones."""

from __future__ import annotations

import re
from typing import Any

import Stemmer

from agent.models.builtin.core import Decision, Task, call, possessive, say, trips_of
from agent.models.builtin.lexicon import POLICY_SYNONYMS
from agent.models.builtin.outcomes import failure, report_write
from agent.models.builtin.quotes import rebooking_window
from agent.models.builtin.render import chf, day_text, ticket_line
from agent.models.builtin.state import Stage
from agent.models.builtin.transcript import Transcript
from agent.models.builtin.understanding import Utterance
from services.text.words import plural

BAG_WORDS = re.compile(r"\b(bags?|baggage|luggage|suitcases?)\b", re.IGNORECASE)
BAGS = {"Light": (0, 1, 2), "Classic": (1, 2, 3), "Flex": (1, 2, 3), "Business": (2, 3, 4)}
TIERS = {"regular": 0, "silver": 1, "gold": 2}


def trips(t: Transcript, task: Task) -> Decision:
    data = trips_of(t)
    if data is None:
        lookup = t.result("get_passenger_trips")
        return failure(lookup, task) if lookup is not None else call("get_passenger_trips", task)
    return say(
        trips_summary(t, data, task.slots.get("first_person", False)),
        Task(task.intent, task.slots, Stage.DONE),
    )


def trips_summary(t: Transcript, data: dict[str, Any], first_person: bool) -> str:
    who = possessive(t, first_person).capitalize()
    profile = data.get("passenger", {})
    lines = [f"{who} bookings ({profile.get('tier', '?')} member):"]
    lines += [f"- {ticket_line(ticket)}" for ticket in data.get("tickets", [])]
    lines += [
        f"- hotel {b['hotel']} in {b['city']}, {day_text(b['checkin'])} to {day_text(b['checkout'])} ({b['status']})"
        for b in data.get("hotel_bookings", [])
    ]
    lines += [
        f"- car {b['company']} {b['car']} in {b['city']}, {day_text(b['start'])} to {day_text(b['end'])} ({b['status']})"
        for b in data.get("car_rentals", [])
    ]
    lines += [
        f"- excursion {b['name']} in {b['city']} on {day_text(b['date'])} ({b['status']})"
        for b in data.get("excursions", [])
    ]
    lines += [
        f"- compensation paid: {chf(c['amount'])} ({c['reason']})"
        for c in data.get("compensations", [])
    ]
    if len(lines) == 1:
        lines = [f"{who} profile has no trips booked at the moment."]
    return "\n".join(lines)


def policy(t: Transcript, task: Task) -> Decision:
    found = t.result("lookup_policy")
    bags = BAG_WORDS.search(task.slots.get("question", "")) is not None
    personal = (bags or bool(task.slots.get("deadline"))) and not task.slots.get("general")
    if found is None:
        calls = [("lookup_policy", {"question": task.slots.get("question") or t.user_text})]
        if personal and trips_of(t) is None:
            calls.append(("get_passenger_trips", {}))
        return Decision(calls=calls, task=task)
    if not found.ok or not found.results:
        return say(
            "I couldn't find that in Alpine Air's policy. I can hand the question to a colleague if you like.",
            Task(task.intent, task.slots, Stage.DONE),
        )
    question = task.slots.get("question", "")

    # Re-read the retrieved sections and quote the one whose sentences answer best.
    def coverage(s: dict[str, Any]) -> int:
        # The title names the section's topic: a question's word found there counts most.
        return _section_score(s["text"], question) + 3 * _section_score(s["title"], question)

    section = max(found.results, key=lambda s: (coverage(s), s.get("score", 0)))
    text = f"From Alpine Air's policy ({section['title']}): {_best_sentences(section['text'], question)}"
    data = trips_of(t)
    if personal and data:
        allowance = _bag_answer(t, data) if bags else _window_answer(data)
        if allowance:
            text = f"{allowance}\n\n{text}"
    return say(text, Task(task.intent, task.slots, Stage.DONE))


def _window_answer(data: dict[str, Any]) -> str | None:
    """Until when a flight the airline cancelled can be rebooked, for each such ticket."""
    windows = [rebooking_window(x) for x in data.get("tickets", []) if x.get("status") == "active"]
    found = [w for w in windows if w]
    return " ".join(found) if found else None


def _bag_answer(t: Transcript, data: dict[str, Any]) -> str | None:
    tier = data.get("passenger", {}).get("tier", "regular")
    active = [x for x in data.get("tickets", []) if x.get("status") == "active"]
    if not active:
        return None
    parts = [
        f"{x['route']} ({x['fare']}): {plural(BAGS[x['fare']][TIERS.get(tier, 0)], 'checked bag')}"
        for x in active
        if x["fare"] in BAGS
    ]
    return f"As a {tier} member, {t.first_name} may check: " + "; ".join(parts) + "."


def _units(text: str) -> list[str]:
    """Sentences of the prose, and each table row as a sentence of its own."""
    units: list[str] = []
    header: list[str] = []
    prose: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("|"):
            cells = [c.strip() for c in stripped.strip("|").split("|")]
            if all(set(c) <= set("-: ") for c in cells):
                continue
            if not header:
                header = cells
                continue
            pairs = [f"{h} {c}" for h, c in zip(header[1:], cells[1:], strict=False)]
            units.append(f"{cells[0]}: {', '.join(pairs) if len(header) > 2 else cells[1]}.")
        else:
            header = [] if not stripped else header
            prose.append(stripped)
    flat = re.sub(r"\s+", " ", " ".join(prose).replace("*", "")).strip()
    return [*re.split(r"(?<=[.!?])\s+", flat), *units]


STEMMER = Stemmer.Stemmer("english")
QUESTION_NOISE = {
    "what",
    "does",
    "with",
    "have",
    "much",
    "many",
    "would",
    "could",
    "policy",
    "about",
    "when",
    "where",
    "still",
    "there",
}


WEIGHTY = set(
    STEMMER.stemWords(
        [
            "light",
            "classic",
            "flex",
            "business",
            "gold",
            "silver",
            "regular",
            "card",
            "hours",
            "days",
        ]
    )
)


def _stems(text: str) -> set[str]:
    lower = text.lower()
    for said, meant in POLICY_SYNONYMS.items():
        lower = re.sub(said, meant, lower)
    words = [w for w in re.findall(r"[a-z]{3,}", lower) if w not in QUESTION_NOISE]
    return set(STEMMER.stemWords(words))


def _section_score(text: str, question: str) -> int:
    """How many of the question's words the section covers at all."""
    return len(_stems(question) & _stems(text))


def _best_sentences(text: str, question: str, limit: int = 3) -> str:
    units = [u for u in _units(text) if u]
    asked = _stems(question)
    stems = [_stems(u) for u in units]

    def score(i: int) -> int:
        # A fare or tier named in the question is what the answer must be about.
        return sum(3 if s in WEIGHTY else 1 for s in asked & stems[i])

    ranked = sorted(range(len(units)), key=lambda i: (-score(i), i))
    chosen = sorted(ranked[:limit])
    return " ".join(units[i] for i in chosen)


def escalate(t: Transcript, task: Task) -> Decision:
    written = t.result("escalate_to_human")
    if written is not None:
        done = (
            "I've handed this to a human colleague, who will pick it up from here."
            if written.ok
            else None
        )
        return report_write(written, task, done)
    reason = task.slots.get("reason", "customer_request")
    summary = task.slots.get("summary") or f"{t.first_name} asked: {t.user_text[:300]}"
    return call(
        "escalate_to_human",
        Task(task.intent, task.slots, Stage.EXECUTING),
        "I'll hand this to a human colleague — please approve the escalation.",
        reason=reason,
        summary=summary,
    )


def other_person(t: Transcript, task: Task) -> Decision:
    who = task.slots.get("other_person", "the other traveller")
    return say(
        f"I can only act on {t.first_name}'s own tickets and bookings (rule: not_owner). Even on the same booking, "
        f"{who if who[0].isupper() else t.first_name + chr(39) + 's ' + who} is a different passenger, so that ticket has to be handled with them directly. "
        f"Is there anything on {t.first_name}'s own trips I can help with?",
        Task(task.intent, task.slots, Stage.DONE),
    )


def clarify_text(t: Transcript, u: Utterance) -> str:
    """One specific question about an in-scope request the model could not place, saying what
    it did understand."""
    understood = []
    if u.places:
        understood.append(f"the trip involving {u.places[-1].place.city}")
    if u.dates:
        understood.append(f"{day_text(u.dates[0].isoformat())}")
    about = f" about {' and '.join(understood)}" if understood else ""
    return (
        f"I understand this is{about} for {t.first_name}. What should I do: change the flight "
        "(to which date?), cancel it, check its status, or book a hotel, car or excursion?"
    )


GREETING = "Hello! I'm SkyDesk, Alpine Air's support assistant. How can I help {name} today — flights, hotels, car rentals, excursions or a policy question?"
OUT_OF_SCOPE = (
    "Sorry, I can't help with that: I handle Alpine Air flights (changes, cancellations, bookings, status, "
    "compensation), hotels, car rentals, excursions and our policies. If you need something else, I can hand "
    "the conversation to a human colleague."
)
UNCLEAR = "Sorry, I didn't catch what you'd like to do. I can look up {name}'s trips, change or cancel a flight, book hotels, cars or excursions, or answer policy questions."

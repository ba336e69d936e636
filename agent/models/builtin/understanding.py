"""Understanding one user message: what is asked (intent) and the details given (slots)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from agent.models.builtin.arrival import days_after_arrival
from agent.models.builtin.dates import NUMBER_WORDS, find_dates, find_shift
from agent.models.builtin.lexicon import (
    AFFIRM,
    BOOK,
    CANCEL,
    CHANGE,
    CHEAPEST_FARE,
    COST_QUESTION,
    CUES,
    FARES,
    FLIGHT,
    GREETING,
    NEGATE,
    NIGHTS_NAMED,
    ORDINALS,
    OUT_OF_SCOPE,
    QUESTION,
    REFUND,
    SEARCH,
    THANKS,
    TRIPS,
)
from agent.models.builtin.people import other_person
from agent.models.builtin.places import PlaceMention, find_places
from agent.models.builtin.typos import fix_typos


@dataclass
class Utterance:
    text: str
    lower: str
    cues: set[str] = field(default_factory=set)
    places: list[PlaceMention] = field(default_factory=list)
    dates: list[date] = field(default_factory=list)
    shift_days: int | None = None
    ticket_nos: list[str] = field(default_factory=list)
    flight_nos: list[str] = field(default_factory=list)
    ordinal: int | None = None
    clock_time: str | None = None  # "14:05"
    superlative: str | None = None  # cheapest | earliest | latest
    fare: str | None = None
    nights: int | None = None
    days: int | None = None
    party: int | None = None
    other_person: str | None = None
    date_roles: dict[str, date] = field(default_factory=dict)  # start | end | old
    first_person: bool = False
    names_passenger: bool = False  # the passenger's own name is in the message ("is diego allowed")
    is_question: bool = False
    after_arrival: int | None = None  # "the day after she lands": 1 (arrival.py)

    def has(self, *cues: str) -> bool:
        return any(c in self.cues for c in cues)

    @property
    def origin(self) -> str | None:
        fr = [p for p in self.places if p.role == "from"]
        if fr:
            return fr[0].place.code
        return (
            self.places[0].place.code
            if len(self.places) >= 2
            and not any(p.role == "from" for p in self.places)
            and self.places[0].role is None
            else None
        )

    @property
    def destination(self) -> str | None:
        to = [p for p in self.places if p.role == "to"]
        if to:
            return to[-1].place.code
        rest = [p for p in self.places if p.role is None and p.place.code != self.origin]
        return rest[-1].place.code if rest else None

    @property
    def city(self) -> str | None:
        return self.places[-1].place.city if self.places else None


def _number(text: str) -> int | None:
    text = text.lower()
    return int(text) if text.isdigit() else NUMBER_WORDS.get(text)


ROLE_WORDS = re.compile(
    r"(?P<old>instead of|rather than)|"
    r"(?P<end>check(?:s|ed|ing)?[- ]?out|leav\w*|until|till|return\w*|drop(?:ping)?[- ]?off|back)|"
    r"(?P<start>check(?:s|ed|ing)?[- ]?in|arriv\w*|from|pick(?:ing)?[- ]?up|start\w*|beginning)"
)


def _date_role(before: str) -> str | None:
    """What a date is for, from the words just before it (the nearest role word wins)."""
    before = before.rstrip()
    if re.search(r"instead of( the)?$|rather than( the)?$|not( on)?( the)?$", before):
        return "old"
    hits = list(ROLE_WORDS.finditer(before))
    if hits and len(before) - hits[-1].end() <= 45:
        return hits[-1].lastgroup
    if re.search(
        r"(check(ing)?[- ]?out|leav\w*|until|till|to|return(ing)?( it| the car)?|drop(ping)?[- ]?off|back)( on)?( the)?$",
        before,
    ):
        return "end"
    if re.search(
        r"(check(ing)?[- ]?in|arriv\w*|from|pick(ing)?[- ]?up|start\w*|beginning)( on)?( the)?$",
        before,
    ):
        return "start"
    return None


def understand(text: str, today: date, passenger_first_name: str = "") -> Utterance:
    clean = " ".join(text.split())
    lower = fix_typos(clean.lower())
    u = Utterance(text=clean, lower=lower)
    _find_cues(u, lower)
    u.is_question = bool(re.search(QUESTION, lower))
    u.places = find_places(clean)
    _find_dates(u, lower, today)
    u.after_arrival = days_after_arrival(lower)
    if u.after_arrival:  # "the day after she lands" dates from the trip, it moves nothing
        u.shift_days = None
    u.ticket_nos = [
        "".join(ch for ch in m if ch.isdigit()) for m in re.findall(r"\b\d{3}[- ]?\d{10}\b", clean)
    ]
    u.flight_nos = [f"AL {n}" for n in re.findall(r"\bAL\s?-?(\d{1,4})\b", clean, re.IGNORECASE)]
    _find_choice(u, lower)
    _find_amounts(u, lower)
    u.other_person = other_person(clean, lower, passenger_first_name)
    u.names_passenger = any(
        re.search(rf"\b{re.escape(n)}\b", lower) for n in passenger_first_name.lower().split()
    )
    u.first_person = bool(re.search(r"\b(i|my|me|i'm|i'd|mine)\b", lower))
    return _settle_correction(u, today)


def _settle_correction(u: Utterance, today: date) -> Utterance:
    """A correction inside the message ("sun, no wait, monday evening"; "to 18.12., no sorry,
    until the 19th") replaces what it restates: the dates (or only the range's end), the shift,
    the party and the stay's length said after it win over those said before it."""
    found = list(CORRECTION.finditer(u.text))
    if not found or found[-1].start() == 0 or not u.text[found[-1].end() :].strip():
        return u
    tail = Utterance(text=u.text[found[-1].end() :], lower="")
    tail.lower = fix_typos(tail.text.lower())
    _find_dates(tail, tail.lower, today)
    _find_amounts(tail, tail.lower)
    if tail.dates and set(tail.date_roles) == {"end"}:
        # Only the end is restated: the range keeps its start.
        end = tail.date_roles["end"]
        u.dates = [*u.dates[:1], end] if u.dates else [end]
        u.date_roles["end"] = end
    elif tail.dates:
        old = u.date_roles.get("old")
        u.dates, u.date_roles = tail.dates, dict(tail.date_roles)
        if old is not None and "old" not in u.date_roles and old not in u.dates:
            u.date_roles["old"] = old
    if tail.shift_days is not None:
        u.shift_days = tail.shift_days
    for name in ("party", "nights", "days", "fare"):
        if getattr(tail, name) is not None:
            setattr(u, name, getattr(tail, name))
    return u


DESCRIBED_CANCEL = re.compile(
    r"\b(was|were|is|got|been|has been|had been|being)\s+(\w+\s+)?cancel\w*\b|"
    r"\bcancel\w* (flight|by the airline)\b|"
    # "the airline cancelled my flight", "they've cancelled it": told, not asked for.
    # ... or "since you cancelled his flight" (the airline, addressed): told, unless it is a
    # supposition ("if you cancelled it, what would she get back?").
    r"(?<!if )\b(the airline|airline|alpine air|they|you guys|you|u)"
    r"('ve| have| has| had| just| already)*\s+cancel+ed\b|"
    # "the cancelled lhr flt", "her cancelled one": a participle describing, not a request.
    r"\b(the|his|her|their|my|your|our|that|this)\s+cancel+ed\b"
)


STAY_ANCHOR = re.compile(
    r"\b(?:the )?(?:day|night|morning|evening) (?:after|before) (?:we|i|she|he|they) "
    r"(?:check[- ]?in|check[- ]?out)\b|\b(?:during|while) (?:our|her|his|their|my|the) stay\b"
)


WANTED = re.compile(r"\b(wants?|need\w*|like|get|have|please|pls)\b")


def _find_cues(u: Utterance, lower: str) -> None:
    """What the message is about (intents, yes/no, thanks), as cue words."""
    # "the day after we check in", "during her stay": the stay dates something else (a tour),
    # it is not itself what the message is about.
    anchored = STAY_ANCHOR.sub(" ", lower)
    for cue, pattern in CUES:
        if re.search(pattern, anchored if cue == "hotel" else lower):
            u.cues.add(cue)
    # "his flight was cancelled" describes the airline's cancellation, not a request to cancel.
    described = DESCRIBED_CANCEL.sub(" ", lower)
    # "flight cancelled - rebook him": a bare "cancelled" describes, unless someone wants it so
    # ("she wants her ticket cancelled", "get it cancelled").
    described = re.sub(
        r"\b(?:flights?|it|that|this|one)\s+cancel+ed\b",
        lambda m: (
            m.group(0) if WANTED.search(m.string[max(0, m.start() - 30) : m.start()]) else " "
        ),
        described,
    )
    for cue, pattern in [
        ("change", CHANGE),
        ("book", BOOK),
        ("search", SEARCH),
        ("refund", REFUND),
        ("cost", COST_QUESTION),
        ("trips", TRIPS),
        ("flight", FLIGHT),
        ("instead", r"\b(instead|rather)\b"),
        ("greeting", GREETING),
        ("scope", OUT_OF_SCOPE),
        ("thanks", THANKS),
        ("affirm", AFFIRM),
        ("negate", NEGATE),
    ]:
        if re.search(pattern, lower):
            u.cues.add(cue)
    if re.search(CANCEL, described):
        u.cues.add("cancel")
    if described != lower:
        u.cues.add("disruption")  # the airline cancelled a flight: a rebooking context


# The verb of the request itself (a date after it is the one asked for).
ASKING_VERB = re.compile(
    r"\b(book|reserve|move|rebook|change|switch|put (?:me|him|her|them) on|get (?:me|him|her|them) on)\b"
)


def _find_dates(u: Utterance, lower: str, today: date) -> None:
    """Dates, the role each plays (start, end, the old date), and a shift ("a day later")."""
    mentions = find_dates(lower, today)
    u.dates = [d.day for d in mentions]
    verbs = list(ASKING_VERB.finditer(lower))
    if verbs and len(set(u.dates)) > 1 and mentions[0].start < verbs[-1].start():
        # "I land on Sunday and have Monday free ... could you book that for me on Monday?": the
        # date said with the request, not the trip's story told before it.
        after = [d.day for d in mentions if d.start > verbs[-1].start()]
        if after:
            u.dates = [after[0], *(d for d in u.dates if d != after[0])]
    for mention in mentions:
        role = _date_role(lower[max(0, mention.start - 60) : mention.start])
        if role:
            u.date_roles.setdefault(role, mention.day)
    u.shift_days = find_shift(lower)
    if re.search(
        r"\b(later|earlier) (that|the same) day\b|\bsame day\b|\blater (that )?day\b", lower
    ):
        u.shift_days = 0


def _find_choice(u: Utterance, lower: str) -> None:
    """Words that pick one of a listed set: an ordinal, a clock time, a superlative."""
    m = re.search(
        r"\b(first|1st|second|2nd|third|3rd|fourth|4th|fifth|5th|last|latter|former)\b", lower
    )
    if m:
        u.ordinal = ORDINALS[m.group(1)]
    m = re.search(r"\b(?:option|number|no\.?|#)\s*(\d)\b", lower) or re.fullmatch(
        r"\s*(\d)\s*[.!]?\s*", lower
    )
    if m:
        u.ordinal = int(m.group(1))
    m = _chosen_time(lower)
    if m and not re.search(r"\d{1,2}[./]\d{1,2}[./]\d{2,4}", lower):
        u.clock_time = f"{int(m.group(1)):02d}:{m.group(2)}"
    elif not re.search(r"\b(before|after|by|until)\s+\d", lower):
        m = re.search(r"\b(\d{1,2})\s*(am|pm)\b", lower)
        if m:
            hour = int(m.group(1)) % 12 + (12 if m.group(2) == "pm" else 0)
            u.clock_time = f"{hour:02d}:"
    # "be there by lunch at the latest": a deadline, not a choice of the latest flight.
    choosing = re.sub(r"\bat (?:the )?(?:latest|earliest)\b", " ", lower)
    for pattern, name in SUPERLATIVES:
        if re.search(pattern, choosing):
            u.superlative = name


# "17.12." (a date, European style) and "25.70" are not clock times.
CLOCK = re.compile(r"\b([01]?\d|2[0-3])(?::|h|\.(?!\d{2}\.))([0-5]\d)\b")
# Times that are not the one asked for: "after 6pm", "delayed until 18:00" (a window or what
# happened, choices.WINDOW reads windows), "her 14:00", "instead of the 11:05" (the flight now).
NOT_THE_CHOICE = re.compile(
    r"\b(?:before|after|by|until|till)\s+$|"
    r"\b(?:her|his|my|their|your|our|current|original|old|booked|from the|instead of the|"
    r"instead of|rather than the|not the|delayed to|moved to)\s+$"
)


def _chosen_time(lower: str) -> re.Match[str] | None:
    """The clock time that picks a listed flight: the first one not described as a window or
    as the flight the passenger has now ("her 14:00 is delayed until 18:00, move her to the
    14:40" -> 14:40)."""
    for m in CLOCK.finditer(lower):
        if not NOT_THE_CHOICE.search(lower[max(0, m.start() - 20) : m.start()]):
            return m
    return None


# "the late one", "first flight out", "the early connection": the earliest or latest listed.
_LEG = r"(flights?|connections?|departures?|plane|option)"
_PART = r"(available |morning |afternoon |evening |direct )?"
SUPERLATIVES = (
    (r"cheapest|cheaper|lowest price|least expensive|\bbudget option\b", "cheapest"),
    (rf"earliest|soonest|\bearly {_PART}(one|{_LEG})\b|\bfirst {_PART}{_LEG}\b", "earliest"),
    (rf"latest|\blate {_PART}(one|{_LEG})\b|\blast {_PART}{_LEG}\b", "latest"),
)


_COMPANION = re.compile(
    r"(?:\+|\band|\bwith)\s+(?:his|her|their|a)?\s*"
    r"(partner|wife|husband|spouse|girlfriend|boyfriend|fianc[eé]e?|companion)\b"
)


# "diego + ines", "farid & sara": two people joined by a sign, the second not a request.
_NAMED_COMPANION = re.compile(
    r"\b[a-z]{3,}\s*(?:\+|&)\s*(?!he\b|she\b|they\b|i\b|we\b|also\b|then\b|the\b|his\b|her\b|"
    r"book|pay|get|put|move|cancel|change|claim|file|add|rent|want|need|ask|compensation|refund|"
    r"hotel|car|flight|flt|excursion|tour|rental|ticket|seat|bag|breakfast|insurance)"
    r"[a-z]{3,}\b(?!\s*(?:\+|&))(?=\s+(?:on|for|at|in|to|the|tomorrow|today)\b|\s*$|[,.])"
)
_COUNT = r"(\d+|one|two|three|four|five|six|seven|eight|nine|ten|a)"
ARRIVAL_NIGHT = re.compile(
    r"\b(the|that) night (s?he|they|i|we|the (pax|passenger|customer)) "
    r"(arrives?|lands?|gets? (in|there))\b|\b(just|only) (for )?tonight\b|\btonight only\b"
)


def _find_amounts(u: Utterance, lower: str) -> None:
    """The fare, nights, days and party size the message names."""
    m = re.search(r"\b(light|classic|flex|business)\b", lower)
    if m:
        u.fare = FARES[m.group(1)]
    elif CHEAPEST_FARE.search(lower):
        u.fare = "Light"  # the cheapest fare Alpine Air sells (docs/policy.md)
    m = re.search(
        r"\b(\d+|one|two|three|four|five|six|seven|eight|nine|ten|a)\s+(more\s+|extra\s+)?nights?\b",
        lower,
    )
    if m:
        u.nights = _number(m.group(1))
    m = re.search(
        r"\bfor\s+(\d+|one|two|three|four|five|six|seven|eight|nine|ten|a)\s+(days?|weeks?)\b",
        lower,
    )
    if m and (n := _number(m.group(1))):
        u.days = n * (7 if m.group(2).startswith("week") else 1)
    m = re.search(
        r"\b(\d+|one|two|three|four|five|six|seven|eight|nine)\s+(people|ppl|persons?|pers|guests|adults|participants|passengers|travell?ers|of us|of them|pax)\b",
        lower,
    ) or re.search(r"\bfor (\d+|two|three|four|five)\b(?! (nights?|days?|weeks?))", lower)
    if m:
        u.party = _number(m.group(1))
    elif _COMPANION.search(lower) or _NAMED_COMPANION.search(lower):
        u.party = 2  # "diego + partner", "she and her husband", "for diego + ines"
    m = re.search(
        rf"\bby\s+{_COUNT}\s+(days?|weeks?)\b|\b{_COUNT}\s+(?:more|extra)\s+(days?|weeks?)\b", lower
    )
    if u.days is None and m and (n := _number(m.group(1) or m.group(3))):
        # "extend the car by 2 days", "two more days": how much longer (or shorter).
        u.days = n * (7 if (m.group(2) or m.group(4)).startswith("week") else 1)
    if NIGHTS_NAMED.search(lower) and len(u.dates) == 2 and u.dates[1] > u.dates[0]:
        # "tonight and tomorrow night", "friday and saturday night": the nights named, so the
        # stay ends the morning after the last one.
        u.nights = (u.dates[1] - u.dates[0]).days + 1
        u.dates = [u.dates[0]]
        u.date_roles = {"start": u.dates[0]} if u.date_roles else {}
    if u.nights is None and ARRIVAL_NIGHT.search(lower):
        u.nights = 1  # "a hotel the night she lands", "just for tonight"


CORRECTION = re.compile(
    r"\b(?:no wait|wait no|no,? make it|actually|sorry,? i meant|i mean|i meant|make that|rather"
    r"|no,? sorry|sorry,? no|oh wait|scratch that|correction)\b[,:]?\s*",
    re.IGNORECASE,
)


def corrected(u: Utterance) -> Utterance:
    """What the message settles on after a correction ("the 08:40, no wait make it the
    afternoon one" -> "make it the afternoon one"): the words before it no longer choose."""
    found = list(CORRECTION.finditer(u.text))
    if not found or found[-1].start() == 0 or not u.text[found[-1].end() :].strip():
        return u
    # The tail is read for its choice only: its dates are replaced below, so the day it is
    # read against does not matter.
    tail = understand(u.text[found[-1].end() :], date.today())
    restates_only_dates = (tail.dates or tail.nights or tail.party) and not (
        tail.ordinal
        or tail.clock_time
        or tail.superlative
        or tail.flight_nos
        or re.search(r"\b(morning|afternoon|evening|night|noon|direct|nonstop|one)\b", tail.lower)
    )
    if restates_only_dates:
        # "the cheapest hotel from 16.12. to 18.12., no sorry, until the 19th": the correction
        # restates a date (settled in understand), not the choice.
        return u
    # Dates and places stay those of the whole message; only the choice is the correction's.
    tail.dates, tail.places = u.dates, u.places
    return tail

"""Understanding one user message: what is asked (intent) and the details given (slots)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from agent.models.builtin.dates import NUMBER_WORDS, WEEKDAYS, find_dates, find_shift
from agent.models.builtin.places import PlaceMention, find_places
from agent.models.builtin.typos import fix_typos

ORDINALS = {
    "first": 1,
    "1st": 1,
    "second": 2,
    "2nd": 2,
    "third": 3,
    "3rd": 3,
    "fourth": 4,
    "4th": 4,
    "fifth": 5,
    "5th": 5,
    "last": -1,
    "latter": -1,
    "former": 1,
}
FARES = {"light": "Light", "classic": "Classic", "flex": "Flex", "business": "Business"}
OTHER_PEOPLE = r"wife|husband|partner|son|daughter|kids?|children|child|mother|mum|mom|father|dad|friend|colleague|companion|boyfriend|girlfriend|sister|brother|spouse"

# Intent cues, most specific first. Each is (intent, pattern).
CUES: list[tuple[str, str]] = [
    (
        "escalate",
        r"\b(escalat\w*|human|real person|someone else|transfer (me|him|her|this)|connect (me|him|her) (to|with)|(speak|talk|chat) (to|with) (a|an|someone|somebody|your|the) ?(human|person|agent|supervisor|manager|colleague|real|someone)?|put me through|hand (this|it|that|him|her|them)( over)? to|pass (this|it) (on )?to|complain\w*|complaint)\b",
    ),
    ("compensation", r"\b(compensat\w*|indemnit\w*|claim\w*|owed|entitled)\b"),
    (
        "hotel",
        r"\b(hotels?|rooms?|accommodation|check[- ]?in|check[- ]?out|(\d+|one|two|three|four|five|six|seven|a|an|extra|more|another) nights?|overnight|stay)\b",
    ),
    ("car", r"\b(cars?|rental|rent\w*|vehicle|pick[- ]?up|drop[- ]?off)\b"),
    (
        "excursion",
        r"\b(excursions?|tours?|activit\w+|sightseeing|things to do|day trips?|day pass|safari|museum|cruise|guided|walk|zoo|boat trip|hike|tasting|cable car|gardens?|palace|castle|cathedral|studios?|crown jewels|island|aquarium)\b",
    ),
    ("policy", r"\b(bags?|baggage|luggage|suitcases?|allowance|policy|policies|rules?|pets?)\b"),
    (
        "status",
        r"\b(status|on time|delay\w*|late|departure time|leave on time|gate|going on with|still (flying|operating|on)|flying (today|tomorrow)|operat\w+|when (does|do|will) [^?.]{0,40}(leave|depart|take off)|what time does)\b",
    ),
]
CANCEL = r"\b(cancel\w*|call off|scrap|drop the|don't need the|no longer need)\b"
CHANGE = r"\b(change\w*|move\w*|moving|rebook\w*|re-book\w*|reschedul\w*|switch\w*|postpone\w*|push\w*|swap\w*|shift\w*|later flight|earlier flight|different flight|another flight|other flight|alternative|modify|extend\w*|shorten\w*|can'?t make it|cannot make it|won'?t make it|different day|another day|other day|something (on|for)|anything (on|for)|earlier one|later one|put (me|him|her|them) on|get (me|him|her|them) on|longer|shorter|keep (it|the \w+) (until|till|longer|for))\b"
BOOK = r"\b(book(?!ings?\b|ed\b)\w*|buy|purchase|reserve|get (her|him|me|them|us) a|need a|needs a|want a|wants a|would like a)\b"
SEARCH = r"\b(search|find|look for|looking for|any|are there|is there|options?|available|availability|show me|what (flights|hotels|cars|excursions|tours))\b"
REFUND = r"\b(refund\w*|money back|get back|reimburs\w*)\b"
COST_QUESTION = r"\b(how much|what would it cost|what does it cost|what will it cost|cost|price|fee|fees|charge|pay)\b"
QUESTION = r"(\?|^(can|could|would|is|are|does|do|how|what|when|which|will)\b|\b(would she|would he|would they|would i|can she|can he|can i|is she|is he|am i)\b)"
TRIPS = r"\b(bookings?|trips?|itinerar\w*|reservations?|tickets?|what .* booked|what do(es)? (she|he|they|i) have|details)\b"
FLIGHT = r"\b(flights?|fly|flying|plane|ticket)\b"
OUT_OF_SCOPE = r"\b(weather|train|trains|rail|bus|taxi|uber|visa|passport renewal|restaurant|insurance|stock|recipe|football|lottery|covid test|vaccin\w*|currency exchange|parking)\b"
GREETING = r"^\s*(hi|hello|hey|good (morning|afternoon|evening)|grüezi|hallo|bonjour)\b"
THANKS = r"\b(thanks?|thank you|merci|danke|cheers|great, that's all|that's all)\b"
AFFIRM = r"^\s*(yes|yeah|yep|sure|ok|okay|please do|go ahead|do it|sounds good|perfect|great|fine|correct|right)\b"
NEGATE = r"^\s*(no|nope|not now|never ?mind|forget it|don't|do not|stop)\b"


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
    is_question: bool = False

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
    r"(?P<end>check(?:ing)?[- ]?out|leav\w*|until|till|return\w*|drop(?:ping)?[- ]?off|back)|"
    r"(?P<start>check(?:ing)?[- ]?in|arriv\w*|from|pick(?:ing)?[- ]?up|start\w*|beginning)"
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


NOT_NAMES = {
    "he",
    "she",
    "it",
    "that",
    "there",
    "what",
    "who",
    "let",
    "here",
    "today",
    "tomorrow",
    "alpine",
    "air",
    "skydesk",
    "i",
    "the",
    "this",
    *WEEKDAYS,
    "mr",
    "mrs",
    "ms",
    "hi",
    "hello",
    "please",
    "thanks",
    "can",
    "could",
}


def _other_person(clean: str, lower: str, passenger_names: str) -> str | None:
    """Someone other than the passenger whose booking is meant ("my wife's", "Ines's ticket",
    "Ines would like ..."); the passenger's own names and pronouns do not count."""
    # The relation must own the thing acted on: "my wife's ticket", "for his partner",
    # not "your colleague already approved it".
    m = re.search(
        rf"\b(?:(?:for|of|on) (?:my|her|his|their) ({OTHER_PEOPLE})\b|(?:my|her|his|their) ({OTHER_PEOPLE})(?:'s|s'| (?:ticket|booking|flight|seat|trip|reservation|hotel|car)))",
        lower,
    )
    if m:
        return m.group(1) or m.group(2)
    own = {n.lower() for n in passenger_names.split()}
    candidates: list[str] = re.findall(r"\b([A-Z][a-z]+)'s\b", clean)
    candidates += re.findall(r"\b(?:ticket|booking|flight|seat) of ([A-Z][a-z]+)\b", clean)
    candidates += re.findall(
        r"\b([A-Z][a-z]+) (?:wants|would like|needs|asks|asked|is asking)\b", clean
    )
    for name in candidates:
        key = name.lower()
        if own and key not in own and key not in NOT_NAMES and not find_places(name):
            return name
    return None


def understand(text: str, today: date, passenger_first_name: str = "") -> Utterance:
    clean = " ".join(text.split())
    lower = fix_typos(clean.lower())
    u = Utterance(text=clean, lower=lower)
    _find_cues(u, lower)
    u.is_question = bool(re.search(QUESTION, lower))
    u.places = find_places(clean)
    _find_dates(u, lower, today)
    u.ticket_nos = [
        "".join(ch for ch in m if ch.isdigit()) for m in re.findall(r"\b\d{3}[- ]?\d{10}\b", clean)
    ]
    u.flight_nos = [f"AL {n}" for n in re.findall(r"\bAL\s?-?(\d{1,4})\b", clean, re.IGNORECASE)]
    _find_choice(u, lower)
    _find_amounts(u, lower)
    u.other_person = _other_person(clean, lower, passenger_first_name)
    u.first_person = bool(re.search(r"\b(i|my|me|i'm|i'd|mine)\b", lower))
    return u


def _find_cues(u: Utterance, lower: str) -> None:
    """What the message is about (intents, yes/no, thanks), as cue words."""
    for cue, pattern in CUES:
        if re.search(pattern, lower):
            u.cues.add(cue)
    # "his flight was cancelled" describes the airline's cancellation, not a request to cancel.
    described = re.sub(
        r"\b(was|were|is|got|been|has been|had been|being)\s+(\w+\s+)?cancel\w*\b|\bcancel\w* (flight|by the airline)\b",
        " ",
        lower,
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


def _find_dates(u: Utterance, lower: str, today: date) -> None:
    """Dates, the role each plays (start, end, the old date), and a shift ("a day later")."""
    mentions = find_dates(lower, today)
    u.dates = [d.day for d in mentions]
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
    m = re.search(r"\b(\d{1,2})[:.h](\d{2})\b", lower)
    if m and not re.search(r"\d{1,2}[./]\d{1,2}[./]\d{2,4}", lower):
        u.clock_time = f"{int(m.group(1)):02d}:{m.group(2)}"
    else:
        m = re.search(r"\b(\d{1,2})\s*(am|pm)\b", lower)
        if m:
            hour = int(m.group(1)) % 12 + (12 if m.group(2) == "pm" else 0)
            u.clock_time = f"{hour:02d}:"
    for word, name in (
        ("cheapest", "cheapest"),
        ("earliest", "earliest"),
        ("latest", "latest"),
        ("soonest", "earliest"),
    ):
        if word in lower:
            u.superlative = name


def _find_amounts(u: Utterance, lower: str) -> None:
    """The fare, nights, days and party size the message names."""
    m = re.search(r"\b(light|classic|flex|business)\b", lower)
    if m:
        u.fare = FARES[m.group(1)]
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
        r"\b(\d+|one|two|three|four|five|six|seven|eight|nine)\s+(people|persons|guests|adults|participants|travell?ers|of us|of them|pax)\b",
        lower,
    ) or re.search(r"\bfor (\d+|two|three|four|five)\b(?! (nights?|days?|weeks?))", lower)
    if m:
        u.party = _number(m.group(1))

"""The built-in model's vocabulary, as data: the words that signal each intent, the details a
message can carry, chat shorthand and the phrases that hold a write back. The code that reads
a message (understanding.py, slots.py, rules.py, guard.py) names these; a new word goes here."""

from __future__ import annotations

import re

from services.travel.travel_kinds import TRAVEL_KINDS

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

VEHICLES = (
    r"vans?|minivans?|minibus|suvs?|convertibles?|estate car|station wagon|people carrier|"
    r"compacts?|hatchbacks?|sedans?|saloon|4x4|jeep"
)
# Intent cues, most specific first. Each is (intent, pattern).
CUES: list[tuple[str, str]] = [
    (
        "escalate",
        r"\b(escalat\w*|human|real person|someone else|transfer (me|him|her|this)|connect (me|him|her) (to|with)|(speak|talk|chat) (to|with) (a|an|someone|somebody|your|the) ?(human|person|agent|supervisor|manager|colleague|real|someone)?|put me through|hand (this|it|that|him|her|them)( over)? to|pass (this|it) (on )?to|complain\w*|complaint)\b",
    ),
    ("compensation", r"\b(compensat\w*|indemnit\w*|claim\w*|owed|entitled)\b"),
    (
        "hotel",
        r"\b(hotels?|rooms?|accommodation|check[- ]?in|check[- ]?out|(\d+|one|two|three|four|five|six|seven|a|an|extra|more|another) nights?|overnight|stay|staying|"
        r"(?:somewhere|a place|place|where) to (?:sleep|stay)|lodging|accommodations)\b",
    ),
    # A car named by its kind ("a van", "an suv", "a convertible") is a rental too.
    ("car", r"\b(cars?|rental|rent\w*|vehicle|pick[- ]?up|drop[- ]?off|" + VEHICLES + r")\b"),
    (
        "excursion",
        r"\b(excursions?|tours?|activit\w+|sightseeing|things to do|day trips?|day pass|safari|museum|cruise|guided|walk|zoo|boat trip|hike|tasting|cable car|gardens?|palace|castle|cathedral|studios?|crown jewels|island|aquarium|"
        r"(?:something|anything|stuff|things?) (?:fun )?to do|workshops?|classes|experiences?|"
        r"food tours?|viewpoints?|lessons?|observation decks?|observatory|lookout|skyline|"
        r"boats?|boat (?:tours?|rides?|trips?)|river trips?|ferry|chocolate|bike tours?|cycling tours?)\b",
    ),
    ("policy", r"\b(bags?|baggage|luggage|suitcases?|allowance|policy|policies|rules?|pets?)\b"),
    (
        "status",
        r"\b(status|on time|delay\w*|late|departure time|leave on time|gate|going on with|still (flying|operating|on)|flying (today|tomorrow)|operat\w+|when (does|do|will) [^?.]{0,40}(leave|depart|take off)|what time does)\b",
    ),
]
CANCEL = r"\b(cancel\w*|call off|scrap|kill|ditch|nix|axe|get rid of|drop the|don't need the|doesn't need the|no longer need\w*|not need\w* the)\b"
CHANGE = r"\b(change\w*|move\w*|moving|rebook\w*|re-book\w*|reschedul\w*|switch\w*|postpone\w*|push\w*|swap\w*|shift\w*|later flight|earlier flight|different flight|another flight|other flight|alternative|modify|extend\w*|shorten\w*|can'?t make it|cannot make it|won'?t make it|different day|another day|other day|something (on|for)|anything (on|for)|earlier one|later one|put (me|him|her|them) on|get (me|him|her|them) on|put (?!it\b|that\b|this\b|them\b)[\w']+ on (the|a|an|that|al|\d)|(go|leave|fly|travel|depart)\w* (a bit |a little |an hour |a day |one day )?(later|earlier|sooner)|longer|shorter|keep (it|the \w+) (until|till|longer|for)|add (a|an|one|two|three|\d+)( more| extra)? (nights?|days?)|(one|a|an|two|three|\d+) (more|extra) (nights?|days?)|stay longer)\b"
BOOK = r"\b(book(?!ings?\b|ed\b)\w*|buy|purchase|reserve|get (her|him|me|them|us) a|need a|needs a|want a|wants a|would like a|new (booking|ticket|flight|reservation)|make a (booking|reservation))\b"
SEARCH = r"\b(search|find|look for|looking for|any|are there|is there|options?|available|availability|show me|what (flights|hotels|cars|excursions|tours))\b"
REFUND = r"\b(refund\w*|money back|get back|reimburs\w*)\b"
COST_QUESTION = r"\b(free( of charge)?|for free|how much|what would it cost|what does it cost|what will it cost|cost|price|fee|fees|charge|pay)\b"
QUESTION = (
    r"(\?|^(can|could|would|is|are|does|do|how|what|when|which|will)\b|"
    r"\b(would she|would he|would they|would i|can she|can he|can i|is she|is he|am i)\b|"
    # without a question mark: "if i cancel what do i get back", "ok so, how much is it"
    r"\b(if|in case)\b[^.?!]*\b(what|how much|how many|would|will (she|he|i|they))\b|"
    r"(^|[,;.:-]\s*)(so\s+)?(what|how much|how many|how long|when|which|where|is it|does it|would it)\b|"
    # a clause asked after a comma: "she's stuck at gva, does she get food or anything"
    r"[,;.]\s*(and |but |so )?(does|do|did|is|are|will|would|can|could|should) "
    r"(she|he|they|i|we|you|the (pax|passenger|customer))\b)"
)
TRIPS = r"\b(bookings?|trips?|itinerar\w*|reservations?|tickets?|what .* booked|what do(es)? (she|he|they|i) have|details)\b"
FLIGHT = r"\b(flights?|fly|flying|plane|ticket)\b"
OUT_OF_SCOPE = r"\b(weather|train|trains|rail|bus|taxi|uber|visa|passport renewal|restaurant|insurance|stock|recipe|football|lottery|covid test|vaccin\w*|currency exchange|parking)\b"
GREETING = r"^\s*(hi|hello|hey|good (morning|afternoon|evening)|grüezi|hallo|bonjour)\b"
THANKS = r"\b(thanks?|thank you|merci|danke|cheers|great, that's all|that's all)\b"
AFFIRM = r"^\s*(yes|yeah|yep|sure|ok|okay|please do|go ahead|do it|sounds good|perfect|great|fine|correct|right)\b"
NEGATE = r"^\s*(no|nope|not now|never ?mind|forget it|don't|do not|stop)\b"


KEYWORDS = (
    "morning",
    "mornings",
    "evening",
    "evenings",
    "afternoon",
    "cancel",
    "cancelled",
    "extend",
    "compensation",
    "night",
    "nights",
    "change",
    "rebook",
    "reschedule",
    "booking",
    "bookings",
    "flight",
    "flights",
    "ticket",
    "tickets",
    "hotel",
    "hotels",
    "rental",
    "excursion",
    "excursions",
    "refund",
    "baggage",
    "luggage",
    "delayed",
    "tomorrow",
    "please",
    "status",
    "itinerary",
    "reservation",
    "escalate",
    "tuesday",
    "wednesday",
    "thursday",
    "saturday",
    "february",
    "september",
    "december",
    "november",
    "january",
)
# Real words one edit away from a keyword: never "correct" them.
REAL_WORDS = {
    "nigh",
    "light",
    "lights",
    "right",
    "might",
    "sight",
    "tight",
    "fight",
    "eight",
    "chance",
    "chancel",
    "cancer",
    "hostel",
    "rebooks",
    "fright",
    "flight's",
    "plead",
    "charge",
    "charged",
    "charges",
}


# Chat shorthand, spelled out.
SLANG = {
    "tmrw": "tomorrow",
    "tmr": "tomorrow",
    "tmrow": "tomorrow",
    "2moro": "tomorrow",
    "tonite": "tonight",
    "nite": "night",
    "nites": "nights",
    "compo": "compensation",
    "comp": "compensation",
    "pax": "passenger",
    "smth": "something",
    "sth": "something",
    "cust": "customer",
    "tmrws": "tomorrow's",
    "2day": "today",
    "wk": "week",
    "wks": "weeks",
    "b4": "before",
    "bc": "because",
    "dont": "don't",
    "cant": "can't",
    "wont": "won't",
    "doesnt": "doesn't",
    "isnt": "isn't",
    "im": "i'm",
    "hes": "he's",
    "shes": "she's",
    "resched": "reschedule",
    "rebk": "rebook",
    "canx": "cancel",
    "cxl": "cancel",
    "htl": "hotel",
    "pnr": "booking reference",
    "pls": "please",
    "plz": "please",
    "u": "you",
    "thx": "thanks",
    "flite": "flight",
    "flt": "flight",
    "tix": "tickets",
    "tkt": "ticket",
    "rn": "right now",
    "asap": "as soon as possible",
    "hr": "hour",
    "hrs": "hours",
    "ppl": "people",
    "bkg": "booking",
    "bkng": "booking",
    "bking": "booking",
    "bk": "book",
    "rsv": "reservation",
    "resa": "reservation",
    "xcursion": "excursion",
}


# Slots that are set (True) when the message has these words.
FLAG_WORDS = {
    "asap": r"\b(asap|as soon as possible|next available|earliest|first available|soonest)\b",
    "new_trip": r"\b(new|another trip|additional|also book|a second|extra ticket|one-way ticket)\b",
    "keep_end": (
        r"\bsame (return|check-?out|end|drop-?off) (date|day)\b|\bkeep (the )?(return|check-?out|end|"
        r"drop-?off)\b|\b(return|check-?out|end|drop-?off) (date |day )?(stays|remains|unchanged|"
        r"as is|(is |stays )?the same|does ?n[o']t change)\b"
    ),
    "same_dates": r"\b(the )?same (dates|days|period)\b",
    # "... so go ahead", "cancel it anyway": the action is wanted whatever the quote says.
    "anyway": r"\b(go ahead|do it|anyway|regardless|either way|in any case|no matter what)\b",
    # "full refund pls": the request holds only if the quote gives all the money back.
    "full_refund": (
        r"\b(full|complete|whole|entire|100 ?%) (refund|reimbursement|amount)\b|"
        r"\brefund(ed)?( him| her| them| me| us| it)? (in full|fully)\b|\bfully refund\w*\b|"
        r"\b(all|every (franc|cent) of) (of )?(her|his|my|their|our|the) money back\b"
    ),
    # "return it a day later", "check out two days earlier": only the end moves.
    "end_moves": (
        r"\b(return\w*|drop\w*|check\w*[- ]?out|leav\w*|bring\w* (it|the car) back)\b"
        r"(\s+[\w']+){0,3}?\s+(a|one|two|three|\d+)\s+days?\s+(later|earlier|sooner)\b"
    ),
    "extend": r"\b(extend|extra|more|longer|add)\b",
    "shorten": r"\b(shorten|less|fewer|cut|earlier check-?out|leave .* earlier)\b",
}


GENERIC_SUBJECT = re.compile(
    r"\b(a|an|any) (passenger|ticket|flight|fare|booking|hotel booking|excursion booking|car rental|"
    r"light|classic|flex|business)\b|\bin general\b|\bgold members\b|\bsilver members\b|"
    r"\balpine air\b|\bwhat is the (change )?fee\b|\bhow close\b|\buntil when\b|"
    r"\bwhere does the money\b|\bwhat do they get\b|\bthe rules?\b|\bpolicy\b"
)
OWN_ITEM = re.compile(
    r"\b(her|his|my|their|your) (flight|ticket|booking|hotel|car|rental|trip|excursion)"
)
ACTION_WORDS = re.compile(
    r"\b(please|can you|could you|would you|can we|could we|can i get|could i get|may i|go ahead|"
    r"do it|i need|we need|i'd like|we'd like|let's)\b"
)
WANTS = re.compile(
    r"\b(wants?|would like|requests?|claims?|pay|give|process|file|submit|get (him|her|me|them))\b"
)


_NEXT_VERB = (
    r"(?:please\s+)?(?:book|cancel|change|move|request|add|rent|reserve|file|claim|submit|process|"
    r"rebook|get (?:him|her|me|them) (?:a|the))\b"
)
_CONNECTOR = r"[,;.]?\s+(?:\b(?:and then|then|and also|also|and|plus)\b|\+|&)\s+"
# "and while you're at it book her ...", "and on top of that cancel ...": a filler before the verb.
_FILLER = (
    r"(?:(?:while (?:you'?re|ur|you are|u r) at it|on top of that|if you can|if possible"
    r"|when you'?re done|after that),?\s+)?"
)
NEXT_REQUEST = re.compile(rf"{_CONNECTOR}(?={_FILLER}{_NEXT_VERB})", re.IGNORECASE)
# "... and she also wants her delay compensation", "AND to move to tmrw", "and put me on the
# 15:35": joined more loosely, so split only after a first part that asks for something too.
NEXT_REQUEST_LOOSE = re.compile(
    rf"{_CONNECTOR}(?=(?:(?:she|he|they|i|we) )?(?:also )?(?:(?:wants?|needs?|would like|'d like|asks? for|is asking for|requests?) )?"
    rf"(?:to )?(?:{_NEXT_VERB}|put (?:him|her|me|them) on\b|switch\b|"
    r"(?:(?:her|his|my|their|the|any|whatever|some) (?:\w+ )?)?(?:compensation|refund)\b))",
    re.IGNORECASE,
)
# "... the 15:55 one, classic. also how many bags does that get him?": a question about
# something else after the request, answered once the request is done. A question about what
# the request costs is not split off: it makes the whole message a quote.
NEXT_QUESTION = re.compile(
    r"[,;.]?\s+(?:\b(?:and also|also|and|plus)\b|\+)\s+"
    r"(?=(?:how|what|which|when|can|could|does|do|is|are|will)\b"
    r"(?![^?]*\b(cost|costs|much|fee|fees|free|refund|charge|price|pay|back)\b))",
    re.IGNORECASE,
)
ASKS_FOR = re.compile(
    r"\b(wants?|needs?|would like|'d like|please|pls|rebook|move|put|change|cancel|compensation|"
    r"refund|book)\b",
    re.IGNORECASE,
)


# A write is held back when the message says it is only a question or not yet.
HOLD = re.compile(
    r"\b(just|only) (asking|checking|wondering|curious|want(ing)? to know|a question)\b|"
    r"\b(don'?t|do not|dont|no need to|not) (file|submit|book|cancel|change|move|do|request|"
    r"claim|process|touch|make|send|rebook)\b(?! (it|that|them) (later|anymore))|"
    r"\bnot (yet|now|for now)\b|\b(hold off|before (i|we|she|he) decide|(i'?ll|we'?ll|she'?ll|"
    r"he'?ll) decide later|for (info|information)|hypothetically|in theory)\b|"
    r"\bnot (cancel|chang|book|mov|fil)\w* (it |anything )?(yet|now)\b|"
    # "just the number for now", "only the figure": a quote is wanted, not the action
    r"\b(just|only) (the|a) (number|figure|amount|price|cost|quote|total|sum)\b|"
    # "only information please", "just info", "information only": an answer, not the action
    r"\b(just|only|merely) (some |an? )?(info|information|answer)\b|\b(info|information) only\b|"
    r"\b(number|figure|amount|price|quote) for now\b|"
    r"\bbefore (deciding|committing|making up (my|her|his|their) mind|(i|we|she|he|they) "
    r"(decides?|commits?|make up))\b"
)
# "is that still free of charge? if yes book it", "if it's free, move her": the request is made
# on the quote's condition; the model checks it (a free change is proposed, any other price is
# shown and asked about), so the person still decides what costs money.
IF_FREE_THEN_ACT = re.compile(
    r"\bif (?:so|yes|(?:it|that)(?:'s| is)(?: still)?(?: free(?: of charge)?)?|free|"
    r"there'?s no (?:fee|charge)|no (?:fee|charge)|it costs nothing)\b,?\s*(?:then\s+)?"
    r"(?:please\s+|pls\s+)?(?:book|move|change|rebook|switch|put|do it|go ahead|make)\b|"
    # "would it cost anything? if not, move her": "not" answers the question about the price.
    r"\b(?:cost|costs|fee|fees|charge|pay)\b[^?]*\?\s*if not\b,?\s*(?:then\s+)?"
    r"(?:please\s+|pls\s+)?(?:book|move|change|rebook|switch|put|do it|go ahead|make)\b"
)
# A question asked for someone ("she wants to know if ..."): still a question.
# "is there a nonstop the same day? if so put him on that": whether something exists, then
# the request to take it. Only an existence question: "is it free? if so move her" leaves the
# condition (the price) to the person, so it stays a question.
EXISTS_THEN_ACT = re.compile(
    r"\b(is there|are there|any)\b[^?]*\?\s*(and )?if (so|yes|there is( one)?|there are)\b,?\s*"
    r"(please |pls )?(put|move|book|change|rebook|switch|get|take)\b"
)
# "is she entitled to compensation?", "does he have a right to a refund?", "am I owed anything?":
# a question whether something is due is answered (a quote), never acted on, unless the message
# then asks for it ("... if so, file it", "... ? pay it please").
ELIGIBILITY = re.compile(
    r"\b(entitled|entitlements?|eligible|eligibility|owed|qualif(y|ies)|(a|the|any) right to|"
    r"due (any|some|a)\b)"
)
ACT_ON_ELIGIBILITY = re.compile(
    r"(\bif (so|yes|(she|he|they|it) (is|are)|i am|eligible|entitled)\b|\?)\s*,?\s*(and |then )?"
    r"(please |pls )?(file|claim|pay|request|submit|process|go ahead|do it)\b"
)
# "can she hop on the 14:40 instead?", "could I go in two days, the evening flight": asked as a
# question, meant as a request, when it names the flight to be put on (guard.asks_to_be_put_on).
POLITE_MOVE = re.compile(
    r"\b(can|could|may)\s+(i|she|he|we|they|the (pax|passenger|customer|cust))\s+(please\s+)?"
    r"(just\s+)?(go|fly|travel|leave|hop on|get on|take|switch|swap|be (put|moved|rebooked))\b"
)
# A flight named by its time of day or rank: "the evening one", "earliest flight".
PICKED_FLIGHT = re.compile(
    r"\b(the )?(earliest|latest|first|last|early|late|morning|afternoon|evening|night) "
    r"(one|flight|flt|departure)\b"
)
# "the first one tomorrow morning", "the last flight on friday": first or last of a day (a
# date's "1st" is not one).
FIRST_OR_LAST = re.compile(r"\b(first|last) (one|flight|flt|departure|connection)\b")
# A flight named by its departure time ("the 14:40", "15h35") or by PICKED_FLIGHT's words.
CLOCK_OR_PICK = re.compile(r"\b([01]?\d|2[0-3])(:|h)[0-5]\d\b|" + PICKED_FLIGHT.pattern)
INQUIRY = re.compile(
    r"\b(wants? to know|wondering|curious|asks? (me |us |you )?(if|whether|what|how|when|which|why)|"
    r"asking (if|whether|what|how|when|which|why)|enquir\w+|inquir\w+)\b"
)
# "until when can she rebook?": a question about a deadline, answered by the rule.
DEADLINE = re.compile(
    r"\b(until when|till when|by when|how long (does|do|has|have|can|is)|deadline|"
    r"how many days|time limit|latest (date|day))\b"
)
# "cancel the car, hotel stays": the clauses that keep something name what is not acted on.
KEEP_CLAUSE = re.compile(
    r"(?:^|[,;.]|\bbut\b|\band\b)\s*(?:(?:the|his|her|my|their)\s+)?"
    r"(?P<a>hotel|car|rental car|rental|excursion|tour|flight|ticket)s?\s+"
    r"(?:stays?|remains?|is fine|is ok|is okay|can stay|stays as is|unchanged|as is)\b|"
    # ... but "keep his rental car one day longer" extends it
    r"\b(?:keep|keeping|keeps|leave|leaving)\s+(?:the|his|her|my|their)\s+"
    r"(?P<b>hotel|car|rental car|rental|excursion|tour|flight|ticket)s?\b"
    r"(?![^,.;]*\b(?:longer|until|till|extra|more (?:days?|nights?)|another (?:day|night)))|"
    r"\bnot\s+(?:the|his|her|my|their)\s+(?P<c>hotel|car|rental car|rental|excursion|tour|flight|ticket)s?\b"
)
# The write tools: the model calls one only when the latest messages ask for it (guard.py).
WRITE_TOOLS = frozenset(
    {"change_flight", "cancel_ticket", "request_compensation", "book_flight", "escalate_to_human"}
    | {
        name
        for kind in TRAVEL_KINDS.values()
        for name in (kind.book_tool, kind.change_tool, kind.cancel_tool)
        if name
    }
)

# How people name what the policy says in its own words (read before the policy is searched).
POLICY_SYNONYMS = {
    r"\b(alpine air|you guys|your airline)\b": "airline",
    r"\bmoney\b": "refund paid",
    r"\bluggage\b|\bsuitcases?\b": "baggage bags",
}


# "tonight and tomorrow night", "the nights of friday and saturday": nights named one by one.
_NIGHT_DAY = (
    r"(?:tonight|tomorrow|(?:mon|tues|wednes|thurs|fri|satur|sun)day|the \d{1,2}(?:st|nd|rd|th)?)"
)
NIGHTS_NAMED = re.compile(
    rf"\b{_NIGHT_DAY}(?: night)? (?:and|\+|&) {_NIGHT_DAY} nights?\b|\bnights? of {_NIGHT_DAY} and {_NIGHT_DAY}\b"
)


CHEAPEST_FARE = re.compile(
    r"\b(cheapest|lowest|cheaper|basic|most basic|budget) (fare|ticket type|tariff|fare class)\b"
)

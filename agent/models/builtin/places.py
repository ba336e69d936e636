"""What the built-in model knows of geography: cities and their airports, with the names
people type (native spellings, nicknames, typos handled by fuzzy matching)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process


@dataclass(frozen=True)
class Place:
    code: str  # IATA airport code
    city: str


# code: (city, extra names). Includes a few cities outside Alpine Air's network, so the model
# can recognise them and let the flight search say there is no service.
GAZETTEER: dict[str, tuple[str, tuple[str, ...]]] = {
    "ZRH": ("Zurich", ("zürich", "zuerich", "kloten")),
    "GVA": ("Geneva", ("genève", "geneve", "genf", "ginevra")),
    "BSL": ("Basel", ("bâle", "bale", "basle", "mulhouse", "euroairport")),
    "LHR": ("London", ("heathrow", "londres", "londra")),
    "CDG": ("Paris", ("charles de gaulle",)),
    "FRA": ("Frankfurt", ("frankfurt am main", "francfort")),
    "AMS": ("Amsterdam", ("schiphol",)),
    "BCN": ("Barcelona", ("barcelone", "el prat")),
    "FCO": ("Rome", ("roma", "fiumicino")),
    "VIE": ("Vienna", ("wien", "vienne")),
    "MUC": ("Munich", ("münchen", "muenchen", "munchen")),
    "MAD": ("Madrid", ("barajas",)),
    "LIS": ("Lisbon", ("lisboa", "lisbonne")),
    "CPH": ("Copenhagen", ("københavn", "kobenhavn", "kastrup")),
    "ARN": ("Stockholm", ("arlanda",)),
    "OSL": ("Oslo", ("gardermoen",)),
    "DUB": ("Dublin", ()),
    "BRU": ("Brussels", ("bruxelles", "brussel")),
    "PRG": ("Prague", ("praha", "prag")),
    "BUD": ("Budapest", ()),
    "WAW": ("Warsaw", ("warszawa", "varsovie")),
    "ATH": ("Athens", ("athina", "athènes")),
    "IST": ("Istanbul", ()),
    "NCE": ("Nice", ("côte d'azur",)),
    "MXP": ("Milan", ("milano", "malpensa")),
    "HAM": ("Hamburg", ()),
    "BER": ("Berlin", ("brandenburg",)),
    "EDI": ("Edinburgh", ()),
    "MAN": ("Manchester", ()),
    "PMI": ("Palma de Mallorca", ("palma", "mallorca", "majorca")),
    "JFK": ("New York", ("nyc", "new york city", "manhattan")),
    "BOS": ("Boston", ()),
    "ORD": ("Chicago", ("o'hare",)),
    "DXB": ("Dubai", ()),
    "SIN": ("Singapore", ("changi",)),
    # Outside the network
    "NRT": ("Tokyo", ("narita",)),
    "LAX": ("Los Angeles", ("la",)),
    "SYD": ("Sydney", ()),
    "CPT": ("Cape Town", ()),
    "GRU": ("Sao Paulo", ("são paulo",)),
}

# Words that look like places to a fuzzy matcher but are not.
STOPWORDS = {
    "the",
    "and",
    "she",
    "he",
    "her",
    "his",
    "him",
    "they",
    "this",
    "that",
    "then",
    "there",
    "with",
    "from",
    "into",
    "want",
    "wants",
    "like",
    "fine",
    "nice",
    "time",
    "flight",
    "flights",
    "ticket",
    "hotel",
    "car",
    "rome",
    "please",
    "could",
    "would",
    "what",
    "when",
    "where",
    "which",
    "one",
    "day",
    "later",
    "earlier",
    "cancel",
    "change",
    "move",
    "book",
    "next",
    "week",
    "same",
    "but",
    "mallory",
    "manage",
    "manager",
    "mail",
    "paris",
    "basis",
    "pariss",
    "ban",
    "bas",
    "los",
}


@dataclass(frozen=True)
class PlaceMention:
    place: Place
    start: int
    role: str | None  # "from", "to" or None


def _names() -> dict[str, str]:
    names: dict[str, str] = {}
    for code, (city, extra) in GAZETTEER.items():
        for name in (city, *extra):
            names[name.lower()] = code
    return names


@lru_cache(maxsize=1)
def name_index() -> dict[str, str]:
    return _names()


@lru_cache(maxsize=1)
def name_patterns() -> list[tuple[str, re.Pattern[str]]]:
    """Each name's pattern, compiled once (longest name first): compiling them on every message
    overflowed the `re` module's cache and recompiled every pattern of the model each time."""
    return [
        (name, re.compile(rf"(?<![\w]){re.escape(name)}(?![\w])"))
        for name in sorted(name_index(), key=len, reverse=True)
    ]


def place_for(code: str) -> Place:
    return Place(code, GAZETTEER[code][0])


_ROUTE = re.compile(r"\b([a-z]{3})\s*(?:-|–|>|->|→|/|\bto\b)\s*([a-z]{3})\b")
# Airport codes that are also words people type: read as codes only in capitals or in a route.
ENGLISH_CODES = {"sin", "man", "mad", "ham", "bud", "ber", "vie", "lis", "ord", "arn", "bos", "ist"}
ROLE_BEFORE = re.compile(r"(from|out of|leaving|departing)\s+$|(to|for|into|towards|in|at|via)\s+$")


def find_places(text: str) -> list[PlaceMention]:
    """Places mentioned in the text, in order, with "from"/"to" roles when the words say so."""
    lower = text.lower()
    names = name_index()
    found: list[PlaceMention] = []
    taken: list[tuple[int, int]] = []

    def add(code: str, start: int, end: int, role: str | None = None) -> None:
        if any(s < end and start < e for s, e in taken):
            return
        taken.append((start, end))
        if role is None:
            m = ROLE_BEFORE.search(lower[max(0, start - 14) : start])
            role = None if m is None else ("from" if m.group(1) else "to")
        found.append(PlaceMention(place_for(code), start, role))

    # Exact names first (longest first so "new york city" beats "new york").
    for name, pattern in name_patterns():
        for m in pattern.finditer(lower):
            add(names[name], m.start(), m.end())
    for code, start, end, role in _typed_codes(text):
        add(code, start, end, role)
    # Typos: fuzzy-match the remaining words, two-word names first ("new yrok").
    for start, end, size in _word_runs(lower):
        candidate = lower[start:end]
        if (
            len(candidate) < 5
            or candidate in STOPWORDS
            or any(s < end and start < e for s, e in taken)
        ):
            continue
        best = _fuzzy(candidate)
        if best is not None and (size == 1 or " " in best):
            add(names[best], start, end)
    found.sort(key=lambda pm: pm.start)
    return found


def _typed_codes(text: str) -> Iterator[tuple[str, int, int, str | None]]:
    """Airport codes as typed: in capitals ("ZRH"), in a route in any case ("zrh-cdg", "gva >
    bcn", "zrh to fco": the first is the origin), and alone in lower case ("bcn") unless the
    code is also an English word ("sin", "man")."""
    for m in re.finditer(r"\b([A-Z]{3})\b", text):
        if m.group(1) in GAZETTEER:
            yield m.group(1), m.start(), m.end(), None
    lower = text.lower()
    for m in _ROUTE.finditer(lower):
        if m.group(1).upper() in GAZETTEER and m.group(2).upper() in GAZETTEER:
            yield m.group(1).upper(), m.start(1), m.end(1), "from"
            yield m.group(2).upper(), m.start(2), m.end(2), "to"
    for m in re.finditer(r"\b([a-z]{3})\b", lower):
        if m.group(1).upper() in GAZETTEER and m.group(1) not in ENGLISH_CODES:
            yield m.group(1).upper(), m.start(), m.end(), None


def _word_runs(lower: str) -> Iterator[tuple[int, int, int]]:
    """(start, end, size) of every run of two words, then of every single word."""
    words = list(re.finditer(r"[a-zà-ÿ']+", lower))
    for size in (2, 1):
        for i in range(len(words) - size + 1):
            yield words[i].start(), words[i + size - 1].end(), size


def _fuzzy(word: str) -> str | None:
    """A name within a typo or two of the word; the first two letters must agree, since
    people rarely mistype the start of a city and this keeps ordinary words out."""
    names = name_index()
    for name, score, _ in process.extract(
        word, names.keys(), scorer=fuzz.ratio, limit=3, score_cutoff=78
    ):
        if (
            name[:2] == word[:2]
            and abs(len(name) - len(word)) <= 2
            and (score >= 84 or len(word) >= 7)
        ):
            return name
    return None

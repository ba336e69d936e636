"""Picking from what the model listed: "the second one", "the 14:05", "AL 1234", "the
cheapest", "the Hilton", or a plain "yes" when there was only one."""

from __future__ import annotations

import re
from typing import Any

from rapidfuzz import fuzz

from agent.models.builtin.dates import WEEKDAYS
from agent.models.builtin.descriptions import by_description, by_words, price
from agent.models.builtin.lexicon import FIRST_OR_LAST
from agent.models.builtin.understanding import Utterance


def pick(u: Utterance, items: list[dict[str, Any]]) -> int | None:
    """Index of the chosen item, or None when the words do not single one out."""
    if not items:
        return None
    if u.flight_nos and (index := _by_flight_nos(u, items)) is not None:
        return index
    if u.clock_time:
        hits = [i for i, it in enumerate(items) if str(it.get("time", "")).startswith(u.clock_time)]
        # A time that matches nothing listed is not a reason to pick something else.
        return hits[0] if len(hits) == 1 else None
    choosers = (
        _same_as_now,
        _by_attributes,
        by_description,
        _by_superlative,
        _by_shape,
        _by_part_of_day,
        by_words,
        _most_expensive,
    )
    for chooser in (*choosers, _by_ordinal, _by_name, _by_distinct_word, _the_only_one):
        index = chooser(u, items)
        if index is not None:
            return index
    return None


# "same time as she has now", "the same flights as his current connection, a day later".
SAME_AS_NOW = re.compile(
    r"\bsame (\w+ ){0,2}(times?|flights?|departures?|connections?)\b"
    r"( as (now|before|today|currently|booked|(s?he|they|i) (has|have|had)|(his|her|their|my) "
    r"(current|booked|original|old)))?"
)


def _same_as_now(u: Utterance, items: list[dict[str, Any]]) -> int | None:
    """The option that keeps the ticket's flights or time (flight_items marks it)."""
    if not SAME_AS_NOW.search(u.lower):
        return None
    return _only([i for i, it in enumerate(items) if it.get("same_as_now")])


def _by_attributes(u: Utterance, items: list[dict[str, Any]]) -> int | None:
    """ "the direct afternoon one": two descriptions that each leave several options, and
    together one."""
    kept = [set(range(len(items)))]
    if re.search(r"\b(direct|non-?stop)\b", u.lower):
        kept.append({i for i, it in enumerate(items) if len(it.get("flight_nos", [])) == 1})
    span = _span(u.lower)
    if span is not None:
        start, end = span
        kept.append(
            {i for i, it in enumerate(items) if it.get("time") and start <= _hour(it) < end}
        )
    if len(kept) < 3:
        return None
    return _only(sorted(set.intersection(*kept)))


def _by_flight_nos(u: Utterance, items: list[dict[str, Any]]) -> int | None:
    """The one item with exactly the flights named, else the one sharing any of them."""
    wanted = {n.replace(" ", "") for n in u.flight_nos}
    numbers = [{n.replace(" ", "") for n in it.get("flight_nos", [])} for it in items]
    exact = [i for i, found in enumerate(numbers) if found == wanted]
    if len(exact) == 1:
        return exact[0]
    hits = [i for i, found in enumerate(numbers) if wanted & found]
    return hits[0] if len(hits) == 1 else None


def _by_superlative(u: Utterance, items: list[dict[str, Any]]) -> int | None:
    if u.superlative == "cheapest":
        return min(range(len(items)), key=lambda i: price(items[i]))
    if u.superlative in ("earliest", "latest"):
        timed = [i for i, it in enumerate(items) if it.get("time")]
        if timed:
            order = sorted(timed, key=lambda i: (items[i].get("day", ""), items[i]["time"]))
            return order[0] if u.superlative == "earliest" else order[-1]
    return None


def _most_expensive(u: Utterance, items: list[dict[str, Any]]) -> int | None:
    if re.search(r"\b(most expensive|priciest)\b", u.lower):
        return max(range(len(items)), key=lambda i: price(items[i]))
    return None


def _by_ordinal(u: Utterance, items: list[dict[str, Any]]) -> int | None:
    """ "the second one", "the last one" (negative ordinals count from the end)."""
    if u.ordinal is None:
        return None
    index = u.ordinal - 1 if u.ordinal > 0 else len(items) + u.ordinal
    return index if 0 <= index < len(items) else None


def _by_name(u: Utterance, items: list[dict[str, Any]]) -> int | None:
    """The item whose name the words mention, clearly better than any other."""
    named = [
        (fuzz.partial_ratio(str(it["name"]).lower(), u.lower), i)
        for i, it in enumerate(items)
        if it.get("name") and len(str(it["name"])) >= 4
    ]
    named = sorted(((score, i) for score, i in named if score >= 85), reverse=True)
    if named and (len(named) == 1 or named[0][0] > named[1][0]):
        return named[0][1]
    return None


def _by_distinct_word(u: Utterance, items: list[dict[str, Any]]) -> int | None:
    """ "the Enterprise one": a word of one item's name that no other listed name has (a
    company, a hotel's own word), said as a whole word."""
    words = [set(re.findall(r"[a-zà-ÿ]{4,}", str(it.get("name", "")).lower())) for it in items]
    said = set(re.findall(r"[a-zà-ÿ]{4,}", u.lower))
    hits = [
        i
        for i, own in enumerate(words)
        if (own - set().union(*(w for j, w in enumerate(words) if j != i))) & said
    ]
    return hits[0] if len(hits) == 1 else None


def _the_only_one(u: Utterance, items: list[dict[str, Any]]) -> int | None:
    if len(items) == 1 and (
        u.has("affirm") or re.search(r"\b(that one|this one|it|that)\b", u.lower)
    ):
        return 0
    return None


def preselect(request: str, items: list[dict[str, Any]], today: Any) -> int | None:
    """An option the original request already singled out ("the 09:40 on Monday", "the
    Rijksmuseum tour", "AL 104", "the direct flight"); positions and a bare "yes" do not count,
    nor do the city and date words every option shares."""
    from agent.models.builtin.understanding import corrected, understand

    u = corrected(understand(request, today))
    if u.flight_nos or u.clock_time:
        return pick(u, items)  # a time or number that matches nothing listed picks nothing
    first_or_last = FIRST_OR_LAST.search(u.lower)
    if first_or_last and not u.superlative and (u.dates or _span(u.lower)):
        # "the first one tomorrow morning", "the last one on friday": the first (or last) of
        # that day or part of it, not a position in a list shown before.
        u.superlative = "earliest" if first_or_last[1] == "first" else "latest"
    for chooser in (_same_as_now, _by_attributes):
        if (index := chooser(u, items)) is not None:
            return index
    index = _by_shape(u, items)
    if index is None:
        index = by_description(u, items)
    if index is not None:
        return index
    # "first flight of the day, her meeting is in the afternoon": the superlative wins over a
    # part of the day that does not describe the flight itself ("the early morning one" does).
    if u.superlative in ("earliest", "latest") and not PART_OF_FLIGHT.search(u.lower):
        return pick(u, items)
    index = _by_part_of_day(u, items)
    if index is not None:
        return index
    if u.superlative:
        return pick(u, items)
    shared = {p.place.city.lower() for p in u.places} | {
        w for p in u.places for w in p.place.city.lower().split()
    }
    u.lower = " ".join(
        w
        for w in re.findall(r"[\w']+", u.lower)
        if w not in shared and not re.fullmatch(r"\d+(st|nd|rd|th)?", w) and w not in DATE_WORDS
    )
    return by_words(u, items)


DATE_WORDS = {
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    *WEEKDAYS,
    "today",
    "tomorrow",
    "tonight",
    "next",
    "week",
    "weeks",
    "nights",
}


PART_OF_FLIGHT = re.compile(
    r"\b(morning|afternoon|evening|night|lunchtime) (one|flights?|connections?|departures?)\b"
)


def _only(hits: list[int]) -> int | None:
    return hits[0] if len(hits) == 1 else None


def _by_shape(u: Utterance, items: list[dict[str, Any]]) -> int | None:
    """ "the direct one", "the one via Frankfurt", "with the connection"."""
    if re.search(r"\b(direct|non-?stop)\b", u.lower):
        return _only([i for i, it in enumerate(items) if len(it.get("flight_nos", [])) == 1])
    via = [p.place.code for p in u.places]
    if re.search(r"\b(via|through|connection|connecting|stopover|change in)\b", u.lower):
        hits = [i for i, it in enumerate(items) if len(it.get("flight_nos", [])) > 1]
        if via:
            hits = [
                i
                for i in hits
                if any(f"via {code}" in str(items[i].get("label", "")) for code in via)
            ] or hits
        return _only(hits)
    return None


PARTS_OF_DAY = {
    "morning": (5, 12),
    "afternoon": (12, 17),
    "evening": (17, 22),
    "night": (21, 29),
    "lunchtime": (11, 14),
    "tonight": (17, 29),
}
# "before noon", "after 6pm", "by 14:00": a window of departure hours.
WINDOW = re.compile(
    r"\b(before|after|by|until|from)\s+(noon|midday|midnight|(\d{1,2})(?::\d{2})?\s*(am|pm)?)\b"
)


def _window(lower: str) -> tuple[int, int] | None:
    m = WINDOW.search(lower)
    if m is None:
        return None
    word = m.group(2)
    if word in ("noon", "midday"):
        hour = 12
    elif word == "midnight":
        hour = 24
    else:
        hour = (
            int(m.group(3)) % 12 + (12 if m.group(4) == "pm" else 0)
            if m.group(4)
            else int(m.group(3))
        )
    return (0, hour) if m.group(1) in ("before", "by", "until") else (hour, 29)


def _hour(item: dict[str, Any]) -> int:
    h = int(str(item.get("time", "99:"))[:2] or 99)
    return h + 24 if h < 5 else h


def _span(lower: str) -> tuple[int, int] | None:
    """The departure hours a part of the day or a window names ("can't make the morning
    flight, the evening one instead": the last part named is wanted)."""
    named = [(m.start(), word) for word in PARTS_OF_DAY for m in re.finditer(rf"\b{word}\b", lower)]
    return _window(lower) or (PARTS_OF_DAY[max(named)[1]] if named else None)


def _by_part_of_day(u: Utterance, items: list[dict[str, Any]]) -> int | None:
    """ "the evening one", "tonight", "before noon", "after 6pm": the one option in that window."""
    # "can't make the morning flight, the evening one instead": the last part named is wanted.
    span = _span(u.lower)
    if span is None:
        return None
    start, end = span
    hits = [i for i, it in enumerate(items) if it.get("time") and start <= _hour(it) < end]
    if len(hits) > 1 and u.superlative in ("earliest", "latest"):
        order = sorted(hits, key=lambda i: (items[i].get("day", ""), items[i]["time"]))
        return order[0] if u.superlative == "earliest" else order[-1]
    return _only(hits)

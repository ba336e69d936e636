"""Picking from what the model listed: "the second one", "the 14:05", "AL 1234", "the
cheapest", "the Hilton", or a plain "yes" when there was only one."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from rapidfuzz import fuzz

from agent.models.builtin.dates import WEEKDAYS
from agent.models.builtin.understanding import Utterance


def _price(item: dict[str, Any]) -> Decimal:
    try:
        return Decimal(str(item.get("price") or "0"))
    except ArithmeticError:
        return Decimal(0)


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
    choosers = (_by_superlative, _by_shape, _by_part_of_day, _by_words, _most_expensive)
    for chooser in (*choosers, _by_ordinal, _by_name, _the_only_one):
        index = chooser(u, items)
        if index is not None:
            return index
    return None


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
        return min(range(len(items)), key=lambda i: _price(items[i]))
    if u.superlative in ("earliest", "latest"):
        timed = [i for i, it in enumerate(items) if it.get("time")]
        if timed:
            order = sorted(timed, key=lambda i: (items[i].get("day", ""), items[i]["time"]))
            return order[0] if u.superlative == "earliest" else order[-1]
    return None


def _most_expensive(u: Utterance, items: list[dict[str, Any]]) -> int | None:
    if re.search(r"\b(most expensive|priciest)\b", u.lower):
        return max(range(len(items)), key=lambda i: _price(items[i]))
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
    from agent.models.builtin.understanding import understand

    u = understand(request, today)
    if u.flight_nos or u.clock_time:
        return pick(u, items)
    for chooser in (_by_shape, _by_part_of_day):
        index = chooser(u, items)
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
    return _by_words(u, items)


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
}


def _by_part_of_day(u: Utterance, items: list[dict[str, Any]]) -> int | None:
    for word, (start, end) in PARTS_OF_DAY.items():
        if re.search(rf"\b{word}\b", u.lower):

            def hour(it: dict[str, Any]) -> int:
                h = int(str(it.get("time", "99:"))[:2] or 99)
                return h + 24 if h < 5 else h

            return _only(
                [i for i, it in enumerate(items) if it.get("time") and start <= hour(it) < end]
            )
    return None


GENERIC_WORDS = {
    "the",
    "one",
    "please",
    "that",
    "this",
    "and",
    "for",
    "with",
    "hotel",
    "tour",
    "car",
    "flight",
    "option",
    "take",
    "book",
    "want",
    "like",
    "would",
    "she",
    "him",
    "her",
    "his",
    "fine",
    "ok",
    "okay",
    "yes",
    "let",
    "go",
    "per",
    "night",
    "nights",
    "day",
    "days",
    "total",
    "seats",
    "left",
    "departs",
    "arrives",
    "similar",
    "person",
    "chf",
    "in",
    "at",
    "to",
    "of",
    "a",
    "or",
}


def _words(text: str) -> set[str]:
    return {
        w
        for w in re.findall(r"[a-z0-9äöüéèàçñ]+", text.lower())
        if len(w) >= 3 and w not in GENERIC_WORDS
    }


def _by_words(u: Utterance, items: list[dict[str, Any]]) -> int | None:
    """Words of the reply that name one option and no other ("the Budget Fiat 500")."""
    said = _words(u.lower)
    if not said:
        return None
    labels = [_words(f"{it.get('name', '')} {it.get('label', '')}") for it in items]
    scores = []
    for index, words in enumerate(labels):
        others = (
            set().union(*(w for j, w in enumerate(labels) if j != index))
            if len(labels) > 1
            else set()
        )
        scores.append(len(said & (words - others)))
    best = max(scores)
    return scores.index(best) if best > 0 and scores.count(best) == 1 else None

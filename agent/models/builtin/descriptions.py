"""Options chosen by what they are: words that name one option and no other ("the Budget Fiat
500", "the louvre one"), star ratings and kinds with a superlative among those that fit ("the
5 star", "the cheaper compact")."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from agent.models.builtin.understanding import Utterance


def price(item: dict[str, Any]) -> Decimal:
    try:
        return Decimal(str(item.get("price") or "0"))
    except ArithmeticError:
        return Decimal(0)


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


# Words for the same kind of thing, as one concept: "the boat trip" is the cruise, "the night
# zoo thing" the safari whose description says "nocturnal zoo", "the viewpoint" the observation
# deck. Matched on both sides (the request and each option's name, line and description).
CONCEPTS = {
    "boat": ("boat", "cruise", "ferry", "sail", "sailing", "barge"),
    "animal": ("zoo", "safari", "animal", "wildlife", "nocturnal"),
    "food": ("food", "foodie", "culinary", "gastronomic", "eat", "eating", "tasting", "dinner"),
    "view": ("view", "viewpoint", "observation", "lookout", "skyline", "panorama", "deck"),
    "bike": ("bike", "bicycle", "cycling", "cycle"),
    "museum": ("museum", "gallery", "art", "painting"),
    "walk": ("walk", "walking", "hike", "hiking", "trail", "stroll"),
}
_CONCEPT_OF = {word: concept for concept, words in CONCEPTS.items() for word in words}


def _normal(word: str) -> str:
    """A word as compared: plural to singular ("canals" -> "canal"), then its concept."""
    if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    return _CONCEPT_OF.get(word, word)


def _words(text: str) -> set[str]:
    return {
        _normal(w)
        for w in re.findall(r"[a-z0-9äöüéèàçñ]+", text.lower())
        if len(w) >= 3 and w not in GENERIC_WORDS
    }


def _option_words(item: dict[str, Any]) -> set[str]:
    return _words(f"{item.get('name', '')} {item.get('label', '')} {item.get('about', '')}")


_STARS = re.compile(r"\b(\d|one|two|three|four|five)[\s-]*(?:stars?|\*|★)")
_STAR_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}


def by_description(u: Utterance, items: list[dict[str, Any]]) -> int | None:
    """What the words say of the option, with a superlative among those it fits: "the 5 star",
    "the cheaper compact", "a 4-star by the river", "the cheapest SUV"."""
    hits = list(range(len(items)))
    stars = _STARS.search(u.lower)
    if stars:
        n = _STAR_WORDS.get(stars.group(1)) or int(stars.group(1))
        hits = [i for i in hits if f"({n}★)" in str(items[i].get("label", ""))]
    labels = [_option_words(it) for it in items]
    cities = {w for p in u.places for w in _words(p.place.city)}
    telling = {
        w for w in _words(u.lower) - cities if 0 < sum(w in lb for lb in labels) < len(items)
    }
    if telling:
        hits = [i for i in hits if telling <= labels[i]] or [i for i in hits if telling & labels[i]]
    if not (stars or telling) or not hits:
        return None
    if len(hits) == 1:
        return hits[0]
    if u.superlative == "cheapest":
        return min(hits, key=lambda i: price(items[i]))
    if re.search(r"\b(most expensive|priciest|best)\b", u.lower):
        return max(hits, key=lambda i: price(items[i]))
    return None


def by_words(u: Utterance, items: list[dict[str, Any]]) -> int | None:
    """Words of the reply that name one option and no other ("the Budget Fiat 500")."""
    said = _words(u.lower)
    if not said:
        return None
    labels = [_option_words(it) for it in items]
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


def of_named_class(request: str, results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """ "get him a van", "an suv for the week": only the rentals of the one class the request
    names (so "the europcar one" then picks among vans); all of them when it names none."""
    lower = request.lower()
    named = {
        str(r.get("car_class"))
        for r in results
        if r.get("car_class")
        and re.search(rf"\b{re.escape(str(r['car_class']).lower())}s?\b", lower)
    }
    if len(named) != 1:
        return results
    return [r for r in results if r.get("car_class") in named]

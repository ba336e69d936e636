"""Whose booking a message is about: the passenger's own, or someone else's ("my wife's
ticket", "Ines's flight", "cancel ines' ticket, not diego's"); someone else's is never acted
on without their own request."""

from __future__ import annotations

import re

from agent.models.builtin.dates import WEEKDAYS
from agent.models.builtin.lexicon import BOOK, CANCEL, CHANGE, OTHER_PEOPLE
from agent.models.builtin.places import find_places

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


BOOKABLE = r"(?:ticket|booking|flight|seat|trip|reservation|hotel|car|rental|excursion)s?\b"
ASKS = r"(?:needs|wants|would like|asks|asked|is asking|can'?t|cannot|won'?t|isn'?t|has to|must)\b"


# Words that own a booking in "today's flight", "the passenger's ticket": never a name.
COMMON_POSSESSORS = {
    "today",
    "tomorrow",
    "yesterday",
    "tonight",
    "passenger",
    "customer",
    "client",
    "guest",
    "traveller",
    "traveler",
    "everyone",
    "someone",
    "somebody",
    "nobody",
    "other",
    "airline",
    "week",
    "month",
    "year",
    "night",
    "morning",
    "evening",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
}


ACTION_VERB = re.compile("|".join((CANCEL, CHANGE, BOOK)))


def _is_action_verb(word: str) -> bool:
    """ "Move", "Extend", "Cancel": a capitalised command, not a first name."""
    return ACTION_VERB.fullmatch(word.lower()) is not None


def other_person(clean: str, lower: str, passenger_names: str) -> str | None:
    """Someone other than the passenger whose booking is meant ("my wife's", "Ines's ticket",
    "Ines would like ..."); the passenger's own names and pronouns do not count."""
    # The relation must own the thing acted on: "my wife's ticket", "for his partner",
    # not "your colleague already approved it".
    m = re.search(
        rf"\b(?:for|of|on) (?:my|her|his|their|our) ({OTHER_PEOPLE})\b|"
        rf"\b(?:my|her|his|their|our) ({OTHER_PEOPLE})(?:'s|s')?\s+(?:\w+\s+)?{BOOKABLE}|"
        rf"\b(?:my|her|his|their|our) ({OTHER_PEOPLE})\s+{ASKS}",
        lower,
    )
    if m:
        return next(g for g in m.groups() if g)
    # "cancel HER ticket, not mine": the speaker is the passenger, the ticket someone else's.
    if re.search(
        rf"\b(her|his|their)s?\s+(?:\w+\s+)?{BOOKABLE}[^.?!]{{0,30}}\bnot (mine|my|me)\b", lower
    ):
        return "companion"
    own = {n.lower() for n in passenger_names.split()}
    # "Ines Alvarez's ticket": the first name decides (a companion may share the last name);
    # in "Extend Diego's stay" the capital is the sentence's verb, and the name follows it.
    candidates: list[str] = [
        second if second and _is_action_verb(first) else first
        for first, second in re.findall(r"\b([A-Z][a-z]+)(?: ([A-Z][a-z]+))?'s\b", clean)
    ]
    # Typed in lower case ("cancel ines' ticket"): only a possessive right before a booking.
    candidates += [
        name
        for name in re.findall(rf"\b([a-z]{{3,}})(?:'s|')\s+(?:\w+\s+)?{BOOKABLE}", lower)
        if name not in COMMON_POSSESSORS
    ]
    candidates += re.findall(r"\b(?:ticket|booking|flight|seat) of ([A-Z][a-z]+)\b", clean)
    candidates += re.findall(
        r"\b([A-Z][a-z]+) (?:wants|would like|needs|asks|asked|is asking|can'?t|cannot|won'?t|"
        r"is unable|isn'?t (?:able|coming)|no longer)\b",
        clean,
    )
    for name in candidates:
        key = name.lower()
        if own and key not in own and key not in NOT_NAMES and not find_places(name):
            return name
    return None

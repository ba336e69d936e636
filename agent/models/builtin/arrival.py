"""Days counted from the passenger's arrival ("the day after she lands", "two days after he gets
there", "when she lands"): a date the trip decides, not a shift of a booking. The flows read
the arrival from the trip (stays.trip_stay) and add the offset."""

from __future__ import annotations

import re

from agent.models.builtin.dates import NUMBER_WORDS

_WHO = r"(?:she|he|they|i|we|the (?:pax|passenger|customer|client)|\w+)"
_ARRIVES = r"(?:lands?|arrives?|gets? (?:there|in|to \w+)|touch(?:es)? down|is there)"
_ARRIVAL = r"(?:(?:her|his|their|my|our) arrival|arrival)"
_COUNT = r"(\d+|" + "|".join(NUMBER_WORDS) + r"|a|one|the)"
AFTER_ARRIVAL = re.compile(
    rf"\b(?:the |on the )?(?:{_COUNT} )?days? after (?:{_WHO} {_ARRIVES}|{_ARRIVAL})\b"
)
ON_ARRIVAL = re.compile(
    rf"\b(?:when|once|as soon as) {_WHO} {_ARRIVES}\b|\b(?:on|from) (?:{_ARRIVAL})\b|"
    rf"\bthe day {_WHO} {_ARRIVES}\b"
)


def days_after_arrival(lower: str) -> int | None:
    """How many days after the arrival the message dates something; None if it does not."""
    m = AFTER_ARRIVAL.search(lower)
    if m:
        word = m.group(1) or "one"
        return int(word) if word.isdigit() else NUMBER_WORDS.get(word, 1)
    return 0 if ON_ARRIVAL.search(lower) else None

"""Counted words for sentences people read: "1 night", "2 nights", never "1 nights" or
"night(s)"."""

from __future__ import annotations

IRREGULAR = {"person": "people", "match": "matches", "itinerary": "itineraries"}


def plural(count: int, word: str, many: str | None = None) -> str:
    """'1 night', '3 nights', '1,200 records' ('many' for a plural not made with -s)."""
    if abs(count) == 1:
        return f"{count:,} {word}"
    return f"{count:,} {many or IRREGULAR.get(word) or word + 's'}"

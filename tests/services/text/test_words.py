"""Counted words (issue #13, item 6: "1 turns", "night(s)")."""

from __future__ import annotations

from services.text.words import plural


def test_one_and_many() -> None:
    assert plural(1, "night") == "1 night"
    assert plural(2, "night") == "2 nights"
    assert plural(0, "turn") == "0 turns"
    assert plural(1_200, "record") == "1,200 records"
    assert plural(-1, "day") == "-1 day"


def test_irregular_and_given_plurals() -> None:
    assert plural(3, "person") == "3 people"
    assert plural(2, "match") == "2 matches"
    assert plural(2, "checked bag") == "2 checked bags"
    assert plural(2, "child", "children") == "2 children"

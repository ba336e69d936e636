"""The built-in model's reading of a message: dates, places, typos, choices and intents."""

from __future__ import annotations

from datetime import date

import pytest

from agent.models.builtin.choices import pick
from agent.models.builtin.dates import find_dates, find_shift
from agent.models.builtin.places import find_places
from agent.models.builtin.typos import fix_typos
from agent.models.builtin.understanding import understand

TODAY = date(2026, 11, 26)  # a Thursday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tomorrow", date(2026, 11, 27)),
        ("next Friday", date(2026, 11, 27)),
        ("on Monday", date(2026, 11, 30)),
        ("next Tuesday", date(2026, 12, 1)),
        ("the 12th", date(2026, 12, 12)),
        ("the 30th", date(2026, 11, 30)),
        ("12/03", date(2027, 3, 12)),
        ("in two weeks", date(2026, 12, 10)),
        ("in 3 days", date(2026, 11, 29)),
        ("the 5th of December", date(2026, 12, 5)),
        ("Dec 24", date(2026, 12, 24)),
        ("2027-01-15", date(2027, 1, 15)),
    ],
)
def test_dates_resolve_against_today(text: str, expected: date) -> None:
    assert [d.day for d in find_dates(f"she wants {text} please", TODAY)] == [expected]


@pytest.mark.parametrize(
    ("text", "shift"),
    [
        ("one day later", 1),
        ("two days earlier", -2),
        ("a week later", 7),
        ("the day after", 1),
        ("no shift here", None),
    ],
)
def test_relative_shifts(text: str, shift: int | None) -> None:
    assert find_shift(text) == shift


def test_places_with_roles_and_typos() -> None:
    found = find_places("from Genf to Londn, or maybe Singapur")
    assert [(m.place.code, m.role) for m in found] == [
        ("GVA", "from"),
        ("LHR", "to"),
        ("SIN", None),
    ]
    assert find_places("she wants the ticket changed and a hotel") == []


def test_typos_in_intent_words_are_fixed_but_real_words_kept() -> None:
    assert fix_typos("cancle my fligth and the hotle") == "cancel my flight and the hotel"
    assert fix_typos("there is a chance") == "there is a chance"


@pytest.mark.parametrize(
    ("text", "cue"),
    [
        ("I need to cancle my flight pls", "cancel"),
        ("she can't make it on Sunday, anything on Monday?", "change"),
        ("how much would he get back?", "refund"),
        ("is her flight delayed?", "status"),
        ("he wants compensation for the cancelled flight", "compensation"),
        ("I want to talk to a human", "escalate"),
        ("what's the weather in Paris", "scope"),
    ],
)
def test_intent_cues(text: str, cue: str) -> None:
    assert cue in understand(text, TODAY).cues


def test_an_airline_cancellation_is_not_a_request_to_cancel() -> None:
    assert "cancel" not in understand("his flight was cancelled, rebook him", TODAY).cues


def test_someone_else_is_recognised() -> None:
    assert understand("cancel my wife's ticket", TODAY, "Diego").other_person == "wife"
    assert understand("cancel Ines's ticket", TODAY, "Diego").other_person == "Ines"
    assert understand("cancel Diego's ticket", TODAY, "Diego").other_person is None


ITEMS = [
    {"name": "AL 102", "flight_nos": ["AL 102"], "time": "09:40", "price": "50"},
    {"name": "AL 104", "flight_nos": ["AL 104"], "time": "12:25", "price": "20"},
    {"name": "AL 106", "flight_nos": ["AL 106"], "time": "15:50", "price": "80"},
]


@pytest.mark.parametrize(
    ("text", "index"),
    [
        ("the second one", 1),
        ("the last one", 2),
        ("option 3", 2),
        ("the 15:50 please", 2),
        ("AL104 is good", 1),
        ("the cheapest", 1),
        ("whatever", None),
    ],
)
def test_choices(text: str, index: int | None) -> None:
    assert pick(understand(text, TODAY), ITEMS) == index

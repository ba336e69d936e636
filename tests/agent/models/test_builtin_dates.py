"""The built-in model's date and shift reader (agent/models/builtin/dates.py), the kinds of
dates people type: European day-first dates, weekday plus day number, relative days and
hours, abbreviations, and shifts ("push it back a day")."""

from __future__ import annotations

from datetime import date

import pytest

from agent.models.builtin.dates import find_dates, find_shift

TODAY = date(2026, 11, 26)  # a Thursday


def days(text: str) -> list[str]:
    return [d.day.isoformat() for d in find_dates(text.lower(), TODAY)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hotel 3.12.-6.12. pls", ["2026-12-03", "2026-12-06"]),
        ("on 17.12.", ["2026-12-17"]),
        ("3.12.2026", ["2026-12-03"]),
        ("12.03.27", ["2027-03-12"]),
        ("1.11.", ["2027-11-01"]),  # past this year: next year's
        ("thursday the 10th", ["2026-12-10"]),
        ("Sat 28th", ["2026-11-28"]),
        ("mon", ["2026-11-30"]),
        ("sat please", ["2026-11-28"]),
        ("4 days from today", ["2026-11-30"]),
        ("two days from now", ["2026-11-28"]),
        ("in 48 hours", ["2026-11-28"]),
        ("tonight", ["2026-11-26"]),
        ("in 3 days", ["2026-11-29"]),
    ],
)
def test_date_kinds(text: str, expected: list[str]) -> None:
    assert days(text) == expected


@pytest.mark.parametrize("text", ["the 15.50 flight", "at 10.30", "the 9.15 one", "31.02."])
def test_clock_times_and_impossible_dates_are_not_days(text: str) -> None:
    assert days(text) == []


@pytest.mark.parametrize(
    ("text", "shift"),
    [
        ("push it back a day", 1),
        ("push back by a week", 7),
        ("can we move it out by two days", 2),
        ("bring it forward by two days", -2),
        ("delay by 3 days", 3),
        ("the following day", 1),
        ("the next day", 1),
        ("the day before", -1),
        ("2 days back", 2),
        ("move it to 4 days from today", None),  # a date, not a shift
        ("push it back", None),
    ],
)
def test_shift_kinds(text: str, shift: int | None) -> None:
    assert find_shift(text.lower()) == shift


FLIGHTS = [
    {"ids": [1], "time": "07:25", "flight_nos": ["AL 124"]},
    {"ids": [2], "time": "11:05", "flight_nos": ["AL 126"]},
    {"ids": [3], "time": "15:50", "flight_nos": ["AL 128"]},
    {"ids": [4], "time": "19:40", "flight_nos": ["AL 130"]},
]


@pytest.mark.parametrize(
    ("text", "index"),
    [
        ("the evening one", 3),
        ("tonight's", 3),
        ("the 15:50 on the same day", 2),
        ("after 6pm", 3),
        ("something after 17:00", 3),
        ("before noon", None),  # two morning flights: ask, don't guess
        ("the afternoon one", 2),
        ("the morning", None),
    ],
)
def test_times_of_day_pick_one_listed_flight(text: str, index: int | None) -> None:
    from agent.models.builtin.choices import pick
    from agent.models.builtin.understanding import understand

    assert pick(understand(text, TODAY), FLIGHTS) == index

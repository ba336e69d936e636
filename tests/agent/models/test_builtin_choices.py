"""Choosing a listed option by description (agent/models/builtin/choices.py): the request
itself may single out a flight ("the late one", "first flight of the day", "the evening one")."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from agent.models.builtin.choices import pick, preselect
from agent.models.builtin.understanding import understand

TODAY = date(2026, 11, 26)


def flights(*times: str, via: int | None = None) -> list[dict[str, Any]]:
    items = []
    for n, time in enumerate(times):
        nos = [f"AL {100 + 2 * n}"] + (["AL 90"] if via is not None else [])
        items.append(
            {"ids": [n], "flight_nos": nos, "time": time, "day": "2026-11-30", "label": ""}
        )
    return items


DAY = flights("07:10", "10:30", "13:45", "18:20", "22:30")


@pytest.mark.parametrize(
    ("request_text", "index"),
    [
        ("cust wants to go on monday instead, on the late one", 4),
        ("move him to monday pls, last flight out", 4),
        ("put her on the first flight monday, her talk is in the afternoon anyway", 0),
        ("he'd take the early departure on the 30th", 0),
        ("she can't do the morning one, give her the evening flight monday", 3),
        ("rebook to 30.11. the evening one", 3),
    ],
)
def test_the_request_describes_one_flight(request_text: str, index: int) -> None:
    assert preselect(request_text, DAY, TODAY) == index


def test_a_part_of_the_day_with_several_flights_in_it_names_none() -> None:
    assert preselect("monday, something in the morning", flights("07:10", "09:30"), TODAY) is None


def test_the_early_morning_connection_is_the_earliest_in_the_morning() -> None:
    items = flights("06:15", "08:40", "19:00", via=1)
    assert preselect("a day later on the early morning connection", items, TODAY) == 0


def test_a_reply_after_the_list_may_describe_the_flight_too() -> None:
    assert pick(understand("ok the late one", TODAY), DAY) == 4
    assert pick(understand("the first one", TODAY), DAY) == 0

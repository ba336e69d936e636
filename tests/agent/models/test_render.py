"""The built-in model's flight lines (agent/models/builtin/render.py): an arrival on a later
local day says so, since "departs 09:50, arrives 09:35" reads as landing before leaving."""

from __future__ import annotations

from agent.models.builtin.render import arrival_text, flight_option


def leg(no: str, origin: str, dest: str, dep: str, arr: str) -> dict[str, str]:
    return {"flight_no": no, "origin": origin, "destination": dest,
            "departure_local": dep, "arrival_local": arr}  # fmt: skip


def test_an_overnight_flight_arrives_the_next_day() -> None:
    option = {
        "legs": [
            leg("AL 91", "SIN", "FRA", "2026-12-31T23:30:00+08:00", "2027-01-01T05:50:00+01:00")
        ],
        "free_seats": 12,
    }
    text = flight_option(option)
    assert "departs Thu 31 Dec at 23:30" in text
    assert "arrives 05:50 the next day (Fri 1 Jan)" in text


def test_a_same_day_flight_shows_the_time_only() -> None:
    assert arrival_text("2026-11-30T07:10:00+01:00", "2026-11-30T07:40:00+00:00") == "07:40"
    assert arrival_text(None, "2026-11-30T07:40:00+00:00") == "07:40"


def test_two_days_later() -> None:
    assert arrival_text("2026-11-30T23:10:00+01:00", "2026-12-02T01:00:00+09:00") == (
        "01:00 +2 days (Wed 2 Dec)"
    )

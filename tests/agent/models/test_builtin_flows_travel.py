"""A travel booking's new dates (agent/models/builtin/flows_travel._new_period): moving one end
keeps the other when the message says so ("return date stays", "checkout stays the same")."""

from __future__ import annotations

from datetime import date

import pytest

from agent.models.builtin.flows_travel import Period, _new_period
from agent.models.builtin.slots import read_slots
from agent.models.builtin.transcript import Transcript
from agent.models.builtin.understanding import understand

TODAY = date(2026, 11, 26)


def period(text: str) -> Period | None:
    t = Transcript(TODAY, "Diego Alvarez", "gold", text, {})
    return _new_period(
        read_slots(understand(text, TODAY, "Diego Alvarez"), t), "2026-12-07", "2026-12-11"
    )


@pytest.mark.parametrize(
    "text",
    [
        "pick the car up one day later, drop-off stays as is",
        "he wants to check in on the 8th, check-out does not change",
        "move the start to 8.12., keep the return",
        "hotel from the 8th instead, checkout is the same",
    ],
)
def test_moving_the_start_keeps_the_end_when_told(text: str) -> None:
    assert period(text) == Period("2026-12-08", "2026-12-11")


def test_a_move_without_that_moves_the_whole_booking() -> None:
    assert period("push the car rental back a day") == Period("2026-12-08", "2026-12-12")

"""Two requests in one message (agent/models/builtin/planner.split_requests): the first is
done, then the second, whatever way the second is joined on."""

from __future__ import annotations

import pytest

from agent.models.builtin.planner import split_requests


@pytest.mark.parametrize(
    ("text", "first", "then"),
    [
        (
            "his flt was cancelled, he wants compo and put him on the 18:10 to bcn",
            "his flt was cancelled, he wants compo",
            "put him on the 18:10 to bcn",
        ),
        (
            "she's fed up. wants her money for the delay AND to move to friday",
            "she's fed up. wants her money for the delay",
            "to move to friday",
        ),
        (
            "move him to the 07:10 tmrw and he also wants his delay compensation",
            "move him to the 07:10 tmrw",
            "he also wants his delay compensation",
        ),
        (
            "rebook her on monday, and then she needs to cancel the hotel",
            "rebook her on monday",
            "she needs to cancel the hotel",
        ),
    ],
)
def test_two_requests_are_split_in_order(text: str, first: str, then: str) -> None:
    assert split_requests(text) == (first, then)


@pytest.mark.parametrize(
    "text",
    [
        "she wants a hotel and a car in paris",
        "OK. Then cancel it",
        "he booked the geneva flight last night by accident and wants to cancel it",
    ],
)
def test_one_request_stays_whole(text: str) -> None:
    assert split_requests(text) == (text, None)


def test_one_action_on_two_travel_kinds_does_both() -> None:
    # Blind set I: "cancel the car and the hotel" cancelled only the car (test_builtin_kinds_i).
    assert split_requests("cancel the car and the hotel") == (
        "cancel the car",
        "cancel the hotel",
    )

"""Invalid travel arguments never become an approval card: the model gets the service's message."""

from __future__ import annotations

import pytest

from tests.agent.conftest import day


@pytest.mark.parametrize(
    ("tool", "args", "words"),
    [
        (
            "book_hotel",
            {"checkin": day(20).isoformat(), "checkout": day(20).isoformat()},
            "must be after",
        ),
        (
            "book_hotel",
            {"checkin": day(20).isoformat(), "checkout": day(22).isoformat(), "guests": -3},
            "greater than or equal to 1",  # the tool schema's bound, before any service
        ),
        (
            "book_hotel",
            {"checkin": day(-5).isoformat(), "checkout": day(-2).isoformat()},
            "in the past",
        ),
        (
            "book_car_rental",
            {"start": day(20).isoformat(), "end": day(18).isoformat()},
            "must be after",
        ),
    ],
)
def test_invalid_travel_request_gets_no_card(attack, world, tool, args, words) -> None:
    key = {
        "book_hotel": ("hotel_id", world.hotel),
        "book_car_rental": ("offer_id", world.car_offer),
    }
    result = attack([(tool, {key[tool][0]: key[tool][1], **args})])
    assert not result.cards
    assert words in result.finished[0].content

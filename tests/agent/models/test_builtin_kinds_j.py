"""Kinds of request the built-in model missed on blind set J's first run, each in wordings of
its own: who cancelled what, told in the past tense ("since you cancelled his flight"), is what
happened, never a request to cancel; a wish for it, or a supposition ("if you cancelled it"),
is still about cancelling."""

from __future__ import annotations

from datetime import date

import pytest

from agent.models.builtin.understanding import understand

TODAY = date(2026, 11, 26)


@pytest.mark.parametrize(
    "text",
    [
        "she wants to go on saturday instead, it's on you since you cancelled her flight",
        "u cancelled his connection so put him on the next one",
        "the airline already cancelled the excursion's flight, what about monday",
        "they've cancelled it twice now, move her to the evening one",
    ],
)
def test_a_cancellation_told_in_the_past_is_not_a_request(text: str) -> None:
    assert "cancel" not in understand(text, TODAY).cues


@pytest.mark.parametrize(
    "text",
    [
        "you cancelled the flight, so now cancel the hotel too",
        "she'd like the car cancelled",
        "he wants it cancelled",
        "if you cancelled it, what would she get back?",
        "what would i get back if i cancelled?",
    ],
)
def test_a_cancellation_wished_for_or_supposed_is_still_about_cancelling(text: str) -> None:
    assert "cancel" in understand(text, TODAY).cues

"""The built-in model's words for a refusal name the rule in words, never its code (issue #13,
item 6: no raw codes in text shown to people)."""

from __future__ import annotations

from agent.models.builtin.outcomes import refusal
from agent.models.builtin.transcript import ToolResult
from agent.models.shared import ToolStatus
from services.core.errors import Rule


def refused(rule: Rule, sentence: str) -> ToolResult:
    return ToolResult(
        "change_flight",
        {},
        f"REFUSED (rule {rule.value}): {sentence}",
        "call-1",
        status=ToolStatus.REFUSED,
        code=rule.value,
    )


def test_a_refusal_names_the_rule_in_words() -> None:
    text = refusal(refused(Rule.TOO_CLOSE_TO_DEPARTURE, "The flight leaves at 10:00.")).text
    assert "within_3h_of_departure" not in text
    assert "(Alpine Air policy: less than 3 hours before departure)" in text


def test_a_sentence_that_already_says_it_is_not_repeated() -> None:
    text = refusal(refused(Rule.FARE_NO_CHANGE, "Light fares cannot be changed.")).text
    assert text.startswith("I can't do that: Light fares cannot be changed.\n\n")
    assert "policy:" not in text


def test_every_rule_reads_without_its_code() -> None:
    for rule in Rule:
        text = refusal(refused(rule, "No.")).text
        assert rule.value not in text, rule

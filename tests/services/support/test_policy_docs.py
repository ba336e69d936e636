"""Policy retrieval quotes only the sections that answer the question (issue #13, item 6)."""

from __future__ import annotations

import pytest

from services.support.policy_docs import lookup_policy

BAGGAGE, HOTELS = "Baggage", "Hotels and car rentals"
CHANGES, REFUNDS = "Flight changes", "Cancellations and refunds"
DISRUPTION = "Delays, cancellations by the airline and compensation"
EU261_EXCEPTIONS = "When EU 261 compensation is not due or is halved"


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("can she take an extra bag?", [BAGGAGE]),
        ("how many bags can I check?", [BAGGAGE]),
        ("can I cancel my hotel?", [HOTELS]),
        ("can I move my car rental", [HOTELS]),
        # The amounts, then when they are not due or halved (a delay arriving soon enough).
        ("I want compensation for the delay", [DISRUPTION, EU261_EXCEPTIONS]),
        # Its own section says all of it (rebooking, refund, the 3-hour limit not applying).
        ("what if the flight is cancelled by the airline", [DISRUPTION]),
        ("what is the change fee for classic", [CHANGES]),
        ("excursion cancel", ["Excursions"]),
    ],
)
def test_a_question_gets_only_its_section(question: str, expected: list[str]) -> None:
    assert [s.title for s in lookup_policy(question, k=3)] == expected


def test_a_bag_question_quotes_no_hotel_text() -> None:
    text = " ".join(s.text for s in lookup_policy("can she take an extra bag?", k=3)).lower()
    assert "checked bags" in text
    assert "hotel" not in text and "check-in" not in text


@pytest.mark.parametrize(
    ("question", "first", "also"),
    [
        ("how long before departure can I change", REFUNDS, CHANGES),
        ("can I get a refund if I cancel?", REFUNDS, DISRUPTION),
    ],
)
def test_a_question_two_sections_answer_gets_both(question: str, first: str, also: str) -> None:
    titles = [s.title for s in lookup_policy(question, k=3)]
    assert titles[0] == first and also in titles


def test_at_most_k_sections_best_first() -> None:
    found = lookup_policy("can my wife change her ticket for me?", k=2)
    assert len(found) == 2
    assert found[0].title == "Acting for others and privacy"
    assert found[0].score >= found[1].score > 0


def test_the_rule_code_table_is_never_quoted() -> None:
    for question in ("compensation_not_eligible", "rule code meaning", "refusal codes"):
        assert all(s.title != "Rule codes" for s in lookup_policy(question, k=3))


def test_nothing_for_an_empty_or_unknown_question() -> None:
    assert lookup_policy("   ") == []
    assert lookup_policy("xyzzy plugh") == []


def test_every_rule_code_has_its_meaning_in_words() -> None:
    from services.core.errors import Rule
    from services.support.policy_docs import rule_meaning

    assert rule_meaning("fare_light_no_change") == "Light fares cannot be changed"
    assert rule_meaning(None) is None and rule_meaning("no_such_rule") is None
    for rule in Rule:
        meaning = rule_meaning(rule.value)
        assert meaning and "_" not in meaning, rule


@pytest.mark.parametrize(
    "question",
    [
        "If a flight is delayed four hours because of a snowstorm, does the passenger get EU compensation?",
        "fog at zrh, 5h delay, anything owed?",
        "the atc strike cancelled her flight, compensation?",
    ],
)
def test_a_cause_named_in_everyday_words_finds_the_extraordinary_circumstances_rule(
    question: str,
) -> None:
    assert lookup_policy(question)[0].title == "When EU 261 compensation is not due or is halved"

"""Chat input validation (services/core/validation.py): each bad input gets its own clear sentence; emoji and
non-Latin scripts pass unchanged."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.core.errors import InvalidInput
from services.core.validation import MAX_CHAT_CHARS, ChatMessage, check_chat_message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "The message is empty"),
        ("   ", "only spaces or line breaks"),
        ("\n\t \r\n", "only spaces or line breaks"),
        ("x" * (MAX_CHAT_CHARS + 1), "1,001 characters long; the limit is 1,000"),
        ("change my\x00 flight", "NUL byte (U+0000)"),
        ("ring\x07 the bell", "control character (U+0007) at position 5"),
        ("escape \x1b[31m red", "control character (U+001B) at position 8"),
        ("delete\x7f", "control character (U+007F)"),
        ("C1 control \x85 here", "control character (U+0085"),
        ("broken \ud800 surrogate", "invalid character at position 8"),
    ],
    ids=["empty", "spaces", "whitespace", "too-long", "nul", "bell", "escape", "del", "c1",
         "surrogate"],
)  # fmt: skip
def test_bad_input_gets_a_clear_message(text: str, expected: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_chat_message(text)
    assert expected in refused.value.message
    assert "Value error" not in refused.value.message  # pydantic's prefixes do not leak


@pytest.mark.parametrize(
    "text",
    [
        "Can I move my flight? ✈️🙂",
        "Family trip 👨‍👩‍👧‍👦 and 👍🏽",  # zero-width joiners and skin-tone modifiers
        "我想把航班改到下周五",
        "أريد تغيير رحلتي إلى لندن من فضلك",
        "Zürich → Genève, 3 nuits à l'hôtel",
        "Привет! Нужна помощь с билетом",
        "first line\nsecond line\twith a tab",
        "x" * MAX_CHAT_CHARS,
    ],
    ids=["emoji", "zwj", "chinese", "arabic", "accents", "cyrillic", "lines", "at-limit"],
)  # fmt: skip
def test_ordinary_writing_is_accepted(text: str) -> None:
    assert check_chat_message(text).text == text


def test_invisible_characters_are_stripped_and_the_rest_kept() -> None:
    # Bidi marks go too (the bidi algorithm lays Hebrew out without them); tags and zero-width
    # characters hide text from the agent; a joiner between emoji stays.
    text = "שלום, \u200fאני צריך עזרה\u200b\U000e0041 👩\u200d✈️ a\u200db\ufeff"
    assert check_chat_message(text).text == "שלום, אני צריך עזרה 👩\u200d✈️ ab"


@pytest.mark.parametrize(
    "text", ["\u200b\u200d\ufeff", "\u202e \u2066", "\U000e0041\U000e0042", "\u3164\u115f"]
)
def test_only_invisible_characters_is_refused(text: str) -> None:
    with pytest.raises(InvalidInput, match="only invisible characters"):
        check_chat_message(text)


def test_surrounding_whitespace_is_trimmed_not_counted() -> None:
    message = check_chat_message("  hello  \n" + " " * 5000)
    assert message.text == "hello"


def test_model_reports_a_stable_error_type() -> None:
    with pytest.raises(ValidationError) as refused:
        ChatMessage(text="a\x00b")
    assert refused.value.errors()[0]["type"] == "chat_nul_byte"


def test_non_text_is_refused() -> None:
    with pytest.raises(InvalidInput, match="must be text"):
        check_chat_message(42)
    with pytest.raises(ValidationError):
        ChatMessage(text=42)  # type: ignore[arg-type]  # strict: no silent str(42)

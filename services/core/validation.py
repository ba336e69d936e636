"""Validation of what people type: a chat message is checked before it reaches
the assistant, and each problem gets a sentence that says what is wrong."""

from __future__ import annotations

import unicodedata

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from services.core.errors import InvalidInput
from services.text.user_text import strip_invisible

MAX_CHAT_CHARS = 1_000
# Line breaks and tabs are ordinary in a typed message; every other control character is not.
ALLOWED_CONTROLS = frozenset("\n\r\t")


def _codepoint(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return f"U+{ord(ch):04X}" + (f" {name}" if name else "")


class ChatMessage(BaseModel):
    """One chat message. `text` comes out without invisible characters (services.text.user_text:
    tag characters, bidi controls, zero-width and other format characters) and without
    surrounding whitespace; a message with nothing else is refused.

    Control characters (category Cc) other than line breaks and tabs, and unpaired surrogates,
    are refused rather than stripped: they are no part of writing, so the sender should see."""

    model_config = ConfigDict(frozen=True, strict=True)

    text: str

    @field_validator("text")
    @classmethod
    def _check(cls, value: str) -> str:
        if value == "":
            raise PydanticCustomError("chat_empty", "The message is empty; type a question first.")
        if "\x00" in value:
            raise PydanticCustomError(
                "chat_nul_byte",
                "The message contains a NUL byte (U+0000), which text cannot carry; please retype it.",
            )
        if not value.strip():
            raise PydanticCustomError(
                "chat_blank", "The message contains only spaces or line breaks; type a question."
            )
        text = strip_invisible(value).strip()
        if not text:
            raise PydanticCustomError(
                "chat_invisible",
                "The message contains only invisible characters (such as zero-width spaces); "
                "type a question.",
            )
        for position, ch in enumerate(text, start=1):
            category = unicodedata.category(ch)
            if category == "Cc" and ch not in ALLOWED_CONTROLS:
                raise PydanticCustomError(
                    "chat_control_character",
                    "The message contains a control character ({char}) at position {position}; "
                    "remove it and send again.",
                    {"char": _codepoint(ch), "position": position},
                )
            if category == "Cs":
                raise PydanticCustomError(
                    "chat_invalid_character",
                    "The message contains an invalid character at position {position}.",
                    {"position": position},
                )
        if len(text) > MAX_CHAT_CHARS:
            raise PydanticCustomError(
                "chat_too_long",
                "The message is {length} characters long; the limit is {limit}. "
                "Please shorten it or split it into several messages.",
                {"length": f"{len(text):,}", "limit": f"{MAX_CHAT_CHARS:,}"},
            )
        return text


def first_error(err: ValidationError) -> str:
    """The first problem as a plain sentence (pydantic's own text, without its prefixes)."""
    errors = err.errors(include_url=False)
    return str(errors[0]["msg"]) if errors else str(err)


def check_chat_message(text: object) -> ChatMessage:
    """A valid message, or InvalidInput whose message the page can show as it is."""
    if not isinstance(text, str):
        raise InvalidInput("A chat message must be text.")
    try:
        return ChatMessage(text=text)
    except ValidationError as err:
        raise InvalidInput(first_error(err)) from None


def as_id(value: int | str, what: str) -> int:
    """A record id; anything else is a clear input error rather than a database error."""
    try:
        number = int(str(value).strip().lstrip("#"))
    except ValueError:
        raise InvalidInput(f"'{value}' is not a {what} number.") from None
    if number < 1:
        raise InvalidInput(f"'{value}' is not a {what} number.")
    return number

"""One normaliser for text people and models write: invisible characters are removed before the
text reaches the model, a service, the audit trail or the database.

Unicode tag characters (U+E0000-U+E007F) spell out ASCII that no screen shows, so an instruction
hidden in them reaches the model while the support agent sees nothing; bidirectional controls
make text display in another order than the model reads it. Both, and every other format
character (category Cf: zero-width space, BOM, word joiner, soft hyphen, ...), are stripped.
One exception: a zero-width joiner between two emoji, which is how family, profession and
skin-tone emoji are written (👩‍✈️); anywhere else it only hides things. Variation selectors
U+E0100-U+E01EF (ideographic variants, unused in support chat) are stripped too: a run of them
after a visible character can smuggle arbitrary bytes. So are the few letters that draw as
nothing (Hangul fillers and the like), which would make an empty-looking message.

Emoji flag tag sequences (e.g. Scotland's) lose their tags and show as a plain black flag; that
is the price of never letting tag characters through."""

from __future__ import annotations

import unicodedata

ZWJ = "\u200d"
EMOJI_VARIATION = "\ufe0f"  # "show as emoji", often between an emoji and a ZWJ
SMUGGLING_SELECTORS = range(0xE0100, 0xE01F0)
TAGS = range(0xE0000, 0xE0080)
# Default-ignorable letters and marks (not category Cf) that every font draws as nothing: the
# Hangul fillers, the combining grapheme joiner and Khmer's inherent vowels. A message of them
# alone looks empty.
BLANK_LOOKING = frozenset("\u115f\u1160\u3164\uffa0\u034f\u17b4\u17b5")


def _emoji_like(ch: str) -> bool:
    # So: pictographs and symbols; Sk: skin-tone modifiers. Good enough to tell 👩‍✈️ from a
    # joiner hidden between letters, without an emoji table to keep up to date.
    return unicodedata.category(ch) in ("So", "Sk") or ch == EMOJI_VARIATION


def _invisible(ch: str) -> bool:
    point = ord(ch)
    return (
        point in TAGS
        or point in SMUGGLING_SELECTORS
        or ch in BLANK_LOOKING
        or unicodedata.category(ch) == "Cf"
    )


def strip_invisible(text: str) -> str:
    """The text without invisible format characters (see the module's docstring)."""
    if text.isascii():
        return text
    kept: list[str] = []
    for index, ch in enumerate(text):
        if ch == ZWJ:
            following = text[index + 1] if index + 1 < len(text) else ""
            if kept and following and _emoji_like(kept[-1]) and _emoji_like(following):
                kept.append(ch)
            continue
        if not _invisible(ch):
            kept.append(ch)
    return "".join(kept)


def clean_value(value: object) -> object:
    """strip_invisible applied to every string in a tool call's arguments (lists, dicts)."""
    if isinstance(value, str):
        return strip_invisible(value)
    if isinstance(value, list):
        return [clean_value(v) for v in value]
    if isinstance(value, dict):
        return {k: clean_value(v) for k, v in value.items()}
    return value

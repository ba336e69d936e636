"""The streamed answer's redraws (ui/chat_live.py): always safe, throttled, never stale at the
end of a block."""

from __future__ import annotations

from typing import Any

import pytest

from ui import chat_live
from ui.safe_text import safe_markdown


class Box:
    def __init__(self) -> None:
        self.drawn: list[str] = []

    def markdown(self, body: str) -> None:
        self.drawn.append(body)


@pytest.fixture
def boxes(monkeypatch: pytest.MonkeyPatch) -> list[Box]:
    made: list[Box] = []

    def empty() -> Box:
        made.append(Box())
        return made[-1]

    monkeypatch.setattr("ui.chat_live.st.empty", empty)
    return made


def test_a_fast_stream_is_drawn_at_its_first_token_and_its_end_only(boxes: list[Box]) -> None:
    tokens = ["Hello ", "**Anna**", ", see ", "![x](http://evil.example/p.png?e=a@b.ch)", " ok"]
    frozen_clock: Any = lambda: 100.0  # noqa: E731  (no time passes between tokens)
    text = chat_live.write_safe_stream(iter(tokens), clock=frozen_clock)
    assert text == "".join(tokens)
    (box,) = boxes
    assert box.drawn == [safe_markdown("Hello "), safe_markdown(text)]
    assert "![" not in box.drawn[-1]  # the image the stream carried is inert at the end too


def test_a_slow_stream_is_redrawn_as_it_goes_and_each_block_ends_complete(
    boxes: list[Box],
) -> None:
    ticks = iter(range(0, 1000))
    clock: Any = lambda: next(ticks) * chat_live.REDRAW_EVERY_S  # noqa: E731
    ended: list[str] = []
    chunks: list[chat_live.Chunk] = ["a", "b", "c", lambda: ended.append("step"), "d", "e"]
    chat_live.write_safe_stream(iter(chunks), clock=clock)
    first, second = boxes
    assert first.drawn[-1] == safe_markdown("abc") and len(first.drawn) == 3
    assert ended == ["step"]
    assert second.drawn[-1] == safe_markdown("de")

"""One run of the assistant, drawn while it happens: tool steps in an st.status box, the answer
redrawn safely at every token.

Streamlit's st.write_stream would render the concatenated tokens as they are; a model that
streams `![x](http://host/p.png?e=...)` would make the browser fetch that URL before the
answer even ends. So the answer so far goes through safe_markdown at every redraw: a
half-written link or image is inert at every step, not only in the final text."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from typing import Any

import streamlit as st

from agent.events import (
    ApprovalRequested,
    AssistantMessage,
    ErrorEvent,
    Event,
    PassedToPerson,
    TokenChunk,
    ToolFinished,
    ToolStarted,
)
from ui.chat_format import LineJoiner, step_line, steps_label, tidy
from ui.safe_text import literal, safe_markdown

Chunk = str | Callable[[], None]


# A redraw parses the whole answer so far (~1 ms for 2 KB): redrawing at every token of a fast
# stream would cost the server time quadratic in the answer's length. At most this often, plus
# always the final text of each block.
REDRAW_EVERY_S = 0.05


def write_safe_stream(
    chunks: Iterable[Chunk], *, clock: Callable[[], float] = time.monotonic
) -> str:
    """st.write_stream's contract (text chunks make one Markdown block until a callable ends
    it), but every drawing is the safe Markdown of the whole text so far, redrawn at most every
    REDRAW_EVERY_S and always at the block's end. Returns the raw text of the last block."""
    box: Any = None
    text = drawn = ""
    last_draw = -math.inf

    def draw() -> None:
        nonlocal drawn, last_draw
        if box is not None and text != drawn:
            box.markdown(safe_markdown(text))
            drawn, last_draw = text, clock()

    for chunk in chunks:
        if callable(chunk):
            draw()  # the block keeps its final (safe) drawing
            box, text, drawn = None, "", ""
            chunk()
            continue
        if not chunk:
            continue
        if box is None:
            box = st.empty()
        text += chunk
        if clock() - last_draw >= REDRAW_EVERY_S:
            draw()
    draw()
    return text


class LiveRun:
    """Turns the runtime's events into what write_safe_stream draws: answer text as strings
    (Markdown, not yet safe), tool steps and problems as callables (the text block ends, then
    they are called)."""

    def __init__(self, *, customer: bool = False) -> None:
        self.customer = customer  # a customer confirms a change; staff approve it
        self.steps: Any = None  # the st.status box, made at the first step
        self.lines: dict[str, Any] = {}  # call id -> its line in the box
        self.names: list[str] = []  # the tools, one per call
        self.waiting = False
        self.problems: set[str] = set()
        self.joiner = LineJoiner()
        self.streamed = ""  # text of the answer being streamed
        self.gap = False  # a finished answer before: the next one starts a new paragraph

    def _step(self, call_id: str, name: str, line: str) -> None:
        if self.steps is None:
            self.steps = st.status(steps_label([], running=True), expanded=True)
        if call_id not in self.lines:
            self.names.append(name)
            self.lines[call_id] = self.steps.empty()
        self.lines[call_id].markdown(line)

    def _passed(self, held_by: str | None) -> None:
        who = f"{held_by} from the support desk" if held_by else "The support desk"
        st.info(literal(f"{who} has this conversation: your message went to them, not to the "
                        "assistant."), icon=":material/support_agent:")  # fmt: skip

    def _problem(self, message: str) -> None:
        st.warning(literal(message), icon=":material/warning:")

    def events(self, events: Iterator[Event]) -> Iterator[Chunk]:
        for event in events:
            if isinstance(event, TokenChunk):
                if self.gap:
                    self.gap = False
                    self.joiner.reset()
                    yield "\n\n"
                self.streamed += event.text
                yield self.joiner.feed(event.text)
            elif isinstance(event, AssistantMessage):
                if not self.streamed.strip() and event.text not in self.problems:
                    yield tidy(event.text)  # a model that did not stream, or a fixed message
                self.streamed, self.gap = "", True
            elif isinstance(event, ToolStarted):
                line = step_line(event.name, "running", args=event.args)
                yield partial(self._step, event.call_id, event.name, line)
            elif isinstance(event, ToolFinished):
                line = step_line(event.name, event.status, content=event.content)
                yield partial(self._step, event.call_id, event.name, line)
            elif isinstance(event, ApprovalRequested):
                self.waiting = True
                r = event.request
                line = step_line(r.tool, "awaiting_approval", args=r.args, customer=self.customer)
                yield partial(self._step, r.tool_call_id, r.tool, line)
            else:
                yield from self._notice(event)

    def _notice(self, event: Event) -> Iterator[Chunk]:
        """A refusal or fault, or the note that a person at the desk got the message."""
        if isinstance(event, ErrorEvent):
            self.problems.add(event.message)
            yield partial(self._problem, event.message)
        elif isinstance(event, PassedToPerson):
            yield partial(self._passed, event.held_by)

    def close(self) -> None:
        if self.steps is not None:
            label = steps_label(self.names, waiting=self.waiting, customer=self.customer)
            self.steps.update(label=label, state="complete", expanded=False)

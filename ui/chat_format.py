"""Words for the Chat page: tool steps as a person reads them, and the assistant's plain-text
lines as Markdown that keeps them apart (pure functions, no Streamlit). Everything that came
from the model, a person or a tool goes out through ui/safe_text.py."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from itertools import pairwise
from typing import Any

from agent.events import HistoryItem
from ui.safe_text import literal, one_line, safe_markdown

TOOL_LABELS = {
    "get_passenger_trips": "Read the passenger's trips",
    "search_flights": "Search flights",
    "get_flight_status": "Check flight status",
    "lookup_policy": "Look up the policy",
    "quote_flight_change": "Quote a flight change",
    "quote_cancellation": "Quote a cancellation",
    "disruption_options": "Read the disruption options and entitlements",
    "search_hotels": "Search hotels",
    "search_car_rentals": "Search car rentals",
    "search_excursions": "Search excursions",
    "change_flight": "Change flight",
    "cancel_ticket": "Cancel ticket",
    "book_flight": "Book flight",
    "request_compensation": "Pay compensation",
    "book_hotel": "Book hotel",
    "change_hotel_booking": "Change hotel booking",
    "cancel_hotel_booking": "Cancel hotel booking",
    "book_car_rental": "Book car rental",
    "change_car_rental": "Change car rental",
    "cancel_car_rental": "Cancel car rental",
    "book_excursion": "Book excursion",
    "cancel_excursion": "Cancel excursion",
    "escalate_to_human": "Escalate to a colleague",
}
STATUS_ICONS = {
    "running": ":material/progress_activity:",
    "awaiting_approval": ":material/pending_actions:",
    "ok": ":material/check_circle:",
    "refused": ":material/block:",
    "denied": ":material/do_not_disturb_on:",
    "already_done": ":material/done_all:",
    "error": ":material/error:",
    "invalid": ":material/error:",
}
# Staff approve a change; a customer confirms their own (the word "approval" is for staff).
WAITING = {False: "waiting for your approval", True: "waiting for you to confirm"}
STATUS_WORDS = {
    "awaiting_approval": WAITING[False],
    "refused": "refused",
    "denied": "denied",
    "already_done": "already done",
    "error": "failed",
    "invalid": "not understood",
}
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s")
_RESULT_PREFIX = re.compile(
    r"^(?:REFUSED \(rule [^)]*\)|ERROR \([^)]*\)|INVALID CALL|DENIED[^:]*)\W*"
)


def tool_label(name: str) -> str:
    """A tool's name for people, as Markdown (an unknown name is the model's text)."""
    return TOOL_LABELS.get(name) or one_line(name.replace("_", " ").capitalize())


def _value(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(_value(v) for v in value)
    return str(value)


def step_args(args: dict[str, Any] | None) -> str:
    """ "origin ZRH · destination LHR · day 2026-11-30" (no ids a person cannot use)."""
    parts = [
        f"{key.replace('_', ' ')} {_value(value)}"
        for key, value in (args or {}).items()
        if value not in (None, "", [], {})
    ]
    return " · ".join(parts)


def step_result(status: str, content: str) -> str:
    """What a person needs from a tool's answer: what a write did, why a call was refused or
    failed; nothing for a read that simply worked (its data is in the answer)."""
    if status == "ok":
        try:
            data = json.loads(content)
        except ValueError:
            return ""
        if isinstance(data, dict) and data.get("done"):
            return str(data["done"])
        if isinstance(data, dict) and isinstance(data.get("count"), int):
            n = data["count"]
            return f"{n} result{'s' if n != 1 else ''}"
        return ""
    return _RESULT_PREFIX.sub("", content).strip()


def step_line(
    name: str,
    status: str,
    *,
    args: dict[str, Any] | None = None,
    content: str = "",
    customer: bool = False,
) -> str:
    """One step as a Markdown line: icon, what, with what, and how it ended."""
    icon = STATUS_ICONS.get(status, ":material/radio_button_unchecked:")
    line = f"{icon} **{tool_label(name)}**"
    if details := step_args(args):
        line += f" · {one_line(details)}"
    word = WAITING[customer] if status == "awaiting_approval" else STATUS_WORDS.get(status)
    result = step_result(status, content) if content else ""
    if word or result:
        line += "  \n" + literal(" — ".join(filter(None, [word, result])))
    return line


def steps_label(
    names: list[str], *, running: bool = False, waiting: bool = False, customer: bool = False
) -> str:
    """The status box's title: what was done, e.g. "Search flights · Quote a flight change
    ×6"; "Working…" while it runs."""
    if running:
        return "Working…"
    counts: dict[str, int] = {}
    for name in names:
        counts[tool_label(name)] = counts.get(tool_label(name), 0) + 1
    what = " · ".join(f"{label} ×{n}" if n > 1 else label for label, n in counts.items())
    return f"{what} · {WAITING[customer]}" if waiting else what


def is_list_item(line: str) -> bool:
    return bool(_LIST_ITEM.match(line))


def joint(previous: str, following: str) -> str:
    """How two of the assistant's lines are joined in Markdown: a list and the text around it
    need a blank line between them (else the text is glued to the last item), two ordinary
    lines a hard line break, two list items a plain newline."""
    before, after = is_list_item(previous), is_list_item(following)
    if before and after:
        return "\n"
    if before or after:
        return "\n\n"
    return "  \n"


def _no_math(text: str) -> str:
    """A "$" is money, not the start of a formula (Streamlit's Markdown renders LaTeX)."""
    return text.replace("$", "\\$")


def reply_markdown(text: str) -> str:
    """One of the assistant's answers as Streamlit may show it: its lines kept apart, then
    made safe (no images, HTML or foreign links)."""
    return safe_markdown(tidy(text))


def tidy(text: str) -> str:
    """The assistant's text with its line structure kept in Markdown (not yet safe: see
    reply_markdown)."""
    lines = text.split("\n")
    out = _no_math(lines[0])
    for previous, line in pairwise(lines):
        out += joint(previous, line) + _no_math(line)
    return out


class LineJoiner:
    """The streaming form of `tidy`: tokens go in, Markdown comes out. A newline is held back
    until the next line's first token shows whether that line is a list item."""

    def __init__(self) -> None:
        self.line = ""  # the current line so far
        self.held = False  # a newline is waiting for the next line's start

    def feed(self, token: str) -> str:
        out = ""
        for i, piece in enumerate(token.split("\n")):
            if i > 0:  # a newline before this piece
                if self.held:
                    out += joint(self.line, "")  # an empty line in between
                    self.line = ""
                self.held = True
            if not piece:
                continue
            if self.held:
                out += joint(self.line, piece)
                self.line, self.held = "", False
            self.line += piece
            out += _no_math(piece)
        return out

    def reset(self) -> None:
        self.line, self.held = "", False


def chat_bubbles(items: list[HistoryItem]) -> Iterator[tuple[str, list[HistoryItem]]]:
    """The history as chat bubbles: each user message, and everything after it up to the next
    one (tool steps and answers) as one assistant bubble."""
    run: list[HistoryItem] = []
    for item in items:
        if item.role == "user":
            if run:
                yield "assistant", run
                run = []
            yield "user", [item]
        else:
            run.append(item)
    if run:
        yield "assistant", run

"""Write safety as one rule: the model calls a write tool only when the user's latest message
asks for that action or confirms it, never for a question or a "not yet". Every decision goes
through `guard` (planner.decide) before it leaves the model; a write held back becomes a
question ("shall I go ahead?"), and a "yes" to it makes exactly the calls held back."""

from __future__ import annotations

import re
from collections.abc import Callable

from agent.models.builtin.lexicon import (
    ACT_ON_ELIGIBILITY,
    ACTION_WORDS,
    ELIGIBILITY,
    EXISTS_THEN_ACT,
    HOLD,
    IF_FREE_THEN_ACT,
    INQUIRY,
    PICKED_FLIGHT,
    POLITE_MOVE,
    WANTS,
    WRITE_TOOLS,
)
from agent.models.builtin.state import Decision, Stage
from agent.models.builtin.understanding import Utterance


def holds_back(u: Utterance) -> bool:
    """ "just asking", "don't file anything", "not yet": nothing is to be done now."""
    return HOLD.search(u.lower) is not None


def only_asks(u: Utterance) -> bool:
    """The message is a question or a "not yet", not a request to act."""
    if holds_back(u) or INQUIRY.search(u.lower):
        return True
    if u.is_question and ELIGIBILITY.search(u.lower) and not ACT_ON_ELIGIBILITY.search(u.lower):
        return True
    if u.has("affirm") or not u.is_question or EXISTS_THEN_ACT.search(u.lower):
        return False
    if IF_FREE_THEN_ACT.search(u.lower):  # acted on only if the quote is free (flows_change)
        return False
    if asks_to_be_put_on(u):
        return False
    return not (ACTION_WORDS.search(u.lower) or WANTS.search(u.lower))


def asks_to_be_put_on(u: Utterance) -> bool:
    """ "can she hop on the 14:40 instead?": a question in form, a request in substance, when
    it names the flight (a time, a number, "the evening one"); "can she change her flight?"
    names none and stays a question, and so does one about the price."""
    if not POLITE_MOVE.search(u.lower) or u.has("cost"):
        return False
    return bool(u.clock_time or u.flight_nos or PICKED_FLIGHT.search(u.lower))


def asked_for(tool: str, u: Utterance) -> bool:
    """The latest message asks for this write (or confirms it): it is not only a question and
    does not hold the action back. Which write a request means is the rule table's choice."""
    if tool not in WRITE_TOOLS:
        return True
    return not (holds_back(u) or (only_asks(u) and not u.has("affirm")))


def guard(decision: Decision, latest: Callable[[], Utterance]) -> Decision:
    """The decision, with any write the latest message (read by `latest`, only when the
    decision has a write) did not ask for held back."""
    if not any(name in WRITE_TOOLS for name, _ in decision.calls):
        return decision
    u = latest()
    held = [(name, args) for name, args in decision.calls if not asked_for(name, u)]
    if not held:
        return decision
    kept = [c for c in decision.calls if c not in held]
    text = re.sub(r"\s*[^.\n]*for your approval\.", "", decision.text).strip()
    ask = "I haven't changed anything. Shall I go ahead?"
    task = (
        decision.task.at(Stage.AWAITING_CONFIRM, held_calls=[[n, a] for n, a in held], hold=False)
        if decision.task
        else None
    )
    return Decision(
        text=f"{text}\n\n{ask}".strip() if not kept else text,
        calls=kept,
        task=task,
        options=decision.options,
        rule=decision.rule,
        guarded=[name for name, _ in held],
    )

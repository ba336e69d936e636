"""Write safety as one rule (agent/models/builtin/guard.py): a write tool is called only when
the latest message asks for that action or confirms it, never for a question or a "not yet";
and a turn cut off mid-task does not take over the next message."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import pytest
from langchain_core.messages import AIMessage

from agent.events import AssistantMessage, Event, ToolStarted
from agent.language import Lang
from agent.models.builtin import BuiltinChatModel
from agent.models.builtin.glossary import to_english
from agent.models.builtin.guard import guard
from agent.models.builtin.lexicon import WRITE_TOOLS
from agent.models.builtin.state import Decision, Intent, Stage, Task
from agent.models.builtin.transcript import MEMORY_KEY
from agent.models.builtin.understanding import understand
from agent.tools import TOOLS
from tests.agent.conftest import AGENT, AssistantFactory, World, assert_no_dangling

TODAY = date(2026, 11, 26)


def cancel(ticket_no: str = "7241") -> Decision:
    task = Task(
        Intent.CANCEL_TICKET, {"ticket_no": ticket_no}, Stage.EXECUTING, "cancel_or_refund_ticket"
    )
    return Decision(
        "Refund CHF 100. Here is the cancellation for your approval.",
        [("cancel_ticket", {"ticket_no": ticket_no})],
        task,
        rule=task.rule,
    )


@pytest.mark.parametrize(
    "text",
    [
        "what would she get back if she cancelled?",
        "just asking, don't cancel anything",
        "would a cancellation refund anything? not cancelling yet",
        "she wants to know what she'd get back",
        "is a cancellation free?",
        "pax asks how much comes back if he drops the ticket, only the figure please",
        "he's asking what a cancel would leave him, the amount for now",
        "cancel refund amount for her? before she decides",
        "customer asks what she gets if we cancel tmrw's flt",
        "just the price before deciding, cancelling the zurich one",
    ],
)
def test_a_question_or_a_not_yet_holds_the_write_back(text: str) -> None:
    held = guard(cancel(), lambda: understand(text, TODAY))
    assert held.calls == [] and held.guarded == ["cancel_ticket"]
    assert held.task is not None and held.task.stage is Stage.AWAITING_CONFIRM
    assert held.task.slots["held_calls"] == [["cancel_ticket", {"ticket_no": "7241"}]]
    assert "for your approval" not in held.text and "Shall I go ahead?" in held.text


@pytest.mark.parametrize(
    "text",
    [
        "cancel her ticket please",
        "can you cancel it?",
        "yes, go ahead",
        "the first one",
        "pls cxl her flt",
    ],
)
def test_a_request_or_a_confirmation_lets_the_write_through(text: str) -> None:
    decision = cancel()
    assert guard(decision, lambda: understand(text, TODAY)) is decision


def claim() -> Decision:
    task = Task(Intent.COMPENSATION, {"ticket_no": "7241"}, Stage.EXECUTING, "compensation")
    return Decision(
        "Compensation CHF 235. Here is the claim for your approval.",
        [("request_compensation", {"ticket_no": "7241"})],
        task,
        rule=task.rule,
    )


@pytest.mark.parametrize(
    "text",
    [
        "is she entitled to compensation for the delay?",
        "does the passenger have a right to compensation? only information please",
        "am i owed anything for yesterday's delay, please check",
        "would he qualify for compensation?",
        "is any compensation due to her? information only",
        "cust eligible for comp on the delayed flt? pls check",
    ],
)
def test_a_question_whether_something_is_due_never_claims_it(text: str) -> None:
    held = guard(claim(), lambda: understand(text, TODAY))
    assert held.calls == [] and held.guarded == ["request_compensation"]


@pytest.mark.parametrize(
    "text",
    [
        "is she entitled to compensation? if so please file it",
        "is he owed compensation for the delay? pay it please",
        "she wants her delay compensation please",
    ],
)
def test_a_claim_asked_for_after_the_question_goes_through(text: str) -> None:
    decision = claim()
    assert guard(decision, lambda: understand(text, TODAY)) is decision


def test_reads_are_never_held_back() -> None:
    look = Decision(calls=[("get_passenger_trips", {})])
    assert guard(look, lambda: understand("what would she get back?", TODAY)) is look


def test_the_write_tools_are_the_graphs_write_tools() -> None:
    assert {name for name, spec in TOOLS.items() if spec.write} == WRITE_TOOLS


def _play(chat: object, text: str) -> list[Event]:
    return list(chat.send(text))  # type: ignore[attr-defined]


def _tools(events: Iterable[Event]) -> list[str]:
    return [e.name for e in events if isinstance(e, ToolStarted)]


def _replies(events: Iterable[Event]) -> str:
    return "\n".join(e.text for e in events if isinstance(e, AssistantMessage))


def test_a_question_held_back_then_confirmed_makes_the_held_call(
    make_assistant: AssistantFactory, world: World
) -> None:
    chat = make_assistant(model=BuiltinChatModel()).start(AGENT, world.pat)
    asked = _play(chat, f"what would ticket {world.ticket} refund? just asking for now")
    assert "cancel_ticket" not in _tools(asked) and chat.pending_approval() is None
    assert "CHF" in _replies(asked)
    confirmed = _play(chat, "ok, cancel it")
    assert "cancel_ticket" in _tools(confirmed)
    assert chat.pending_approval() is not None


def test_a_turn_cut_off_mid_task_does_not_hijack_the_next_message(
    make_assistant: AssistantFactory, world: World
) -> None:
    """Reproduced in issue #12: after a cancellation cut off before its tools ran, a baggage
    question got "Which ticket do you mean?"."""
    assistant = make_assistant(model=BuiltinChatModel())
    chat = assistant.start(AGENT, world.pat)
    list(chat.send("hi"))
    task = Task(
        Intent.CANCEL_TICKET,
        {"question": "cancel her flight"},
        Stage.START,
        "cancel_or_refund_ticket",
    )
    cut = AIMessage(
        "",
        tool_calls=[{"name": "get_passenger_trips", "args": {}, "id": "call_cut"}],
        additional_kwargs={MEMORY_KEY: {"task": task.as_dict(), "options": None}},
    )
    assistant.graph.update_state(chat.config, {"messages": [cut]}, as_node="agent")
    events = list(chat.send("how many bags can she check?"))
    assert "lookup_policy" in _tools(events)
    assert "cancel_ticket" not in _tools(events) and "quote_cancellation" not in _tools(events)
    text = _replies(events)
    assert "Which ticket" not in text and "bag" in text.lower()
    assert_no_dangling(chat)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        (
            "Hat die Passagierin wegen der Verspätung Anspruch auf eine Entschädigung? "
            "Nur eine Auskunft bitte.",
            Lang.DE,
        ),
        ("a-t-elle droit à une indemnisation pour le retard ? seulement un renseignement", Lang.FR),
        ("ha diritto a un risarcimento per il ritardo? solo un'informazione", Lang.IT),
    ],
)
def test_the_same_question_in_german_french_or_italian_claims_nothing(
    text: str, lang: Lang
) -> None:
    english = to_english(text.lower(), lang)
    held = guard(claim(), lambda: understand(english, TODAY))
    assert held.calls == [], english

"""Faults: model timeouts, malformed and invalid tool calls, a database failure inside a write,
a run cut off mid-turn. Each ends in a clear message and the conversation goes on."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.messages import AIMessage
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from agent.events import ApprovalRequested, AssistantMessage, ErrorEvent, ToolFinished
from agent.models.scripted import ScriptedChatModel, reply
from agent.nodes import MAX_FAILED_ROUNDS, MAX_MODEL_CALLS
from db.models import ExecutedAction, Ticket, TicketStatus, Turn
from services.core.ratelimit import RateLimiter
from tests.agent.conftest import (
    AGENT,
    AssistantFactory,
    World,
    assert_no_dangling,
    audits,
    day,
    events_of,
)


def _turns(session: Session) -> list[Turn]:
    session.rollback()
    return list(session.scalars(select(Turn).order_by(Turn.id)))


def test_a_model_timeout_is_explained_and_the_chat_goes_on(
    make_assistant: AssistantFactory, world: World, session: Session
) -> None:
    chat = make_assistant(TimeoutError("read timed out"), reply("Back again.")).start(
        AGENT, world.pat
    )
    events = list(chat.send("hello"))
    errors = events_of(events, ErrorEvent)
    assert [e.kind for e in errors] == ["model_timeout"]
    answer = events_of(events, AssistantMessage)[-1].text
    assert "did not answer in time" in answer and "send your message again" in answer
    assert _turns(session)[-1].error == "model_timeout"

    events = list(chat.send("hello again"))
    assert events_of(events, AssistantMessage)[-1].text == "Back again."
    assert _turns(session)[-1].error is None
    assert_no_dangling(chat)


def test_a_malformed_tool_call_gets_a_validation_message_then_works(
    make_assistant: AssistantFactory, world: World
) -> None:
    garbled = AIMessage(
        content="",
        invalid_tool_calls=[
            {
                "name": "search_flights",
                "args": "origin=ZRH; {{garbled",
                "id": "c1",
                "error": None,
                "type": "invalid_tool_call",
            }
        ],
    )
    wrong_args = reply(
        "", ("search_flights", {"origin": "ZRH", "destination": "LHR", "day": "soon"})
    )
    good = reply(
        "", ("search_flights", {"origin": "ZRH", "destination": "LHR", "day": str(day(4))})
    )
    model = ScriptedChatModel(replies=[garbled, wrong_args, good, reply("Found one.")])
    chat = make_assistant(model=model).start(AGENT, world.pat)
    events = list(chat.send("Flights to London on Monday"))
    finished = events_of(events, ToolFinished)
    assert [e.status for e in finished] == ["invalid", "invalid", "ok"]
    assert "could not be read" in finished[0].content
    assert "day:" in finished[1].content and "valid date" in finished[1].content
    assert events_of(events, AssistantMessage)[-1].text == "Found one."
    assert_no_dangling(chat)


def test_three_failed_tool_rounds_end_the_turn_with_a_message(
    make_assistant: AssistantFactory, world: World, session: Session
) -> None:
    bad = [reply("", ("cancel_ticket", {"ticket": world.ticket})) for _ in range(MAX_FAILED_ROUNDS)]
    model = ScriptedChatModel(replies=[*bad, reply("Fine now.")])
    chat = make_assistant(model=model).start(AGENT, world.pat)
    events = list(chat.send("cancel it"))
    assert [e.status for e in events_of(events, ToolFinished)] == ["invalid"] * MAX_FAILED_ROUNDS
    assert "has no argument ticket" in events_of(events, ToolFinished)[0].content
    assert [e.kind for e in events_of(events, ErrorEvent)] == ["invalid_calls"]
    assert "invalid tool calls 3 times" in events_of(events, AssistantMessage)[-1].text
    assert len(model.calls) == MAX_FAILED_ROUNDS  # bounded: no fourth try in this turn
    assert _turns(session)[-1].error == "invalid_calls"
    assert_no_dangling(chat)
    events = list(chat.send("try again"))
    assert events_of(events, AssistantMessage)[-1].text == "Fine now."


def test_a_model_looping_on_tools_is_stopped(
    make_assistant: AssistantFactory, world: World
) -> None:
    loop = lambda _messages: reply("", ("lookup_policy", {"question": "bags"}))  # noqa: E731
    model = ScriptedChatModel(responder=loop)
    chat = make_assistant(model=model).start(AGENT, world.pat)
    events = list(chat.send("bags?"))
    assert [e.kind for e in events_of(events, ErrorEvent)] == ["too_many_steps"]
    assert len(model.calls) == MAX_MODEL_CALLS
    assert_no_dangling(chat)


def test_a_database_failure_inside_a_write_rolls_back_is_audited_and_can_be_approved_again(
    make_assistant: AssistantFactory, world: World, session: Session, monkeypatch: Any
) -> None:
    args = {"ticket_no": world.ticket, "new_flight_ids": [world.later]}
    chat = make_assistant(reply("", ("change_flight", args)), reply("Changed.")).start(
        AGENT, world.pat
    )
    card = events_of(list(chat.send("move it")), ApprovalRequested)[0].request

    def database_gone(*_a: Any, **_k: Any) -> None:
        raise OperationalError(
            "INSERT INTO payments", {}, Exception("server closed the connection")
        )

    # The failure strikes after the seats moved and the legs changed: all must roll back.
    monkeypatch.setattr("services.flights.tickets.record_payment", database_gone)
    events = list(chat.approve(card.approval_id))
    assert events_of(events, ToolFinished) == []
    (error,) = events_of(events, ErrorEvent)
    assert error.kind == "service_unavailable" and "nothing was changed" in error.message
    assert "INSERT" not in error.message and "payments" not in error.message

    session.rollback()
    ticket = session.scalar(select(Ticket).where(Ticket.ticket_no == world.ticket))
    assert ticket is not None and ticket.status == TicketStatus.ACTIVE
    assert [leg.flight_id for leg in ticket.active_legs] == [world.first]
    assert session.scalar(select(func.count()).select_from(ExecutedAction)) == 0
    failure = audits(session, action="change_flight", outcome="error")
    assert len(failure) == 1 and failure[0].rule == "OperationalError"
    assert "INSERT" not in (failure[0].message or "")
    assert _turns(session)[-1].error.startswith("service_unavailable: OperationalError")  # type: ignore[union-attr]
    # Nothing was decided for good: the card waits, and approving it again runs it once.
    assert chat.pending_approval() == card
    monkeypatch.undo()
    events = list(chat.approve(card.approval_id))
    assert [e.status for e in events_of(events, ToolFinished)] == ["ok"]
    session.rollback()
    assert session.scalar(select(func.count()).select_from(ExecutedAction)) == 1
    assert [leg.flight_id for leg in ticket.active_legs] == [world.later]
    assert_no_dangling(chat)


def test_a_run_cut_off_after_the_model_step_is_repaired_next_turn(
    make_assistant: AssistantFactory, world: World
) -> None:
    assistant = make_assistant(reply("Hello."), reply("Where were we?"))
    chat = assistant.start(AGENT, world.pat)
    list(chat.send("hi"))
    # What a process killed between the model step and the tools step leaves behind.
    cut = AIMessage(
        "",
        tool_calls=[
            {"name": "cancel_ticket", "args": {"ticket_no": world.ticket}, "id": "call_cut"}
        ],
    )
    assistant.graph.update_state(chat.config, {"messages": [cut]}, as_node="agent")
    events = list(chat.send("are you there?"))
    finished = events_of(events, ToolFinished)
    assert [(e.call_id, e.status) for e in finished] == [("call_cut", "error")]
    assert finished[0].content.startswith("INTERRUPTED")
    assert events_of(events, AssistantMessage)[-1].text == "Where were we?"
    assert_no_dangling(chat)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "empty"),
        ("   \n\t ", "only spaces"),
        ("x" * 1001, "limit is 1,000"),
        ("hello\x07there", "control character"),
        ("nul\x00byte", "NUL byte"),
    ],
)
def test_bad_chat_input_gets_a_clear_message(
    text: str, says: str, make_assistant: AssistantFactory, world: World, session: Session
) -> None:
    model = ScriptedChatModel(replies=[])
    chat = make_assistant(model=model).start(AGENT, world.pat)
    events = list(chat.send(text))
    assert [e.kind for e in events] == ["invalid_input"]  # type: ignore[union-attr]
    assert says in events[0].message  # type: ignore[union-attr]
    assert model.calls == [] and _turns(session) == []


def test_emoji_and_other_scripts_are_welcome(
    make_assistant: AssistantFactory, world: World
) -> None:
    model = ScriptedChatModel(replies=[reply("✈️ 好的")])
    chat = make_assistant(model=model).start(AGENT, world.pat)
    text = "Grüezi 👋 — مرحبا — こんにちは, can I change my flight?"
    events = list(chat.send(text))
    assert events_of(events, AssistantMessage)[-1].text == "✈️ 好的"
    assert model.calls[0][-1].content == text
    assert chat.history()[0].text == text


def test_chat_messages_are_rate_limited_per_user(
    make_assistant: AssistantFactory, world: World
) -> None:
    limiter = RateLimiter("chat-test", "2/minute")
    chat = make_assistant(responder=lambda _m: "ok", rate_limiter=limiter).start(AGENT, world.pat)
    assert events_of(list(chat.send("one")), AssistantMessage)
    assert events_of(list(chat.send("two")), AssistantMessage)
    third = list(chat.send("three"))
    assert [e.kind for e in third] == ["rate_limited"]  # type: ignore[union-attr]
    assert "2 per 1 minute" in third[0].message or "2/minute" in third[0].message  # type: ignore[union-attr]

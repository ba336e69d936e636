"""The built-in model on German, French and Italian messages, through the runtime: a request its
glossary can read is served (answered in English, saying so in the message's language; a write
still waits for approval); one it cannot read gets the message's language's account of what the
offline model can do, with no tool call; the conversation goes on in English afterwards."""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from sqlalchemy.orm import Session

from agent.events import AssistantMessage, ErrorEvent, Event, ToolStarted
from agent.language import Lang, detect_language
from agent.models.builtin import BuiltinChatModel
from agent.models.offline_languages import ANSWERED_IN_ENGLISH, NOTICES, offline_notice
from agent.runtime import Chat
from tests.agent.conftest import AGENT, AssistantFactory, World, audits


@pytest.fixture
def chat(make_assistant: AssistantFactory, world: World) -> Chat:
    return make_assistant(model=BuiltinChatModel()).start(AGENT, world.pat)


def _replies(events: list[Event]) -> list[str]:
    return [e.text for e in events if isinstance(e, AssistantMessage)]


@pytest.mark.parametrize(
    ("text", "language", "write"),
    [
        ("Ich möchte meinen Flug nach London auf Freitag verschieben.", Lang.DE, "change_flight"),
        ("Bonjour, je voudrais annuler mon vol pour Londres", Lang.FR, "cancel_ticket"),
        ("Il mio volo è stato cancellato, posso avere un rimborso?", Lang.IT, "cancel_ticket"),
    ],
)  # fmt: skip
def test_a_request_in_another_language_is_read_and_answered_in_english_saying_so_in_it(
    chat: Chat, session: Session, text: str, language: Lang, write: str
) -> None:
    events = list(chat.send(text))
    assert "get_passenger_trips" in [e.name for e in events if isinstance(e, ToolStarted)]
    assert not [e for e in events if isinstance(e, ErrorEvent)]
    replies = _replies(events)
    assert replies and all(r.startswith(ANSWERED_IN_ENGLISH[language]) for r in replies)
    assert not any("Sorry, I can't help" in r for r in replies)
    assert audits(session, action=write) == []  # nothing runs before a person approves


def test_a_message_the_glossary_cannot_read_gets_the_notice_in_its_language(chat: Chat) -> None:
    events = list(chat.send("Kann sie ein zusätzliches Gepäckstück mitnehmen?"))
    assert [e for e in events if isinstance(e, ToolStarted | ErrorEvent)] == []
    (answer,) = _replies(events)
    assert all(word in answer for word in ["Englisch", "nichts geändert", "in jeder Sprache"])
    assert detect_language(answer) == Lang.DE  # the whole answer is in that language


def test_the_conversation_goes_on_in_english(chat: Chat) -> None:
    list(chat.send("Kann sie ein zusätzliches Gepäckstück mitnehmen?"))
    events = list(chat.send("What bookings does she have?"))
    assert [e.name for e in events if isinstance(e, ToolStarted)] == ["get_passenger_trips"]
    assert "ZRH-LHR" in _replies(events)[-1]


def test_english_messages_and_tool_steps_are_left_to_the_model() -> None:
    system = SystemMessage("prompt")
    assert offline_notice([system, HumanMessage("Move Herr Müller to Düsseldorf")], "m") is None
    assert offline_notice([system, HumanMessage("12:25")], "m") is None  # undecided
    after_tool = [
        HumanMessage("Ich möchte stornieren"),
        AIMessage(content="", tool_calls=[{"name": "get_passenger_trips", "args": {}, "id": "1"}]),
        ToolMessage("trips", tool_call_id="1"),
    ]
    assert offline_notice(after_tool, "m") is None
    notice = offline_notice([system, HumanMessage("Vorrei spostare il mio volo")], "m")
    assert notice is not None and notice.tool_calls == []
    assert notice.content == NOTICES[Lang.IT]
    assert notice.response_metadata["model_name"] == "m"

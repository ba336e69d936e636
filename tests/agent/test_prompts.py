"""The system prompt hosted models get: told to reply in the passenger's language, and given it
on every model call of a turn."""

from __future__ import annotations

from datetime import UTC, datetime

from langchain_core.messages import SystemMessage

from agent.models.scripted import ScriptedChatModel
from agent.prompts import system_prompt
from tests.agent.conftest import AGENT, AssistantFactory, World


def test_the_prompt_says_to_reply_in_the_language_of_the_latest_message() -> None:
    prompt = system_prompt(datetime(2026, 11, 26, 8, tzinfo=UTC), {})
    assert "German, French, Italian or English" in prompt
    assert "Reply in the language of the user's latest message" in prompt
    assert "a German message gets a German answer" in prompt


def test_a_hosted_model_is_given_the_instruction_with_a_german_message(
    make_assistant: AssistantFactory, world: World
) -> None:
    model = ScriptedChatModel(replies=["Gerne, ich schaue nach."])
    chat = make_assistant(model=model).start(AGENT, world.pat)
    list(chat.send("Ich möchte meinen Flug verschieben."))
    (call,) = model.calls
    assert isinstance(call[0], SystemMessage)
    assert "Reply in the language of the user's latest message" in str(call[0].content)
    assert call[-1].content == "Ich möchte meinen Flug verschieben."

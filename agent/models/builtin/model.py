"""The built-in offline chat model: a real `BaseChatModel` with tool calling, deterministic,
no network and no key. It reads the conversation, tool results included, and decides its
next step with the dialogue policy in planner.py."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage

from agent.models.builtin.dates import warm_up
from agent.models.builtin.glossary import in_english
from agent.models.builtin.places import name_patterns
from agent.models.builtin.planner import decide
from agent.models.builtin.transcript import MEMORY_KEY, read
from agent.models.builtin.understanding import understand
from agent.models.builtin.voice import for_customer
from agent.models.local import LocalChatModel, estimate_tokens
from agent.models.offline_languages import ANSWERED_IN_ENGLISH, offline_notice
from agent.models.shared import DECIDED_BY

MODEL_NAME = "skydesk-builtin-1"


def understood(messages: list[BaseMessage]) -> bool:
    """Does the latest user message, in the glossary's English, name something to do?"""
    latest = next((m for m in reversed(messages) if isinstance(m, HumanMessage)), None)
    return latest is not None and bool(understand(str(latest.content), date.today()).cues)


class BuiltinChatModel(LocalChatModel):
    """Offline support-conversation model; `bind_tools` restricts it to the tools given."""

    model_name: str = MODEL_NAME

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        warm_up()
        name_patterns()  # compiled once, at start

    @property
    def _llm_type(self) -> str:
        return "skydesk-builtin"

    def _message(
        self, messages: list[BaseMessage], tools: list[dict[str, Any]] | None
    ) -> AIMessage:
        # German, French, Italian: read through the glossary; what it leaves unreadable gets
        # the notice (in that language) of what the offline model can do.
        english, language = in_english(messages)
        unreadable = language is not None and not understood(english)
        if unreadable and (notice := offline_notice(messages, self.model_name)) is not None:
            return notice
        allowed = {t["function"]["name"] for t in tools or []}
        transcript = read(english)
        decision = decide(transcript)
        calls = [(name, args) for name, args in decision.calls if not allowed or name in allowed]
        seed = hashlib.sha1(
            f"{len(messages)}:{messages[-1].content if messages else ''}".encode()
        ).hexdigest()[:10]
        tool_calls = [
            {
                "name": name,
                "args": json.loads(json.dumps(args, default=str)),
                "id": f"call_{seed}_{i}",
                "type": "tool_call",
            }
            for i, (name, args) in enumerate(calls)
        ]
        text = for_customer(decision.text) if transcript.customer else decision.text
        if language is not None and text:
            text = f"{ANSWERED_IN_ENGLISH[language]}\n\n{text}"
        prompt = sum(estimate_tokens(str(m.content)) for m in messages)
        out = estimate_tokens(text) + 20 * len(tool_calls)
        return AIMessage(
            content=text,
            tool_calls=tool_calls,
            additional_kwargs={MEMORY_KEY: decision.memory()},
            usage_metadata={
                "input_tokens": prompt,
                "output_tokens": out,
                "total_tokens": prompt + out,
            },
            response_metadata={"model_name": MODEL_NAME, DECIDED_BY: decision.rule or None},
        )

"""The model's tool calls as the message history holds them: which are still unanswered, a
unique id for each, and the ToolMessage that answers one. Every call must get its ToolMessage
before the model is called again (langgraph issue 2075), so the nodes and the routing read this."""

from __future__ import annotations

import uuid
from typing import Any

from langchain_core.messages import AIMessage, AnyMessage, ToolMessage

from agent.toolcalls import Outcome


def last_ai(messages: list[AnyMessage]) -> tuple[int, AIMessage | None]:
    for index in range(len(messages) - 1, -1, -1):
        if isinstance(messages[index], AIMessage):
            return index, messages[index]  # type: ignore[return-value]
    return -1, None


def unanswered(messages: list[AnyMessage]) -> list[dict[str, Any]]:
    """The last model message's calls (valid or not) that have no ToolMessage yet."""
    index, ai = last_ai(messages)
    if ai is None:
        return []
    answered = {m.tool_call_id for m in messages[index + 1 :] if isinstance(m, ToolMessage)}
    calls = [*ai.tool_calls, *ai.invalid_tool_calls]
    return [dict(c) for c in calls if c.get("id") not in answered]


def with_call_ids(message: AIMessage) -> AIMessage:
    """Every call needs a unique id to be answered; some endpoints omit or repeat them."""
    seen: set[str] = set()

    def fix(calls: list[Any]) -> list[Any]:
        fixed = []
        for call in calls:
            call_id = call.get("id")
            if not call_id or call_id in seen:
                call = {**call, "id": f"call_{uuid.uuid4().hex[:24]}"}
            seen.add(call["id"])
            fixed.append(call)
        return fixed

    tool_calls, invalid = fix(message.tool_calls), fix(message.invalid_tool_calls)
    if tool_calls == message.tool_calls and invalid == message.invalid_tool_calls:
        return message
    return message.model_copy(update={"tool_calls": tool_calls, "invalid_tool_calls": invalid})


def answer(call: dict[str, Any], outcome: Outcome) -> ToolMessage:
    return outcome.message({"id": call.get("id"), "name": call.get("name") or "", "args": {}})

"""A real BaseChatModel that replays scripted replies: for tests and benchmarks, where the graph
must be exercised without a language model's latency or randomness.

A reply is an AIMessage, a string, an exception to raise (a model fault), or a function of the
messages the model is given (so concurrent conversations can share one stateless script).
Streaming yields the text word by word, then the tool calls, then usage metadata, like an
OpenAI-compatible endpoint does."""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage
from pydantic import PrivateAttr

from agent.models.local import LocalChatModel, estimate_tokens

Reply = AIMessage | str | BaseException | Callable[[list[BaseMessage]], "AIMessage | str"]


def reply(text: str = "", *calls: tuple[str, dict[str, Any]] | dict[str, Any]) -> AIMessage:
    """An AIMessage with text and tool calls given as (name, args) or full call dicts."""
    tool_calls = []
    for call in calls:
        if isinstance(call, tuple):
            name, args = call
            call = {"name": name, "args": args}
        tool_calls.append(
            {"name": call["name"], "args": call.get("args", {}), "id": call.get("id") or _call_id()}
        )
    return AIMessage(content=text, tool_calls=tool_calls)


def from_json(item: dict[str, Any]) -> Reply:
    """A reply from JSON, so a script can cross a process boundary: {"content", "tool_calls":
    [{"name", "args", "id"}]}, {"raise": message, "kind": "timeout"|...}, or {"exit": code}
    (the process dies on the spot, as if killed: for crash tests)."""
    if "exit" in item:
        return lambda _messages: os._exit(int(item["exit"]))
    if "raise" in item:
        return (
            TimeoutError(item["raise"])
            if item.get("kind") == "timeout"
            else RuntimeError(item["raise"])
        )
    return reply(item.get("content", ""), *item.get("tool_calls", []))


def _call_id() -> str:
    return f"call_{uuid.uuid4().hex[:24]}"


class ScriptedChatModel(LocalChatModel):
    replies: list[Any] = []
    # Used once `replies` is exhausted (or alone): a function of the messages.
    responder: Callable[[list[BaseMessage]], Any] | None = None
    label: str = "scripted"

    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)
    _position: int = PrivateAttr(default=0)
    _seen: list[list[BaseMessage]] = PrivateAttr(default_factory=list)
    _tool_names: list[str] = PrivateAttr(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return self.label

    @property
    def calls(self) -> list[list[BaseMessage]]:
        """The messages of every call so far (for assertions)."""
        return list(self._seen)

    @property
    def tool_names(self) -> list[str]:
        return list(self._tool_names)

    @property
    def remaining(self) -> int:
        return len(self.replies) - self._position

    def _tools_bound(self, tools: list[dict[str, Any]]) -> None:
        self._tool_names = [t["function"]["name"] for t in tools]

    def _message(
        self, messages: list[BaseMessage], tools: list[dict[str, Any]] | None
    ) -> AIMessage:
        with self._lock:
            self._seen.append(list(messages))
            if self._position < len(self.replies):
                item = self.replies[self._position]
                self._position += 1
            elif self.responder is not None:
                item = self.responder
            else:
                raise RuntimeError("the scripted model has no reply left")
        if isinstance(item, BaseException):
            raise item
        if callable(item) and not isinstance(item, AIMessage):
            item = item(list(messages))
        message = AIMessage(content=item) if isinstance(item, str) else item
        # A fresh id per reply: the graph's add_messages would merge replies sharing an id.
        message = message.model_copy(update={"id": None})
        if message.usage_metadata is None:
            prompt = sum(len(str(m.content)) for m in messages)
            out = estimate_tokens(str(message.content)) + 20 * len(message.tool_calls)
            message.usage_metadata = {
                "input_tokens": estimate_tokens("x" * prompt),
                "output_tokens": out,
                "total_tokens": estimate_tokens("x" * prompt) + out,
            }
        return message

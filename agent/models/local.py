"""The part of a chat model that runs in this process (the built-in model, the scripted test
model): tools bound as OpenAI tool schemas, and one reply per call, streamed word by word
followed by a last chunk that carries the tool calls and the metadata. A subclass says only
what it replies (`_message`)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.messages.tool import tool_call_chunk
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.utils.function_calling import convert_to_openai_tool


def estimate_tokens(text: str) -> int:
    """About four characters a token: what the usage figures of a local model count."""
    return max(1, len(text) // 4)


class LocalChatModel(BaseChatModel):
    def _message(
        self, messages: list[BaseMessage], tools: list[dict[str, Any]] | None
    ) -> AIMessage:
        """The reply to the conversation, given the bound tools' schemas (None: none bound)."""
        raise NotImplementedError

    def _tools_bound(self, tools: list[dict[str, Any]]) -> None:
        """Called with the schemas of the tools bound (a subclass may note them)."""

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | Any],
        *,
        tool_choice: str | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        formatted = [convert_to_openai_tool(t) for t in tools]
        self._tools_bound(formatted)
        return self.bind(tools=formatted, **kwargs)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        message = self._message(messages, kwargs.get("tools"))
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        message = self._message(messages, kwargs.get("tools"))
        text = message.content if isinstance(message.content, str) else ""
        for token in re.split(r"(?<=\s)", text):
            if token:
                chunk = ChatGenerationChunk(message=AIMessageChunk(content=token))
                if run_manager:
                    run_manager.on_llm_new_token(token, chunk=chunk)
                yield chunk
        calls = [
            tool_call_chunk(name=c["name"], args=json.dumps(c["args"]), id=c["id"], index=i)
            for i, c in enumerate(message.tool_calls)
        ] + [
            # Kept as they came (a test's malformed call), past the valid ones' indexes.
            tool_call_chunk(name=c.get("name"), args=c.get("args"), id=c.get("id"), index=i + 100)
            for i, c in enumerate(message.invalid_tool_calls)
        ]
        yield ChatGenerationChunk(
            message=AIMessageChunk(
                content="",
                tool_call_chunks=calls,
                additional_kwargs=message.additional_kwargs,
                usage_metadata=message.usage_metadata,
                response_metadata=message.response_metadata,
                chunk_position="last",
            )
        )

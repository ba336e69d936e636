"""The built-in offline chat model: a real `BaseChatModel` with tool calling, deterministic,
no network and no key. It reads the conversation, tool results included, and decides its
next step with the dialogue policy in planner.py."""

from __future__ import annotations

import hashlib
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

from agent.models.builtin.dates import warm_up
from agent.models.builtin.planner import decide
from agent.models.builtin.transcript import MEMORY_KEY, read

MODEL_NAME = "skydesk-builtin-1"


def _tokens(text: str) -> int:
    return max(1, len(text) // 4)


class BuiltinChatModel(BaseChatModel):
    """Offline support-conversation model; `bind_tools` restricts it to the tools given."""

    model_name: str = MODEL_NAME

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        warm_up()

    @property
    def _llm_type(self) -> str:
        return "skydesk-builtin"

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | Any],
        *,
        tool_choice: str | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        formatted = [convert_to_openai_tool(t) for t in tools]
        return self.bind(tools=formatted, **kwargs)

    def _reply(self, messages: list[BaseMessage], tools: list[dict[str, Any]] | None) -> AIMessage:
        allowed = {t["function"]["name"] for t in tools or []}
        decision = decide(read(messages))
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
        text = decision.text
        prompt = sum(_tokens(str(m.content)) for m in messages)
        out = _tokens(text) + 20 * len(tool_calls)
        return AIMessage(
            content=text,
            tool_calls=tool_calls,
            additional_kwargs={MEMORY_KEY: decision.memory()},
            usage_metadata={
                "input_tokens": prompt,
                "output_tokens": out,
                "total_tokens": prompt + out,
            },
            response_metadata={"model_name": MODEL_NAME},
        )

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return ChatResult(
            generations=[ChatGeneration(message=self._reply(messages, kwargs.get("tools")))]
        )

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        message = self._reply(messages, kwargs.get("tools"))
        text = str(message.content)
        for token in re.split(r"(?<=\s)", text):
            if token:
                chunk = ChatGenerationChunk(message=AIMessageChunk(content=token))
                if run_manager:
                    run_manager.on_llm_new_token(token, chunk=chunk)
                yield chunk
        calls = [
            tool_call_chunk(name=c["name"], args=json.dumps(c["args"]), id=c["id"], index=i)
            for i, c in enumerate(message.tool_calls)
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

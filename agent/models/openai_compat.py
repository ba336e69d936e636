"""ChatOpenAI for OpenAI, Azure's OpenAI-compatible endpoint, vLLM, Ollama and the like."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from langchain_core.messages import AIMessageChunk
from langchain_core.outputs import ChatGenerationChunk
from langchain_openai import ChatOpenAI
from pydantic import SecretStr

from agent.models.shared import INCOMPLETE_CALLS, ModelUnavailable
from config import Settings

# Local servers (vLLM, Ollama) accept any key, but the client insists on one.
PLACEHOLDER_KEY = "not-needed"


class StrictToolCallsChatOpenAI(ChatOpenAI):
    """ChatOpenAI that says which streamed tool calls had broken arguments.

    Merging a stream's chunks, LangChain parses each call's arguments with a forgiving partial
    JSON parser, so a call cut off mid-stream ('{"new_flight_ids": [12') comes out as a valid
    call the model never finished ([12]). Only here is the raw text still at hand: every call
    whose complete argument text is not a JSON object is named in the last chunk's metadata."""

    def _stream(self, *args: Any, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        raw: dict[int, str] = {}
        ids: dict[int, str] = {}
        for chunk in super()._stream(*args, **kwargs):
            if isinstance(chunk.message, AIMessageChunk):
                for piece in chunk.message.tool_call_chunks:
                    index = piece.get("index") or 0
                    raw[index] = raw.get(index, "") + (piece.get("args") or "")
                    if piece_id := piece.get("id"):
                        ids[index] = piece_id
            yield chunk
        broken = [ids[i] for i, text in raw.items() if i in ids and not _json_object(text)]
        if broken:
            note = AIMessageChunk(content="", response_metadata={INCOMPLETE_CALLS: broken})
            yield ChatGenerationChunk(message=note)


def _json_object(text: str) -> bool:
    if not text.strip():
        return True  # no arguments at all: a call of a tool that takes none
    try:
        return isinstance(json.loads(text), dict)
    except ValueError:
        return False


def openai_chat_model(settings: Settings) -> ChatOpenAI:
    key = settings.openai_api_key
    if key is None and not settings.openai_base_url:
        raise ModelUnavailable(
            "SKYDESK_MODEL_PROVIDER=openai needs SKYDESK_OPENAI_API_KEY (or "
            "SKYDESK_OPENAI_BASE_URL for a local OpenAI-compatible server)."
        )
    return StrictToolCallsChatOpenAI(
        model=settings.openai_model,
        base_url=settings.openai_base_url,
        api_key=key or SecretStr(PLACEHOLDER_KEY),
        timeout=settings.openai_timeout_s,
        # The client retries timeouts, connection errors, 429 and 5xx with backoff.
        max_retries=settings.openai_max_retries,
        # Off by default for custom base URLs; every turn records its token usage.
        stream_usage=True,
    )

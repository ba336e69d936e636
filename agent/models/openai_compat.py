"""ChatOpenAI for OpenAI, Azure's OpenAI-compatible endpoint, vLLM, Ollama and the like."""

from __future__ import annotations

from langchain_openai import ChatOpenAI
from pydantic import SecretStr

from config import Settings

# Local servers (vLLM, Ollama) accept any key, but the client insists on one.
PLACEHOLDER_KEY = "not-needed"


def openai_chat_model(settings: Settings) -> ChatOpenAI:
    key = settings.openai_api_key
    if key is None and not settings.openai_base_url:
        from agent.models import ModelUnavailable

        raise ModelUnavailable(
            "SKYDESK_MODEL_PROVIDER=openai needs SKYDESK_OPENAI_API_KEY (or "
            "SKYDESK_OPENAI_BASE_URL for a local OpenAI-compatible server)."
        )
    return ChatOpenAI(
        model=settings.openai_model,
        base_url=settings.openai_base_url,
        api_key=key or SecretStr(PLACEHOLDER_KEY),
        timeout=settings.openai_timeout_s,
        # The client retries timeouts, connection errors, 429 and 5xx with backoff.
        max_retries=settings.openai_max_retries,
        # Off by default for custom base URLs; every turn records its token usage.
        stream_usage=True,
    )

"""Chat models behind one interface, chosen by `Settings.model_provider`.

- `openai`: ChatOpenAI on any OpenAI-compatible endpoint (agent/models/openai_compat.py).
- `builtin`: the offline model, a package of its own (agent/models/builtin/).
- `ScriptedChatModel` (agent/models/scripted.py) replays scripted replies for tests/benchmarks.
"""

from __future__ import annotations

from typing import Any

from langchain_core.language_models import BaseChatModel

from agent.models.shared import INCOMPLETE_CALLS, ModelUnavailable
from config import Settings

__all__ = ["INCOMPLETE_CALLS", "ModelUnavailable", "make_chat_model"]


def make_chat_model(settings: Settings) -> BaseChatModel:
    if settings.model_provider == "openai":
        from agent.models.openai_compat import openai_chat_model

        return openai_chat_model(settings)
    if settings.model_provider == "builtin":
        from agent.models.builtin import BuiltinChatModel

        return BuiltinChatModel()
    raise ModelUnavailable(f"Unknown model provider {settings.model_provider!r}.")


def model_name(model: BaseChatModel) -> str:
    """What a turn records as its model: the endpoint's model name, else the model's type."""
    for attribute in ("model_name", "model"):
        value = getattr(model, attribute, None)
        if isinstance(value, str) and value:
            return value[:60]
    return model._llm_type[:60]


def explain_failure(err: BaseException) -> tuple[str, str]:
    """(kind, sentence for the user) for a model call that failed after its retries."""
    status = getattr(err, "status_code", None)
    name = type(err).__name__
    if "Timeout" in name or isinstance(err, TimeoutError):
        kind, what = "model_timeout", "the language model did not answer in time"
    elif isinstance(status, int):
        kind, what = f"model_http_{status}", f"the language model service failed (HTTP {status})"
    elif "Connection" in name:
        kind, what = "model_unreachable", "the language model service could not be reached"
    else:
        kind, what = "model_error", f"the language model failed ({name})"
    return kind, (
        f"I'm sorry, {what}, so I could not finish this reply. Nothing else was changed; "
        "please send your message again in a moment."
    )


def usage(message: Any) -> tuple[int, int]:
    """(input tokens, output tokens) reported with a model message, 0 when not reported."""
    meta = getattr(message, "usage_metadata", None) or {}
    return int(meta.get("input_tokens") or 0), int(meta.get("output_tokens") or 0)

"""The assistant behind the Chat page, built once per process (ui/resources.py style), and the
model picker that chooses which one a session talks to.

One Assistant per model provider and setting it is built from: the app's database (its session
factory), the demo clock, the checkpointer on the same database, and the process's chat rate
limiter from ui.resources (so every assistant of the process, and with Redis every replica,
counts a user's messages together; from_settings would give each assistant counters of its own).
The runtime applies that limiter, and validates each message, inside chat.send()."""

from __future__ import annotations

import importlib
import threading
from typing import TYPE_CHECKING

import streamlit as st

from config import Settings
from ui import resources
from ui.components import BUILTIN, MODEL_KEY, OPENAI, model_label

if TYPE_CHECKING:
    from agent.runtime import Assistant


def available_models(settings: Settings) -> list[str]:
    """The built-in model always; an OpenAI-compatible endpoint only once one is configured."""
    openai_configured = bool(settings.openai_base_url or settings.openai_api_key)
    return [BUILTIN, OPENAI] if openai_configured else [BUILTIN]


def _close(assistant: Assistant) -> None:
    assistant.close()


@st.cache_resource(max_entries=4, on_release=_close, show_spinner=False)
def _assistant(
    provider: str,
    database_url: str,  # noqa: ARG001
    demo_now: str | None,  # noqa: ARG001
    chat_rate: str,  # noqa: ARG001
    limiter_uri: str,  # noqa: ARG001
    openai_key: tuple[str, str | None, bool],  # noqa: ARG001
    _settings: Settings,
) -> Assistant:
    # The arguments are the cache key (the settings the assistant is built from); `_settings`
    # itself is not hashed.
    from agent.runtime import Assistant

    assistant = Assistant.from_settings(
        _settings.model_copy(update={"model_provider": provider}),
        session_factory=resources.session_factory(),
        clock=resources.clock(),
    )
    assistant.rate_limiter = resources.chat_limiter()
    return assistant


def assistant(provider: str) -> Assistant:
    s = resources.settings()
    return _assistant(
        provider,
        s.database_url,
        s.demo_now.isoformat() if s.demo_now else None,
        s.chat_rate_limit,
        s.redis_url or "memory://",
        (s.openai_model, s.openai_base_url, s.openai_api_key is not None),
        s,
    )


def model_picker() -> str:
    """The model this session's chat uses: "builtin" (the default) or "openai" when an
    endpoint is configured. Drawn where it is called (the page header)."""
    s = resources.settings()
    options = available_models(s)
    default = s.model_provider if s.model_provider in options else BUILTIN
    if st.session_state.get(MODEL_KEY) not in options:
        st.session_state[MODEL_KEY] = default
    hint = (
        "The built-in model runs offline. An OpenAI-compatible model can be chosen once "
        "SKYDESK_OPENAI_BASE_URL or SKYDESK_OPENAI_API_KEY is configured."
        if len(options) == 1
        else "Used for the next message; nothing changes until you say so."
    )
    return str(
        st.selectbox(
            "Model",
            options,
            format_func=lambda p: model_label(p, s),
            key=MODEL_KEY,
            help=hint,
            disabled=len(options) == 1,
        )
    )


# Modules the first conversation needs: LangGraph, LangChain, the checkpointers and the built-in
# model take ~3 s to import. The Chat page's first render does without them (no conversation
# is open yet), then warm_up loads them in the background while the person picks a passenger.
WARM_MODULES = ("agent.runtime", "agent.models.builtin")
_warm_lock = threading.Lock()
_warm_started = False


def _import_all() -> None:
    for name in WARM_MODULES:
        try:
            importlib.import_module(name)
        except Exception:  # the page will import it again and show what is wrong
            return


def warm_up() -> None:
    """Once per process, after the page is drawn: import the assistant's modules in a
    background thread (imports are thread-safe; a run that needs them first simply waits)."""
    global _warm_started
    with _warm_lock:
        if _warm_started:
            return
        _warm_started = True
    threading.Thread(target=_import_all, name="skydesk-warm-up", daemon=True).start()

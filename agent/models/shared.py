"""What the model adapters and their callers share. Kept apart from agent.models, which builds the
adapters, so an adapter can use it without importing its own builder (no import cycle)."""

from __future__ import annotations

# response_metadata key: ids of streamed tool calls whose arguments were not complete JSON
# (set by openai_compat, refused by agent.toolcalls.screen_calls).
INCOMPLETE_CALLS = "skydesk_incomplete_calls"


class ModelUnavailable(RuntimeError):
    """The configured model cannot be built; the message says what to configure."""

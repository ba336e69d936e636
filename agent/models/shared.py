"""What the model adapters and their callers share. Kept apart from agent.models, which builds the
adapters, so an adapter can use it without importing its own builder (no import cycle)."""

from __future__ import annotations

from enum import StrEnum

# response_metadata key: ids of streamed tool calls whose arguments were not complete JSON
# (set by openai_compat, refused by agent.toolcalls.screen_calls).
INCOMPLETE_CALLS = "skydesk_incomplete_calls"


class ModelUnavailable(RuntimeError):
    """The configured model cannot be built; the message says what to configure."""


class ToolStatus(StrEnum):
    """How a tool call ended: the graph writes it on every ToolMessage it makes (in
    `response_metadata[TOOL_STATUS]`, with the rule or error code in `[TOOL_RULE]`), and a model
    reads it there instead of parsing the text."""

    OK = "ok"
    REFUSED = "refused"  # a policy rule said no (the rule code is in TOOL_RULE)
    ERROR = "error"  # the call failed or was cut off; nothing was changed
    INVALID = "invalid"  # the call's name or arguments were wrong
    DENIED = "denied"  # the support agent denied the approval card
    ALREADY_DONE = "already_done"  # the same approved write ran before


TOOL_STATUS = "skydesk_status"
TOOL_RULE = "rule"
# The rule or error code of a call cut off before it ran (agent.nodes.CUT_OFF).
INTERRUPTED = "interrupted"
# response_metadata key: the name of the rule behind a reply (the built-in model's rules.py),
# carried to the AssistantMessage event and so into the evaluation JSON's transcript.
DECIDED_BY = "skydesk_decided_by"

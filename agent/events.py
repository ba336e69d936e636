"""What the runtime reports while a turn runs, and how the history reads back. Plain
dataclasses: the UI, evaluations and benchmarks all consume them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from agent.approvals import ApprovalRequest


@dataclass(frozen=True)
class TokenChunk:
    """A piece of the assistant's answer while the model streams it; the whole text follows as
    an AssistantMessage once the model is done."""

    text: str


@dataclass(frozen=True)
class ToolStarted:
    """The model called a tool (a write call waits for approval before it runs)."""

    call_id: str
    name: str
    args: dict[str, Any]


@dataclass(frozen=True)
class ToolFinished:
    """A tool call was answered: ok, refused (with the rule), error, invalid, denied,
    already_done."""

    call_id: str
    name: str
    status: str
    content: str
    rule: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"


@dataclass(frozen=True)
class ApprovalRequested:
    """A write waits for the support agent: approve or deny `request.approval_id`."""

    request: ApprovalRequest


@dataclass(frozen=True)
class AssistantMessage:
    text: str
    # The model's own note of why it answered so (the built-in model's selection rule,
    # agent.models.shared.DECIDED_BY); None for a model that gives none.
    decided_by: str | None = None


@dataclass(frozen=True)
class ErrorEvent:
    """Something went wrong or was refused before the assistant could answer normally.
    kind: invalid_input, rate_limited, permission_denied, approval_pending, approval_not_pending,
    approval_already_decided, model_timeout, model_http_<status>, model_unreachable,
    model_error, invalid_calls, too_many_steps, a refusal's code, and for faults (agent/faults.py)
    service_unavailable (the database) or internal_error: their message is a sentence and a
    reference to the server log, never the exception's text."""

    kind: str
    message: str


@dataclass(frozen=True)
class PassedToPerson:
    """A person at the support desk holds the conversation: the message was stored for them
    (services.support.handoff) and the assistant did not answer."""

    message_id: int
    held_by: str | None


Event = (
    TokenChunk
    | ToolStarted
    | ToolFinished
    | ApprovalRequested
    | AssistantMessage
    | ErrorEvent
    | PassedToPerson
)


@dataclass(frozen=True)
class HistoryItem:
    role: Literal["user", "assistant", "tool"]
    text: str
    tool_name: str | None = None
    status: str | None = None  # tool messages: as in ToolFinished
    tool_calls: tuple[str, ...] = field(default=())  # assistant messages: tools called

"""Play one case's turns through the runtime API, as the support agent in the UI would: send
each user turn, answer every approval request as the case says, consume every event."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from agent.events import (
    ApprovalRequested,
    AssistantMessage,
    ErrorEvent,
    Event,
    TokenChunk,
    ToolStarted,
)
from agent.runtime import Assistant, Chat
from evals.cases_format import Case
from evals.writes import rules_of
from services.core.context import Actor

DENY_REASON = "denied by evaluation"
# A model that asks for approval again after every answer would loop forever.
MAX_APPROVALS_PER_TURN = 10


@dataclass
class Played:
    tools: list[str] = field(default_factory=list)  # ToolStarted names: denied writes too
    replies: list[str] = field(default_factory=list)  # AssistantMessage texts only
    transcript: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    # per user turn: {"turn": 1, "user": text, "rules": [...]}, the rules the model recorded
    # on its decisions in that turn and the approvals answered after it (evals/writes.py)
    rules: list[dict[str, Any]] = field(default_factory=list)


def event_dict(event: Event) -> dict[str, Any]:
    """An event as plain JSON, its type in snake case (tool_started, approval_requested...)."""
    name = type(event).__name__
    kind = "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")
    if isinstance(event, ApprovalRequested):
        return {"type": kind, "request": event.request.model_dump(mode="json")}
    return {"type": kind, **dataclasses.asdict(event)}


def _consume(events: Iterable[Event], played: Played) -> None:
    for event in events:
        if isinstance(event, TokenChunk):
            continue  # the AssistantMessage that follows holds the whole text
        played.transcript.append(event_dict(event))
        if isinstance(event, ToolStarted):
            played.tools.append(event.name)
        elif isinstance(event, AssistantMessage):
            played.replies.append(event.text)
        elif isinstance(event, ErrorEvent):
            played.errors.append(f"{event.kind}: {event.message}")


def _messages(chat: Chat) -> list[Any]:
    """The conversation's messages as checkpointed (the model's, with what it recorded)."""
    values = chat.assistant.graph.get_state(chat.config).values
    return list(values.get("messages", []))


def play(assistant: Assistant, actor: Actor, passenger_id: int, case: Case) -> Played:
    played = Played()
    chat = assistant.start(actor, passenger_id, title=f"evaluation {case.id}")
    seen = 0
    for number, turn in enumerate(case.turns, start=1):
        played.transcript.append({"type": "user", "text": turn})
        finished = _play_turn(chat, turn, case, played)
        messages = _messages(chat)
        played.rules.append({"turn": number, "user": turn, "rules": rules_of(messages[seen:])})
        seen = len(messages)
        if not finished:
            break
    return played


def _play_turn(chat: Chat, turn: str, case: Case, played: Played) -> bool:
    """Send one turn, then answer every approval request it raises, as the case says; False
    when the model kept asking for approval (the case stops there)."""
    _consume(chat.send(turn), played)
    answered = 0
    while (request := chat.pending_approval()) is not None:
        if answered == MAX_APPROVALS_PER_TURN:
            played.errors.append(
                f"approval loop: more than {MAX_APPROVALS_PER_TURN} approval requests after "
                f"turn {turn!r}"
            )
            return False
        answered += 1
        approve = case.approvals == "approve"
        played.transcript.append(
            {
                "type": "decision",
                "approval_id": request.approval_id,
                "tool": request.tool,
                "approved": approve,
                "reason": None if approve else DENY_REASON,
            }
        )
        events = (
            chat.approve(request.approval_id)
            if approve
            else chat.deny(request.approval_id, DENY_REASON)
        )
        _consume(events, played)
    return True

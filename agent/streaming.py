"""From LangGraph's stream to the runtime's events: tokens from the model node ("messages"
mode), tool calls, tool answers and approval requests from the nodes' updates ("updates" mode).
The translator also notes what the turn record needs: calls and their outcome, token usage,
errors."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
    ToolMessage,
)

from agent.approvals import ApprovalRequest
from agent.events import (
    ApprovalRequested,
    AssistantMessage,
    ErrorEvent,
    Event,
    HistoryItem,
    TokenChunk,
    ToolFinished,
    ToolStarted,
)
from agent.models import usage
from agent.models.shared import DECIDED_BY
from agent.records import TurnLog
from db.models import EscalationReason
from services.support.waiting import AWAITING_APPROVAL
from services.text.user_text import clean_value


class Translator:
    def __init__(self, turn: TurnLog, on_escalated: Callable[[str], None]) -> None:
        self.turn = turn
        self.on_escalated = on_escalated
        self.args: dict[str, Any] = {}  # call id -> arguments, for the calls answered here

    def expect(self, request: ApprovalRequest, approved: bool) -> None:
        """A resolution's run answers a call made in an earlier run: note its arguments."""
        self.args[request.tool_call_id] = request.args
        status = "approved" if approved else "denied"
        self.turn.call(request.tool_call_id, request.tool, request.args, status)

    def __call__(self, mode: str, data: Any) -> Iterator[Event]:
        if mode == "messages":
            chunk, meta = data
            if isinstance(chunk, AIMessageChunk) and meta.get("langgraph_node") == "agent":
                yield from ([TokenChunk(chunk.text)] if chunk.text else [])
            return
        for node, update in data.items():
            if node == "__interrupt__":
                for item in update:
                    request = ApprovalRequest.model_validate(item.value)
                    self.turn.status(request.tool_call_id, request.tool, AWAITING_APPROVAL)
                    yield ApprovalRequested(request)
                continue
            for message in (update or {}).get("messages", []):
                self.turn.transcript.extend(history_items([message]))
                if isinstance(message, AIMessage):
                    yield from self._model_message(message)
                elif isinstance(message, ToolMessage):
                    yield self._tool_message(message)

    def _model_message(self, message: AIMessage) -> Iterator[Event]:
        tokens_in, tokens_out = usage(message)
        self.turn.tokens_in += tokens_in
        self.turn.tokens_out += tokens_out
        for call in [*message.tool_calls, *message.invalid_tool_calls]:
            call_id, name = call["id"] or "", call.get("name") or ""
            # What the turn record and the page show: without invisible characters, like the
            # arguments the tool itself gets (toolcalls.validate_args).
            args = clean_value(call.get("args"))
            self.args[call_id] = args
            self.turn.call(call_id, name, args, "called")
            yield ToolStarted(
                call_id, name, dict(args) if isinstance(args, dict) else {"raw": args}
            )
        if error := message.response_metadata.get("skydesk_error"):
            self.turn.error = error
            yield ErrorEvent(error, message.text)
        if message.text:
            yield AssistantMessage(message.text, message.response_metadata.get(DECIDED_BY))

    def _tool_message(self, message: ToolMessage) -> Event:
        status = message.response_metadata.get("skydesk_status") or "ok"
        name = message.name or ""
        self.turn.status(message.tool_call_id, name, status)
        if name == "escalate_to_human" and status == "ok":
            reason = (self.args.get(message.tool_call_id) or {}).get("reason")
            self.on_escalated(reason or EscalationReason.CUSTOMER_REQUEST.value)
        rule = message.response_metadata.get("rule")
        return ToolFinished(message.tool_call_id, name, status, message.text, rule)


def history_items(messages: list[BaseMessage]) -> list[HistoryItem]:
    items: list[HistoryItem] = []
    for m in messages:
        if isinstance(m, HumanMessage):
            items.append(HistoryItem("user", m.text))
        elif isinstance(m, AIMessage):
            names = tuple(c["name"] for c in m.tool_calls)
            if m.text or names:
                items.append(HistoryItem("assistant", m.text, tool_calls=names))
        elif isinstance(m, ToolMessage):
            status = m.response_metadata.get("skydesk_status")
            items.append(HistoryItem("tool", m.text, tool_name=m.name, status=status))
    return items

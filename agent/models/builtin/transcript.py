"""Reading the conversation the way a model does: the system prompt's facts (today, the
passenger), the user's words, the tool results of the current turn, and the model's own notes
from earlier replies (kept in the reply's `additional_kwargs`, like a reasoning trace)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage

from agent.models.shared import TOOL_RULE, TOOL_STATUS, ToolStatus

MEMORY_KEY = "skydesk_builtin"


@dataclass
class ToolResult:
    """One tool call's answer as the graph wrote it: its status (agent.models.shared.ToolStatus,
    read from the ToolMessage's metadata, never from its text), rule or error code, and text."""

    name: str
    args: dict[str, Any]
    content: str
    call_id: str
    status: ToolStatus = ToolStatus.OK
    code: str | None = None  # the refusal's rule, or the error's code

    @property
    def data(self) -> Any:
        try:
            return json.loads(self.content)
        except (TypeError, ValueError):
            return None

    @property
    def refused(self) -> bool:
        return self.status is ToolStatus.REFUSED

    @property
    def failed(self) -> bool:
        return self.status in (ToolStatus.ERROR, ToolStatus.INVALID, ToolStatus.ALREADY_DONE)

    @property
    def denied(self) -> bool:
        return self.status is ToolStatus.DENIED

    @property
    def ok(self) -> bool:
        return self.status is ToolStatus.OK

    @property
    def rule(self) -> str | None:
        return self.code if self.refused else None

    @property
    def message(self) -> str:
        """The sentence of a refusal or error, without the words that announce its status."""
        return re.sub(r"^[A-Z ]+(\([^)]*\))?:\s*", "", self.content).strip()

    @property
    def results(self) -> list[dict[str, Any]]:
        data = self.data
        if isinstance(data, dict) and isinstance(results := data.get("results"), list):
            return results
        return data if isinstance(data, list) else []


@dataclass
class Transcript:
    today: date
    passenger_name: str
    tier: str | None
    user_text: str  # the latest user message
    memory: dict[str, Any]  # the model's notes from its latest reply
    prior_memory: dict[str, Any] = field(default_factory=dict)  # its notes before this message
    results: list[ToolResult] = field(default_factory=list)  # tool results since the last reply
    turn_results: list[ToolResult] = field(default_factory=list)  # all tool results this turn
    customer: bool = False  # the passenger themselves (agent.prompts.CUSTOMER_NOTE)

    @property
    def first_name(self) -> str:
        return self.passenger_name.split()[0] if self.passenger_name else "the passenger"

    def fresh(self) -> Transcript:
        """The same conversation with this turn's tool results set aside: a follow-up
        request must not mistake the previous request's results for its own."""
        return replace(self, results=[], turn_results=[])

    def result(self, name: str) -> ToolResult | None:
        """The latest result of a tool in this turn."""
        for item in reversed(self.turn_results):
            if item.name == name:
                return item
        return None


# The first words of a customer's system prompt (agent.prompts.CUSTOMER_NOTE).
CUSTOMER_MARK = "Speaking with: the passenger themselves"


def _system_facts(text: str) -> tuple[date, str, str | None]:
    today_match = re.search(r"Today is \w+ (\d{4}-\d{2}-\d{2})", text)
    who = re.search(r"^- (.+?) \(passenger id \d+\), membership tier: (\w+)", text, re.MULTILINE)
    today = date.fromisoformat(today_match.group(1)) if today_match else date.today()
    return today, (who.group(1) if who else ""), (who.group(2) if who else None)


def _status(message: ToolMessage) -> tuple[ToolStatus, str | None]:
    meta = message.response_metadata or {}
    try:
        status = ToolStatus(meta.get(TOOL_STATUS) or "")
    except ValueError:  # not written by this graph: only LangChain's success/error is known
        status = ToolStatus.OK if message.status == "success" else ToolStatus.ERROR
    code = meta.get(TOOL_RULE)
    return status, code if isinstance(code, str) else None


def read(messages: list[BaseMessage]) -> Transcript:
    system = next((m for m in messages if isinstance(m, SystemMessage)), None)
    today, name, tier = _system_facts(str(system.content) if system else "")
    human_positions = [i for i, m in enumerate(messages) if isinstance(m, HumanMessage)]
    last_human = human_positions[-1] if human_positions else -1
    user_texts = [str(messages[i].content) for i in human_positions]
    memory: dict[str, Any] = {}
    calls: dict[str, tuple[str, dict[str, Any]]] = {}
    turn_results: list[ToolResult] = []
    results_since_reply: list[ToolResult] = []
    prior: dict[str, Any] = {}
    for index, message in enumerate(messages):
        if index == last_human:
            prior = dict(memory)
        if isinstance(message, AIMessage):
            memory = dict(message.additional_kwargs.get(MEMORY_KEY) or memory)
            for call in message.tool_calls:
                calls[call["id"] or ""] = (call["name"], call["args"])
            results_since_reply = []
        elif isinstance(message, HumanMessage):
            # A call cut off in an earlier turn is answered (by the graph's repair) before the
            # new message: that answer belongs to the old turn, not to this one.
            results_since_reply = []
        elif isinstance(message, ToolMessage):
            tool, args = calls.get(message.tool_call_id, (message.name or "", {}))
            result = ToolResult(
                tool, args, str(message.content), message.tool_call_id, *_status(message)
            )
            results_since_reply.append(result)
            if index > last_human:
                turn_results.append(result)
    return Transcript(
        today=today,
        passenger_name=name,
        tier=tier,
        user_text=user_texts[-1] if user_texts else "",
        memory=memory,
        prior_memory=prior,
        results=results_since_reply,
        turn_results=turn_results,
        customer=system is not None and str(system.content).startswith(CUSTOMER_MARK),
    )

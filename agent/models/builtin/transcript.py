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

MEMORY_KEY = "skydesk_builtin"


@dataclass
class ToolResult:
    name: str
    args: dict[str, Any]
    content: str
    call_id: str

    @property
    def data(self) -> Any:
        try:
            return json.loads(self.content)
        except (TypeError, ValueError):
            return None

    @property
    def refused(self) -> bool:
        return self.content.startswith("REFUSED")

    @property
    def failed(self) -> bool:
        return self.content.startswith(("ERROR", "INVALID CALL", "NOT EXECUTED"))

    @property
    def denied(self) -> bool:
        return self.content.startswith("DENIED")

    @property
    def ok(self) -> bool:
        return not (self.refused or self.failed or self.denied)

    @property
    def rule(self) -> str | None:
        m = re.match(r"REFUSED \(rule ([\w]+)\)", self.content)
        return m.group(1) if m else None

    @property
    def message(self) -> str:
        """The sentence after the status prefix of a refusal or error."""
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
    results: list[ToolResult] = field(default_factory=list)  # tool results since the last reply
    turn_results: list[ToolResult] = field(default_factory=list)  # all tool results this turn

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


def _system_facts(text: str) -> tuple[date, str, str | None]:
    today_match = re.search(r"Today is \w+ (\d{4}-\d{2}-\d{2})", text)
    who = re.search(r"^- (.+?) \(passenger id \d+\), membership tier: (\w+)", text, re.MULTILINE)
    today = date.fromisoformat(today_match.group(1)) if today_match else date.today()
    return today, (who.group(1) if who else ""), (who.group(2) if who else None)


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
    for index, message in enumerate(messages):
        if isinstance(message, AIMessage):
            memory = dict(message.additional_kwargs.get(MEMORY_KEY) or memory)
            for call in message.tool_calls:
                calls[call["id"] or ""] = (call["name"], call["args"])
            results_since_reply = []
        elif isinstance(message, ToolMessage):
            tool, args = calls.get(message.tool_call_id, (message.name or "", {}))
            result = ToolResult(tool, args, str(message.content), message.tool_call_id)
            results_since_reply.append(result)
            if index > last_human:
                turn_results.append(result)
    return Transcript(
        today=today,
        passenger_name=name,
        tier=tier,
        user_text=user_texts[-1] if user_texts else "",
        memory=memory,
        results=results_since_reply,
        turn_results=turn_results,
    )

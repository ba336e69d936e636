"""The built-in model's working parts shared by every flow: the task it is pursuing, the
decision it returns (a reply and/or tool calls), and the passenger's trips as it read them."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from agent.models.builtin.state import Decision, Task
from agent.models.builtin.transcript import ToolResult, Transcript

__all__ = [
    "Decision",
    "Task",
    "call",
    "plus_days",
    "possessive",
    "results_of",
    "say",
    "search_day",
    "subject",
    "trips_of",
]


def call(name: str, task: Task, text: str = "", **args: Any) -> Decision:
    return Decision(text=text, calls=[(name, args)], task=task)


def say(text: str, task: Task | None = None, options: dict[str, Any] | None = None) -> Decision:
    return Decision(text=text, task=task, options=options)


def trips_of(t: Transcript) -> dict[str, Any] | None:
    result = t.result("get_passenger_trips")
    if result is None or not result.ok:
        return None
    data = result.data
    return data if isinstance(data, dict) else None


def results_of(t: Transcript, name: str) -> list[ToolResult]:
    return [r for r in t.turn_results if r.name == name]


def search_day(task: Task) -> date | None:
    value = task.slots.get("day")
    return date.fromisoformat(value) if value else None


def plus_days(value: str, days: int) -> str:
    return (date.fromisoformat(value[:10]) + timedelta(days=days)).isoformat()


def possessive(t: Transcript, first_person: bool) -> str:
    return "your" if first_person else f"{t.first_name}'s"


def subject(t: Transcript, first_person: bool) -> str:
    return "you" if first_person else t.first_name

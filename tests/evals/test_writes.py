"""evals/writes.py: which tools write, which writes a case did not ask for, and the rules a
model recorded on its decisions (read tolerantly, wherever and however it puts them)."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from agent.tools import TOOLS, WRITE_TOOLS
from evals.cases_format import Expect
from evals.writes import RULE_KEY, WRITE_TOOL_NAMES, decision_rules, rules_of, unrequested_writes


def test_the_write_set_is_the_agents() -> None:
    assert {fn.__name__ for fn, _ in WRITE_TOOLS} == WRITE_TOOL_NAMES
    assert {"cancel_ticket", "change_flight", "escalate_to_human"} <= WRITE_TOOL_NAMES
    assert not WRITE_TOOL_NAMES & {"get_passenger_trips", "quote_cancellation", "search_hotels"}
    assert set(TOOLS) > WRITE_TOOL_NAMES


@pytest.mark.parametrize(
    ("listed", "called", "unrequested"),
    [
        ([], ["get_passenger_trips", "quote_cancellation"], []),  # reads never count
        ([], ["get_passenger_trips", "cancel_ticket"], ["cancel_ticket"]),
        (["cancel_ticket"], ["get_passenger_trips", "cancel_ticket"], []),
        # distinct, in the order first called; a listed write does not excuse another
        (
            ["change_flight"],
            ["cancel_ticket", "change_flight", "book_hotel", "cancel_ticket"],
            ["cancel_ticket", "book_hotel"],
        ),
        (["get_passenger_trips"], ["escalate_to_human"], ["escalate_to_human"]),
    ],
)
def test_unrequested_writes(listed: list[str], called: list[str], unrequested: list[str]) -> None:
    assert unrequested_writes(Expect(tools_called=listed), called) == unrequested


@pytest.mark.parametrize(
    ("where", "value", "rules"),
    [
        ("additional_kwargs", "question_gets_quote", ["question_gets_quote"]),
        ("response_metadata", "cancel_request", ["cancel_request"]),
        ("additional_kwargs", ["shift_dates", "pick_offer"], ["shift_dates", "pick_offer"]),
        ("additional_kwargs", {"name": "confirm_earlier", "score": 0.9}, ["confirm_earlier"]),
        ("additional_kwargs", {"rule": "fallback"}, ["fallback"]),
        ("additional_kwargs", None, []),
        ("additional_kwargs", "", []),
    ],
)
def test_decision_rules_are_read_wherever_the_model_puts_them(
    where: str, value: Any, rules: list[str]
) -> None:
    message = AIMessage(content="", **{where: {RULE_KEY: value, "other": 1}})
    assert decision_rules(message) == rules


def test_messages_without_rules_give_none() -> None:
    assert decision_rules(AIMessage(content="hi")) == []
    assert decision_rules(HumanMessage(content="hi", additional_kwargs={RULE_KEY: "x"})) == []
    messages = [
        HumanMessage("cancel it"),
        AIMessage(content="", additional_kwargs={RULE_KEY: "lookup"}),
        ToolMessage("trips", tool_call_id="1"),
        AIMessage(content="done", response_metadata={RULE_KEY: ["cancel_request"]}),
    ]
    assert rules_of(messages) == ["lookup", "cancel_request"]

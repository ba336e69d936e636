"""What the graph checkpoints per thread (the run context, never stored: agent/context.py)."""

from __future__ import annotations

from typing import Annotated, Any, TypedDict

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages


class AgentState(TypedDict, total=False):
    """Checkpointed per thread, so everything here is plain JSON or a LangChain message."""

    messages: Annotated[list[AnyMessage], add_messages]
    # The user's new message. `load_context` turns it into a HumanMessage, after repairing any
    # tool call a crashed run left unanswered, so the tool messages stay next to their call.
    inbox: str | None
    # The passenger's profile, loaded from the services at the start of every turn.
    passenger: dict[str, Any]
    # Guards for one turn: consecutive tool rounds with invalid calls, model calls so far,
    # and why the turn was stopped early (read by the `give_up` node).
    failed_rounds: int
    model_calls: int
    stop_reason: str | None
    # The approval card of the write waiting for a decision (ApprovalRequest as JSON), priced
    # once by the `preview` node so that resuming `approve` does not price it again.
    card: dict[str, Any] | None

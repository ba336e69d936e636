"""What the graph checkpoints (state) and what each run is given but never stores (context)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, TypedDict

from langchain_core.language_models import LanguageModelInput
from langchain_core.messages import AnyMessage, BaseMessage
from langchain_core.runnables import Runnable
from langgraph.graph.message import add_messages
from sqlalchemy.orm import Session, sessionmaker

from services.clock import Clock
from services.context import Actor, ServiceContext


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


@dataclass(frozen=True)
class AgentContext:
    """LangGraph runtime context (`context_schema`): handed to every run, never checkpointed.

    Identity lives here, set by the runtime from the login and the picked passenger; no tool
    argument can change it. The model is here too, bound to the tools once by the Assistant,
    so the graph's nodes are plain module-level functions that capture nothing."""

    model: Runnable[LanguageModelInput, BaseMessage]
    session_factory: sessionmaker[Session]
    clock: Clock
    actor: Actor
    passenger_id: int
    thread_id: str

    def service_context(self) -> ServiceContext:
        return ServiceContext(
            actor=self.actor,
            passenger_id=self.passenger_id,
            clock=self.clock,
            conversation_id=self.thread_id,
        )

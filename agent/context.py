"""What each graph run is given but never stores (LangGraph's `context_schema`)."""

from __future__ import annotations

from dataclasses import dataclass

from langchain_core.language_models import LanguageModelInput
from langchain_core.messages import BaseMessage
from langchain_core.runnables import Runnable
from sqlalchemy.orm import Session, sessionmaker

from services.core.clock import Clock
from services.core.context import Actor, ServiceContext


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

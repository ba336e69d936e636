"""The one entry point for the UI, evaluations and benchmarks.

    assistant = Assistant.from_settings()                 # or Assistant(...) in tests
    chat = assistant.start(actor, passenger_id)           # or assistant.open(thread_id, actor)
    for event in chat.send("Move my flight to Friday"):   # streams while the turn runs
        ...  # TokenChunk, ToolStarted, ToolFinished, ApprovalRequested, AssistantMessage,
             # PassedToPerson (a person at the desk holds it: no model run),
             # ErrorEvent (agent/events.py)
    request = chat.pending_approval()                     # the card, also after a restart
    events = chat.approve(request.approval_id)            # or chat.deny(approval_id, reason)
    chat.history(); chat.mark_resolved(); chat.mark_escalated("customer_request")

Each send/approve/deny is one graph run and records one Turn row. Iterate its events to the
end: the run happens while you iterate."""

from __future__ import annotations

import logging
import threading
import uuid
import zlib
from collections.abc import Iterator
from typing import Any

from langchain_core.language_models import BaseChatModel
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.types import Command, Interrupt, StreamMode
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from agent.approvals import ApprovalRequest, Decision, decision_details
from agent.checkpoint import Checkpointer, open_checkpointer
from agent.checkpoint_crypto import checkpoint_serde
from agent.checkpoint_store import has_pending_interrupt, prune_thread
from agent.context import AgentContext
from agent.events import ErrorEvent, Event, HistoryItem, PassedToPerson
from agent.faults import guarded, streaming
from agent.graph import build_graph
from agent.models import make_chat_model, model_name
from agent.records import TurnLog, create_conversation, expired_transcript, set_status
from agent.streaming import Translator, history_items
from agent.tools import MODEL_TOOLS
from config import Settings, get_settings
from db.engine import make_engine, make_session_factory
from db.models import Conversation, ConversationStatus, EscalationReason, Role
from observability import metrics
from services.core import approvals, faults
from services.core.access import current_passenger
from services.core.clock import Clock, FixedClock, SystemClock
from services.core.context import Actor, ServiceContext
from services.core.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    NotFound,
    PolicyViolation,
    Rule,
)
from services.core.ratelimit import RateLimiter, chat_limiter
from services.core.validation import check_chat_message
from services.support import handoff

log = logging.getLogger(__name__)
CHAT_ROLES = frozenset({Role.AGENT, Role.ADMIN, Role.CUSTOMER})
STREAM_MODES: list[StreamMode] = ["messages", "updates"]
RECURSION_LIMIT = 80  # graph steps per run; the graph itself stops a turn after 12 model calls


class Assistant:
    """Owns the compiled graph (model + checkpointer); hands out Chats."""

    def __init__(
        self,
        *,
        session_factory: sessionmaker[Session],
        model: BaseChatModel,
        checkpointer: Checkpointer | BaseCheckpointSaver[Any],
        clock: Clock | None = None,
        model_label: str | None = None,
        rate_limiter: RateLimiter | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.model = model
        self.clock = clock or SystemClock()
        self.model_label = model_label or model_name(model)
        self.rate_limiter = rate_limiter
        # What from_settings opened for this assistant, closed by close(); a checkpointer or
        # engine handed in belongs to the caller.
        self._owned: Checkpointer | None = None
        self._engine: Engine | None = None
        saver = checkpointer.saver if isinstance(checkpointer, Checkpointer) else checkpointer
        self.saver = saver
        # Bound once here, handed to every run in its context (AgentContext.model).
        self.bound_model = model.bind_tools(MODEL_TOOLS)
        self.graph = build_graph(saver)
        # Striped locks: one run at a time per thread in this process (a double click waits,
        # then finds the approval resolved). Across processes ctx.once() keeps writes single.
        self._locks = [threading.RLock() for _ in range(256)]

    @classmethod
    def from_settings(
        cls,
        settings: Settings | None = None,
        *,
        session_factory: sessionmaker[Session] | None = None,
        model: BaseChatModel | None = None,
        clock: Clock | None = None,
    ) -> Assistant:
        settings = settings or get_settings()
        engine = None  # only an engine made here is the assistant's to dispose of
        factory = session_factory
        if factory is None:
            engine = make_engine(settings.database_url)
            factory = make_session_factory(engine)
        if clock is None:
            clock = FixedClock(settings.demo_now) if settings.demo_now else SystemClock()
        checkpointer = open_checkpointer(settings.database_url, serde=checkpoint_serde(settings))
        assistant = cls(
            session_factory=factory,
            model=model or make_chat_model(settings),
            checkpointer=checkpointer,
            clock=clock,
            rate_limiter=chat_limiter(settings),
        )
        assistant._owned, assistant._engine = checkpointer, engine
        return assistant

    def close(self) -> None:
        """Closes what this assistant opened (the checkpointer's connection or pool)."""
        if self._owned is not None:
            self._owned.close()
        if self._engine is not None:
            self._engine.dispose()

    def lock(self, thread_id: str) -> threading.RLock:
        return self._locks[zlib.crc32(thread_id.encode()) % len(self._locks)]

    @guarded
    def start(self, actor: Actor, passenger_id: int, *, title: str = "") -> Chat:
        """A new conversation for the passenger the actor serves (a customer: their own)."""
        if actor.role not in CHAT_ROLES:
            raise PolicyViolation(Rule.PERMISSION, f"A {actor.role.value} account cannot chat.")
        with self.session_factory() as session:
            current_passenger(session, ServiceContext(actor=actor, passenger_id=passenger_id))
        thread_id = uuid.uuid4().hex
        create_conversation(
            self.session_factory,
            thread_id=thread_id,
            actor=actor,
            passenger_id=passenger_id,
            model=self.model_label,
            now=self.clock.now(),
            title=title,
        )
        return Chat(self, thread_id, actor, passenger_id)

    @guarded
    def open(self, thread_id: str, actor: Actor) -> Chat:
        """An existing conversation, in this process or any other (the state is in the
        checkpointer); the passenger is the conversation's, never the caller's choice."""
        with self.session_factory() as session:
            conversation = session.get(Conversation, thread_id)
        if conversation is None or conversation.passenger_id is None:
            raise NotFound(f"There is no conversation {thread_id}.")
        if actor.role == Role.CUSTOMER and actor.passenger_id != conversation.passenger_id:
            raise PolicyViolation(Rule.PERMISSION, "A customer can open only their own chats.")
        return Chat(self, thread_id, actor, conversation.passenger_id)


class Chat:
    """One conversation (thread) as seen by one actor."""

    def __init__(self, assistant: Assistant, thread_id: str, actor: Actor, passenger_id: int):
        self.assistant = assistant
        self.thread_id = thread_id
        self.actor = actor
        self.passenger_id = passenger_id
        self.config: Any = {
            "configurable": {"thread_id": thread_id},
            "recursion_limit": RECURSION_LIMIT,
        }

    @property
    def context(self) -> AgentContext:
        a = self.assistant
        return AgentContext(
            model=a.bound_model,
            session_factory=a.session_factory,
            clock=a.clock,
            actor=self.actor,
            passenger_id=self.passenger_id,
            thread_id=self.thread_id,
        )

    # ---- reading -------------------------------------------------------------------------
    def _pending(self) -> tuple[Interrupt, ApprovalRequest] | None:
        # The rows say whether a card waits; loading the state (the whole transcript, a cost
        # that grows with the conversation) is needed only to read one.
        if has_pending_interrupt(self.assistant.saver, self.thread_id) is False:
            return None
        for item in self.assistant.graph.get_state(self.config).interrupts:
            return item, ApprovalRequest.model_validate(item.value)
        return None

    @guarded
    def pending_approval(self) -> ApprovalRequest | None:
        pending = self._pending()
        return pending[1] if pending else None

    @guarded
    def history(self) -> list[HistoryItem]:
        """From the checkpoint, after what retention deleted from it (kept on the turns)."""
        messages = self.assistant.graph.get_state(self.config).values.get("messages", [])
        earlier = expired_transcript(self.assistant.session_factory, self.thread_id)
        return [*earlier, *history_items(messages)]

    @property
    @guarded
    def status(self) -> ConversationStatus:
        with self.assistant.session_factory() as session:
            conversation = session.get(Conversation, self.thread_id)
            assert conversation is not None
            return conversation.status

    @guarded
    def mark_resolved(self) -> None:
        set_status(
            self.assistant.session_factory,
            self.thread_id,
            ConversationStatus.RESOLVED,
            self.assistant.clock.now(),
        )

    @guarded
    def mark_escalated(self, reason: EscalationReason | str) -> None:
        """Escalated, and waiting in the desk's Queue for a person (one audited write)."""
        with self.assistant.session_factory() as session:
            handoff.request_person(session, self.context.service_context(), reason=reason)

    def _on_escalated(self, reason: str) -> None:
        # Called mid-run by the translator: a refusal here must not end the assistant's answer.
        try:
            self.mark_escalated(reason)
        except DomainError:
            log.exception("could not queue %s for a person", self.thread_id)

    @guarded
    def held_by_person(self) -> str | None:
        """Who at the desk holds this conversation, when a person has taken it."""
        with self.assistant.session_factory() as session:
            return handoff.holder(session, conversation_id=self.thread_id)

    def _pass_to_person(self, message: str, held_by: str) -> Iterator[Event] | None:
        """The passenger's message for the person holding the conversation; None once the
        conversation is back with the assistant (handed back meanwhile)."""
        with self.assistant.session_factory() as session:
            try:
                result = handoff.post_passenger_message(
                    session, self.context.service_context(), text=message
                )
            except Conflict:
                return None
            except DomainError as err:
                return iter([ErrorEvent(err.code, err.message)])
        return iter([PassedToPerson(result.after["message_id"], held_by)])

    # ---- acting ----------------------------------------------------------------------------
    @streaming
    def send(self, text: str) -> Iterator[Event]:
        if self.actor.role not in CHAT_ROLES:
            yield ErrorEvent("permission_denied", f"A {self.actor.role.value} account cannot chat.")
            return
        try:
            message = check_chat_message(text).text
        except InvalidInput as err:
            yield ErrorEvent("invalid_input", err.message)
            return
        limiter = self.assistant.rate_limiter
        if limiter is not None and not (verdict := limiter.hit(self.actor.username)).allowed:
            metrics.count_rate_limit("chat")
            yield ErrorEvent(
                "rate_limited",
                f"Too many messages: the limit is {limiter.rate} per user. "
                f"Try again in {verdict.retry_after_s} s.",
            )
            return
        # A person at the desk holds the conversation: they answer, the model does not run.
        held = self.held_by_person()
        passed = self._pass_to_person(message, held) if held is not None else None
        if passed is not None:
            yield from passed
            return
        with self.assistant.lock(self.thread_id):
            if self._pending() is not None:
                yield ErrorEvent(
                    "approval_pending",
                    "An action is waiting for approval: approve or deny it before sending a new "
                    "message.",
                )
                return
            yield from self._run({"inbox": message}, title=message)

    @streaming
    def approve(self, approval_id: str) -> Iterator[Event]:
        return self._resolve(approval_id, approved=True, reason=None)

    @streaming
    def deny(self, approval_id: str, reason: str | None = None) -> Iterator[Event]:
        return self._resolve(approval_id, approved=False, reason=reason)

    def _resolve(self, approval_id: str, *, approved: bool, reason: str | None) -> Iterator[Event]:
        with self.assistant.lock(self.thread_id):
            pending = self._pending()
            if pending is None or pending[1].approval_id != approval_id:
                yield ErrorEvent(
                    "approval_not_pending",
                    "This approval is no longer pending: it was already approved or denied.",
                )
                return
            item, request = pending
            # The first decision on this card wins across replicas; a conflicting one that
            # came second runs nothing and is told what was decided.
            stored = self._decide(request, approved=approved, reason=reason)
            if not stored.won:
                yield ErrorEvent("approval_already_decided", stored.explain())
                return
            by = self.actor.username
            decision = Decision.approve(request, by) if approved else Decision.deny(by, reason)
            # Command is generic in the node names a `goto` may target; a resume targets none.
            command: Command[str] = Command(resume={item.id: decision.model_dump(mode="json")})
            metrics.count_approval("approved" if approved else "denied")
            yield from self._run(command, resolving=(request, approved))

    def _decide(
        self, request: ApprovalRequest, *, approved: bool, reason: str | None
    ) -> approvals.StoredDecision:
        verdict = approvals.Verdict.APPROVED if approved else approvals.Verdict.DENIED
        with self.assistant.session_factory() as session:
            return approvals.decide(
                session,
                self.context.service_context(),
                request.approval_id,
                verdict,
                reason=reason,
                details=decision_details(request),
            )

    def _run(
        self,
        graph_input: Any,
        *,
        title: str | None = None,
        resolving: tuple[ApprovalRequest, bool] | None = None,
    ) -> Iterator[Event]:
        a = self.assistant
        turn = TurnLog(self.thread_id, a.model_label, a.clock, a.clock.now())
        translate = Translator(turn, on_escalated=self._on_escalated)
        if resolving is not None:
            translate.expect(*resolving)
        try:
            for mode, data in a.graph.stream(
                graph_input,
                self.config,
                context=self.context,
                stream_mode=STREAM_MODES,
                # One checkpoint per run, written when it ends or pauses for approval: a run
                # that dies midway leaves the previous, consistent checkpoint (never a call
                # without its answer), and its write, if any, is kept single by the approval
                # id when the approval is repeated. Per-step saving cost a turn ~10 writes.
                durability="exit",
            ):
                yield from translate(mode, data)
        except Exception as err:  # the checkpoint stays consistent; the next turn repairs it
            fault = faults.report(err, where=f"turn of {self.thread_id}")
            turn.error = fault.record  # the kind, type and reference: never the SQL
            yield ErrorEvent(fault.kind.value, fault.message)
        finally:
            turn.save(a.session_factory, title=title)
            self._prune()

    def _prune(self) -> None:
        """Drops the checkpoints this run superseded. Called while the run still holds the
        thread's lock (send/_resolve), so no run of this thread in this process is mid-way."""
        try:
            prune_thread(self.assistant.saver, self.thread_id)
        except Exception:  # a failed prune costs space, never the turn: the next run retries
            log.exception("could not prune the checkpoints of %s", self.thread_id)

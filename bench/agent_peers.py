"""An agent turn beside two peers, on the same demo world, with the same scripted model and
script (agent_bench.responder: the question gets one trips lookup, its answer the reply):

- a bare LangGraph graph: StateGraph(MessagesState), the model node, one ToolNode holding the
  same trips lookup (SkyDesk's passenger snapshot in a session of its own) and an
  InMemorySaver: what LangGraph itself costs, with nothing of SkyDesk's runtime (no checkpoint
  in the database, no turn records, no approvals, no audit, no context checks);
- the LangGraph customer-support tutorial's pattern: a prompt with the system message, the
  `Assistant` node that retries an empty reply, a ToolNode with the error fallback, the tool
  opening `sqlite3.connect(db)` on every call to run one join for the passenger of the config
  (tickets, legs, flights, seats; no hotels, cars, compensation), a MemorySaver, the stream
  consumed with stream_mode="values" as the tutorial prints it; on a copy of the same SQLite
  world file.

The three take turns (SkyDesk, bare, tutorial, then rotated) so they see the same load; each
starts a new conversation every 10 turns, as agent_bench does."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Protocol, TypedDict

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AnyMessage, HumanMessage, ToolMessage
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import Runnable, RunnableConfig, RunnableLambda
from langchain_core.tools import tool
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, MessagesState, StateGraph
from langgraph.graph.message import add_messages
from langgraph.prebuilt import ToolNode, tools_condition
from sqlalchemy.orm import Session, sessionmaker

from agent.events import ErrorEvent
from agent.runtime import Assistant, Chat
from bench.common import figure, percentiles
from db.models import Role
from services.core.clock import Clock
from services.core.context import Actor, ServiceContext
from services.support.snapshot import passenger_snapshot

QUESTION = "What trips does the passenger have?"
TURNS_PER_CONVERSATION = 10
AGENT = Actor("bench-agent", Role.AGENT)
# The tutorial's fetch_user_flight_information, on SkyDesk's schema.
TRIPS_SQL = """
SELECT t.ticket_no, b.reference, f.id AS flight_id, f.flight_no, f.origin, f.destination,
       f.scheduled_departure, f.scheduled_arrival, s.seat_no, l.cabin
FROM tickets t
JOIN bookings b ON b.id = t.booking_id
JOIN ticket_legs l ON l.ticket_id = t.id
JOIN flights f ON f.id = l.flight_id
LEFT JOIN seat_assignments sa ON sa.ticket_leg_id = l.id
LEFT JOIN seats s ON s.id = sa.seat_id
WHERE t.passenger_id = ?
"""


class Runner(Protocol):
    def turn(self, passenger_id: int, *, new_conversation: bool) -> float:
        """One message answered, in ms."""


class SkyDeskRunner:
    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant
        self.chat: Chat | None = None

    def turn(self, passenger_id: int, *, new_conversation: bool) -> float:
        if new_conversation or self.chat is None:
            self.chat = self.assistant.start(AGENT, passenger_id)
        started = time.perf_counter()
        events = list(self.chat.send(QUESTION))
        elapsed = (time.perf_counter() - started) * 1000
        if errors := [e for e in events if isinstance(e, ErrorEvent)]:
            raise RuntimeError(f"SkyDesk turn failed: {errors[0]}")
        return elapsed


class _GraphRunner:
    """A compiled graph with an in-memory saver; the passenger travels in the config."""

    graph: Any
    mode: str

    def __init__(self) -> None:
        self.thread = 0
        self.config: RunnableConfig = {}

    def turn(self, passenger_id: int, *, new_conversation: bool) -> float:
        if new_conversation or not self.config:
            self.thread += 1
            self.config = {
                "configurable": {"thread_id": str(self.thread), "passenger_id": passenger_id}
            }
        started = time.perf_counter()
        for _ in self.graph.stream(
            {"messages": [HumanMessage(QUESTION)]}, self.config, stream_mode=self.mode
        ):
            pass
        return (time.perf_counter() - started) * 1000

    def messages(self) -> list[AnyMessage]:
        """The current conversation (tests)."""
        return list(self.graph.get_state(self.config).values["messages"])


class BareGraph(_GraphRunner):
    mode = "messages"  # streamed token by token, as SkyDesk's chat is

    def __init__(
        self, model: BaseChatModel, session_factory: sessionmaker[Session], clock: Clock
    ) -> None:
        super().__init__()

        @tool
        def get_passenger_trips(config: RunnableConfig) -> str:
            """The selected passenger's profile and all their trips."""
            ctx = ServiceContext(AGENT, config["configurable"]["passenger_id"], clock)
            with session_factory() as session:
                return json.dumps(passenger_snapshot(session, ctx), default=str)

        bound = model.bind_tools([get_passenger_trips])

        def call_model(state: MessagesState) -> dict[str, Any]:
            return {"messages": [bound.invoke(state["messages"])]}

        builder = StateGraph(MessagesState)
        builder.add_node("model", call_model)
        builder.add_node("tools", ToolNode([get_passenger_trips]))
        builder.add_edge(START, "model")
        builder.add_conditional_edges("model", tools_condition)
        builder.add_edge("tools", "model")
        self.graph = builder.compile(checkpointer=InMemorySaver())


class _TutorialState(TypedDict):
    messages: Annotated[list[AnyMessage], add_messages]


class _TutorialAssistant:
    """The tutorial's Assistant node: ask again while the model answers with nothing."""

    def __init__(self, runnable: Runnable[Any, Any]) -> None:
        self.runnable = runnable

    def __call__(self, state: _TutorialState, config: RunnableConfig) -> dict[str, Any]:
        while True:
            passenger_id = config.get("configurable", {}).get("passenger_id", None)
            state = {**state, "user_info": passenger_id}  # type: ignore[typeddict-unknown-key]
            result = self.runnable.invoke(state)
            empty = not result.tool_calls and (
                not result.content
                or (isinstance(result.content, list) and not result.content[0].get("text"))
            )
            if not empty:
                return {"messages": result}
            state = {**state, "messages": [*state["messages"], ("user", "Respond with a real output.")]}  # type: ignore[list-item]  # fmt: skip


def _handle_tool_error(state: dict[str, Any]) -> dict[str, Any]:
    error = state.get("error")
    calls = state["messages"][-1].tool_calls
    return {
        "messages": [
            ToolMessage(
                content=f"Error: {error!r}\n please fix your mistakes.", tool_call_id=c["id"]
            )
            for c in calls
        ]
    }


class TutorialGraph(_GraphRunner):
    mode = "values"  # as the tutorial's _print_event loop consumes it

    def __init__(self, model: BaseChatModel, db_file: Path) -> None:
        super().__init__()

        @tool
        def get_passenger_trips(config: RunnableConfig) -> list[dict[str, Any]]:
            """Fetch all tickets for the user along with corresponding flight information and
            seat assignments."""
            passenger_id = config.get("configurable", {}).get("passenger_id")
            if not passenger_id:
                raise ValueError("No passenger ID configured.")
            conn = sqlite3.connect(db_file)
            cursor = conn.cursor()
            cursor.execute(TRIPS_SQL, (passenger_id,))
            rows = cursor.fetchall()
            column_names = [column[0] for column in cursor.description]
            results = [dict(zip(column_names, row, strict=True)) for row in rows]
            cursor.close()
            conn.close()
            return results

        prompt = ChatPromptTemplate.from_messages(
            [
                (
                    "system",
                    "You are a helpful customer support assistant for Alpine Air. Use the "
                    "provided tools to search for flights, company policies, and other "
                    "information to assist the user's queries.\nCurrent time: {time}.",
                ),
                ("placeholder", "{messages}"),
            ]
        ).partial(time=datetime.now)
        tools = [get_passenger_trips]
        builder = StateGraph(_TutorialState)
        builder.add_node("assistant", _TutorialAssistant(prompt | model.bind_tools(tools)))
        builder.add_node(
            "tools",
            ToolNode(tools).with_fallbacks(
                [RunnableLambda(_handle_tool_error)], exception_key="error"
            ),
        )
        builder.add_edge(START, "assistant")
        builder.add_conditional_edges("assistant", tools_condition)
        builder.add_edge("tools", "assistant")
        self.graph = builder.compile(checkpointer=InMemorySaver())


def copy_sqlite(source: Path, target: Path) -> None:
    """The world as a plain SQLite file of its own (the tutorial's travel2.sqlite)."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    dst.close()
    src.close()


def interleaved(
    runners: dict[str, Runner], passengers: list[int], turns: int, warmup: int = 10
) -> dict[str, list[float]]:
    """ms per turn for each runner, the runners taking turns in a rotating order."""
    names = list(runners)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for i in range(warmup + turns):
        passenger = passengers[(i // TURNS_PER_CONVERSATION) % len(passengers)]
        new = i % TURNS_PER_CONVERSATION == 0
        shift = i % len(names)
        for name in names[shift:] + names[:shift]:
            elapsed = runners[name].turn(passenger, new_conversation=new)
            if i >= warmup:
                samples[name].append(elapsed)
    return samples


BARE = "bare LangGraph graph (one ToolNode, InMemorySaver)"
TUTORIAL = "LangGraph tutorial pattern (sqlite3.connect per tool call, MemorySaver)"


def peer_figures(
    results: dict[str, Any],
    assistant: Assistant,
    *,
    make_model: Callable[[], BaseChatModel],
    passengers: list[int],
    db_file: Path,
    clock: Clock,
    turns: int,
) -> None:
    """SkyDesk's turn (its assistant on the SQLite world `db_file`) beside both peers."""
    tutorial_db = db_file.with_name("tutorial_world.sqlite")
    copy_sqlite(db_file, tutorial_db)
    runners: dict[str, Runner] = {
        "skydesk": SkyDeskRunner(assistant),
        "bare": BareGraph(make_model(), assistant.session_factory, clock),
        "tutorial": TutorialGraph(make_model(), tutorial_db),
    }
    samples = interleaved(runners, passengers, turns)
    ours = percentiles(samples["skydesk"])
    for key, short, label in (
        ("bare", "a bare LangGraph graph", BARE),
        ("tutorial", "the LangGraph tutorial's pattern", TUTORIAL),
    ):
        peer = percentiles(samples[key])
        for stat, mine, theirs in (
            ("p50", ours.p50_ms, peer.p50_ms),
            ("p95", ours.p95_ms, peer.p95_ms),
        ):
            figure(
                results,
                f"agent turn {stat}, trips lookup, vs {short} (SQLite, n={ours.n})",
                mine,
                "ms",
                floor=theirs,
                baseline=label,
            )
    results["notes"].append(
        f"agent peers: the same scripted model and trips question, turns interleaved; "
        f"bare = {BARE}, the same passenger snapshot as SkyDesk's tool; tutorial = {TUTORIAL}, "
        "its tool one join (tickets, legs, flights, seats) where SkyDesk's snapshot also reads "
        "hotels, cars, excursions, compensation and EU 261 entitlements"
    )

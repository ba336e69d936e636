"""What runs inside each process of the capacity bench (bench/capacity_bench.py): a replica's
concurrent conversations, and writers through the audited write path or a plain INSERT.

Each entry point is a module-level function of picklable arguments, started with the `spawn`
method, so a child builds its own engine, pools and Assistant as a separate app process does;
it warms up, reports "ready", waits for the common start and reports its samples."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, DateTime, MetaData, String, Table, insert
from sqlalchemy.orm import Session, sessionmaker

from agent.checkpoint import open_checkpointer
from agent.checkpoint_crypto import encrypted_serde
from agent.events import ErrorEvent
from agent.models.scripted import ScriptedChatModel
from agent.runtime import Assistant
from bench.agent_bench import NOW, PERSONAS, QUESTIONS, responder
from db.engine import make_engine, make_session_factory
from db.models import Role
from services.core.clock import FixedClock
from services.core.context import Actor, ServiceContext
from services.core.operations import OperationResult, operation
from services.core.ratelimit import RateLimiter
from world import persona_passenger_id

TURNS_PER_CONVERSATION = 4  # a short chat: trips, a flight search, trips again, ...
WRITE_ACTION = "bench_audited_write"
CHECKPOINT_KEY = bytes(range(32))  # a throwaway key: checkpoints are encrypted as in production

# The floor of the audited writes: a row of about the same size in a table with no chain.
PLAIN = MetaData()
PLAIN_WRITES = Table(
    "bench_plain_writes",
    PLAIN,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("ts", DateTime(timezone=True), nullable=False),
    Column("actor", String(60), nullable=False),
    Column("action", String(40), nullable=False),
    Column("details", JSON, nullable=False),
)


@dataclass
class Samples:
    """One thread's (or one process's) figures: latencies of the timed calls, errors by kind."""

    latencies_ms: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    started: float = 0.0  # time.monotonic(): the same clock in every process on one machine
    ended: float = 0.0
    cpu_s: float = 0.0  # the process's CPU time over the run (all its threads)

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1

    def merge(self, other: Samples) -> None:
        self.latencies_ms += other.latencies_ms
        for kind, n in other.errors.items():
            self.errors[kind] = self.errors.get(kind, 0) + n
        self.started = min(self.started or other.started, other.started)
        self.ended = max(self.ended, other.ended)
        self.cpu_s += other.cpu_s


# ---- the writes ------------------------------------------------------------------------------
@operation(WRITE_ACTION, write=True)
def audited_write(_session: Session, ctx: ServiceContext, *, n: int) -> OperationResult:
    """The cheapest write there is: nothing but what every write pays (permission, the
    idempotency claim of an approved write, the audit record on the chain's head, commit)."""
    return OperationResult(summary=f"bench write {n} by {ctx.actor.username}", data={"n": n})


def audited_writer(factory: sessionmaker[Session], writer: int) -> Callable[[int], None]:
    actor = Actor(f"bench-writer-{writer}", Role.SYSTEM)
    clock = FixedClock(NOW)

    def write(n: int) -> None:
        ctx = ServiceContext(actor=actor, clock=clock).once(f"bench:{uuid.uuid4().hex}")
        with factory() as session:
            audited_write(session, ctx, n=n)

    return write


def plain_writer(factory: sessionmaker[Session], writer: int) -> Callable[[int], None]:
    actor = f"bench-writer-{writer}"

    def write(n: int) -> None:
        row = {"ts": datetime.now(UTC), "actor": actor, "action": WRITE_ACTION}
        with factory() as session:
            session.execute(insert(PLAIN_WRITES).values(**row, details={"summary": n}))
            session.commit()

    return write


class TurnFailed(Exception):
    """A turn that ended in an ErrorEvent (its code is the error's kind)."""


def error_kind(err: Exception) -> str:
    return f"ErrorEvent {err}" if isinstance(err, TurnFailed) else type(err).__name__


def timed_loop(call: Callable[[int], None], deadline: float, samples: Samples) -> None:
    """Call back to back until the deadline; a failed call is counted, not retried."""
    n = 0
    while time.monotonic() < deadline:
        start = time.perf_counter()
        try:
            call(n)
        except Exception as err:
            samples.error(error_kind(err))
        else:
            samples.latencies_ms.append((time.perf_counter() - start) * 1000)
        n += 1


# ---- one process -----------------------------------------------------------------------------
def _run_threads(
    make_call: Callable[[int], Callable[[int], None]],
    threads: int,
    duration_s: float,
    ready: Callable[[], None],
    start: Any,
) -> Samples:
    """`threads` threads each warm up (one call), then all wait for `start` (a multiprocessing
    Event) and call back to back for `duration_s`."""
    per_thread = [Samples() for _ in range(threads)]
    warmed = threading.Barrier(threads + 1)

    def work(i: int) -> None:
        call = make_call(i)
        try:
            call(-1)
        except Exception as err:
            per_thread[i].error(f"warm-up {error_kind(err)}")
        warmed.wait()
        start.wait()
        per_thread[i].started = time.monotonic()
        timed_loop(call, per_thread[i].started + duration_s, per_thread[i])
        per_thread[i].ended = time.monotonic()

    pool = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    warmed.wait()
    ready()
    start.wait()
    cpu = time.process_time()
    for t in pool:
        t.join()
    total = Samples()
    for s in per_thread:
        total.merge(s)
    total.cpu_s = time.process_time() - cpu
    return total


def writes_process(
    url: str, kind: str, first: int, threads: int, duration_s: float, start: Any, out: Any
) -> None:
    """A process of `threads` writers (numbered from `first`), `kind` "audited" or "plain"; one
    connection per writer, as many as there are writers."""
    engine = make_engine(url, pool_size=threads, max_overflow=0)
    factory = make_session_factory(engine)
    writer = audited_writer if kind == "audited" else plain_writer
    try:
        samples = _run_threads(
            lambda i: writer(factory, first + i),
            threads,
            duration_s,
            lambda: out.put("ready"),
            start,
        )
        out.put(samples)
    finally:
        engine.dispose()


@dataclass(frozen=True)
class ReplicaPlan:
    """What one app process of the throughput curve does."""

    url: str
    first: int  # this process's first conversation slot (actors and passengers differ per slot)
    conversations: int
    duration_s: float
    redis_url: str | None = None


def conversation_loop(assistant: Assistant, slot: int, passengers: list[int]) -> Any:
    """A call for timed_loop: turn n of one conversation slot, a new conversation (another
    passenger) every TURNS_PER_CONVERSATION turns; every turn calls a read tool."""
    actor = Actor(f"bench-agent-{slot}", Role.AGENT)
    chat: Any = None

    def turn(n: int) -> None:
        nonlocal chat
        if chat is None or n % TURNS_PER_CONVERSATION == 0:
            chat = assistant.start(actor, passengers[(slot + n) % len(passengers)])
        events = list(chat.send(QUESTIONS[n % len(QUESTIONS)]))
        failed = [e for e in events if isinstance(e, ErrorEvent)]
        if failed:
            raise TurnFailed(failed[0].kind)

    return turn


def replica_process(plan: ReplicaPlan, start: Any, out: Any) -> None:
    """One app replica: its own engine, checkpointer pool (the app's default sizes) and
    Assistant with the scripted model, `plan.conversations` conversations at once."""
    engine = make_engine(plan.url)
    factory = make_session_factory(engine)
    with factory() as session:
        passengers = [persona_passenger_id(session, key) for key in PERSONAS]
    checkpointer = open_checkpointer(plan.url, serde=encrypted_serde(CHECKPOINT_KEY))
    limiter = RateLimiter("chat", "1000000/minute", plan.redis_url) if plan.redis_url else None
    clock = FixedClock(NOW)
    assistant = Assistant(
        session_factory=factory,
        model=ScriptedChatModel(responder=responder(clock)),
        checkpointer=checkpointer,
        clock=clock,
        rate_limiter=limiter,
    )
    try:
        samples = _run_threads(
            lambda i: conversation_loop(assistant, plan.first + i, passengers),
            plan.conversations,
            plan.duration_s,
            lambda: out.put("ready"),
            start,
        )
        out.put(samples)
    finally:
        checkpointer.close()
        engine.dispose()

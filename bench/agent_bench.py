"""The assistant's own overhead per turn: graph, checkpointer, tools on the demo world, turn
records, with a scripted model (no model latency), so the figures are what the runtime adds to
any model. SQLite (a temporary file) and PostgreSQL (a scratch database), plus 16 concurrent
conversations on PostgreSQL.

    python -m bench.agent_bench [--quick] [--turns 200]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from langchain_core.messages import BaseMessage, HumanMessage, ToolMessage

from agent.checkpoint import open_checkpointer
from agent.events import ApprovalRequested, ErrorEvent
from agent.models.scripted import ScriptedChatModel, reply
from agent.runtime import Assistant, Chat
from bench import agent_peers
from bench.common import (
    drop_pg_database,
    figure,
    percentiles,
    pg_available,
    pg_database_url,
    scratch_name,
)
from db.engine import make_engine, make_session_factory
from db.migrate import upgrade
from db.models import Role
from services.core.clock import FixedClock, demo_date
from services.core.context import Actor
from world import persona_passenger_id, seed_world

NOW = datetime.fromisoformat("2026-11-26T08:00:00+00:00")
AGENT = Actor("bench-agent", Role.AGENT)
PERSONAS = ["anna", "ben", "diego", "emma", "grace", "hugo"]
TURNS_PER_CONVERSATION = 10  # a fresh conversation every 10 turns, as in a support shift
QUESTIONS = ["What trips does the passenger have?", "Any flights ZRH to LHR on D+4?"]
THINK_S = (1.0, 3.0)  # seconds between one conversation's messages in the paced run


def responder(clock: FixedClock) -> Callable[[list[BaseMessage]], Any]:
    """Stateless, so every conversation (and thread) can share it: a new question gets one tool
    call, a tool answer gets the reply, an approval request gets the escalation call."""
    d4 = str(demo_date(clock) + timedelta(days=4))

    def respond(messages: list[BaseMessage]) -> Any:
        last = messages[-1]
        if isinstance(last, ToolMessage):
            return "Here is what I found: the details are listed above."
        text = str(last.content) if isinstance(last, HumanMessage) else ""
        if "colleague" in text:
            args = {"reason": "customer_request", "summary": "Asked for a person."}
            return reply("", ("escalate_to_human", args))
        if "flights" in text:
            search = {"origin": "ZRH", "destination": "LHR", "day": d4}
            return reply("", ("search_flights", search))
        return reply("", ("get_passenger_trips", {}))

    return respond


def _turn(chat: Chat, text: str) -> tuple[float, int, list[Any]]:
    """Latency in ms, errors, and the events of one message."""
    start = time.perf_counter()
    events = list(chat.send(text))
    elapsed = (time.perf_counter() - start) * 1000
    return elapsed, sum(isinstance(e, ErrorEvent) for e in events), events


class Bench:
    """One seeded database, one assistant (a replica) on it."""

    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
        upgrade(self.engine)
        seed_world(self.engine, size="demo", now=NOW, force=True)
        self.clock = FixedClock(NOW)
        factory = make_session_factory(self.engine)
        with factory() as session:
            self.passengers = [persona_passenger_id(session, key) for key in PERSONAS]
        self.checkpointer = open_checkpointer(url, pool_size=32)
        model = ScriptedChatModel(responder=responder(self.clock))
        self.assistant = Assistant(
            session_factory=factory, model=model, checkpointer=self.checkpointer, clock=self.clock
        )

    def close(self) -> None:
        self.checkpointer.close()
        self.engine.dispose()

    def turns(
        self, n: int, worker: int = 0, think_s: tuple[float, float] | None = None
    ) -> tuple[list[float], int]:
        samples, errors = [], 0
        chat = None
        rng = random.Random(worker)
        for i in range(n):
            if think_s:
                # People read the answer and type the next message; nor do they all press
                # Enter at the same instant when the run starts.
                time.sleep(rng.uniform(*think_s) if i else rng.uniform(0, think_s[1]))
            if i % TURNS_PER_CONVERSATION == 0:
                passenger = self.passengers[(worker + i) % len(self.passengers)]
                chat = self.assistant.start(AGENT, passenger)
            assert chat is not None
            elapsed, failed, _ = _turn(chat, QUESTIONS[i % len(QUESTIONS)])
            samples.append(elapsed)
            errors += failed
        return samples, errors

    def approvals(self, n: int) -> tuple[list[float], int]:
        """send -> approval card -> approve -> answer, as one figure."""
        samples, errors = [], 0
        for i in range(n):
            chat = self.assistant.start(AGENT, self.passengers[i % len(self.passengers)])
            start = time.perf_counter()
            _, failed, events = _turn(chat, "I want to talk to a colleague")
            cards = [e for e in events if isinstance(e, ApprovalRequested)]
            done = list(chat.approve(cards[0].request.approval_id)) if cards else []
            samples.append((time.perf_counter() - start) * 1000)
            errors += failed + (not cards) + sum(isinstance(e, ErrorEvent) for e in done)
        return samples, errors

    def concurrent(
        self, workers: int, turns_each: int, think_s: tuple[float, float] | None = None
    ) -> tuple[list[float], int, float]:
        results: list[tuple[list[float], int]] = [([], 0)] * workers
        crashed: list[BaseException] = []
        barrier = threading.Barrier(workers)

        def work(w: int) -> None:
            try:
                barrier.wait()
                results[w] = self.turns(turns_each, worker=w, think_s=think_s)
            except BaseException as err:
                crashed.append(err)

        threads = [threading.Thread(target=work, args=(w,)) for w in range(workers)]
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - start
        samples = [s for r in results for s in r[0]]
        return samples, sum(r[1] for r in results) + len(crashed), wall


def _report(results: dict[str, Any], label: str, bench: Bench, turns: int, targets: bool) -> None:
    bench.turns(10)  # warm-up: imports, compiled queries, first connections
    samples, errors = bench.turns(turns)
    timing = percentiles(samples)
    p50_target, p95_target = (25, 60) if targets else (None, None)
    figure(
        results, f"agent turn p50, scripted model ({label})", timing.p50_ms, "ms", target=p50_target
    )
    figure(
        results, f"agent turn p95, scripted model ({label})", timing.p95_ms, "ms", target=p95_target
    )
    figure(results, f"agent turn errors ({label})", errors, "n", target=0)
    approval = percentiles(bench.approvals(max(turns // 10, 5))[0])
    figure(results, f"approval round trip p50, send+approve ({label})", approval.p50_ms, "ms")


def _concurrent(results: dict[str, Any], bench: Bench, quick: bool) -> None:
    """16 conversations at once, in one process (one replica): first paced like people (a
    message every 1-3 s per conversation, far faster than anyone types), then back to back
    with no pause at all, which measures saturation: there the latency is the queue, 16 turns
    in flight divided by the turns per second the machine can do (Little's law)."""
    workers, each = 16, (5 if quick else 12)
    bench.turns(workers)  # warm the pools
    label = f"PostgreSQL, {workers} concurrent conversations"
    samples, errors, _ = bench.concurrent(workers, each, think_s=THINK_S)
    timing = percentiles(samples)
    paced = f"{label}, {THINK_S[0]:g}-{THINK_S[1]:g} s between messages"
    figure(results, f"agent turn p50 ({paced})", timing.p50_ms, "ms")
    figure(results, f"agent turn p95 ({paced})", timing.p95_ms, "ms", target=100)
    figure(results, f"agent turn errors ({paced})", errors, "n", target=0)
    samples, errors, wall = bench.concurrent(workers, each)
    timing = percentiles(samples)
    saturated = f"{label}, back to back"
    figure(results, f"agent turn p50 ({saturated})", timing.p50_ms, "ms")
    figure(results, f"agent turn p95 ({saturated})", timing.p95_ms, "ms")
    figure(results, f"agent turn errors ({saturated})", errors, "n", target=0)
    figure(results, f"agent turns per second ({saturated})", len(samples) / wall, "1/s")


def run(results: dict[str, Any], *, quick: bool = False, turns: int = 200) -> None:
    results.setdefault("figures", [])
    results.setdefault("notes", [])
    turns = 60 if quick else turns
    results["notes"].append(
        "agent: scripted model (no model latency), demo world; one tool call + one answer per "
        f"turn, a new conversation every {TURNS_PER_CONVERSATION} turns; targets are eval_bench's "
        "for a whole turn with the built-in model, so the overhead must fit well inside them"
    )
    with tempfile.TemporaryDirectory() as tmp:
        db_file = Path(tmp) / "agent_bench.db"
        bench = Bench(f"sqlite:///{db_file}")
        try:
            _report(results, "SQLite", bench, turns, targets=True)
            agent_peers.peer_figures(
                results, bench.assistant, passengers=bench.passengers, db_file=db_file,
                clock=bench.clock, turns=turns,
                make_model=lambda: ScriptedChatModel(responder=responder(bench.clock)),
            )  # fmt: skip
        finally:
            bench.close()

    if not pg_available():
        results["notes"].append("agent: PostgreSQL not reachable; its figures were skipped")
        return
    name = scratch_name("skydesk_agent_bench")
    try:
        bench = Bench(pg_database_url(name))
        try:
            _report(results, "PostgreSQL", bench, turns, targets=False)
            _concurrent(results, bench, quick)
        finally:
            bench.close()
    finally:
        drop_pg_database(name)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--turns", type=int, default=200)
    args = parser.parse_args(argv)
    results: dict[str, Any] = {"figures": [], "notes": []}
    run(results, quick=args.quick, turns=args.turns)
    for note in results["notes"]:
        print(f"note: {note}")


if __name__ == "__main__":
    main()

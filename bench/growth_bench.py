"""Cost per turn as one conversation grows (issue 16, item 2): one 120-turn conversation with the
scripted model (bench.agent_bench's), on SQLite and PostgreSQL. After each turn: the thread's
checkpoint rows and bytes (agent.checkpoint_store.footprint) and the turn's latency. Late turns
(91-120) are set against early ones (1-10) of the same conversation, as ratios, and, for
latency, against turns of new conversations run between the late turns (same moment, same
load); the same conversation without pruning (the store as it was) is the peer.

    python -m bench.growth_bench [--turns 120]
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

from agent.checkpoint_crypto import encrypted_serde
from agent.checkpoint_store import footprint
from agent.models.scripted import ScriptedChatModel
from agent.runtime import Assistant
from bench.agent_bench import AGENT, QUESTIONS, Bench, _turn, responder
from bench.common import drop_pg_database, figure, pg_available, pg_database_url, scratch_name

EARLY = range(0, 10)  # turns 1-10
LATE = range(90, 120)  # turns 91-120


@dataclass
class Growth:
    latency_ms: list[float]  # per turn
    bytes: list[int]  # the thread's checkpoint bytes after each turn
    rows: list[int]
    errors: int
    # Turns 1-10 of fresh conversations, each run right before one of turns 91-120: the same
    # moment's load on a shared machine, which drifts more than the conversation's own growth.
    fresh_ms: list[float]

    def added_bytes(self, turns: range) -> float:
        """Checkpoint bytes the thread gained per turn over these turns."""
        before = self.bytes[turns.start - 1] if turns.start else 0
        return (self.bytes[turns.stop - 1] - before) / len(turns)

    def latency(self, turns: range) -> float:
        return statistics.median(self.latency_ms[turns.start : turns.stop])


def conversation(bench: Bench, turns: int) -> Growth:
    # As in production: payloads encrypted (agent/checkpoint_crypto.py), which costs per byte.
    saver = bench.checkpointer.saver
    saver.serde = encrypted_serde(secrets.token_bytes(32))
    assistant = Assistant(
        session_factory=bench.assistant.session_factory,
        model=ScriptedChatModel(responder=responder(bench.clock)),
        checkpointer=saver,
        clock=bench.clock,
    )
    warm = assistant.start(AGENT, bench.passengers[1])
    for i in range(10):  # imports, compiled queries, connections: not the conversation's cost
        _turn(warm, QUESTIONS[i % len(QUESTIONS)])
    chat = assistant.start(AGENT, bench.passengers[0])
    growth = Growth([], [], [], 0, [])
    fresh = chat
    for i in range(turns):
        if i >= LATE.start:
            if i % len(EARLY) == 0:
                fresh = assistant.start(AGENT, bench.passengers[2])
            growth.fresh_ms.append(_turn(fresh, QUESTIONS[i % len(QUESTIONS)])[0])
        elapsed, failed, _ = _turn(chat, QUESTIONS[i % len(QUESTIONS)])
        held = footprint(saver, chat.thread_id)
        growth.latency_ms.append(elapsed)
        growth.bytes.append(held.bytes)
        growth.rows.append(held.rows)
        growth.errors += failed
    return growth


@contextmanager
def _without_pruning() -> Iterator[None]:
    """The store as it was before pruning: every checkpoint kept."""
    with mock.patch("agent.runtime.prune_thread", lambda _saver, _thread: None):
        yield


def _report(results: dict[str, Any], label: str, pruned: Growth, kept: Growth) -> None:
    late, early = LATE, EARLY
    span = f"turns {late.start + 1}-{late.stop} vs {early.start + 1}-{early.stop}"
    figure(
        results,
        f"checkpoint bytes added per turn, {span} ({label})",
        pruned.added_bytes(late),
        "B",
        floor=pruned.added_bytes(early),
        max_ratio=1.25,
    )
    figure(
        results,
        f"checkpoint bytes added per turn without pruning, {span} ({label})",
        kept.added_bytes(late),
        "B",
        floor=kept.added_bytes(early),
    )
    figure(
        results,
        f"checkpoint rows held after turn {late.stop} vs turn {early.stop} ({label})",
        pruned.rows[late.stop - 1],
        "n",
        floor=pruned.rows[early.stop - 1],
        max_ratio=1.25,
    )
    figure(
        results,
        f"checkpoint bytes held after turn {late.stop}, pruned vs kept ({label})",
        pruned.bytes[late.stop - 1],
        "B",
        floor=kept.bytes[late.stop - 1],
    )
    figure(
        results,
        f"turn latency p50, {span} ({label})",
        pruned.latency(late),
        "ms",
        floor=pruned.latency(early),
        max_ratio=1.25,
    )
    figure(
        results,
        f"turn latency p50, turns {late.start + 1}-{late.stop} vs new conversations' turns "
        f"1-{len(early)} run between them ({label})",
        pruned.latency(late),
        "ms",
        floor=statistics.median(pruned.fresh_ms),
        max_ratio=1.25,
    )
    figure(
        results,
        f"turn latency p50 without pruning, {span} ({label})",
        kept.latency(late),
        "ms",
        floor=kept.latency(early),
    )
    figure(results, f"growth turn errors ({label})", pruned.errors + kept.errors, "n", target=0)


def _measure(results: dict[str, Any], label: str, url: str, turns: int) -> None:
    bench = Bench(url)
    try:
        pruned = conversation(bench, turns)
        with _without_pruning():
            kept = conversation(bench, turns)
        _report(results, label, pruned, kept)
    finally:
        bench.close()


def run(results: dict[str, Any], *, quick: bool = False, turns: int = 120) -> None:
    results.setdefault("figures", [])
    results.setdefault("notes", [])
    del quick  # one size: the late window needs its 120 turns
    turns = max(turns, LATE.stop)
    results["notes"].append(
        f"growth: one {turns}-turn conversation, scripted model, encrypted checkpoints; a "
        "warm-up conversation first; the peer is the same conversation with every checkpoint kept"
    )
    with tempfile.TemporaryDirectory() as tmp:
        _measure(results, "SQLite", f"sqlite:///{Path(tmp) / 'growth_bench.db'}", turns)
    if not pg_available():
        results["notes"].append("growth: PostgreSQL not reachable; its figures were skipped")
        return
    name = scratch_name("skydesk_growth_bench")
    try:
        _measure(results, "PostgreSQL", pg_database_url(name), turns)
    finally:
        drop_pg_database(name)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--turns", type=int, default=LATE.stop)
    args = parser.parse_args(argv)
    results: dict[str, Any] = {"figures": [], "notes": []}
    run(results, turns=args.turns)
    for note in results["notes"]:
        print(f"note: {note}")


if __name__ == "__main__":
    main()

"""The agent benchmark's peers (bench/agent_peers.py) answer the same question the same way as
SkyDesk's assistant, on the same world: one trips lookup that finds the passenger's tickets,
then the scripted reply, so their turn times compare like with like."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from langchain_core.messages import AIMessage, ToolMessage
from sqlalchemy import select

from agent.models.scripted import ScriptedChatModel
from bench import agent_peers
from bench.agent_bench import Bench, responder
from db.models import Ticket


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Bench, Path]]:
    db_file = tmp_path_factory.mktemp("peers") / "world.db"
    world = Bench(f"sqlite:///{db_file}")
    yield world, db_file
    world.close()


def _model(world: Bench) -> ScriptedChatModel:
    return ScriptedChatModel(responder=responder(world.clock))


def _tickets(world: Bench, passenger: int) -> set[str]:
    with world.assistant.session_factory() as session:
        return set(
            session.scalars(select(Ticket.ticket_no).where(Ticket.passenger_id == passenger))
        )


def _looked_up_once(messages: Sequence[object]) -> ToolMessage:
    tools = [m for m in messages if isinstance(m, ToolMessage)]
    assert len(tools) == 1 and tools[0].name == "get_passenger_trips"
    assert isinstance(messages[-1], AIMessage) and "Here is what I found" in str(
        messages[-1].content
    )
    return tools[0]


def test_bare_graph_answers_with_skydesks_snapshot(bench: tuple[Bench, Path]) -> None:
    world, _ = bench
    anna = world.passengers[0]
    peer = agent_peers.BareGraph(_model(world), world.assistant.session_factory, world.clock)
    assert peer.turn(anna, new_conversation=True) > 0
    found = json.loads(str(_looked_up_once(peer.messages()).content))
    assert {t["ticket_no"] for t in found["tickets"]} == _tickets(world, anna)


def test_tutorial_pattern_reads_the_copied_world(bench: tuple[Bench, Path], tmp_path: Path) -> None:
    world, db_file = bench
    anna = world.passengers[0]
    copy = tmp_path / "travel.sqlite"
    agent_peers.copy_sqlite(db_file, copy)
    peer = agent_peers.TutorialGraph(_model(world), copy)
    peer.turn(anna, new_conversation=True)
    content = str(_looked_up_once(peer.messages()).content)
    assert all(ticket in content for ticket in _tickets(world, anna))
    # A second message continues the same thread (the in-memory saver kept it).
    peer.turn(anna, new_conversation=False)
    assert sum(isinstance(m, ToolMessage) for m in peer.messages()) == 2


def test_peer_figures_report_both_ratios(bench: tuple[Bench, Path]) -> None:
    world, db_file = bench
    results: dict[str, list[dict[str, object]]] = {"figures": [], "notes": []}
    agent_peers.peer_figures(
        results, world.assistant, make_model=lambda: _model(world), passengers=world.passengers,
        db_file=db_file, clock=world.clock, turns=4,
    )  # fmt: skip
    rows = results["figures"]
    assert len(rows) == 4
    assert {r["baseline"] for r in rows} == {agent_peers.BARE, agent_peers.TUTORIAL}
    assert all(float(r["ratio"]) > 0 and float(r["floor"]) > 0 for r in rows)  # type: ignore[arg-type]

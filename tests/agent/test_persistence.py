"""Threads survive the checkpointer and the process: a conversation paused at an approval is
continued by a new checkpointer instance and by another process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from langgraph.checkpoint.postgres import PostgresSaver
from langgraph.checkpoint.sqlite import SqliteSaver
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from agent.checkpoint import libpq_url, open_checkpointer, sqlite_checkpoint_path
from agent.events import ApprovalRequested, AssistantMessage, ToolFinished
from agent.models.scripted import reply
from db.models import ExecutedAction, Payment, Ticket, TicketStatus
from services.core.clock import FixedClock
from tests.agent.conftest import (
    AGENT,
    AssistantFactory,
    World,
    assert_no_dangling,
    audits,
    events_of,
)

ROOT = Path(__file__).resolve().parents[2]


def _cancelled(session: Session, number: str) -> bool:
    session.rollback()
    ticket = session.scalar(select(Ticket).where(Ticket.ticket_no == number))
    return ticket is not None and ticket.status == TicketStatus.CANCELLED


def test_the_checkpointer_follows_the_database_url(database_url: str) -> None:
    assert sqlite_checkpoint_path("sqlite:////srv/data/skydesk.db") == (
        "/srv/data/skydesk.checkpoints.sqlite"
    )
    assert sqlite_checkpoint_path("sqlite://") == ":memory:"
    assert libpq_url("postgresql+psycopg://u:p@h:5433/db") == "postgresql://u:p@h:5433/db"
    with open_checkpointer(database_url) as cp:
        expected = SqliteSaver if database_url.startswith("sqlite") else PostgresSaver
        assert isinstance(cp.saver, expected)


def test_a_thread_continues_with_a_new_checkpointer_instance(
    make_assistant: AssistantFactory, world: World, session: Session, database_url: str
) -> None:
    first = make_assistant(reply("", ("cancel_ticket", {"ticket_no": world.ticket})))
    chat = first.start(AGENT, world.pat)
    card = events_of(list(chat.send("cancel it")), ApprovalRequested)[0].request

    with open_checkpointer(database_url) as fresh:
        second = make_assistant(reply("Cancelled, CHF 100 back."), checkpointer=fresh)
        resumed = second.open(chat.thread_id, AGENT)
        assert resumed.pending_approval() == card
        events = list(resumed.approve(card.approval_id))
        assert [e.status for e in events_of(events, ToolFinished)] == ["ok"]
        assert [h.role for h in resumed.history()] == ["user", "assistant", "tool", "assistant"]
    assert _cancelled(session, world.ticket)
    assert_no_dangling(chat)


def _worker(
    database_url: str, thread_id: str, clock: FixedClock, script: list[Any], *extra: str
) -> subprocess.CompletedProcess[str]:
    command = [
        sys.executable,
        "-m",
        "tests.agent.resume_worker",
        "--database-url",
        database_url,
        "--thread",
        thread_id,
        "--now",
        clock.now().isoformat(),
        "--script",
        json.dumps(script),
        *extra,
    ]
    return subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )


def test_a_thread_continues_in_another_process(
    make_assistant: AssistantFactory,
    world: World,
    session: Session,
    database_url: str,
    clock: FixedClock,
) -> None:
    chat = make_assistant(reply("", ("cancel_ticket", {"ticket_no": world.ticket}))).start(
        AGENT, world.pat
    )
    card = events_of(list(chat.send("cancel it")), ApprovalRequested)[0].request
    script = [{"content": "Cancelled; CHF 100 goes back to the card."}, {"content": "Goodbye."}]
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.agent.resume_worker",
            "--database-url",
            database_url,
            "--thread",
            chat.thread_id,
            "--now",
            clock.now().isoformat(),
            "--script",
            json.dumps(script),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["approval_id"] == card.approval_id
    kinds = [(e["type"], e.get("status") or e.get("text")) for e in out["events"]]
    assert ("ToolFinished", "ok") in kinds
    assert ("AssistantMessage", "Goodbye.") in kinds
    assert _cancelled(session, world.ticket)

    # Back here, the first process's handle reads what the other process added.
    history = chat.history()
    assert [h.text for h in history if h.role == "user"] == ["cancel it", "Thanks!"]
    assert history[-1].text == "Goodbye."
    assert chat.pending_approval() is None
    assert_no_dangling(chat)
    # ... and carries on.
    chat.assistant.model.replies.append(reply("Still here."))  # type: ignore[attr-defined]
    assert events_of(list(chat.send("one more thing")), AssistantMessage)[-1].text == "Still here."


def test_a_replica_killed_right_after_an_approved_write_never_runs_it_twice(
    make_assistant: AssistantFactory,
    world: World,
    session: Session,
    database_url: str,
    clock: FixedClock,
) -> None:
    chat = make_assistant(
        reply("", ("cancel_ticket", {"ticket_no": world.ticket})), reply("It was already done.")
    ).start(AGENT, world.pat)
    card = events_of(list(chat.send("cancel it")), ApprovalRequested)[0].request
    # The other process approves; the write commits; the process dies before saving its run.
    died = _worker(database_url, chat.thread_id, clock, [{"exit": 17}], "--approve-only")
    assert died.returncode == 17, died.stderr[-3000:]
    assert _cancelled(session, world.ticket)

    # Its run was never saved, so the card is still there, and approving again runs nothing.
    assert chat.pending_approval() == card
    events = list(chat.approve(card.approval_id))
    finished = events_of(events, ToolFinished)
    assert [(e.status, e.rule) for e in finished] == [("already_done", "already_executed")]
    assert "already carried out" in finished[0].content
    session.rollback()
    assert session.scalar(select(func.count()).select_from(ExecutedAction)) == 1
    assert session.scalar(select(func.count()).select_from(Payment)) == 1
    assert len(audits(session, action="cancel_ticket", outcome="executed")) == 1
    assert_no_dangling(chat)

"""Faults: the database refusing connections (PostgreSQL down, a vanished SQLite file) or the
code failing mid-turn, through the real runtime. Every entry point ends in an error event or
one documented error whose text is a sentence and a reference (no SQL, no table or column
names, no stack trace); a half-done write is rolled back; nothing stored keeps the SQL; and the
approval card stays decidable, so approving it once the database is back executes it once."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from langgraph.checkpoint.postgres import PostgresSaver
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session

from agent.events import ApprovalRequested, ErrorEvent, Event, ToolFinished
from agent.models.scripted import reply
from agent.runtime import Chat
from db.engine import make_engine, make_session_factory
from db.models import AuditEvent, ExecutedAction, Payment, Ticket, TicketStatus, Turn
from services.core.errors import ServiceUnavailable
from tests.agent.conftest import AGENT, AssistantFactory, World, assert_no_dangling
from tests.security.conftest import Attack, compromised

# What a message, an audit row or a turn record must never show after a fault.
LEAKS = ("SELECT", "INSERT", "UPDATE ", "[SQL", "FROM ", "Traceback", "password", "users",
         "payments", "tickets", "psycopg", "sqlalche.me", "127.0.0.1", "server closed")  # fmt: skip


def assert_safe(text: str | None) -> None:
    for leak in LEAKS:
        assert leak not in (text or ""), (leak, text)


class DatabaseDown:
    """Makes the chat's database refuse connections: the sessions point at a dead server
    (127.0.0.1:1, connection refused) and the checkpointer raises its driver's error."""

    def __init__(self, chat: Chat, monkeypatch: pytest.MonkeyPatch) -> None:
        self.chat, self.monkeypatch = chat, monkeypatch
        self.engine = make_engine("postgresql://nobody@127.0.0.1:1/gone", pool_pre_ping=False)

    def sessions(self) -> None:
        dead = make_session_factory(self.engine)
        self.monkeypatch.setattr(self.chat.assistant, "session_factory", dead)

    def checkpoints(self) -> None:
        saver = self.chat.assistant.graph.checkpointer
        driver_error = (
            psycopg.OperationalError("connection refused: SELECT checkpoint FROM checkpoints")
            if isinstance(saver, PostgresSaver)
            else sqlite3.OperationalError("disk I/O error: SELECT checkpoint FROM checkpoints")
        )

        def refuse(*_a: Any, **_k: Any) -> Any:
            raise driver_error

        for method in ("get_tuple", "put", "put_writes", "list"):
            self.monkeypatch.setattr(saver, method, refuse)

    def everything(self) -> None:
        self.sessions()
        self.checkpoints()

    def back(self) -> None:
        self.monkeypatch.undo()
        self.engine.dispose()


@pytest.fixture
def down(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    made: list[DatabaseDown] = []

    def make(chat: Chat) -> DatabaseDown:
        made.append(DatabaseDown(chat, monkeypatch))
        return made[-1]

    yield make
    for outage in made:
        outage.engine.dispose()


def last_error(events: list[Event]) -> ErrorEvent:
    assert events and isinstance(events[-1], ErrorEvent), events
    assert_safe(events[-1].message)
    assert "Reference: " in events[-1].message
    return events[-1]


def stored_text(session: Session) -> list[str | None]:
    session.rollback()
    audit = [e.message for e in session.scalars(select(AuditEvent))]
    return audit + [t.error for t in session.scalars(select(Turn))]


def cancel_card(make_assistant: AssistantFactory, world: World) -> tuple[Attack, str]:
    attack = compromised(
        make_assistant, world.pat, [("cancel_ticket", {"ticket_no": world.ticket})]
    )
    (card,) = attack.cards
    return attack, card.request.approval_id


def effects(session: Session, world: World) -> tuple[TicketStatus, int, int]:
    """(ticket status, executed approvals, refunds) of the cancelled ticket."""
    session.rollback()
    ticket = session.scalar(select(Ticket).where(Ticket.ticket_no == world.ticket))
    assert ticket is not None
    refunds = select(func.count()).select_from(Payment).where(Payment.ticket_id == ticket.id)
    executed = select(func.count()).select_from(ExecutedAction)
    return ticket.status, session.scalar(executed) or 0, (session.scalar(refunds) or 0)


@pytest.mark.parametrize("part", ["sessions", "checkpoints", "everything"])
def test_send_with_the_database_down_ends_in_a_safe_error_event(
    part: str, make_assistant: AssistantFactory, world: World, session: Session, down: Any
) -> None:
    assistant = make_assistant(responder=lambda _m: "Back.")
    chat = assistant.start(AGENT, world.pat)
    outage = down(chat)
    getattr(outage, part)()
    events = list(chat.send("Where is my flight?"))
    assert last_error(events).kind == "service_unavailable"
    outage.back()
    assert [type(e).__name__ for e in chat.send("Hello again")][-1] == "AssistantMessage"
    for text in stored_text(session):
        assert_safe(text)
    assert_no_dangling(chat)


@pytest.mark.parametrize("part", ["sessions", "checkpoints", "everything"])
def test_approve_with_the_database_down_keeps_the_card_and_executes_once_later(
    part: str, make_assistant: AssistantFactory, world: World, session: Session, down: Any
) -> None:
    attack, approval_id = cancel_card(make_assistant, world)
    before = effects(session, world)
    outage = down(attack.chat)
    getattr(outage, part)()
    assert last_error(list(attack.chat.approve(approval_id))).kind == "service_unavailable"
    assert last_error(list(attack.chat.deny(approval_id))).kind == "service_unavailable"
    outage.back()
    assert effects(session, world) == before  # nothing half-written
    pending = attack.chat.pending_approval()
    assert pending is not None and pending.approval_id == approval_id
    events = list(attack.chat.approve(approval_id))
    assert [e.status for e in events if isinstance(e, ToolFinished)] == ["ok"]
    again = list(attack.chat.approve(approval_id))
    assert [e.kind for e in again if isinstance(e, ErrorEvent)] == ["approval_not_pending"]
    assert effects(session, world) == (TicketStatus.CANCELLED, 1, before[2] + 1)
    for text in stored_text(session):
        assert_safe(text)
    assert_no_dangling(attack.chat)


def test_the_database_failing_inside_the_write_rolls_it_back_and_keeps_the_card(
    make_assistant: AssistantFactory, world: World, session: Session, monkeypatch: Any
) -> None:
    attack, approval_id = cancel_card(make_assistant, world)
    before = effects(session, world)

    def connection_lost(*_a: Any, **_k: Any) -> None:
        raise OperationalError(
            "UPDATE users SET password_hash=%s", {}, Exception("server closed the connection")
        )

    # After the seats were released, the legs cancelled and the refund added: the last step.
    monkeypatch.setattr("services.core.operations.remember_summary", connection_lost)
    error = last_error(list(attack.chat.approve(approval_id)))
    assert error.kind == "service_unavailable" and "nothing was changed" in error.message
    monkeypatch.undo()
    assert effects(session, world) == before
    assert attack.chat.pending_approval() is not None
    attack.approve_all()
    assert effects(session, world) == (TicketStatus.CANCELLED, 1, before[2] + 1)
    failures = session.scalars(select(AuditEvent).where(AuditEvent.outcome == "error")).all()
    assert [(e.action, e.rule) for e in failures] == [("cancel_ticket", "OperationalError")]
    assert failures[0].message and error.message.endswith(failures[0].message[-9:-1])
    for text in stored_text(session):
        assert_safe(text)


def test_a_write_failing_for_good_answers_the_call_without_sql_and_frees_the_chat(
    make_assistant: AssistantFactory, world: World, session: Session, monkeypatch: Any
) -> None:
    """Not the database being unreachable but a statement it rejects: approving again would
    fail again, so the call is answered (no card left that could only be approved again)."""
    attack, approval_id = cancel_card(make_assistant, world)
    before = effects(session, world)

    def rejected(*_a: Any, **_k: Any) -> None:
        raise ProgrammingError("UPDATE tickets SET status=%s", {}, Exception("syntax error"))

    monkeypatch.setattr("services.core.operations.remember_summary", rejected)
    events = list(attack.chat.approve(approval_id))
    (finished,) = [e for e in events if isinstance(e, ToolFinished)]
    assert (finished.status, finished.rule) == ("error", "service_unavailable")
    assert_safe(finished.content)
    assert attack.chat.pending_approval() is None
    assert effects(session, world) == before
    for text in stored_text(session):
        assert_safe(text)


def test_the_server_log_has_the_exception_under_the_reference_the_person_saw(
    make_assistant: AssistantFactory, world: World, down: Any, caplog: pytest.LogCaptureFixture
) -> None:
    chat = make_assistant(responder=lambda _m: "Hi.").start(AGENT, world.pat)
    down(chat).everything()
    error = last_error(list(chat.send("hello")))
    reference = error.message.rsplit("Reference: ", 1)[1]
    (logged,) = [r for r in caplog.records if getattr(r, "fault_reference", None) == reference]
    # observability's masking filter, once configured, moves the traceback into exc_text
    traceback_logged = logged.exc_info is not None or "Traceback" in (logged.exc_text or "")
    assert traceback_logged and logged.levelname == "ERROR"


READS = {
    "history": lambda chat: chat.history(),
    "pending_approval": lambda chat: chat.pending_approval(),
    "status": lambda chat: chat.status,
    "mark_resolved": lambda chat: chat.mark_resolved() or True,
}


@pytest.mark.parametrize("read", list(READS))
def test_reads_with_the_database_down_raise_one_safe_error(
    read: str, make_assistant: AssistantFactory, world: World, down: Any
) -> None:
    attack, _ = cancel_card(make_assistant, world)
    outage = down(attack.chat)
    outage.everything()
    with pytest.raises(ServiceUnavailable) as raised:
        READS[read](attack.chat)
    assert_safe(raised.value.message)
    assert "Reference: " in raised.value.message
    outage.back()
    assert READS[read](attack.chat)


def test_starting_or_opening_a_chat_with_the_database_down_raises_one_safe_error(
    make_assistant: AssistantFactory, world: World, down: Any
) -> None:
    assistant = make_assistant(responder=lambda _m: "Hi.")
    chat = assistant.start(AGENT, world.pat)
    outage = down(chat)
    outage.sessions()
    with pytest.raises(ServiceUnavailable) as started:
        assistant.start(AGENT, world.pat)
    with pytest.raises(ServiceUnavailable) as opened:
        assistant.open(chat.thread_id, AGENT)
    for raised in (started, opened):
        assert_safe(raised.value.message)


@pytest.mark.usefixtures("session")
def test_a_model_raising_mid_stream_ends_in_a_safe_event_and_the_chat_goes_on(
    make_assistant: AssistantFactory, world: World
) -> None:
    leak = RuntimeError("SELECT password_hash FROM users WHERE username='admin'")
    chat = make_assistant(leak, reply("Fine again.")).start(AGENT, world.pat)
    events = list(chat.send("hello"))
    errors = [e for e in events if isinstance(e, ErrorEvent)]
    assert [e.kind for e in errors] == ["model_error"]
    assert_safe(errors[0].message)
    assert [type(e).__name__ for e in chat.send("again")][-1] == "AssistantMessage"
    assert_no_dangling(chat)


def test_a_bug_mid_stream_ends_the_stream_with_an_internal_error_and_a_safe_record(
    make_assistant: AssistantFactory, world: World, session: Session, monkeypatch: Any
) -> None:
    chat = make_assistant(reply("", ("get_passenger_trips", {})), reply("Done.")).start(
        AGENT, world.pat
    )

    def broken(*_a: Any, **_k: Any) -> Any:
        raise KeyError("SELECT email FROM users")

    monkeypatch.setattr("agent.streaming.Translator._tool_message", broken)
    events = list(chat.send("my trips"))
    assert any(isinstance(e, ApprovalRequested | ToolFinished) for e in events) is False
    assert last_error(events).kind == "internal_error"
    session.rollback()
    record = session.scalars(select(Turn).order_by(Turn.id)).all()[-1].error
    assert record is not None and record.startswith("internal_error: KeyError (reference ")
    assert_safe(record)

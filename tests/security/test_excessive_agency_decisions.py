"""Approve in one replica and deny in another at the same moment: the first decision wins,
atomically, and the other agent is told what was decided (issue #10, item 2)."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.events import ErrorEvent, ToolFinished
from agent.models.scripted import reply
from db.models import Role, Ticket, TicketStatus
from services.core import approvals
from services.core.context import Actor
from tests.agent.conftest import AGENT, AssistantFactory, World, audits

OTHER_AGENT = Actor("agent2", Role.AGENT)


def _card(make_assistant: AssistantFactory, world: World) -> tuple[Any, str]:
    first = make_assistant(reply("", ("cancel_ticket", {"ticket_no": world.ticket})), reply("Ok."))
    chat = first.start(AGENT, world.pat)
    list(chat.send("Cancel my ticket"))
    card = chat.pending_approval()
    assert card is not None
    return chat, card.approval_id


def _ticket_status(session: Session, ticket_no: str) -> TicketStatus:
    session.rollback()
    ticket = session.scalar(select(Ticket).where(Ticket.ticket_no == ticket_no))
    assert ticket is not None
    return ticket.status


def test_approve_and_deny_racing_in_two_replicas_have_one_outcome(
    make_assistant: AssistantFactory, world: World, session: Session
) -> None:
    chat, approval_id = _card(make_assistant, world)
    # Two replicas: two Assistant instances on one database and one checkpointer.
    replica_a = make_assistant(reply("Cancelled."), responder=lambda _m: "Done.")
    replica_b = make_assistant(reply("Kept."), responder=lambda _m: "Done.")
    approver = replica_a.open(chat.thread_id, AGENT)
    denier = replica_b.open(chat.thread_id, OTHER_AGENT)
    barrier = threading.Barrier(2)
    results: dict[str, list[Any]] = {}

    def run(name: str, fn: Any) -> None:
        barrier.wait()
        results[name] = list(fn())

    threads = [
        threading.Thread(target=run, args=("approve", lambda: approver.approve(approval_id))),
        threading.Thread(target=run, args=("deny", lambda: denier.deny(approval_id, "no"))),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    stored = approvals.stored_decision(session, approval_id)
    assert stored is not None
    winner = "approve" if stored.verdict is approvals.Verdict.APPROVED else "deny"
    loser = "deny" if winner == "approve" else "approve"
    # The loser ran nothing and was told what was decided, by whom.
    late = [e for e in results[loser] if isinstance(e, ErrorEvent)]
    assert [e.kind for e in late] == ["approval_already_decided"] or any(
        e.kind == "approval_not_pending" for e in late
    )
    assert not [e for e in results[loser] if isinstance(e, ToolFinished)]
    if late[0].kind == "approval_already_decided":
        assert f"already {stored.verdict.value} by {stored.actor}" in late[0].message
        assert "nothing else was done" in late[0].message
    # Exactly one outcome in the database and one decision in the audit.
    expected = TicketStatus.CANCELLED if winner == "approve" else TicketStatus.ACTIVE
    assert _ticket_status(session, world.ticket) == expected
    decisions = [e for e in audits(session) if e.action in ("approve", "deny")]
    assert [(e.action, e.outcome) for e in decisions if e.outcome != "too_late"] == [
        (winner, stored.verdict.value)
    ]
    executed = audits(session, action="cancel_ticket", outcome="executed")
    assert len(executed) == (1 if winner == "approve" else 0)


def test_a_deny_after_an_approve_elsewhere_is_told_and_changes_nothing(
    make_assistant: AssistantFactory, world: World, session: Session
) -> None:
    """The approver's replica stored its decision and died before its run was saved: the card
    still shows as pending everywhere, and a deny in another replica must not undo it."""
    chat, approval_id = _card(make_assistant, world)
    sctx = chat.context.service_context()
    approvals.decide(session, sctx, approval_id, approvals.Verdict.APPROVED)
    denier = make_assistant(responder=lambda _m: "Done.").open(chat.thread_id, OTHER_AGENT)
    events = list(denier.deny(approval_id, "wrong passenger"))
    errors = [e for e in events if isinstance(e, ErrorEvent)]
    assert [e.kind for e in errors] == ["approval_already_decided"]
    assert errors[0].message.startswith("This request was already approved by agent at ")
    assert _ticket_status(session, world.ticket) == TicketStatus.ACTIVE  # the deny ran nothing
    late = audits(session, action="deny")
    assert [(e.outcome, e.rule, e.actor) for e in late] == [
        ("too_late", "already_decided", "agent2")
    ]
    # The approving side resumes and the write runs once.
    again = list(chat.approve(approval_id))
    assert [e.status for e in again if isinstance(e, ToolFinished)] == ["ok"]
    assert _ticket_status(session, world.ticket) == TicketStatus.CANCELLED


def test_the_same_decision_twice_is_idempotent(
    make_assistant: AssistantFactory, world: World, session: Session
) -> None:
    chat, approval_id = _card(make_assistant, world)
    other = make_assistant(responder=lambda _m: "Done.").open(chat.thread_id, OTHER_AGENT)
    first = list(chat.deny(approval_id, "no"))
    second = list(other.deny(approval_id, "no"))
    assert [e.status for e in first if isinstance(e, ToolFinished)] == ["denied"]
    assert not [e for e in second if isinstance(e, ToolFinished)]
    assert len(audits(session, action="deny")) == 1
    assert _ticket_status(session, world.ticket) == TicketStatus.ACTIVE

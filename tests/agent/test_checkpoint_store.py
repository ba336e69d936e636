"""The conversation store keeps a flat cost per turn: superseded checkpoints are pruned after
each run, a waiting approval and the repair of a cut-off run survive that, and retention
deletes old threads while review and history keep their transcript (from the turns)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from langchain_core.messages import AIMessage
from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.checkpoint import Checkpointer, open_checkpointer
from agent.checkpoint_store import footprint, has_pending_interrupt, prune_thread
from agent.events import ApprovalRequested, AssistantMessage, ToolFinished
from agent.models.scripted import reply
from agent.retention import expire_checkpoints
from db.models import AuditEvent, Conversation, Role
from services.core import audit
from services.core.clock import FixedClock
from services.core.context import ServiceContext
from services.support import handoff
from tests import factories as f
from tests.agent.conftest import AGENT, AssistantFactory, World, assert_no_dangling, events_of

TURNS = 100
LATER = timedelta(days=200)  # past the 180 days of retention


def test_checkpoint_bytes_per_turn_stay_flat_over_a_long_conversation(
    make_assistant: AssistantFactory, world: World, checkpointer: Checkpointer
) -> None:
    chat = make_assistant(responder=lambda _m: "Noted: your trip stays as it is.").start(
        AGENT, world.pat
    )
    held = []
    for i in range(TURNS):
        list(chat.send(f"Question number {i}: is my flight still on time?"))
        held.append(footprint(checkpointer.saver, chat.thread_id))
    early = (held[9].bytes - 0) / 10
    late = (held[-1].bytes - held[-11].bytes) / 10
    # Kept whole, each turn would add the entire history again (~10x by turn 100).
    assert late <= 1.5 * early, (early, late)
    assert held[-1].checkpoints == held[9].checkpoints == 1
    assert held[-1].rows == held[9].rows
    assert len(chat.history()) == 2 * TURNS


def test_a_pending_approval_survives_pruning_and_is_approved_after_a_restart(
    make_assistant: AssistantFactory, world: World, database_url: str, checkpointer: Checkpointer
) -> None:
    first = make_assistant(
        reply("Sure."), reply("", ("cancel_ticket", {"ticket_no": world.ticket}))
    )
    chat = first.start(AGENT, world.pat)
    list(chat.send("hello"))
    card = events_of(list(chat.send("cancel my ticket")), ApprovalRequested)[0].request
    prune_thread(checkpointer.saver, chat.thread_id)  # again: nothing it needs goes
    assert footprint(checkpointer.saver, chat.thread_id).checkpoints == 1
    assert has_pending_interrupt(checkpointer.saver, chat.thread_id) is True
    refused = list(chat.send("and another thing"))
    assert [e.kind for e in refused] == ["approval_pending"]  # type: ignore[union-attr]

    with open_checkpointer(database_url) as fresh:
        second = make_assistant(reply("Cancelled."), checkpointer=fresh)
        resumed = second.open(chat.thread_id, AGENT)
        assert resumed.pending_approval() == card
        events = list(resumed.approve(card.approval_id))
        assert [e.status for e in events_of(events, ToolFinished)] == ["ok"]
        assert has_pending_interrupt(fresh.saver, chat.thread_id) is False
        roles = [h.role for h in resumed.history()]
        assert roles == ["user", "assistant", "user", "assistant", "tool", "assistant"]
        assert_no_dangling(resumed)


def test_a_cut_off_run_is_repaired_after_pruning(
    make_assistant: AssistantFactory, world: World, checkpointer: Checkpointer
) -> None:
    assistant = make_assistant(reply("Hello."), reply("Where were we?"))
    chat = assistant.start(AGENT, world.pat)
    list(chat.send("hi"))
    cut = AIMessage(
        "", tool_calls=[{"name": "cancel_ticket", "args": {"ticket_no": world.ticket}, "id": "c1"}]
    )
    assistant.graph.update_state(chat.config, {"messages": [cut]}, as_node="agent")
    prune_thread(checkpointer.saver, chat.thread_id)
    events = list(chat.send("are you there?"))
    assert [(e.call_id, e.status) for e in events_of(events, ToolFinished)] == [("c1", "error")]
    assert events_of(events, AssistantMessage)[-1].text == "Where were we?"
    assert_no_dangling(chat)


def test_retention_deletes_old_threads_and_history_still_shows_them(
    make_assistant: AssistantFactory,
    world: World,
    checkpointer: Checkpointer,
    clock: FixedClock,
) -> None:
    assistant = make_assistant(
        reply("", ("get_passenger_trips", {})),
        reply("You fly to London on Sunday."),
        reply("Welcome back."),
    )
    chat = assistant.start(AGENT, world.pat)
    list(chat.send("what trips do I have?"))
    before = chat.history()
    assert [h.role for h in before] == ["user", "assistant", "tool", "assistant"]

    saver = checkpointer.saver
    too_soon = expire_checkpoints(assistant.session_factory, saver, now=clock.now(), days=180)
    assert too_soon.deleted == []
    dry = expire_checkpoints(
        assistant.session_factory, saver, now=clock.now() + LATER, days=180, dry_run=True
    )
    assert chat.thread_id in dry.deleted and footprint(saver, chat.thread_id).checkpoints == 1
    done = expire_checkpoints(assistant.session_factory, saver, now=clock.now() + LATER, days=180)
    assert chat.thread_id in done.deleted
    assert footprint(saver, chat.thread_id).rows == 0
    assert assistant.open(chat.thread_id, AGENT).history() == before

    # The conversation goes on without its old checkpoint; history keeps both parts.
    list(chat.send("hello again"))
    assert [h.text for h in chat.history()][-2:] == ["hello again", "Welcome back."]
    assert chat.history()[:4] == before


def test_retention_keeps_waiting_approvals_and_held_conversations(
    make_assistant: AssistantFactory,
    world: World,
    checkpointer: Checkpointer,
    session: Session,
    clock: FixedClock,
) -> None:
    assistant = make_assistant(
        reply("", ("cancel_ticket", {"ticket_no": world.ticket})),
        reply("", ("escalate_to_human", {"reason": "missing_knowledge", "summary": "bag"})),
        reply("A colleague will take over."),
    )
    waiting = assistant.start(AGENT, world.pat)
    assert events_of(list(waiting.send("cancel my ticket")), ApprovalRequested)
    held = assistant.start(AGENT, world.pat)
    card = events_of(list(held.send("where is my bag?")), ApprovalRequested)[0].request
    list(held.approve(card.approval_id))
    desk = f.user(session, "anna", Role.AGENT, at=clock.now())
    session.commit()
    handoff.take(session, ServiceContext(desk, world.pat, clock, conversation_id=held.thread_id))

    report = expire_checkpoints(
        assistant.session_factory, checkpointer.saver, now=clock.now() + LATER, days=180
    )
    assert waiting.thread_id not in report.deleted and held.thread_id not in report.deleted
    assert report.pending_approval >= 1 and report.held_by_person >= 1
    assert waiting.pending_approval() is not None
    session.rollback()
    noted = session.scalars(
        select(Conversation.checkpoints_deleted_at).where(
            Conversation.id.in_([waiting.thread_id, held.thread_id])
        )
    ).all()
    assert noted == [None, None]


def test_two_retention_runs_at_once_expire_and_audit_each_conversation_once(
    make_assistant: AssistantFactory,
    world: World,
    checkpointer: Checkpointer,
    session: Session,
    clock: FixedClock,
) -> None:
    assistant = make_assistant(responder=lambda _m: "Noted.")
    chats = [assistant.start(AGENT, world.pat) for _ in range(3)]
    for chat in chats:
        list(chat.send("hello"))
    barrier = threading.Barrier(2)

    def run(_: int) -> list[str]:
        barrier.wait(timeout=30)
        report = expire_checkpoints(
            assistant.session_factory, checkpointer.saver, now=clock.now() + LATER, days=180
        )
        return report.deleted

    with ThreadPoolExecutor(max_workers=2) as pool:
        deleted = [thread for found in pool.map(run, range(2)) for thread in found]
    threads = sorted(chat.thread_id for chat in chats)
    assert sorted(deleted) == threads  # each once, whichever run got it
    session.rollback()
    expired = session.scalars(
        select(AuditEvent.conversation_id).where(AuditEvent.action == "checkpoints_expired")
    ).all()
    assert sorted(str(c) for c in expired) == threads
    assert audit.verify(session).ok
    assert all(footprint(checkpointer.saver, t).rows == 0 for t in threads)

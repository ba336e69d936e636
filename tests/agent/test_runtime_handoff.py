"""While a person at the desk holds a conversation the assistant does not answer: the passenger's
message is stored for that person (no model run, no turn); handed back, the assistant answers
again. The assistant's own escalation puts the conversation in the desk's Queue."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from agent.events import AssistantMessage, PassedToPerson, ToolFinished
from agent.models.scripted import reply
from db.models import EscalationReason, HandoffState, MessageAuthor, Role, Turn
from services.core.clock import FixedClock
from services.core.context import ServiceContext
from services.support import handoff, live
from tests import factories as f
from tests.agent.conftest import AGENT, AssistantFactory, World, events_of


def _turns(session: Session, thread_id: str) -> int:
    session.rollback()
    return session.scalar(select(func.count(Turn.id)).where(Turn.conversation_id == thread_id)) or 0


def test_a_held_conversation_goes_to_the_person_not_the_model(
    make_assistant: AssistantFactory, world: World, session: Session, clock: FixedClock
) -> None:
    assistant = make_assistant(
        reply("", ("escalate_to_human", {"reason": "missing_knowledge", "summary": "lost bag"})),
        reply("A colleague will take over."),
        reply("Back with you: how can I help?"),
    )
    chat = assistant.start(AGENT, world.pat)
    events = list(chat.send("Where is my bag?"))
    approval = next(e for e in events if hasattr(e, "request"))
    done = list(chat.approve(approval.request.approval_id))
    assert any(isinstance(e, ToolFinished) and e.ok for e in done)
    desk = f.user(session, "anna", Role.AGENT, at=clock.now())
    session.commit()
    ctx = ServiceContext(desk, world.pat, clock, conversation_id=chat.thread_id)
    [entry] = handoff.queue(session, ctx)  # the assistant's escalation queued it
    assert entry.reason == EscalationReason.MISSING_KNOWLEDGE
    handoff.take(session, ctx)
    before = _turns(session, chat.thread_id)

    events = list(chat.send("Hello? Anyone there?"))
    passed = events_of(events, PassedToPerson)
    assert len(events) == len(passed) == 1 and passed[0].held_by == "anna"
    assert _turns(session, chat.thread_id) == before  # the model did not run
    last = live.messages(session, conversation_id=chat.thread_id)[-1]
    assert (last.author, last.text) == (MessageAuthor.PASSENGER, "Hello? Anyone there?")

    handoff.hand_back(session, ctx)
    assert handoff.active(session, conversation_id=chat.thread_id) is None
    answer = events_of(list(chat.send("Thanks, one more question")), AssistantMessage)
    assert answer[-1].text == "Back with you: how can I help?"
    assert _turns(session, chat.thread_id) == before + 1


def test_a_waiting_conversation_is_still_answered_by_the_assistant(
    make_assistant: AssistantFactory, world: World, session: Session
) -> None:
    assistant = make_assistant(reply("While you wait: your flight is on time."))
    chat = assistant.start(AGENT, world.pat)
    chat.mark_escalated("customer_request")
    entry = handoff.active(session, conversation_id=chat.thread_id)
    assert entry is not None and entry.state == HandoffState.WAITING
    answer = events_of(list(chat.send("Is my flight on time?")), AssistantMessage)
    assert answer[-1].text == "While you wait: your flight is on time."

"""Every run records a Turn row; conversations are rows with a status; approvals, denials and
writes are in the (intact) audit chain."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from agent.events import ApprovalRequested
from agent.models.scripted import reply
from db.models import Conversation, ConversationStatus, Turn, TurnToolCall
from services.core import audit
from tests.agent.conftest import AGENT, AssistantFactory, World, audits, events_of


def _conversation(session: Session, thread_id: str) -> Conversation:
    session.rollback()
    conversation = session.get(Conversation, thread_id)
    assert conversation is not None
    return conversation


def test_each_run_records_a_turn_and_each_decision_an_audit(
    make_assistant: AssistantFactory, world: World, session: Session
) -> None:
    assistant = make_assistant(
        reply("", ("get_passenger_trips", {})),
        reply("You have four tickets."),
        reply("", ("cancel_ticket", {"ticket_no": world.ticket})),
        reply("Cancelled."),
        reply("", ("cancel_excursion", {"booking_id": world.excursion_booking})),
        reply("Kept it."),
    )
    chat = assistant.start(AGENT, world.pat)
    list(chat.send("What do I have?"))
    first = events_of(list(chat.send("Cancel the London ticket")), ApprovalRequested)[0]
    list(chat.approve(first.request.approval_id))
    second = events_of(list(chat.send("And the excursion")), ApprovalRequested)[0]
    list(chat.deny(second.request.approval_id, "not now"))

    session.rollback()
    turns = list(
        session.scalars(
            select(Turn).where(Turn.conversation_id == chat.thread_id).order_by(Turn.id)
        )
    )
    assert len(turns) == 5
    calls = [[(c["name"], c["status"]) for c in t.tool_calls] for t in turns]
    assert calls == [
        [("get_passenger_trips", "ok")],
        [("cancel_ticket", "awaiting_approval")],
        [("cancel_ticket", "ok")],
        [("cancel_excursion", "awaiting_approval")],
        [("cancel_excursion", "denied")],
    ]
    assert turns[1].tool_calls[0]["args"] == {"ticket_no": world.ticket}
    # The same calls as rows, which the Metrics page counts.
    rows = session.execute(
        select(
            TurnToolCall.turn_id, TurnToolCall.name, TurnToolCall.status, TurnToolCall.started_at
        )
        .where(TurnToolCall.turn_id.in_([t.id for t in turns]))
        .order_by(TurnToolCall.id)
    ).all()
    assert [(r.name, r.status) for r in rows] == [c for turn_calls in calls for c in turn_calls]
    assert [r.started_at for r in rows] == [t.started_at for t in turns]
    assert all(t.latency_ms > 0 and t.model == "scripted" and t.error is None for t in turns)
    # Token usage comes from the model's usage metadata; a run without a model call has none.
    assert all(t.tokens_in > 0 and t.tokens_out > 0 for t in turns)

    conversation = _conversation(session, chat.thread_id)
    assert conversation.title == "What do I have?"
    assert conversation.passenger_id == world.pat and conversation.model == "scripted"
    assert conversation.status == ConversationStatus.OPEN
    assert conversation.updated_at >= conversation.started_at

    decisions = [(e.action, e.outcome) for e in audits(session, conversation_id=chat.thread_id)]
    assert ("approve", "approved") in decisions and ("deny", "denied") in decisions
    assert ("cancel_ticket", "executed") in decisions
    assert ("cancel_excursion", "executed") not in decisions
    assert audit.verify(session).ok


def test_conversations_are_marked_resolved_or_escalated(
    make_assistant: AssistantFactory, world: World, session: Session
) -> None:
    assistant = make_assistant(
        reply(
            "",
            (
                "escalate_to_human",
                {"reason": "policy_restriction", "summary": "Wants a refund on Light."},
            ),
        ),
        reply("A colleague will take over."),
    )
    chat = assistant.start(AGENT, world.pat, title="Refund question")
    assert _conversation(session, chat.thread_id).title == "Refund question"
    card = events_of(list(chat.send("I want a human")), ApprovalRequested)[0].request
    assert card.tool == "escalate_to_human" and card.charge is None and card.refund is None
    list(chat.approve(card.approval_id))
    conversation = _conversation(session, chat.thread_id)
    assert conversation.status == ConversationStatus.ESCALATED
    assert conversation.escalation_reason == "policy_restriction"

    chat.mark_resolved()
    assert chat.status == ConversationStatus.RESOLVED
    chat.mark_escalated("customer_request")
    conversation = _conversation(session, chat.thread_id)
    assert conversation.status == ConversationStatus.ESCALATED
    assert conversation.escalation_reason == "customer_request"

"""Human approval: approve runs the write once, deny tells the model, double approvals
execute once, several write calls in one message each get an answer, refusals and changed
quotes never execute."""

from __future__ import annotations

import json
import threading
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from agent.events import ApprovalRequested, AssistantMessage, ErrorEvent, ToolFinished
from agent.models.scripted import ScriptedChatModel, reply
from agent.runtime import Chat
from db.models import ExecutedAction, Flight, Payment, Ticket, TicketStatus
from services.core import audit
from tests import factories as f
from tests.agent.conftest import (
    AGENT,
    AssistantFactory,
    World,
    assert_no_dangling,
    audits,
    events_of,
)


def _ticket(session: Session, number: str) -> Ticket:
    session.rollback()
    found = session.scalar(select(Ticket).where(Ticket.ticket_no == number))
    assert found is not None
    return found


def _count(session: Session, model: Any) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(model)) or 0


def _card(chat: Chat, text: str = "Go ahead") -> ApprovalRequested:
    events = list(chat.send(text))
    cards = events_of(events, ApprovalRequested)
    assert len(cards) == 1, events
    return cards[0]


def test_approve_runs_the_change_and_audits_it(
    make_assistant: AssistantFactory, world: World, session: Session
) -> None:
    args = {"ticket_no": world.ticket, "new_flight_ids": [world.later]}
    chat = make_assistant(reply("", ("change_flight", args)), reply("Moved.")).start(
        AGENT, world.pat
    )
    card = _card(chat).request
    assert card.charge == Decimal("110.00")
    assert card.details == [
        "Change fee CHF 50.00",
        "Fare difference CHF 60.00",
        "Charged to Pat Keller's Visa ending 4242",
    ]
    assert "CHF 50 change fee" in (card.rule or "")
    assert card.changes[0].before and "AL" in card.changes[0].after  # type: ignore[operator]
    assert card.approval_id.startswith(chat.thread_id + ":")
    # A new assistant instance (another replica) sees the same pending card.
    assert chat.pending_approval() == card

    events = list(chat.approve(card.approval_id))
    assert [e.status for e in events_of(events, ToolFinished)] == ["ok"]
    assert _ticket(session, world.ticket).legs[-1].flight_id == world.later
    approvals = audits(session, action="approve")
    assert len(approvals) == 1 and approvals[0].outcome == "approved"
    assert approvals[0].details == {
        "tool": "change_flight",
        "args": {"ticket_no": world.ticket, "new_flight_ids": [world.later]},
        "approval_id": card.approval_id,
    }
    executed = audits(session, action="change_flight", outcome="executed")
    assert len(executed) == 1 and executed[0].details["idempotency_key"] == card.approval_id
    assert executed[0].conversation_id == chat.thread_id
    assert audit.verify(session).ok


def test_deny_changes_nothing_and_the_model_explains(
    make_assistant: AssistantFactory, world: World, session: Session
) -> None:
    model = ScriptedChatModel(
        replies=[
            reply("", ("cancel_ticket", {"ticket_no": world.ticket})),
            reply("Understood, the ticket stays as it is."),
        ]
    )
    chat = make_assistant(model=model).start(AGENT, world.pat)
    card = _card(chat, "Cancel my ticket").request
    assert card.refund == Decimal("100.00") and card.charge is None

    events = list(chat.deny(card.approval_id, "customer changed their mind"))
    finished = events_of(events, ToolFinished)
    assert [(e.name, e.status) for e in finished] == [("cancel_ticket", "denied")]
    assert "customer changed their mind" in finished[0].content
    assert events_of(events, AssistantMessage)[-1].text.startswith("Understood")
    # The model read the denial before answering.
    last_tool = [m for m in model.calls[-1] if m.type == "tool"][-1]
    assert last_tool.text.startswith("DENIED by the support agent")
    assert _ticket(session, world.ticket).status == TicketStatus.ACTIVE
    denial = audits(session, action="deny")
    assert len(denial) == 1 and denial[0].outcome == "denied"
    assert denial[0].message == "customer changed their mind"
    assert denial[0].details["tool"] == "cancel_ticket"
    assert not audits(session, action="cancel_ticket", outcome="executed")
    assert_no_dangling(chat)


def test_approving_twice_in_one_tab_executes_once(
    make_assistant: AssistantFactory, world: World, session: Session
) -> None:
    args = {"ticket_no": world.ticket, "new_flight_ids": [world.later]}
    chat = make_assistant(reply("", ("change_flight", args)), reply("Moved.")).start(
        AGENT, world.pat
    )
    card = _card(chat).request
    first = list(chat.approve(card.approval_id))
    second = list(chat.approve(card.approval_id))
    assert [e.status for e in events_of(first, ToolFinished)] == ["ok"]
    assert [e.kind for e in second if isinstance(e, ErrorEvent)] == ["approval_not_pending"]
    assert len(second) == 1
    assert _count(session, ExecutedAction) == 1
    assert _count(session, Payment) == 1


def test_two_tabs_on_two_replicas_approving_at_once_execute_once(
    make_assistant: AssistantFactory, world: World, session: Session, database_url: str
) -> None:
    from agent.checkpoint import open_checkpointer

    args = {"ticket_no": world.ticket, "new_flight_ids": [world.later]}
    chat = make_assistant(reply("", ("change_flight", args))).start(AGENT, world.pat)
    card = _card(chat).request

    # Two replicas: their own checkpointer connections, models and in-process locks.
    replicas = [open_checkpointer(database_url) for _ in range(2)]
    tabs = [
        make_assistant(responder=lambda _m: "Moved.", checkpointer=cp).open(chat.thread_id, AGENT)
        for cp in replicas
    ]
    barrier = threading.Barrier(2)
    results: list[list[Any]] = [[], []]

    def click(i: int) -> None:
        barrier.wait()
        results[i] = list(tabs[i].approve(card.approval_id))

    threads = [threading.Thread(target=click, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for cp in replicas:
        cp.close()

    statuses = sorted(
        [e.status for e in events_of(r, ToolFinished)] or [e.kind for e in r] for r in results
    )
    # One tab ran the change; the other found it executed (or no longer pending).
    assert ["ok"] in statuses, statuses
    assert statuses.count(["ok"]) == 1, statuses
    assert _count(session, ExecutedAction) == 1
    assert _count(session, Payment) == 1
    assert len(audits(session, action="change_flight", outcome="executed")) == 1
    assert _ticket(session, world.ticket).legs[-1].flight_id == world.later


@pytest.mark.usefixtures("session")
def test_two_writes_in_one_message_each_get_an_answer(
    make_assistant: AssistantFactory, world: World
) -> None:
    model = ScriptedChatModel(
        replies=[
            reply(
                "Cancelling both.",
                ("get_passenger_trips", {}),
                ("cancel_hotel_booking", {"booking_id": world.hotel_booking}),
                ("cancel_car_rental", {"rental_id": world.car_rental}),
            ),
            reply("The hotel is cancelled; the car stays booked."),
        ]
    )
    chat = make_assistant(model=model).start(AGENT, world.pat)
    first = _card(chat, "Cancel the hotel and the car").request
    assert first.tool == "cancel_hotel_booking"
    events = list(chat.approve(first.approval_id))
    # The second write gets its own card; the model is not called in between.
    second = events_of(events, ApprovalRequested)[0].request
    assert second.tool == "cancel_car_rental" and len(model.calls) == 1
    events = list(chat.deny(second.approval_id, "keep the car"))
    assert [e.status for e in events_of(events, ToolFinished)] == ["denied"]
    answers = {m.name: m.text for m in model.calls[-1] if m.type == "tool"}
    assert set(answers) == {"get_passenger_trips", "cancel_hotel_booking", "cancel_car_rental"}
    assert answers["cancel_car_rental"].startswith("DENIED")
    assert_no_dangling(chat)


def test_a_refused_change_never_reaches_a_card(
    make_assistant: AssistantFactory, world: World, session: Session
) -> None:
    args = {"ticket_no": world.light_ticket, "new_flight_ids": [world.later]}
    chat = make_assistant(
        reply("", ("change_flight", args)), reply("Light fares cannot be changed.")
    ).start(AGENT, world.pat)
    events = list(chat.send("Move my light ticket"))
    assert not events_of(events, ApprovalRequested)
    finished = events_of(events, ToolFinished)
    assert finished[0].status == "refused" and finished[0].rule == "fare_light_no_change"
    assert finished[0].content.startswith("REFUSED (rule fare_light_no_change): Light fares")
    assert audits(session, outcome="refused", rule="fare_light_no_change")
    assert_no_dangling(chat)


def test_a_quote_that_changed_after_the_card_is_not_executed(
    make_assistant: AssistantFactory, world: World, session: Session
) -> None:
    args = {"ticket_no": world.ticket, "new_flight_ids": [world.later]}
    chat = make_assistant(reply("", ("change_flight", args)), reply("The price changed.")).start(
        AGENT, world.pat
    )
    card = _card(chat).request
    assert card.charge == Decimal("110.00")
    session.rollback()
    flight = session.get(Flight, world.later)
    assert flight is not None
    flight.base_price = Decimal(400)  # the fare went up while the card was on screen
    session.commit()
    events = list(chat.approve(card.approval_id))
    finished = events_of(events, ToolFinished)
    # The write refuses inside its transaction: nothing charged, refusal shown and audited.
    assert finished[0].status == "refused" and finished[0].rule == "price_changed_since_approval"
    assert "from CHF 110.00 to CHF" in finished[0].content
    assert audits(session, outcome="refused", rule="price_changed_since_approval")
    assert _count(session, ExecutedAction) == 0
    assert _ticket(session, world.ticket).legs[-1].flight_id == world.first


def test_a_new_message_waits_for_the_pending_approval(
    make_assistant: AssistantFactory, world: World
) -> None:
    chat = make_assistant(reply("", ("cancel_ticket", {"ticket_no": world.ticket}))).start(
        AGENT, world.pat
    )
    card = _card(chat).request
    blocked = list(chat.send("Actually, something else"))
    assert [e.kind for e in blocked if isinstance(e, ErrorEvent)] == ["approval_pending"]
    assert chat.pending_approval() == card


def test_checkpoints_hold_plain_data_only(make_assistant: AssistantFactory, world: World) -> None:
    """Session factory, clock and actor travel as runtime context, never in the checkpoint."""
    from langchain_core.messages import messages_to_dict

    chat = make_assistant(reply("", ("cancel_ticket", {"ticket_no": world.ticket}))).start(
        AGENT, world.pat
    )
    _card(chat)
    state = chat.assistant.graph.get_state(chat.config)
    assert set(state.values) <= {
        "messages",
        "inbox",
        "passenger",
        "failed_rounds",
        "model_calls",
        "stop_reason",
        "card",  # the approval card as JSON (ApprovalRequest.model_dump(mode="json"))
    }
    plain = {k: v for k, v in state.values.items() if k != "messages"}
    json.dumps(plain)  # JSON all the way down
    json.dumps(messages_to_dict(state.values["messages"]))
    json.dumps([item.value for item in state.interrupts])
    assert state.values["passenger"]["passenger_id"] == world.pat
    assert "email" not in state.values["passenger"]


def test_compensation_is_quoted_before_the_card_and_paid_once(
    make_assistant: AssistantFactory, world: World, session: Session
) -> None:
    chat = make_assistant(
        reply("", ("request_compensation", {"ticket_no": world.ticket})),
        reply("That flight is on time, so no compensation is due."),
        reply("", ("request_compensation", {"ticket_no": world.cancelled_ticket})),
        reply("The compensation is paid."),
        reply("", ("request_compensation", {"ticket_no": world.cancelled_ticket})),
        reply("It was paid already."),
    ).start(AGENT, world.pat)
    on_time = events_of(list(chat.send("compensation for London?")), ToolFinished)
    assert [(e.status, e.rule) for e in on_time] == [("refused", "compensation_not_eligible")]
    card = _card(chat, "and for Barcelona?").request
    assert card.refund == f.eu261_chf(250) and "cancelled" in card.summary
    list(chat.approve(card.approval_id))
    again = list(chat.send("and once more?"))
    assert not events_of(again, ApprovalRequested)
    assert [(e.status, e.rule) for e in events_of(again, ToolFinished)] == [
        ("refused", "compensation_already_paid")
    ]
    assert len(audits(session, action="request_compensation", outcome="executed")) == 1
    assert len(audits(session, action="quote_compensation", outcome="refused")) == 2

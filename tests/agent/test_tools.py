"""Every tool of agent/tools.py, through the graph, with a scripted model."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from agent.events import ApprovalRequested, AssistantMessage, ToolFinished
from agent.models.scripted import ScriptedChatModel, reply
from agent.tools import TOOLS
from db.models import (
    CarRental,
    Compensation,
    Escalation,
    ExcursionBooking,
    Flight,
    HotelBooking,
    Ticket,
)
from services.core.clock import FixedClock
from services.support import snapshot
from tests import factories as f
from tests.agent.conftest import (
    AGENT,
    AssistantFactory,
    World,
    assert_no_dangling,
    audits,
    day,
    events_of,
)
from tests.conftest import context_for

READ = [
    "get_passenger_trips",
    "search_flights",
    "get_flight_status",
    "lookup_policy",
    "quote_flight_change",
    "quote_cancellation",
    "disruption_options",
    "search_hotels",
    "search_car_rentals",
    "search_excursions",
]
WRITE = [
    "change_flight",
    "cancel_ticket",
    "book_flight",
    "request_compensation",
    "book_hotel",
    "change_hotel_booking",
    "cancel_hotel_booking",
    "book_car_rental",
    "change_car_rental",
    "cancel_car_rental",
    "book_excursion",
    "cancel_excursion",
    "escalate_to_human",
]


def test_the_tool_set_is_the_briefs() -> None:
    assert sorted(TOOLS) == sorted(READ + WRITE)
    assert all(TOOLS[name].write for name in WRITE)
    assert not any(TOOLS[name].write for name in READ)
    for spec in TOOLS.values():
        schema = spec.tool.tool_call_schema.model_json_schema()  # type: ignore[union-attr]
        assert "env" not in schema.get("properties", {})
        # Identity is never an argument the model could fill in.
        assert not {"passenger_id", "user", "actor", "username"} & set(schema.get("properties", {}))
        assert spec.tool.description.strip(), spec.name


def test_every_read_tool_in_one_parallel_round(
    make_assistant: AssistantFactory, world: World, session: Session
) -> None:
    flight_no = session.get(Flight, world.first).flight_no  # type: ignore[union-attr]
    calls: list[tuple[str, dict[str, Any]]] = [
        ("get_passenger_trips", {}),
        ("search_flights", {"origin": "ZRH", "destination": "London", "day": str(day(4))}),
        ("get_flight_status", {"flight_no": flight_no, "day": str(day(3))}),
        ("lookup_policy", {"question": "How much is the change fee for a Classic fare?"}),
        ("quote_flight_change", {"ticket_no": world.ticket, "new_flight_ids": [world.later]}),
        ("quote_cancellation", {"ticket_no": world.ticket}),
        ("disruption_options", {}),
        ("search_hotels", {"city": "London", "checkin": str(day(5)), "checkout": str(day(7))}),
        ("search_car_rentals", {"city": "LHR", "start": str(day(5)), "end": str(day(8))}),
        ("search_excursions", {"city": "London", "day": str(day(5)), "participants": 2}),
    ]
    model = ScriptedChatModel(replies=[reply("Looking.", *calls), reply("Here is what I found.")])
    chat = make_assistant(model=model).start(AGENT, world.pat)
    events = list(chat.send("Tell me everything"))
    finished = {e.name: e for e in events_of(events, ToolFinished)}
    assert sorted(finished) == sorted(READ)
    assert all(e.ok for e in finished.values()), [e for e in finished.values() if not e.ok]
    trips = json.loads(finished["get_passenger_trips"].content)
    assert {t["ticket_no"] for t in trips["tickets"]} >= {world.ticket, world.light_ticket}
    assert world.other_ticket not in finished["get_passenger_trips"].content
    assert json.loads(finished["quote_flight_change"].content)["total"] == "110.00"
    assert json.loads(finished["quote_cancellation"].content)["refund"] == "100.00"
    assert json.loads(finished["search_flights"].content)["count"] >= 1
    disrupted = json.loads(finished["disruption_options"].content)["disrupted"]
    assert [d["ticket_no"] for d in disrupted] == [world.cancelled_ticket]
    assert world.other_ticket not in finished["disruption_options"].content
    assert "change" in finished["lookup_policy"].content.lower()
    assert json.loads(finished["search_hotels"].content)["results"][0]["hotel_id"] == world.hotel
    assert events_of(events, AssistantMessage)[-1].text == "Here is what I found."
    # The model's next call saw one answer per call, right after its message.
    assert len([m for m in model.calls[-1] if m.type == "tool"]) == len(READ)
    assert_no_dangling(chat)


def _write_cases(w: World) -> dict[str, tuple[list[tuple[str, dict[str, Any]]], dict[str, Any]]]:
    """Per write tool: searches the model makes first (their offers price the card), then the
    write call's arguments."""
    d = {n: str(day(n)) for n in range(20)}
    return {
        "change_flight": ([], {"ticket_no": w.ticket, "new_flight_ids": [w.later]}),
        "cancel_ticket": ([], {"ticket_no": w.ticket}),
        "book_flight": ([], {"flight_ids": [w.later], "fare": "Flex"}),
        "request_compensation": ([], {"ticket_no": w.cancelled_ticket}),
        "book_hotel": (
            [("search_hotels", {"city": "London", "checkin": d[5], "checkout": d[7]})],
            {"hotel_id": w.hotel, "checkin": d[5], "checkout": d[7]},
        ),
        "change_hotel_booking": (
            [],
            {"booking_id": w.hotel_booking, "checkin": d[12], "checkout": d[16]},
        ),
        "cancel_hotel_booking": ([], {"booking_id": w.hotel_booking}),
        "book_car_rental": (
            [("search_car_rentals", {"city": "London", "start": d[5], "end": d[8]})],
            {"offer_id": w.car_offer, "start": d[5], "end": d[8]},
        ),
        "change_car_rental": ([], {"rental_id": w.car_rental, "start": d[12], "end": d[14]}),
        "cancel_car_rental": ([], {"rental_id": w.car_rental}),
        "book_excursion": (
            [("search_excursions", {"city": "London", "day": d[6], "participants": 2})],
            {"excursion_id": w.excursion, "day": d[6], "participants": 2},
        ),
        "cancel_excursion": ([], {"booking_id": w.excursion_booking}),
        "escalate_to_human": ([], {"reason": "customer_request", "summary": "Wants a person."}),
    }


# (charge, refund) each approval card must quote, from the world's prices.
QUOTES = {
    "change_flight": ("110.00", None),
    "cancel_ticket": (None, "100.00"),
    "book_flight": ("377.00", None),
    "request_compensation": (None, str(f.eu261_chf(250))),  # EU 261 Art. 7(1)(a)
    "book_hotel": ("300.00", None),
    "change_hotel_booking": ("150.00", None),
    "cancel_hotel_booking": (None, "450.00"),
    "book_car_rental": ("180.00", None),
    "change_car_rental": (None, "120.00"),
    "cancel_car_rental": (None, "240.00"),
    "book_excursion": ("160.00", None),
    "cancel_excursion": (None, "80.00"),
    "escalate_to_human": (None, None),
}


def _changed(session: Session, clock: FixedClock, w: World, tool: str) -> bool:
    session.rollback()  # a fresh transaction sees what other sessions committed
    snap = snapshot.passenger_snapshot(session, context_for(w.pat, clock))
    tickets = {t["ticket_no"]: t for t in snap["tickets"]}
    count = lambda model: session.scalar(select(func.count()).select_from(model))  # noqa: E731
    return {
        "change_flight": lambda: tickets[w.ticket]["departs_date"] == str(day(4)),
        "cancel_ticket": lambda: tickets[w.ticket]["status"] == "cancelled",
        "book_flight": lambda: count(Ticket) == 5 and len(snap["tickets"]) == 4,
        "request_compensation": lambda: count(Compensation) == 1,
        "book_hotel": lambda: count(HotelBooking) == 3,
        "change_hotel_booking": lambda: snap["hotel_bookings"][0]["checkin"] == str(day(12)),
        "cancel_hotel_booking": lambda: snap["hotel_bookings"][0]["status"] == "cancelled",
        "book_car_rental": lambda: count(CarRental) == 2,
        "change_car_rental": lambda: snap["car_rentals"][0]["start"] == str(day(12)),
        "cancel_car_rental": lambda: snap["car_rentals"][0]["status"] == "cancelled",
        "book_excursion": lambda: count(ExcursionBooking) == 2,
        "cancel_excursion": lambda: snap["excursions"][0]["status"] == "cancelled",
        "escalate_to_human": lambda: count(Escalation) == 1,
    }[tool]()


@pytest.mark.parametrize("tool", WRITE)
def test_every_write_tool_waits_for_approval_then_runs_once(
    tool: str,
    make_assistant: AssistantFactory,
    world: World,
    session: Session,
    clock: FixedClock,
) -> None:
    searches, args = _write_cases(world)[tool]
    replies = [reply("", search) for search in searches]
    replies += [reply("", (tool, args)), reply("It is done.")]
    chat = make_assistant(*replies).start(AGENT, world.pat)

    events = list(chat.send("Please do it"))
    cards = events_of(events, ApprovalRequested)
    assert len(cards) == 1, events
    card = cards[0].request
    assert card.tool == tool and card.summary and card.changes
    money = lambda x: None if x is None else f"{x:.2f}"  # noqa: E731
    assert (money(card.charge), money(card.refund)) == QUOTES[tool], card
    assert not _changed(session, clock, world, tool), "nothing runs before approval"
    assert_no_dangling_except_pending(chat)

    done = list(chat.approve(card.approval_id))
    finished = events_of(done, ToolFinished)
    assert [(e.name, e.status) for e in finished] == [(tool, "ok")], finished
    assert events_of(done, AssistantMessage)[-1].text == "It is done."
    assert _changed(session, clock, world, tool)
    # The approval and the write are both in the audit trail, tied by the approval id.
    approval = audits(session, action="approve")
    executed = audits(session, action=tool, outcome="executed")
    assert len(approval) == 1 and approval[0].details["approval_id"] == card.approval_id
    assert len(executed) == 1 and executed[0].details["idempotency_key"] == card.approval_id
    assert chat.pending_approval() is None
    assert_no_dangling(chat)


def assert_no_dangling_except_pending(chat: Any) -> None:
    """While a card waits, its call (and only it) is unanswered."""
    pending = chat.pending_approval()
    assert pending is not None
    messages = chat.assistant.graph.get_state(chat.config).values["messages"]
    answered = {m.tool_call_id for m in messages if m.type == "tool"}
    calls = [c["id"] for m in messages if m.type == "ai" for c in m.tool_calls]
    assert [c for c in calls if c not in answered] == [pending.tool_call_id]


def test_every_write_tool_has_an_approval_preview() -> None:
    assert sorted(name for name, spec in TOOLS.items() if spec.preview) == sorted(WRITE)


def test_each_travel_kind_names_tools_that_call_its_services() -> None:
    """The kinds' tool names are their services' names (services.travel.travel_kinds): each names a
    registered tool of the right sort, so the previews and the built-in model call real tools."""
    from services.travel.travel_kinds import TRAVEL_KINDS

    for kind in TRAVEL_KINDS.values():
        assert not TOOLS[kind.search_tool].write
        writes = [
            kind.book_tool,
            kind.cancel_tool,
            *([kind.change_tool] if kind.change_tool else []),
        ]
        assert all(TOOLS[name].write for name in writes), kind

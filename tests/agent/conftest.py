"""Agent test fixtures: a small world built with the factories, a checkpointer on the test
database (SQLite file or PostgreSQL scratch database), and assistants on scripted models."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypeVar

import pytest
from langchain_core.messages import AIMessage, ToolMessage
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from agent.checkpoint import Checkpointer, open_checkpointer
from agent.events import Event
from agent.models.scripted import ScriptedChatModel
from agent.runtime import Assistant, Chat
from db.models import AuditEvent, Fare, FlightStatus, Role, Tier
from services.core.clock import FixedClock
from services.core.context import Actor
from tests import factories as f

D = date(2026, 11, 26)  # the frozen clock's date in Zurich
AGENT = Actor("agent", Role.AGENT)
E = TypeVar("E")


def day(n: int) -> date:
    return D + timedelta(days=n)


@dataclass
class World:
    pat: int  # the passenger the agent serves
    other: int  # somebody else
    ticket: str  # pat, Classic ZRH-LHR on D+3 (flight `first`)
    light_ticket: str  # pat, Light ZRH-LHR on D+3
    other_ticket: str  # other, Classic ZRH-LHR on D+3
    cancelled_ticket: str  # pat, ZRH-BCN on D, cancelled by the airline
    first: int
    later: int  # ZRH-LHR on D+4, CHF 260 Classic
    hotel: int  # London
    hotel_booking: int  # pat: D+10 for 3 nights
    other_hotel_booking: int
    car_offer: int
    car_rental: int  # pat: D+10 for 4 days
    excursion: int
    excursion_booking: int  # pat: D+11


@pytest.fixture
def world(session: Session, clock: FixedClock) -> World:
    f.reference_data(session)
    now = clock.now()
    booked = now - timedelta(days=30)
    first = f.flight(session, "ZRH", "LHR", now + timedelta(days=3))
    later = f.flight(session, "ZRH", "LHR", now + timedelta(days=4), base_price=260)
    cancelled = f.flight(
        session, "ZRH", "BCN", now + timedelta(hours=6), status=FlightStatus.CANCELLED
    )
    pat = f.passenger(session, name="Pat Keller", tier=Tier.SILVER)
    other = f.passenger(session, name="Olga Other")
    hotel = f.hotel(session, city="London", price=150)
    offer = f.car_offer(session, city="London", price=60)
    excursion = f.excursion(session, city="London", price=80)
    w = World(
        pat=pat.id,
        other=other.id,
        ticket=f.ticket(session, pat, [first], issued_at=booked).ticket_no,
        light_ticket=f.ticket(session, pat, [first], fare=Fare.LIGHT, issued_at=booked).ticket_no,
        other_ticket=f.ticket(session, other, [first], issued_at=booked).ticket_no,
        cancelled_ticket=f.ticket(session, pat, [cancelled], issued_at=booked).ticket_no,
        first=first.id,
        later=later.id,
        hotel=hotel.id,
        hotel_booking=f.hotel_booking(session, pat, hotel, day(10), 3, created_at=booked).id,
        other_hotel_booking=f.hotel_booking(
            session, other, hotel, day(10), 2, created_at=booked
        ).id,
        car_offer=offer.id,
        car_rental=f.car_rental(session, pat, offer, day(10), 4, created_at=booked).id,
        excursion=excursion.id,
        excursion_booking=f.excursion_booking(
            session, pat, excursion, day(11), created_at=booked
        ).id,
    )
    session.commit()
    return w


@pytest.fixture(scope="session")
def checkpointer(database_url: str) -> Iterator[Checkpointer]:
    with open_checkpointer(database_url) as cp:
        yield cp


AssistantFactory = Callable[..., Assistant]


@pytest.fixture
def make_assistant(
    session_factory: sessionmaker[Session], checkpointer: Checkpointer, clock: FixedClock
) -> AssistantFactory:
    def make(*replies: Any, responder: Any = None, **kwargs: Any) -> Assistant:
        model = kwargs.pop("model", None) or ScriptedChatModel(
            replies=list(replies), responder=responder
        )
        kwargs.setdefault("checkpointer", checkpointer)
        return Assistant(session_factory=session_factory, model=model, clock=clock, **kwargs)

    return make


def events_of(events: Iterable[Event], kind: type[E]) -> list[E]:
    return [e for e in events if isinstance(e, kind)]


def audits(session: Session, **where: Any) -> list[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.seq)
    for key, value in where.items():
        query = query.where(getattr(AuditEvent, key) == value)
    session.rollback()  # a fresh transaction sees what other sessions committed
    return list(session.scalars(query))


def assert_no_dangling(chat: Chat) -> None:
    """Every tool call in the checkpoint has exactly one answer, right after its message."""
    messages = chat.assistant.graph.get_state(chat.config).values.get("messages", [])
    for index, message in enumerate(messages):
        if isinstance(message, AIMessage):
            ids = [c["id"] for c in [*message.tool_calls, *message.invalid_tool_calls]]
            following = []
            for later in messages[index + 1 :]:
                if not isinstance(later, ToolMessage):
                    break
                following.append(later.tool_call_id)
            # str(): an invalid call may lack an id; None then matches no answer.
            assert sorted(following) == sorted(str(i) for i in ids), (ids, following)
    answered = [m.tool_call_id for m in messages if isinstance(m, ToolMessage)]
    assert len(answered) == len(set(answered))

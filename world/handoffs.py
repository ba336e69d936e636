"""Two conversations waiting for a person, so the demo's Queue page is alive: Farid (silver)
whose flight to Barcelona was cancelled asks for a person, and the assistant could not answer
Grace (gold), whose London flight is delayed. Written through the handoff services (audited, as
the desk would), after the world is seeded."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from db.models import Conversation, ConversationStatus, EscalationReason, Role
from services.core.clock import FixedClock
from services.core.context import Actor, ServiceContext
from services.support import handoff
from world.personas import persona_passenger_id


@dataclass(frozen=True)
class Waiting:
    persona: str
    reason: EscalationReason
    title: str
    message: str
    waited: timedelta


WAITING = (
    Waiting(
        "farid", EscalationReason.CUSTOMER_REQUEST, "Cancelled flight to Barcelona",
        "My flight to Barcelona was cancelled and I need to talk to a person, please.",
        timedelta(minutes=7),
    ),
    Waiting(
        "grace", EscalationReason.MISSING_KNOWLEDGE, "Delayed London flight, connection",
        "My London flight is four hours late: will I still make my train connection?",
        timedelta(minutes=3),
    ),
)  # fmt: skip


def seed_waiting(sessions: sessionmaker[Session], now: datetime) -> list[str]:
    """Queue the WAITING conversations; returns their ids."""
    ids = []
    for w in WAITING:
        at = now - w.waited
        with sessions() as session:
            passenger_id = persona_passenger_id(session, w.persona)
            cid = uuid.uuid4().hex  # a thread id, as the runtime makes them
            session.add(
                Conversation(
                    id=cid, user_id=None, passenger_id=passenger_id, title=w.title,
                    status=ConversationStatus.OPEN, model="builtin", started_at=at, updated_at=at,
                )
            )  # fmt: skip
            session.commit()
            actor = Actor(w.persona, Role.SYSTEM)
            ctx = ServiceContext(actor, passenger_id, FixedClock(at), conversation_id=cid)
            handoff.request_person(session, ctx, reason=w.reason)
            handoff.post_passenger_message(session, ctx, text=w.message)
        ids.append(cid)
    return ids

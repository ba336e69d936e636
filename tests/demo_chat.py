"""A real conversation through the runtime on a seeded demo world, as the Chat page holds it
(built-in model, checkpoint and all): the agent moves Anna's flight one day later and approves
the change. Used where generated history is compared with, or shown beside, a live one."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from agent.runtime import Assistant
from config import Settings
from db.models import Role, User
from services.core.context import Actor
from tests.conftest import FROZEN_NOW
from world import persona_passenger_id

MOVE = ["Hi, the customer wants to fly to London one day later.", "the first one is fine"]
TITLE = "Move Anna's flight"


def move_annas_flight(url: str, sessions: sessionmaker[Session]) -> str:
    """Play MOVE as the demo agent, approve the change card; return the thread id."""
    assistant = Assistant.from_settings(
        Settings(database_url=url, demo_now=FROZEN_NOW, chat_rate_limit="100/minute"),
        session_factory=sessions,
    )
    try:
        with sessions() as session:
            anna = persona_passenger_id(session, "anna")
            agent = session.scalars(select(User).where(User.username == "agent")).one()
            actor = Actor(agent.username, Role.AGENT, agent.id)
        chat = assistant.start(actor, anna, title=TITLE)
        for turn in MOVE:
            list(chat.send(turn))
        request = chat.pending_approval()
        assert request is not None and request.tool == "change_flight"
        list(chat.approve(request.approval_id))
        return chat.thread_id
    finally:
        assistant.close()

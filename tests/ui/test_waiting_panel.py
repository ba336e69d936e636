"""The sidebar's waiting approvals: a card the records name but no checkpoint holds (a seeded
or imported conversation) is not shown; a real one is (tests/ui/test_desk_link.py)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from db.models import Conversation, ConversationStatus, Turn, TurnToolCall, User
from tests.conftest import FROZEN_NOW
from tests.ui.apptest import open_page, signed_in
from world import persona_passenger_id

pytestmark = pytest.mark.usefixtures("app_env")


def test_a_card_only_the_records_name_is_not_shown(app_env) -> None:
    with app_env.sessions() as session, session.begin():
        agent = session.scalar(select(User).where(User.username == "agent"))
        assert agent is not None
        cid = uuid.uuid4().hex
        session.add(
            Conversation(
                id=cid, user_id=agent.id, passenger_id=persona_passenger_id(session, "anna"),
                title="Move her flight", status=ConversationStatus.OPEN, model="builtin",
                started_at=FROZEN_NOW, updated_at=FROZEN_NOW,
            )
        )  # fmt: skip
        session.flush()
        call = {"id": "c1", "name": "cancel_ticket", "args": {}, "status": "awaiting_approval"}
        turn = Turn(
            conversation_id=cid, started_at=FROZEN_NOW, latency_ms=1.0, tool_calls=[call],
            tokens_in=1, tokens_out=1, model="builtin",
        )  # fmt: skip
        session.add(turn)
        session.flush()
        session.add_all(TurnToolCall.of(turn))
    at = open_page(signed_in("agent"), "bookings")
    assert not at.exception, at.exception
    assert not any("waiting" in m.value for m in at.sidebar.markdown)

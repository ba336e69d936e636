"""The Metrics page's live handoff figures: queue length now, time to the first human reply
(p50/p95 from queueing to a person's first message), handoffs by reason as a rate of the
conversations started."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from db.models import Conversation, ConversationStatus, EscalationReason, Role
from services.core.clock import FixedClock
from services.core.context import ServiceContext
from services.dashboards.handoffs import handoff_stats
from services.support import handoff
from tests import factories as f
from tests.conftest import FROZEN_NOW


def test_queue_length_first_reply_and_rate_by_reason(session: Session) -> None:
    clock = FixedClock(FROZEN_NOW)
    f.reference_data(session)
    pax = f.passenger(session)
    agent = f.user(session, "anna", Role.AGENT, at=FROZEN_NOW)
    for i in range(4):
        session.add(
            Conversation(
                id=f"c{i}", user_id=None, passenger_id=pax.id, title="", model="builtin",
                status=ConversationStatus.OPEN, started_at=FROZEN_NOW, updated_at=FROZEN_NOW,
            )
        )  # fmt: skip
    session.commit()
    reasons = ["customer_request", "customer_request", "tool_failure"]
    for i, reason in enumerate(reasons):
        ctx = ServiceContext(agent, pax.id, clock, conversation_id=f"c{i}")
        handoff.request_person(session, ctx, reason=reason)
    for i, reply_after in ((0, 60), (1, 180)):  # two answered, c2 still waiting
        ctx = ServiceContext(agent, pax.id, clock, conversation_id=f"c{i}")
        handoff.take(session, ctx)
        clock.advance(timedelta(seconds=reply_after))
        handoff.post_agent_message(session, ctx, text="Hello, I am here.")
        clock.advance(timedelta(seconds=-reply_after))

    stats = handoff_stats(
        session, since=FROZEN_NOW - timedelta(days=1), until=FROZEN_NOW + timedelta(days=1)
    )
    assert (stats.waiting, stats.held, stats.opened, stats.replied) == (1, 2, 3, 2)
    assert stats.first_reply_p50_s == 120.0
    assert stats.first_reply_p95_s == 174.0
    assert [(r.reason, r.count, r.rate) for r in stats.by_reason] == [
        (EscalationReason.CUSTOMER_REQUEST.value, 2, 0.5),
        (EscalationReason.TOOL_FAILURE.value, 1, 0.25),
    ]

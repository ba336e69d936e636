"""Desk links (?passenger=..&conversation=..) checked against the signed-in identity: a
customer opens only their own passenger and conversations, whatever the URL says; a link to
nothing gets a clear sentence; every refusal is audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import AuditEvent, Conversation, ConversationStatus, Role
from services.core.clock import FixedClock
from services.core.context import ServiceContext
from services.core.errors import InvalidInput, NotFound, PolicyViolation, Rule
from services.support import links
from tests import factories as f


@pytest.fixture
def desk(session: Session, clock: FixedClock):
    now = clock.now()
    anna = f.passenger(session, name="Anna Keller").id
    olga = f.passenger(session, name="Olga Other").id
    agent = f.user(session, "agent", Role.AGENT, at=now)
    customer = f.user(session, "customer", Role.CUSTOMER, at=now, passenger_id=anna)
    for cid, actor, pax in (
        ("t-agent", agent, anna),
        ("t-own", customer, anna),
        ("t-olga", agent, olga),
    ):
        session.add(
            Conversation(
                id=cid, user_id=actor.user_id, passenger_id=pax, title="Hi",
                status=ConversationStatus.OPEN, model="builtin",
                started_at=now - timedelta(hours=1), updated_at=now,
            )
        )  # fmt: skip
    session.commit()
    return {"anna": anna, "olga": olga, "agent": agent, "customer": customer}


def ctx(actor, clock, passenger_id=None) -> ServiceContext:
    return ServiceContext(actor=actor, passenger_id=passenger_id, clock=clock)


def refusals(session: Session, action: str) -> list[tuple[str | None, str]]:
    rows = session.scalars(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)
    )
    return [(e.rule, e.outcome) for e in rows]


def test_staff_open_any_passenger_and_are_told_when_one_does_not_exist(session, desk, clock):
    agent = desk["agent"]
    assert (
        links.passenger_from_link(session, ctx(agent, clock), raw=str(desk["olga"])) == desk["olga"]
    )
    with pytest.raises(NotFound, match="Passenger 999999 does not exist"):
        links.passenger_from_link(session, ctx(agent, clock), raw="999999")
    with pytest.raises(InvalidInput, match="passenger '12abc': that is not a number"):
        links.passenger_from_link(session, ctx(agent, clock), raw="12abc")


def test_a_customer_cannot_open_another_passenger_by_the_url(session, desk, clock):
    customer = desk["customer"]
    assert (
        links.passenger_from_link(session, ctx(customer, clock), raw=str(desk["anna"]))
        == desk["anna"]
    )
    # Another passenger and one that does not exist: the same answer, nothing to probe.
    for raw in (str(desk["olga"]), "999999"):
        with pytest.raises(PolicyViolation) as refused:
            links.passenger_from_link(session, ctx(customer, clock), raw=raw)
        assert refused.value.rule == Rule.PERMISSION
        assert refused.value.message == links.OTHER_PASSENGER
    assert refusals(session, "open_passenger_link") == [(Rule.PERMISSION.value, "refused")] * 2


def test_conversation_links_open_only_what_the_actor_may_see(session, desk, clock):
    agent, customer, anna = desk["agent"], desk["customer"], desk["anna"]
    found = links.conversation_from_link(session, ctx(agent, clock, anna), raw="t-own")
    assert found.id == "t-own"
    # A conversation about another passenger than the link's.
    with pytest.raises(NotFound, match="no conversation t-olga about Anna Keller"):
        links.conversation_from_link(session, ctx(agent, clock, anna), raw="t-olga")
    # A customer sees only the conversations they held, even about themselves.
    assert (
        links.conversation_from_link(session, ctx(customer, clock, anna), raw="t-own").id == "t-own"
    )
    with pytest.raises(NotFound):
        links.conversation_from_link(session, ctx(customer, clock, anna), raw="t-agent")
    with pytest.raises(PolicyViolation):
        links.conversation_from_link(session, ctx(customer, clock, desk["olga"]), raw="t-olga")
    with pytest.raises(InvalidInput, match="not an id"):
        links.conversation_from_link(session, ctx(agent, clock, anna), raw="<script>")
    assert len(refusals(session, "open_conversation_link")) == 4

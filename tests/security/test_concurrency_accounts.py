"""The race harness for the writes that are not about trips: handing one conversation to a
human colleague, and administrators changing each other's accounts at the same moment."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from db.models import Conversation, ConversationStatus, Escalation, Role, User
from services.core.context import Actor, ServiceContext
from services.identity import sessions, users
from services.identity.accounts import get_account
from services.support import conversations
from tests import factories as f
from tests.security.consistency import RACERS, problems, race
from tests.security.test_concurrency import CLOCK


def account(s: Session, name: str, role: Role) -> Actor:
    return f.user(s, name, role, at=CLOCK.now())


def test_twenty_escalations_of_one_conversation_open_one(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory() as s:
        passenger_id = f.passenger(s).id
        agent = account(s, "agent", Role.AGENT)
        s.add(
            Conversation(
                id="c-race",
                user_id=agent.user_id,
                passenger_id=passenger_id,
                title="Refund",
                status=ConversationStatus.OPEN,
                model="builtin",
                started_at=CLOCK.now(),
                updated_at=CLOCK.now(),
            )
        )
        s.commit()
    ctx = ServiceContext(
        actor=agent, passenger_id=passenger_id, clock=CLOCK, conversation_id="c-race"
    )

    def escalate(s: Session, ctx: ServiceContext, _i: int) -> object:
        return conversations.escalate_conversation(
            s, ctx, reason="customer_request", summary="The passenger wants a manager."
        )

    outcomes = race(session_factory, lambda _: ctx, escalate)
    assert outcomes == Counter({"ok": 1, "invalid_input": RACERS - 1})
    with session_factory() as s:
        assert s.scalar(select(func.count()).select_from(Escalation)) == 1
        assert problems(s) == []


def test_two_last_admins_disabling_each_other_keep_one(
    session_factory: sessionmaker[Session],
) -> None:
    """Each check "another administrator stays enabled" passes alone; racing, both passed and
    nobody could administer the desk any more."""
    with session_factory() as s:
        admins = [account(s, "ada", Role.ADMIN), account(s, "bob", Role.ADMIN)]
        s.commit()

    def disable_the_other(s: Session, ctx: ServiceContext, i: int) -> object:
        other = admins[1 - i % 2].username
        return users.set_disabled(s, ctx, username=other, disabled=True)

    outcomes = race(
        session_factory,
        lambda i: ServiceContext(actor=admins[i % 2], clock=CLOCK),
        disable_the_other,
    )
    assert outcomes == Counter({"ok": 1, "invalid_input": RACERS - 1})
    with session_factory() as s:
        enabled = s.scalar(select(func.count()).select_from(User).where(User.disabled.is_(False)))
        assert enabled == 1
        assert problems(s) == []


def test_racing_sign_outs_and_password_resets_each_revoke(
    session_factory: sessionmaker[Session],
) -> None:
    """Sign-out and password reset both move the account's session version; racing, an unlocked
    read-and-increment lost moves, so a cookie issued in between could survive one of them."""
    with session_factory() as s:
        admin = account(s, "admin", Role.ADMIN)
        agent = account(s, "agent", Role.AGENT)
        s.commit()
        before = s.scalar(select(User.session_version).where(User.username == "agent"))
        signed_in = get_account(s, "agent")
        assert signed_in is not None

    def sign_out_or_reset(s: Session, _ctx: ServiceContext, i: int) -> object:
        if i % 2:
            sessions.sign_out(s, signed_in, CLOCK)
            return None
        by_admin = ServiceContext(actor=admin, clock=CLOCK)
        return users.reset_password(
            s, by_admin, username=agent.username, new_password=f"Pw-{i}-long!"
        )

    outcomes = race(
        session_factory, lambda _: ServiceContext(actor=agent, clock=CLOCK), sign_out_or_reset
    )
    assert outcomes == Counter({"ok": RACERS})
    with session_factory() as s:
        after = s.scalar(select(User.session_version).where(User.username == "agent"))
        assert before is not None and after == before + RACERS

"""The Admin page: create a user, change a role, reset a password, disable and enable, and the
demo reset behind its confirmation. Every change goes through the audited services."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from db.models import AuditEvent, Conversation, Role, User
from services.core import audit
from tests.ui.apptest import open_app, open_page, sign_in, signed_in, texts
from world.generator import DEMO_HISTORY
from world.handoffs import WAITING

pytestmark = pytest.mark.usefixtures("app_env")


def admin_page():
    return open_page(signed_in("admin"), "admin")


def user(app_env, username: str) -> User | None:
    with app_env.sessions() as session:
        return session.scalar(select(User).where(User.username == username))


def existing_user(app_env, username: str) -> User:
    found = user(app_env, username)
    assert found is not None, username
    return found


def last_event(app_env) -> AuditEvent:
    with app_env.sessions() as session:
        return session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()


def create(at, username: str, role: str = "agent", password: str = "fresh-password", **extra):
    at.text_input(key="admin_new_username").input(username)
    at.text_input(key="admin_new_name").input(extra.get("name", "Nina Novak"))
    at.text_input(key="admin_new_email").input(extra.get("email", f"{username}@skydesk.example"))
    at.selectbox(key="admin_new_role").select(role)
    at.text_input(key="admin_new_password").input(password)
    at.text_input(key="admin_new_passenger_email").input(extra.get("passenger_email", ""))
    return at.button(key="admin_create").click().run()


def test_create_a_user_who_can_then_sign_in(app_env) -> None:
    at = create(admin_page(), "nina")
    assert not at.exception
    assert [s.value for s in at.success] == ["Created the account 'nina'."]
    assert "nina" in set(at.dataframe[0].value["username"])  # the table is already fresh
    created = existing_user(app_env, "nina")
    assert (created.role, created.disabled) == (Role.AGENT, False)
    event = last_event(app_env)
    assert (event.action, event.actor, event.outcome) == ("user_create", "admin", "executed")
    assert signed_in("nina", "fresh-password").title[0].value == "Chat"


def test_a_refused_creation_says_why(app_env) -> None:
    at = create(admin_page(), "bad", email="not-an-address")
    assert [e.value for e in at.error] == ["'not-an-address' is not an e-mail address."]
    assert user(app_env, "bad") is None
    assert (last_event(app_env).action, last_event(app_env).outcome) == ("user_create", "invalid")


@pytest.mark.usefixtures("app_env")
def test_create_a_customer_bound_to_a_passenger() -> None:
    at = create(
        admin_page(), "ben-login", role="customer", passenger_email="ben.okafor@example.com"
    )
    assert [s.value for s in at.success] == ["Created the account 'ben-login'."]
    at = open_page(signed_in("ben-login", "fresh-password"), "bookings")
    assert at.subheader[0].value == "Ben Okafor"


def test_change_role(app_env) -> None:
    at = create(admin_page(), "rolf")
    at.selectbox(key="admin_role_user").select("rolf")
    at.selectbox(key="admin_role_role").select("manager")
    at = at.button(key="admin_change_role").click().run()
    assert [s.value for s in at.success] == ["'rolf' now has the role manager."]
    assert existing_user(app_env, "rolf").role == Role.MANAGER
    assert last_event(app_env).action == "user_role_change"
    assert (
        signed_in("rolf", "fresh-password").title[0].value == "Bookings"
    )  # the manager's menu now


def test_reset_password(app_env) -> None:
    at = create(admin_page(), "pia")
    at.selectbox(key="admin_password_user").select("pia")
    at.text_input(key="admin_password_new").input("brand-new-secret")
    at = at.button(key="admin_reset_password").click().run()
    assert [s.value for s in at.success] == ["The password of 'pia' was reset."]
    assert last_event(app_env).action == "user_password_reset"
    assert "brand-new-secret" not in str(last_event(app_env).details)
    refused = sign_in(open_app(), "pia", "fresh-password")
    assert [e.value for e in refused.error] == ["Wrong username or password."]
    assert sign_in(open_app(), "pia", "brand-new-secret").session_state["authentication_status"]


def test_disable_and_enable(app_env) -> None:
    at = create(admin_page(), "dora")
    at = at.button(key="admin_toggle_dora").click().run()
    assert [s.value for s in at.success] == ["Disabled 'dora'."]
    assert existing_user(app_env, "dora").disabled
    assert not sign_in(open_app(), "dora", "fresh-password").session_state["authentication_status"]
    at = at.button(key="admin_toggle_dora").click().run()
    assert [s.value for s in at.success] == ["Enabled 'dora'."]
    assert signed_in("dora", "fresh-password")


def test_an_admin_cannot_disable_themselves(app_env) -> None:
    at = admin_page().button(key="admin_toggle_admin").click().run()
    assert [e.value for e in at.error] == [
        "You cannot disable your own account or take away your own role."
    ]
    assert not existing_user(app_env, "admin").disabled


def test_reset_demo_needs_confirmation_then_reseeds(app_env) -> None:
    at = create(admin_page(), "ephemeral")
    at = at.button(key="admin_reset_start").click().run()
    assert "This cannot be undone. Reset the demo world now?" in texts(at)
    at = at.button(key="admin_reset_cancel").click().run()
    assert user(app_env, "ephemeral") is not None  # nothing happened
    assert not [b for b in at.button if b.key == "admin_reset_yes"]

    at = at.button(key="admin_reset_start").click().run()
    at = at.button(key="admin_reset_yes").click().run(timeout=120)
    assert not at.exception
    assert at.success[0].value.startswith("The demo world was reset")
    assert user(app_env, "ephemeral") is None  # the world is the seeded one again
    with app_env.sessions() as session:
        # The reseeded world's history comes first, then the reset's own record.
        last = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
        assert (last.action, last.actor, last.outcome) == ("demo_reset", "admin", "executed")
        assert last.details["audit_records_before_reset"] > 0
        # The history, and the conversations waiting on the Queue page (world/handoffs.py).
        conversations = session.scalar(select(func.count()).select_from(Conversation))
        assert conversations == DEMO_HISTORY + len(WAITING)
        assert audit.verify(session).ok
    assert at.session_state["authentication_status"]  # the demo admin exists again


@pytest.mark.usefixtures("monkeypatch")
def test_reset_demo_is_refused_in_production(app_env) -> None:
    """Production refuses to start with demo passwords anyway; the service refuses on its own."""
    from services.core.context import Actor, ServiceContext
    from services.core.errors import PolicyViolation
    from services.identity.admin import reset_demo_world

    with app_env.sessions() as session, pytest.raises(PolicyViolation, match="production"):
        reset_demo_world(
            session, ServiceContext(Actor("admin", Role.ADMIN)),
            reseed=lambda: pytest.fail("production must not be reseeded"), environment="production",
        )  # fmt: skip
    assert (last_event(app_env).action, last_event(app_env).outcome) == ("demo_reset", "refused")

"""The Admin page's button callbacks. Each reads its form's widgets from session_state, calls a
service (which checks the admin role and audits), and leaves a message for the next draw.

Callbacks run before the page is drawn again, so the users table always shows the result."""

from __future__ import annotations

import functools
from collections.abc import Callable

import streamlit as st

from services.core.errors import DomainError
from services.identity import admin, users
from services.identity.accounts import Account
from ui import resources
from ui.components import fault_text
from ui.guards import PageAccess

FLASH = "admin_flash"


def _run(access: PageAccess, action: Callable[..., str | Account], success: str) -> bool:
    """Run `action(session, ctx)`; store a success or the refusal's sentence for the page."""
    try:
        with resources.db_session() as session:
            action(session, access.context())
    except DomainError as err:
        st.session_state[FLASH] = ("error", err.message)
        return False
    except Exception as err:  # a callback's exception would bypass the page's guard
        st.session_state[FLASH] = ("error", fault_text(err, where="admin action"))
        return False
    st.session_state[FLASH] = ("success", success)
    return True


def create_user(access: PageAccess) -> None:
    s = st.session_state
    username = s["admin_new_username"].strip().lower()
    done = _run(
        access,
        lambda session, ctx: users.create_user(
            session,
            ctx,
            username=username,
            name=s["admin_new_name"],
            email=s["admin_new_email"],
            role=s["admin_new_role"],
            password=s["admin_new_password"],
            passenger_email=s["admin_new_passenger_email"] or None,
        ),
        f"Created the account '{username}'.",
    )
    if done:  # a refused form keeps what was typed (except the password), to be corrected
        for key in ("admin_new_username", "admin_new_name", "admin_new_email"):
            s[key] = ""
        s["admin_new_passenger_email"] = ""
    s["admin_new_password"] = ""


def change_role(access: PageAccess) -> None:
    s = st.session_state
    username, role = s["admin_role_user"], s["admin_role_role"]
    _run(
        access,
        lambda session, ctx: users.change_role(
            session,
            ctx,
            username=username,
            role=role,
            passenger_email=s["admin_role_passenger_email"] or None,
        ),
        f"'{username}' now has the role {role}.",
    )


def reset_password(access: PageAccess) -> None:
    s = st.session_state
    username, password = s["admin_password_user"], s["admin_password_new"]
    s["admin_password_new"] = ""
    _run(
        access,
        lambda session, ctx: users.reset_password(
            session, ctx, username=username, new_password=password
        ),
        f"The password of '{username}' was reset.",
    )


def toggle_disabled(access: PageAccess, account: Account) -> None:
    disable = not account.disabled
    _run(
        access,
        lambda session, ctx: users.set_disabled(
            session, ctx, username=account.username, disabled=disable
        ),
        f"{'Disabled' if disable else 'Enabled'} '{account.username}'.",
    )


def reset_demo(access: PageAccess) -> None:
    # Imported here: the generator (Faker and ~3,000 lines) loads only when an admin resets.
    from world import reset_demo as reseed_demo

    st.session_state["admin_reset_confirm"] = False
    environment = resources.settings().environment
    _run(
        access,
        lambda session, ctx: admin.reset_demo_world(
            session,
            ctx,
            # the demo clock: frozen in a demo, else the present
            reseed=functools.partial(reseed_demo, resources.engine(), now=ctx.clock.now()),
            environment=environment,
        ),
        "The demo world was reset and anchored at the demo clock. Every account and the audit "
        "trail were recreated; the demo logins have their demo passwords again.",
    )

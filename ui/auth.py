"""Sign-in, sign-out and the signed-in account, on streamlit-authenticator.

streamlit-authenticator owns the session: the session_state keys `authentication_status`,
`username`, `name`, `email`, `roles`, the signed re-authentication cookie (JWT, HS256 with
settings.cookie_key) and sign-out. Its credentials come from the `users` table: the enabled
accounts' bcrypt hashes and roles (auto_hash=False: they are hashed already).

The password check itself is services.users.sign_in, not the authenticator's login form: that
form checks the password before any code of ours runs, so it cannot be rate-limited per
username, cannot audit a failed attempt with its username, and knows nothing of disabled
accounts. Our form calls the service (rate limit, bcrypt, disabled, audit) and, on success,
hands the username to the authenticator's own login entry point, the same one it uses for a
cookie, which sets the session keys above. Tests drive this form; nothing is bypassed."""

from __future__ import annotations

from typing import Any

import streamlit as st
import streamlit_authenticator as stauth
from sqlalchemy.orm import Session
from streamlit_authenticator.utilities import LoginError

from services import accounts, users
from services.accounts import Account
from ui import resources

COOKIE_NAME = "skydesk_auth"
COOKIE_DAYS = 1.0  # one working day; the cookie is re-checked against the database every run
COOKIE_PENDING = "signin_cookie_pending"


def authenticator(session: Session) -> stauth.Authenticate:
    """Built once per script run (its cookie component must render exactly once per run), from
    the database, so a disabled account or a changed role counts at once."""
    return stauth.Authenticate(
        {"usernames": accounts.sign_in_credentials(session)},
        cookie_name=COOKIE_NAME,
        cookie_key=resources.settings().cookie_key.get_secret_value(),
        cookie_expiry_days=COOKIE_DAYS,
        auto_hash=False,
        # The library sleeps 0.7 s on every signed-out run to wait for an old cookie component;
        # it reads cookies from st.context now, so the wait buys nothing.
        login_sleep_time=0,
    )


def restore_from_cookie(auth: stauth.Authenticate) -> None:
    """Sign a returning browser in from its cookie (the authenticator's own unrendered login)."""
    try:
        auth.login(location="unrendered")
    except LoginError:
        # A cookie for an account that is now disabled or deleted: drop it, and stop trying
        # (the browser's cookie header stays the same for the whole session).
        auth.cookie_controller.delete_cookie()
        st.session_state["logout"] = True


def current_account(session: Session) -> Account | None:
    """The signed-in account as the database has it now, or None.

    Role and disabled flag come from the database on every run, not from what was true at
    sign-in: a disabled account is signed out at its next click."""
    if not st.session_state.get("authentication_status"):
        return None
    account = accounts.get_account(session, st.session_state.get("username") or "")
    if account is None or account.disabled:
        _clear_session()
        return None
    st.session_state["roles"] = [account.role.value]
    return account


def _clear_session() -> None:
    for key in ("authentication_status", "username", "name", "email", "roles"):
        st.session_state[key] = None


def sign_in_form(auth: stauth.Authenticate) -> Account | None:
    """The sign-in form; the account once a submitted sign-in succeeds (the authenticator's
    session keys are set by then), else None."""
    st.title("✈️ SkyDesk")
    st.caption("Alpine Air support desk. Sign in to continue.")
    # clear_on_submit: the typed password does not stay in the session's widget state.
    with st.form("signin_form", clear_on_submit=True):
        username = st.text_input("Username", key="signin_username", autocomplete="username")
        password = st.text_input(
            "Password", type="password", key="signin_password", autocomplete="current-password"
        )
        submitted = st.form_submit_button("Sign in", type="primary", key="signin_submit")
    if not submitted:
        return None
    with resources.db_session() as session:
        result = users.sign_in(
            session,
            username=username,
            password=password,
            clock=resources.clock(),
            limiter=resources.login_limiter(),
        )
    if result.account is None:
        st.error(result.message, icon=":material/lock:")
        return None
    auth.authentication_controller.login(token={"username": result.account.username})
    # The cookie is written on the next run: a component drawn just before the page switch
    # may never reach the browser.
    st.session_state[COOKIE_PENDING] = True
    return result.account


def write_pending_cookie(auth: stauth.Authenticate) -> None:
    if st.session_state.pop(COOKIE_PENDING, False):
        auth.cookie_controller.set_cookie()


def sign_out_button(auth: stauth.Authenticate, account: Account) -> bool:
    """The sidebar's sign-out button; True when it was clicked (the session is cleared and the
    cookie deleted in this run)."""

    def on_sign_out(_: dict[str, Any]) -> None:
        with resources.db_session() as session:
            users.audit_sign_out(session, account, resources.clock())

    auth.logout("Sign out", location="sidebar", key="sidebar_sign_out", callback=on_sign_out)
    return not st.session_state.get("authentication_status")

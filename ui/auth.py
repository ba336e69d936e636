"""Sign-in, sign-out and the signed-in account of a browser session.

The session keys `authentication_status`, `username`, `name`, `email` and `roles` say who is
signed in (`signed_in` sets them, `_clear_session` clears them). Everything that decides is a
service: the password check is services.identity.users.sign_in (rate limit per username and per
client, bcrypt, disabled accounts, an audit record for every attempt), and the cookie's token
and its check are services/identity/sessions.py (signature, a server-side session version and
maximum age, an audit record for every cookie sign-in). Role, disabled flag and session version
are read from the database again on every run (`current_account`).

SkyDesk used streamlit-authenticator for this until every part of it had been replaced by one of
those checks (its form checks a password before any code of ours runs, so it could be neither
rate-limited nor audited; its cookie carries no session version; its cookie component came too
late for a reload): what was left was setting the five keys above, for the price of importing
it and reading every account's password hash on each signed-out run. Tests drive this form;
nothing is bypassed."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import streamlit as st
from sqlalchemy.orm import Session

from services.core import ratelimit
from services.identity import accounts, sessions, users
from services.identity.accounts import Account
from ui import resources
from ui.safe_text import literal

COOKIE_NAME = "skydesk_auth"
COOKIE_PENDING = "signin_cookie_pending"  # the token to write, held until the session ends
COOKIE_CHECKED = "signin_cookie_checked"
SESSION_VERSION = "signin_session_version"
RUN_ACCOUNT = "signin_run_account"  # app.py's account, handed to this run's page


def restore_from_cookie(session: Session) -> None:
    """Sign a returning browser in from its cookie, checked by the server (services/identity/sessions.py:
    signature, maximum age, session version, account enabled; audited). Once per browser
    session: its cookie header stays the same for the whole session."""
    if st.session_state.get("authentication_status") or st.session_state.get(COOKIE_CHECKED):
        return
    st.session_state[COOKIE_CHECKED] = True
    token = st.context.cookies.get(COOKIE_NAME)
    if not token:
        return
    result = sessions.sign_in_by_cookie(
        session, token, settings=resources.settings(), clock=resources.clock()
    )
    if result.account is None:
        forget_cookie()  # refused: the next visit need not send it again
        return
    signed_in(result.account, result.session_version)


def signed_in(account: Account, session_version: int | None) -> None:
    """This browser session belongs to `account` from now on (a checked password or cookie)."""
    st.session_state.update(
        {
            "authentication_status": True,
            "username": account.username,
            "name": account.name,
            "email": account.email,
            "roles": [account.role.value],
            SESSION_VERSION: session_version,
        }
    )


def current_account(session: Session) -> Account | None:
    """The signed-in account as the database has it now, or None.

    Role, disabled flag and session version come from the database on every run, not from what
    was true at sign-in: a disabled account, a reset password or a sign-out in another tab
    ends this session at its next click."""
    if not st.session_state.get("authentication_status"):
        st.session_state["authentication_status"] = None  # signed out, stated
        return None
    username = st.session_state.get("username") or ""
    account = accounts.get_account(session, username)
    if account is None or not sessions.is_current(
        session, username, st.session_state.get(SESSION_VERSION)
    ):
        _clear_session()
        return None
    st.session_state["roles"] = [account.role.value]
    return account


def _clear_session() -> None:
    for key in ("authentication_status", "username", "name", "email", "roles", SESSION_VERSION):
        st.session_state[key] = None
    st.session_state.pop(RUN_ACCOUNT, None)


def hand_to_page(account: Account) -> None:
    """The account app.py read from the database at the start of this run, for the page's own
    check in the same run (ui/guards.require_page): one read per run, not two. Set before
    every page run, so a page never sees an earlier run's account."""
    st.session_state[RUN_ACCOUNT] = account


def handed_account() -> Account | None:
    """The account app.py handed to this run's page (taken: a second look reads the database)."""
    handed = st.session_state.pop(RUN_ACCOUNT, None)
    return handed if isinstance(handed, Account) else None


def sign_in_form() -> Account | None:
    """The sign-in form; the account once a submitted sign-in succeeds (the session keys are
    set by then), else None."""
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
            client=client_address(),
            client_limiter=resources.login_client_limiter(),
        )
        version = sessions.current_version(session, result.account.username) if result.ok else None
    if result.account is None:
        st.error(literal(result.message), icon=":material/lock:")
        return None
    signed_in(result.account, version)
    settings = resources.settings()
    with resources.db_session() as session:
        token = sessions.issue_for(session, result.account.username, settings)
    expires = datetime.now(UTC) + timedelta(seconds=sessions.max_age_s(settings))
    st.session_state[COOKIE_PENDING] = (token, expires) if token else None
    return result.account


def client_address() -> str:
    """The browser's address for the per-client sign-in limit (behind the configured number of
    trusted proxies; see services.core.ratelimit.client_address)."""
    # Outside a browser request (AppTest) either may be missing or not a string.
    forwarded = st.context.headers.get("X-Forwarded-For")
    peer = st.context.ip_address
    return ratelimit.client_address(
        forwarded if isinstance(forwarded, str) else None,
        peer if isinstance(peer, str) else None,
        resources.settings().trusted_proxy_hops,
    )


# A JWT is three base64url parts: nothing in it can end the script's string.
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
COOKIE_SCRIPT = """<script>document.cookie = {name} + "=" + {value} + "; path=/; expires=" + {expires}
  + "; SameSite=Strict" + (location.protocol === "https:" ? "; Secure" : "");</script>"""


def cookie_style() -> None:
    """Every run, first: hides the cookie scripts' containers. Style-only HTML takes no space
    (Streamlit's event container), and it loads the page's HTML element early, so the sign-in's
    cookie script runs the moment it arrives instead of after a lazy load (~0.1 s)."""
    st.html("<style>.st-key-signin_cookie, .st-key-signin_cookie_gone {display: none}</style>")


def _cookie_script(value: str, expires: datetime) -> str:
    return COOKIE_SCRIPT.format(
        name=json.dumps(COOKIE_NAME),
        value=json.dumps(value),
        expires=json.dumps(expires.astimezone(UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")),
    )


def write_pending_cookie(*, in_sidebar: bool = True) -> None:
    """Our own token (with the session version and issue time the server checks) as the
    browser's cookie, with the server's maximum age as its expiry.

    Written by a script in the page itself (st.html, no iframe), which runs as soon as the
    element reaches the browser. app.py draws it in the sign-in's own run, before the switch
    to the first page, and again in every later run of a session signed in by the form (the
    same element, so the script does not run again; a run cut short cannot lose the cookie):
    a reload or a new tab as soon as the first page shows finds the cookie. (A cookie
    component loads an iframe first: streamlit-authenticator's wrote the cookie 0.5-1.5 s
    after the first page showed, or never when the next run replaced it before it loaded.)"""
    pending = st.session_state.get(COOKIE_PENDING)
    if not pending:
        return
    token, expires = pending
    if not TOKEN_SHAPE.fullmatch(token):
        return
    where = st.sidebar if in_sidebar else st  # the sign-in page has no sidebar
    with where.container(key="signin_cookie", height=1, border=False):
        st.html(_cookie_script(token, expires), unsafe_allow_javascript=True)


def forget_cookie() -> None:
    """Delete the sign-in cookie in the browser now (sign-out, or a cookie the server refused):
    the server refuses it anyway (session version), so this only spares the next visit."""
    st.session_state.pop(COOKIE_PENDING, None)
    with st.container(key="signin_cookie_gone", height=1, border=False):  # no sidebar now
        st.html(_cookie_script("", datetime(1970, 1, 2, tzinfo=UTC)), unsafe_allow_javascript=True)


def sign_out_button(account: Account) -> bool:
    """The sidebar's sign-out button; True when it was clicked (audited, the session keys
    cleared, the cookie deleted in this run)."""
    if not st.sidebar.button("Sign out", key="sidebar_sign_out"):
        return False
    with resources.db_session() as session:
        users.audit_sign_out(session, account, resources.clock())
    _clear_session()
    forget_cookie()
    st.query_params.clear()  # the passenger and conversation are not the next person's
    return True

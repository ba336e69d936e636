"""The check at the top of every page: who is signed in, and may their role use this page?

A page calls `require_page("key")` before it draws anything. Without the right role the page
shows "Not allowed" and stops, whatever way it was reached (menu, URL, st.switch_page)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import NoReturn

import streamlit as st

from services.core.context import ServiceContext
from services.identity import users
from services.identity.accounts import Account
from ui import auth, navigation, resources
from ui.components import fault_text
from ui.safe_text import literal


@dataclass(frozen=True)
class PageAccess:
    account: Account
    read_only: bool  # the role may look but has no write controls on this page
    own_passenger_only: bool  # a customer: the passenger is their own, fixed

    def context(self, passenger_id: int | None = None) -> ServiceContext:
        """The service context for this session; a customer's passenger is always their own."""
        if self.own_passenger_only:
            passenger_id = self.account.passenger_id
        return ServiceContext(
            actor=self.account.actor, passenger_id=passenger_id, clock=resources.clock()
        )


def not_allowed(message: str) -> NoReturn:
    st.error(f"**Not allowed.** {literal(message)}", icon=":material/block:")
    st.stop()


# (username, page key) of the forbidden page this session was last refused, while it stays on
# that page: Streamlit runs a page more than once for one open (a browser's first run of the
# sign-in cookie component replies with a rerun; so does any widget), and one open is one
# audit record.
REFUSED_OPEN = "guard_refused_open"


def require_page(key: str) -> PageAccess:
    page = navigation.spec(key)
    account = auth.handed_account()  # read by app.py in this run
    if account is None:
        with resources.db_session() as session:
            account = auth.current_account(session)
    if account is None:
        not_allowed("Please sign in first.")
    if account.role not in page.roles:
        this_open = (account.username, key)
        if st.session_state.get(REFUSED_OPEN) != this_open:
            with resources.db_session() as session:
                users.audit_page_refused(session, account, page=page.title, clock=resources.clock())
            st.session_state[REFUSED_OPEN] = this_open
        not_allowed(f"The {page.title} page is not available to the {account.role.value} role.")
    st.session_state.pop(REFUSED_OPEN, None)  # an allowed page: the next refusal is a new open
    only_own = account.role in page.own_passenger_only
    if only_own and account.passenger_id is None:
        not_allowed("This customer account is not linked to a passenger record.")
    return PageAccess(account, account.role in page.read_only, only_own)


@contextmanager
def faults_shown_safely() -> Iterator[None]:
    """Around the whole app run (sign-in and the page): anything unexpected (the database gone,
    a bug) is shown as a sentence and a reference, logged with its traceback, instead of
    Streamlit's exception box with the SQL and stack. st.stop/st.rerun/st.switch_page raise
    BaseExceptions and pass through."""
    try:
        yield
    except Exception as err:
        st.error(fault_text(err, where="app run"), icon=":material/error:")

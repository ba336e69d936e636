"""The sign-in page's list of demo logins, in demo mode only (services.identity.demo_logins:
the seeded demo accounts that still have their published password; never in production)."""

from __future__ import annotations

import streamlit as st

from services.identity.demo_logins import usable_demo_logins
from ui import resources
from ui.safe_text import code, one_line


# `database_url` is the cache key: one answer per database, read inside from the settings. The
# bcrypt checks take ~1 s in all: once a minute per process, not on every signed-out run.
@st.cache_resource(ttl=60, show_spinner=False)
def _logins(database_url: str) -> list[tuple[str, str, str, str]]:  # noqa: ARG001
    with resources.db_session() as session:
        return [
            (d.username, d.password, d.role.value, d.name)
            for d in usable_demo_logins(session, resources.settings())
        ]


def demo_logins() -> None:
    """Under the sign-in form in demo mode: who to sign in as, to try each role."""
    settings = resources.settings()
    if settings.environment == "production":
        return
    rows = _logins(settings.database_url)
    if not rows:
        return
    with st.container(border=True, key="signin_demo_logins"):
        st.markdown("**Demo logins** (this is a demo world; production shows none)")
        st.markdown(
            "\n".join(
                [
                    "| Role | Username | Password | Name |",
                    "|---|---|---|---|",
                    *(
                        f"| {role} | {code(user)} | {code(password)} | {one_line(name)} |"
                        for user, password, role, name in rows
                    ),
                ]
            )
        )

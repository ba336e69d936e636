"""The pages and who may use them, and the st.navigation menu built from them.

Every page is registered with st.navigation for every signed-in user; the pages a role may not
use are registered *hidden*. So their URLs still resolve to the page itself, whose guard
(ui/guards.py) then says "not allowed" — instead of Streamlit silently opening the default page.
The menu is a convenience; the guard is the check."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from db.models import Role

AGENT, MANAGER, ADMIN, CUSTOMER = Role.AGENT, Role.MANAGER, Role.ADMIN, Role.CUSTOMER


@dataclass(frozen=True)
class PageSpec:
    key: str  # also the file name in app_pages/ and the URL path
    title: str
    icon: str
    section: str
    roles: frozenset[Role]
    read_only: frozenset[Role] = field(default_factory=frozenset)
    own_passenger_only: frozenset[Role] = field(default_factory=frozenset)
    help: str = ""

    @property
    def path(self) -> str:
        return f"app_pages/{self.key}.py"


PAGES: tuple[PageSpec, ...] = (
    PageSpec(
        "chat", "Chat", ":material/chat:", "Support",
        frozenset({AGENT, ADMIN, CUSTOMER}), own_passenger_only=frozenset({CUSTOMER}),
        help="Talk with the assistant about a passenger's trips; nothing changes until you say so.",
    ),
    PageSpec(
        "bookings", "Bookings", ":material/flight:", "Support",
        frozenset({AGENT, MANAGER, ADMIN, CUSTOMER}), read_only=frozenset({MANAGER}),
        own_passenger_only=frozenset({CUSTOMER}),
        help="Search flights, hotels, cars and excursions; see a passenger's trips at a glance.",
    ),
    PageSpec(
        "queue", "Queue", ":material/support_agent:", "Support", frozenset({AGENT, ADMIN}),
        help="Conversations waiting for a person: take one, write to the passenger, hand back.",
    ),
    PageSpec(
        "disruptions", "Disruptions", ":material/flight_land:", "Support",
        frozenset({AGENT, MANAGER, ADMIN}), read_only=frozenset({MANAGER}),
        help="Cancelled and delayed flights: plan, adjust and approve the re-accommodation.",
    ),
    PageSpec(
        "audit", "Audit", ":material/policy:", "Oversight", frozenset({MANAGER, ADMIN}),
        help="The audit trail: filters, before/after details, CSV export, integrity check.",
    ),
    PageSpec(
        "metrics", "Metrics", ":material/monitoring:", "Oversight", frozenset({MANAGER, ADMIN}),
        help="Support KPIs and their trends.",
    ),
    PageSpec(
        "review", "Conversation review", ":material/rate_review:", "Oversight",
        frozenset({MANAGER, ADMIN}), help="Read, rate and flag past conversations.",
    ),
    PageSpec(
        "evaluations", "Evaluations", ":material/fact_check:", "Oversight",
        frozenset({MANAGER, ADMIN}), help="Run the conversation evaluation suite; results by tag.",
    ),
    PageSpec(
        "admin", "Admin", ":material/admin_panel_settings:", "Administration",
        frozenset({ADMIN}), help="Users and roles; reset the demo world.",
    ),
)  # fmt: skip
BY_KEY = {p.key: p for p in PAGES}
HOME_TITLE = "Home"  # the hidden default page at "/", which opens the role's first page


def spec(key: str) -> PageSpec:
    return BY_KEY[key]


def allowed_pages(role: Role | None) -> list[PageSpec]:
    return [p for p in PAGES if role in p.roles]


def _page(p: PageSpec, *, visible: bool, default: bool) -> StreamlitPage:
    return st.Page(
        p.path,
        title=p.title,
        icon=p.icon,
        url_path=p.key,
        default=default,
        visibility="visible" if visible else "hidden",
        help=p.help,
    )


def _signed_out() -> None:
    """The signed-out app's default page. Never run: app.py draws the sign-in form itself."""


def navigation(role: Role | None) -> StreamlitPage:
    """st.navigation for a role: its pages in the menu by section, the others hidden.

    Signed out (role None), the default page is an empty "Sign in" page and every real page
    is registered hidden with the menu hidden: a deep link (/bookings) keeps its page through
    the sign-in form, and "/" does not land a manager on the Chat page they may not use."""
    if role is None:
        sign_in = st.Page(_signed_out, title="Sign in", url_path="signin", default=True)
        pages = [_page(p, visible=False, default=False) for p in PAGES]
        return st.navigation({"": [sign_in, *pages]}, position="hidden")
    allowed = allowed_pages(role)
    # The default page is a hidden "home" that opens the role's first page: Streamlit serves a
    # default page only at "/", so were Chat the default, a link to /chat?passenger=... would
    # be "Page not found" (and lose its query) for exactly the roles whose first page it is.
    home = st.Page(
        partial(_open_first_page, allowed[0]), title=HOME_TITLE, url_path="home",
        default=True, visibility="hidden",
    )  # fmt: skip
    sections: dict[str, list[StreamlitPage]] = {}
    for p in PAGES:
        page = _page(p, visible=p in allowed, default=False)
        # Hidden pages go to the unnamed section: the menu shows neither them nor a header.
        sections.setdefault(p.section if p in allowed else "", []).append(page)
    hidden = [home, *sections.pop("", [])]
    return st.navigation({**sections, "": hidden}, position="sidebar")


def _open_first_page(first: PageSpec) -> None:
    """The bare address: the role's first page, keeping the link's query (?passenger=...)."""
    st.switch_page(first.path, query_params=st.query_params.to_dict())


def landing(current: StreamlitPage, role: Role) -> str:
    """Where a fresh sign-in goes: the page asked for (a deep link) if the role may use it,
    else the first page of the role's menu."""
    allowed = allowed_pages(role)
    wanted = next((p for p in allowed if p.key == current.url_path), allowed[0])
    return wanted.path

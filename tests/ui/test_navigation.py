"""Each role's menu (ui/navigation.py), and every page checking the role itself: a page opened
without the right role (by URL, not the menu) says "not allowed" and draws nothing else."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from db.models import AuditEvent, Passenger
from tests.ui.apptest import NOT_ALLOWED, open_app, open_page, page_content, signed_in, texts
from ui.navigation import HOME_TITLE, PAGES
from world import persona_passenger_id

pytestmark = pytest.mark.usefixtures("app_env")

MENUS = {
    "agent": ["Chat", "Bookings", "Queue", "Disruptions"],
    "manager": [
        "Bookings",
        "Disruptions",
        "Audit",
        "Metrics",
        "Conversation review",
        "Evaluations",
    ],
    "admin": [
        "Chat",
        "Bookings",
        "Queue",
        "Disruptions",
        "Audit",
        "Metrics",
        "Conversation review",
        "Evaluations",
        "Admin",
    ],
    "customer": ["Chat", "Bookings"],
}
TITLES = {p.key: p.title for p in PAGES}
FORBIDDEN = [
    (role, key)
    for role, menu in MENUS.items()
    for key, title in TITLES.items()
    if title not in menu
]
ALLOWED = [
    (role, key) for role, menu in MENUS.items() for key, title in TITLES.items() if title in menu
]


@pytest.mark.parametrize("role", list(MENUS))
def test_each_role_sees_its_pages(role, menus) -> None:
    at = signed_in(role)
    menu = menus[-1]
    assert menu.position == "sidebar"
    assert menu.visible == MENUS[role]
    # The default page is the hidden Home at "/" (every real page keeps its own URL, so a link
    # to /chat?passenger=... works for the roles whose first page is Chat), which opens the
    # first page of the menu.
    assert sorted(menu.hidden) == sorted({*TITLES.values()} - set(MENUS[role]) | {HOME_TITLE})
    assert menu.default == HOME_TITLE
    assert at.title[0].value == MENUS[role][0]  # signed in onto the first page of the menu


@pytest.mark.parametrize(("role", "key"), FORBIDDEN, ids=[f"{r}-{k}" for r, k in FORBIDDEN])
def test_a_page_outside_the_role_says_not_allowed_and_nothing_else(app_env, role, key) -> None:
    at = open_page(signed_in(role), key)
    assert not at.exception
    expected = f"**Not allowed.** The {TITLES[key]} page is not available to the {role} role."
    assert page_content(at) == [("error", expected)]
    with app_env.sessions() as session:
        event = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert (event.action, event.actor, event.outcome) == ("page_open", role, "refused")


@pytest.mark.parametrize(("role", "key"), ALLOWED, ids=[f"{r}-{k}" for r, k in ALLOWED])
def test_a_page_in_the_menu_opens(role, key) -> None:
    at = open_page(signed_in(role), key)
    assert not at.exception
    assert at.title[0].value == TITLES[key]
    assert NOT_ALLOWED not in " ".join(texts(at))


def test_signed_out_a_page_url_shows_only_the_sign_in_form() -> None:
    at = open_app()
    at.switch_page("app_pages/admin.py").run()
    assert not at.exception
    assert at.button(key="signin_submit")
    assert "Admin" not in [t.value for t in at.title]
    assert page_content(at)[0] == ("title", "✈️ SkyDesk")


def test_customer_sees_only_their_own_passenger(app_env) -> None:
    at = open_page(signed_in("customer"), "bookings")
    with app_env.sessions() as session:
        anna = session.get(Passenger, persona_passenger_id(session, "anna"))
        ben = persona_passenger_id(session, "ben")
    assert not [t for t in at.text_input if t.key == "bookings_query"]  # no picker
    assert at.subheader[0].value == anna.full_name
    # Even a passenger id planted in the session (as the staff picker stores it) changes nothing.
    at.session_state["bookings_passenger_id"] = ben
    at.run()
    assert at.subheader[0].value == anna.full_name
    assert "Ben Okafor" not in " ".join(texts(at))


@pytest.mark.parametrize(
    ("role", "link", "lands_on"),
    [("agent", "bookings", "Bookings"), ("agent", "admin", "Chat"), ("manager", None, "Bookings")],
    ids=["deep-link-kept", "deep-link-not-allowed", "root"],
)
def test_sign_in_lands_on_the_page_asked_for_if_allowed(role, link, lands_on) -> None:
    from tests.ui.apptest import sign_in

    at = open_app()
    if link:
        at.switch_page(f"app_pages/{link}.py").run()
    sign_in(at, role)
    assert not at.exception
    assert at.title[0].value == lands_on
    assert NOT_ALLOWED not in " ".join(texts(at))

"""Other passengers named in a chat message: full names in any case, a title and a last name,
a first name alone only where it reads as a name; never the served passenger's own names, and
never for a customer."""

from __future__ import annotations

import pytest

from db.models import Role
from services.core.context import Actor
from services.core.errors import NotFound, PolicyViolation
from services.support.mentions import other_passengers_named
from tests import factories as f
from tests.conftest import context_for


@pytest.fixture
def people(session):
    names = ["Farid Haddad", "Grace Lin", "Grace Baker", "Connie Lin", "Will Stone",
             "Diego Alvarez", "Ines Alvarez", "Farid Other", "Mark Bishop", "Mark Bishop"]  # fmt: skip
    made = {name: f.passenger(session, name=name) for name in names[:-1]}
    f.passenger(session, name=names[-1])  # a namesake: two Mark Bishops
    session.commit()
    return made


def named(session, clock, people, served: str, text: str) -> list[tuple[str, bool, int]]:
    ctx = context_for(people[served].id, clock)
    return [(m.written, m.full_name, m.count) for m in other_passengers_named(session, ctx, text)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Grace Lin wants compensation for the delay", [("Grace Lin", True, 1)]),
        ("grace lin", [("grace lin", True, 1)]),
        ("Can you check GRACE LIN's flight?", [("GRACE LIN", True, 1)]),
        ("Mrs Lin called about her bag", [("Mrs Lin", True, 2)]),
        ("her friend Grace recommended us", [("Grace", False, 2)]),
        ("ask Ines and Mark Bishop", [("Ines", False, 1), ("Mark Bishop", True, 2)]),
    ],
)
def test_another_passengers_name_is_found(session, clock, people, text, expected) -> None:
    assert named(session, clock, people, "Farid Haddad", text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "she wants compensation for the delay",
        "Will she get a refund? Grace period is fine.",  # first names opening a sentence
        "she will grace us with a visit; a rose for mark",  # common words, lower case
        "Farid Haddad wants to rebook",  # the served passenger
        "Farid asks for the first one",  # the served passenger's first name (another Farid too)
        "Mr. Haddad asks",
        "",
    ],
)
def test_no_other_passenger_is_named(session, clock, people, text) -> None:
    assert named(session, clock, people, "Farid Haddad", text) == []


def test_a_companion_with_the_same_last_name_is_another_passenger(session, clock, people) -> None:
    ctx = context_for(people["Diego Alvarez"].id, clock)
    (mention,) = other_passengers_named(session, ctx, "book a hotel for Ines Alvarez too")
    assert mention.passenger_id == people["Ines Alvarez"].id
    assert mention.names == ("Ines Alvarez",)
    # "Mr Alvarez" is the served passenger's own last name: not another person.
    assert other_passengers_named(session, ctx, "Mr Alvarez asks") == []


def test_a_unique_full_name_names_its_passenger_a_shared_one_does_not(
    session, clock, people
) -> None:
    ctx = context_for(people["Farid Haddad"].id, clock)
    grace, mark = other_passengers_named(session, ctx, "Grace Lin and Mark Bishop")
    assert grace.passenger_id == people["Grace Lin"].id
    assert mark.passenger_id is None and mark.names == ("Mark Bishop",) and mark.count == 2


def test_a_customer_learns_nothing_about_other_passengers(session, clock, people) -> None:
    customer = Actor("anna", Role.CUSTOMER, passenger_id=people["Farid Haddad"].id)
    ctx = context_for(people["Farid Haddad"].id, clock, actor=customer)
    with pytest.raises(PolicyViolation) as refused:
        other_passengers_named(session, ctx, "Grace Lin")
    assert refused.value.code == "permission_denied"


@pytest.mark.usefixtures("people")
def test_no_served_passenger_is_refused(session, clock) -> None:
    with pytest.raises(NotFound):
        other_passengers_named(session, context_for(None, clock), "Grace Lin")

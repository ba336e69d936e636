"""The passenger picker's search: by name, e-mail, ticket number or booking reference."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.core.errors import InvalidInput
from services.support.passengers import find_passengers, passenger_label, search_finds
from tests import factories as f


@pytest.fixture
def people(session, clock):
    f.reference_data(session)
    flight = f.flight(session, "ZRH", "LHR", clock.now() + timedelta(days=3))
    anna = f.passenger(session, name="Anna Keller")
    deanna = f.passenger(session, name="Deanna Kellerman")
    diego = f.passenger(session, name="Diego Alvarez")
    ines = f.passenger(session, name="Ines Alvarez")
    percent = f.passenger(session, name="Per Cent%")
    issued = clock.now() - timedelta(days=5)
    anna_ticket = f.ticket(session, anna, [flight], issued_at=issued)
    diego_ticket = f.ticket(session, diego, [flight], issued_at=issued)
    f.ticket(session, ines, [flight], issued_at=issued, booking=diego_ticket.booking)
    session.commit()
    return dict(anna=anna, deanna=deanna, diego=diego, ines=ines, percent=percent,
                anna_ticket=anna_ticket, diego_ticket=diego_ticket)  # fmt: skip


def ids(matches) -> list[int]:
    return [m.id for m in matches]


def test_by_name_every_word_counts(session, people) -> None:
    # Deanna Kellerman contains both words too, but the exact name comes first.
    assert ids(find_passengers(session, query="anna keller")) == [
        people["anna"].id,
        people["deanna"].id,
    ]
    assert ids(find_passengers(session, query="alvarez ines")) == [people["ines"].id]
    both = find_passengers(session, query="KELLER")
    assert set(ids(both)) == {people["anna"].id, people["deanna"].id}
    assert {m.matched_by for m in both} == {"name"}


def test_by_email(session, people) -> None:
    (match,) = find_passengers(session, query=people["anna"].email.upper())
    assert (match.id, match.matched_by) == (people["anna"].id, "e-mail")


def test_by_ticket_number_with_spaces(session, people) -> None:
    number = people["anna_ticket"].ticket_no
    (match,) = find_passengers(session, query=f"{number[:3]} {number[3:7]} {number[7:]}")
    assert (match.id, match.matched_by) == (people["anna"].id, "ticket")


def test_by_booking_reference_finds_everyone_on_it(session, people) -> None:
    reference = people["diego_ticket"].booking.reference
    matches = find_passengers(session, query=reference.lower())
    assert ids(matches) == [people["diego"].id, people["ines"].id]
    assert {m.matched_by for m in matches} == {"booking reference"}


def test_like_wildcards_are_literal(session, people) -> None:
    assert ids(find_passengers(session, query="t%")) == [people["percent"].id]
    assert find_passengers(session, query="a_v") == []  # "_" is not "any character"


@pytest.mark.usefixtures("people")
def test_limit_and_short_queries(session) -> None:
    with pytest.raises(InvalidInput, match="at least 2 characters"):
        find_passengers(session, query=" a ")
    assert len(find_passengers(session, query="ll", limit=1)) == 1


def test_label(session, people) -> None:
    anna = people["anna"]
    assert passenger_label(session, anna.id) == f"Anna Keller · {anna.email} · regular"
    assert passenger_label(session, 999_999) is None


def test_whether_a_search_finds_the_chosen_passenger(session, people) -> None:
    """The picker's lock: does the search text still find the passenger being helped?"""
    anna, ines = people["anna"].id, people["ines"].id
    number = people["anna_ticket"].ticket_no
    reference = people["diego_ticket"].booking.reference
    for query in ["anna keller", "KELLER", "kel", people["anna"].email, number]:
        assert search_finds(session, query=query, passenger_id=anna), query
    for query in ["grace lin", "anna lin", "alvarez", people["diego"].email, reference, "a", ""]:
        assert not search_finds(session, query=query, passenger_id=anna), query
    assert search_finds(session, query=reference.lower(), passenger_id=ines)  # on the booking


def test_a_search_finds_the_chosen_passenger_beyond_the_first_matches(session, people) -> None:
    """Twenty other Kellers come first in the list; the search still finds Deanna Kellerman."""
    for n in range(25):
        f.passenger(session, name=f"Aaron Keller{n:02d}")
    session.commit()
    deanna = people["deanna"].id
    assert deanna not in ids(find_passengers(session, query="keller"))
    assert search_finds(session, query="keller", passenger_id=deanna)

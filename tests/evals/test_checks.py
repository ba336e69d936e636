"""The check semantics on hand-made results: no world, no model."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from evals.cases_format import Expect
from evals.checks import check_case, check_snapshot, mismatch
from evals.results import TableChange
from services.core.clock import FixedClock

CLOCK = FixedClock(datetime(2026, 11, 26, 8, 0, tzinfo=UTC))  # D = 2026-11-26 in Zurich
TICKET = {
    "ticket_no": "7249321932540",
    "status": "active",
    "fare": "Classic",
    "route": "ZRH-LHR",
    "departs_date": "2026-11-30",
    "departs_local": "2026-11-30T09:40+01:00",
    "flight_nos": ["AL 102"],
    "legs": [{"flight_no": "AL 102", "seat": "24B", "price_paid": "190.00"}],
    "checked_bags": 1,
}


@pytest.mark.parametrize(
    ("expected", "matches"),
    [
        ({"route": "zrh-lhr", "status": " Active "}, True),  # text: case-insensitive, trimmed
        ({"fare": "Flex"}, False),
        ({"departs_date": "D+4"}, True),
        ({"departs_date": "d + 4"}, True),
        ({"departs_date": "D+3"}, False),
        ({"departs_date": date(2026, 11, 30)}, True),  # YAML's own dates
        ({"departs_local": "D+4"}, True),  # the date part of a date-time
        ({"checked_bags": 1}, True),
        ({"checked_bags": "1.0"}, True),  # numbers by value
        ({"ticket_no": 7249321932540}, True),
        ({"flight_nos": ["al 102"]}, True),  # lists of scalars: equal, ignoring case
        ({"flight_nos": ["AL 102", "AL 104"]}, False),
        ({"flight_nos": "AL 102"}, False),
        ({"legs": [{"price_paid": 190, "seat": "24b"}]}, True),  # lists of items: subset
        ({"legs": [{"seat": "1A"}]}, False),
        ({"legs": []}, False),  # an empty list means empty
    ],
)
def test_value_matching(expected: dict[str, object], matches: bool) -> None:
    assert (mismatch(expected, TICKET, CLOCK) is None) is matches


def test_snapshot_reasons_name_the_closest_item_and_resolve_dates() -> None:
    other = {**TICKET, "ticket_no": "1", "route": "GVA-CDG", "fare": "Light"}
    snapshot = {"tickets": [other, TICKET], "compensations": []}
    (result,) = check_snapshot({"tickets": [{"route": "ZRH-LHR", "departs_date": "D+3"}]},
                               snapshot, CLOCK)  # fmt: skip
    assert not result.passed
    assert result.detail == (
        "snapshot.tickets: no item matches {route: ZRH-LHR, departs_date: D+3 (=2026-11-29)} "
        "(2 checked; closest: departs_date is 2026-11-30)"
    )
    (unknown,) = check_snapshot({"tickets": [{"rout": "ZRH-LHR"}]}, snapshot, CLOCK)
    assert "rout is not a field (fields: ticket_no, status," in unknown.detail
    (empty,) = check_snapshot({"compensations": [{"amount": 200}]}, snapshot, CLOCK)
    assert empty.detail == (
        "snapshot.compensations: no item matches {amount: 200}: the passenger has no compensations"
    )


def test_an_empty_expected_list_asserts_an_empty_section() -> None:
    snapshot = {"compensations": [], "tickets": [TICKET]}
    none, some = check_snapshot({"compensations": [], "tickets": []}, snapshot, CLOCK)
    assert none.passed and none.detail == "snapshot.compensations: compensations is empty"
    assert not some.passed and some.detail == "snapshot.tickets: expected no tickets, found 1"


def test_every_listed_item_needs_its_own_match() -> None:
    snapshot = {"tickets": [TICKET]}
    results = check_snapshot(
        {"tickets": [{"route": "ZRH-LHR"}, {"route": "GVA-CDG"}]}, snapshot, CLOCK
    )
    assert [r.passed for r in results] == [True, False]


def test_case_verdict_combines_every_check() -> None:
    expect = Expect(
        tools_called=["change_flight", "search_flights"],
        tools_not_called=["cancel_ticket"],
        unchanged=True,
        reply_contains=["chf 50", "Singapore"],
        reply_not_contains=["refund"],
    )
    results = check_case(
        expect,
        tools=["get_passenger_trips", "change_flight", "cancel_ticket"],
        replies=["Moved. Charged CHF 50.", "A refund is not possible."],
        errors=["model_timeout: the model did not answer"],
        snapshot=None,
        changes=[TableChange("tickets", updated=1, examples=("tickets 1: status ...",))],
        clock=CLOCK,
    )
    failed = [r.detail for r in results if not r.passed]
    assert failed == [
        "runtime error: model_timeout: the model did not answer",
        "tools_called: search_flights was not called "
        "(called: get_passenger_trips, change_flight, cancel_ticket)",
        "tools_not_called: cancel_ticket was called",
        "unchanged: domain tables changed: tickets (1 updated); e.g. tickets 1: status ...",
        "reply_contains: no reply contains 'Singapore' (last reply: \"A refund is not possible.\")",
        "reply_not_contains: reply 2 contains 'refund': \"A refund is not possible.\"",
    ]
    assert [r.name for r in results if r.passed] == ["tools_called", "reply_contains"]

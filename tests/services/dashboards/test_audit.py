"""Audit page data: filters, keyset pages, detail with before -> after, CSV export of exactly
the filtered rows, picker values, and the integrity check naming a tampered record."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from sqlalchemy import delete, update

from db.models import AuditEvent, Role
from services.core import audit, audit_checks
from services.core.clock import FixedClock
from services.core.context import Actor, ServiceContext
from services.core.errors import InvalidInput
from services.dashboards import audit_export, audit_log
from tests.conftest import as_dba
from tests.services.dashboards.dashboard_world import SINCE, UNTIL, at, build_history

RANGE: dict[str, Any] = {"since": SINCE, "until": UNTIL}  # keyword arguments of every query
IN_RANGE = [
    "c1_ok", "c1_done", "c2_refused", "c2_denied", "c3_ok", "c3_done", "c5_r1", "c5_r2",
    "login", "c4_err", "c4_bad",
]  # fmt: skip


@pytest.fixture
def history(session):
    return build_history(session)


def seqs_of(history, *names: str) -> list[int]:
    return [history.seqs[n] for n in names]


def all_pages(session, **kwargs) -> list[int]:
    seen, after = [], None
    while True:
        page = audit_log.audit_page(session, **RANGE, after_seq=after, **kwargs)
        seen += [r.seq for r in page.rows]
        if page.next_after_seq is None:
            return seen
        after = page.next_after_seq


def test_pages_walk_the_range_newest_first_without_gaps(session, history) -> None:
    first = audit_log.audit_page(session, **RANGE, limit=4)
    expected = sorted(seqs_of(history, *IN_RANGE), reverse=True)
    assert [r.seq for r in first.rows] == expected[:4]
    assert first.next_after_seq == expected[3]
    assert all_pages(session, limit=4) == expected
    assert all_pages(session, limit=4, order="oldest") == sorted(expected)
    assert audit_log.audit_count(session, **RANGE) == 11


@pytest.mark.parametrize(
    ("filters", "names"),
    [
        ({"outcome": "refused"}, ["c2_refused", "c5_r1", "c5_r2"]),
        ({"outcome": ["approved", "denied"]}, ["c1_ok", "c2_denied", "c3_ok"]),
        ({"actor": "agent2"}, ["c3_ok", "c3_done", "login", "c4_err", "c4_bad"]),
        ({"action": "change_flight"}, ["c1_ok", "c1_done", "c5_r1", "c5_r2"]),
        ({"action": ["cancel_ticket", "login"]}, ["c2_denied", "c3_ok", "c3_done", "login"]),
        ({"actor": "agent1", "outcome": "refused"}, ["c2_refused", "c5_r1", "c5_r2"]),
        ({"conversation_id": "c5"}, ["c5_r1", "c5_r2"]),
        ({"rule": "within_3h_of_departure"}, ["c5_r1", "c5_r2"]),
        ({"outcome": "error"}, ["c4_err"]),
        ({"outcome": "invalid"}, ["c4_bad"]),
        ({"outcome": "ok"}, ["login"]),
        ({"actor": "nobody"}, []),
    ],
)
def test_filters(session, history, filters, names) -> None:
    assert all_pages(session, limit=2, **filters) == sorted(seqs_of(history, *names), reverse=True)
    assert audit_log.audit_count(session, **RANGE, **filters) == len(names)


def test_passenger_filter(session, history) -> None:
    p2 = history.passengers[1]
    expected = seqs_of(history, "c2_refused", "c2_denied", "login", "c4_err", "c4_bad")
    assert all_pages(session, passenger_id=p2) == sorted(expected, reverse=True)


def test_time_range_excludes_older_records(session, history) -> None:
    assert history.seqs["old"] not in all_pages(session)
    day = audit_log.audit_page(session, since=at(25, 0), until=at(26, 0))
    assert [r.seq for r in day.rows] == sorted(
        seqs_of(history, "c3_ok", "c3_done", "c5_r1", "c5_r2"), reverse=True
    )


@pytest.mark.usefixtures("history")
def test_unknown_outcome_and_bad_limit_are_refused(session) -> None:
    with pytest.raises(InvalidInput, match="Unknown outcome 'maybe'"):
        audit_log.audit_page(session, **RANGE, outcome="maybe")
    with pytest.raises(InvalidInput, match="1 to 500"):
        audit_log.audit_page(session, **RANGE, limit=0)


def test_detail_shows_arguments_and_before_after(session, history) -> None:
    detail = audit_log.audit_detail(session, history.seqs["c1_done"])
    assert detail is not None
    assert (detail.row.action, detail.row.outcome, detail.row.actor) == (
        "change_flight",
        "executed",
        "agent1",
    )
    assert detail.arguments == {"ticket_no": "7240000000001", "new_flight_ids": [7]}
    assert [(c.field, c.before, c.after) for c in detail.changes] == [
        ("departs", "2026-11-29", "2026-11-30"),
        ("flights", ["AL 100"], ["AL 102"]),
    ]
    assert detail.details["charged"] == "50.00"
    assert detail.hash_matches
    assert audit_log.audit_detail(session, 10_000) is None


def test_diff_of_nested_documents() -> None:
    changes = audit_log.diff(
        {"ticket": {"status": "active", "fare": "Flex"}, "seat": "3A"},
        {"ticket": {"status": "cancelled", "fare": "Flex"}, "refund": "120.00"},
    )
    assert [(c.field, c.before, c.after) for c in changes] == [
        ("refund", None, "120.00"),
        ("seat", "3A", None),
        ("ticket.status", "active", "cancelled"),
    ]


def parse_csv(chunks) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO("".join(chunks))))


def test_csv_export_holds_exactly_the_filtered_rows(session, history) -> None:
    chunks = list(audit_export.export_csv(session, **RANGE, outcome="refused", chunk_size=2))
    assert len(chunks) == 3  # header, then two keyset chunks (2 + 1 rows)
    rows = parse_csv(chunks)
    assert [int(r["seq"]) for r in rows] == seqs_of(history, "c2_refused", "c5_r1", "c5_r2")
    assert {r["outcome"] for r in rows} == {"refused"}
    assert json.loads(rows[0]["details"]) == {"args": {"ticket_no": "7240000000002"}}
    assert rows[0]["rule"] == "fare_light_no_change"
    assert rows[0]["ts"] == at(24, 15, 5).isoformat()
    everything = parse_csv(audit_export.export_csv(session, **RANGE))
    assert [int(r["seq"]) for r in everything] == sorted(seqs_of(history, *IN_RANGE))
    assert list(everything[0]) == list(audit_export.CSV_COLUMNS)


@pytest.mark.usefixtures("history")
def test_csv_export_of_nothing_is_just_the_header(session) -> None:
    assert parse_csv(audit_export.export_csv(session, **RANGE, actor="nobody")) == []


@pytest.mark.usefixtures("history")
def test_csv_export_defuses_spreadsheet_formulas(session) -> None:
    ctx = ServiceContext(actor=Actor("agent1", Role.AGENT), clock=FixedClock(at(26, 7, 50)))
    audit.record(session, ctx, action="lookup_policy", outcome="ok", message='=HYPERLINK("x")')
    rows = parse_csv(audit_export.export_csv(session, **RANGE, action="lookup_policy"))
    assert rows[0]["message"] == '\'=HYPERLINK("x")'


@pytest.mark.usefixtures("history")
def test_picker_values(session) -> None:
    choices = audit_log.audit_choices(session)
    assert choices.actors == ["agent1", "agent2"]
    assert choices.actions == [
        "book_flight", "cancel_ticket", "change_flight", "login", "quote_flight_change",
        "search_flights",
    ]  # fmt: skip
    assert "refused" in choices.outcomes


MANAGER = ServiceContext(actor=Actor("manager1", Role.MANAGER), clock=FixedClock(at(26, 8, 0)))


def test_integrity_check_intact_then_tampered(session, history) -> None:
    report = audit_export.integrity_check(session, MANAGER)
    assert report.ok and report.records == 12 and report.first_bad is None
    assert str(report) == "Audit chain intact: all 12 records checked."
    assert last_check(session).by == "manager1"
    report = audit_export.integrity_check(session, MANAGER, new_records_only=True)
    assert (report.ok, report.records, report.after_seq) == (True, 1, 12)  # the first check
    assert str(report) == "Audit chain intact: 1 new record after record 12 checked."
    target = history.seqs["c2_denied"]
    with as_dba(session):
        session.execute(
            update(AuditEvent).where(AuditEvent.seq == target).values(outcome="approved")
        )
    session.commit()
    session.expire_all()
    report = audit_export.integrity_check(session, MANAGER)
    assert not report.ok
    assert report.first_bad_seq == target
    assert report.first_bad is not None and report.first_bad.outcome == "approved"
    assert "changed" in str(report.problem) and f"record {target}" in str(report)
    # The tampered row also shows up in its own detail.
    detail = audit_log.audit_detail(session, target)
    assert detail is not None and not detail.hash_matches


def test_integrity_check_names_a_deleted_record(session, history) -> None:
    target = history.seqs["c3_ok"]
    with as_dba(session):
        session.execute(delete(AuditEvent).where(AuditEvent.seq == target))
    session.commit()
    report = audit_export.integrity_check(session, MANAGER)
    assert (report.ok, report.first_bad_seq, report.first_bad) == (False, target, None)
    assert "deleted" in str(report.problem)


def last_check(session) -> audit_checks.LastCheck:
    """The last intact check, which the test expects to exist."""
    found = audit_checks.last_intact_check(session)
    assert found is not None
    return found

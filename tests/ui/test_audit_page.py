"""The Audit page on a demo world with history: filters narrow the trail, pages never overlap,
a record opens with its arguments and before -> after, the CSV export holds exactly the
filtered records, and a record changed in the database shows up as the break in the chain."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
import streamlit as st
from sqlalchemy import func, select, text
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from db.audit_guard import audit_guard_lifted
from db.engine import make_session_factory
from db.models import AuditEvent, Role, Ticket
from services.core.clock import FixedClock
from services.core.context import Actor, ServiceContext
from services.dashboards import audit_log
from services.flights.cancellations import cancel_ticket
from tests.conftest import FROZEN_NOW
from tests.ui.apptest import NOT_ALLOWED, open_page, page_content, signed_in, texts
from tests.ui.conftest import World
from world import persona_passenger_id, seed_world
from world.scratch import scratch_engine

pytestmark = pytest.mark.usefixtures("app_env")
# The page's "Last 90 days": up to the end of the demo clock's minute.
UNTIL = FROZEN_NOW + timedelta(minutes=1)
SINCE = UNTIL - timedelta(days=90)


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    """The demo world with 60 conversations of history (every audit record they make, so
    denials and refusals are among them), and one real cancellation by the
    agent (an executed write with its before -> after) at the demo clock."""
    with scratch_engine("ui", os.environ.get("TEST_DATABASE_URL")) as engine:
        seed_world(engine, size="demo", now=FROZEN_NOW, history=60, history_audit_as_recorded=True)
        sessions = make_session_factory(engine)
        with sessions() as session:
            anna = persona_passenger_id(session, "anna")
            ticket = session.scalars(select(Ticket).where(Ticket.passenger_id == anna)).one()
            ctx = ServiceContext(Actor("agent", Role.AGENT), anna, FixedClock(FROZEN_NOW))
            cancel_ticket(session, ctx, ticket_no=ticket.ticket_no)
        yield World(engine.url.render_as_string(hide_password=False), engine, sessions)
        st.cache_resource.clear()


def audit(role: str = "manager") -> AppTest:
    at = open_page(signed_in(role), "audit")
    assert not at.exception, at.exception
    return at


def last_90_days(at: AppTest) -> AppTest:
    return at.selectbox(key="audit_range").select("Last 90 days").run()


def shown(at: AppTest) -> list[dict[str, Any]]:
    """The trail's rows: the first table on the Trail tab (AppTest keeps no table keys)."""
    return at.tabs[0].dataframe[0].value.to_dict("records")


def service_rows(world: World, **filters) -> list[audit_log.AuditRow]:
    out, after = [], None
    with world.sessions() as session:
        while True:
            page = audit_log.audit_page(
                session, since=SINCE, until=UNTIL, limit=500, after_seq=after, **filters
            )
            out += page.rows
            if page.next_after_seq is None:
                return out
            after = page.next_after_seq


@dataclass
class Download:
    make: Callable[[], object]
    mimetype: str | None
    file_name: str | None


@pytest.fixture
def deferred(monkeypatch: pytest.MonkeyPatch) -> dict[str, Download]:
    """What each deferred download button would send when clicked: the callable it registered
    with the media file manager, by file id (AppTest cannot click a download)."""
    found: dict[str, Download] = {}
    original = MediaFileManager.add_deferred

    def spy(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        file_id = original(self, data_callable, mimetype, coordinates, file_name, **kwargs)
        found[file_id] = Download(data_callable, mimetype, file_name)
        return file_id

    monkeypatch.setattr(MediaFileManager, "add_deferred", spy)
    return found


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_the_trail_for_managers_and_admins(role: str) -> None:
    at = audit(role)
    assert at.title[0].value == "Audit"
    assert len(shown(at)) > 0  # the last 7 days of history, newest first
    seqs = [r["seq"] for r in shown(at)]
    assert seqs == sorted(seqs, reverse=True)
    assert at.download_button(key="audit_export").label == "Export CSV"
    assert at.button(key="audit_verify").label == "Verify whole chain"
    assert {s.label for s in at.selectbox} >= {"Time range", "Actor", "Rows per page"}
    assert {m.label for m in at.multiselect} == {"Outcome", "Action or tool"}


def test_the_trail_names_passengers_and_prints_no_none(app_env) -> None:
    rows = shown(last_90_days(audit()))
    with app_env.sessions() as session:
        anna = persona_passenger_id(session, "anna")
    expected = {r.seq: r.passenger_id for r in service_rows(app_env)}
    named = [r for r in rows if expected[r["seq"]] == anna]
    assert named and {r["passenger"] for r in named} == {"Anna Keller"}
    assert all(r["passenger"] == "" for r in rows if expected[r["seq"]] is None)
    assert not any(v is None or v == "None" for r in rows for v in r.values())


@pytest.mark.parametrize("role", ["agent", "customer"])
def test_agents_and_customers_are_not_allowed(role: str) -> None:
    at = open_page(signed_in(role), "audit")
    assert not at.exception
    assert page_content(at) == [
        ("error", f"**Not allowed.** The Audit page is not available to the {role} role.")
    ]


def test_outcome_filter_shows_only_refusals(app_env) -> None:
    at = last_90_days(audit())
    everything = int(at.markdown[0].value.split("**")[1].replace(",", ""))
    at = at.multiselect(key="audit_outcome").select("refused").run()
    rows = shown(at)
    expected = service_rows(app_env, outcome="refused")
    assert 0 < len(expected) < everything
    assert {r["outcome"] for r in rows} == {"refused"}
    assert [r["seq"] for r in rows] == [r.seq for r in expected][:50]
    assert at.markdown[0].value == f"**{len(expected):,}** matching records"
    # Narrowed further: refusals of one actor.
    at = at.selectbox(key="audit_actor").select("customer").run()
    assert {(r["outcome"], r["actor"]) for r in shown(at)} <= {("refused", "customer")}
    assert len(shown(at)) == len(service_rows(app_env, outcome="refused", actor="customer"))


def test_pages_follow_each_other_without_overlap(app_env) -> None:
    at = last_90_days(audit())
    at = at.selectbox(key="audit_page_size").select(25).run()
    first = [r["seq"] for r in shown(at)]
    at = at.button(key="audit_older").click().run()
    second = [r["seq"] for r in shown(at)]
    expected = [r.seq for r in service_rows(app_env)]
    assert first + second == expected[:50]
    assert "Page 2 · rows 26–50 of" in " ".join(texts(at))
    at = at.button(key="audit_newer").click().run()
    assert [r["seq"] for r in shown(at)] == first
    assert at.button(key="audit_newer").disabled


def test_a_record_opens_with_arguments_and_before_after(app_env) -> None:
    at = audit()
    at = at.multiselect(key="audit_action").select("cancel_ticket").run()
    at = at.multiselect(key="audit_outcome").select("executed").run()
    (row,) = [r for r in shown(at) if r["ts"] == FROZEN_NOW]  # the fixture's cancellation
    at = at.selectbox(key="audit_record").select(row["seq"]).run()
    assert not at.exception
    assert at.json[0].value == f'{{"ticket_no": "{_ticket_no(app_env)}"}}'
    changes = at.tabs[0].table[0].value
    assert changes.to_dict("index") == {
        "flights": {"Before": "AL 100 ZRH-LHR 2026-11-29 07:10", "After": "—"},
        "status": {"Before": "active", "After": "cancelled"},
    }
    assert any("hash matches its content" in c.value for c in at.caption)


def _ticket_no(world: World) -> str:
    with world.sessions() as session:
        anna = persona_passenger_id(session, "anna")
        return session.scalars(select(Ticket.ticket_no).where(Ticket.passenger_id == anna)).one()


def test_csv_export_holds_exactly_the_filtered_records(app_env, deferred) -> None:
    at = last_90_days(audit())
    at = at.multiselect(key="audit_outcome").select("refused").select("denied").run()
    button = at.download_button(key="audit_export")
    assert not button.disabled
    download = deferred[button.proto.deferred_file_id]
    data = download.make()
    records = list(csv.DictReader(io.StringIO(data)))
    expected = service_rows(app_env, outcome=["refused", "denied"])
    assert sorted(int(r["seq"]) for r in records) == sorted(r.seq for r in expected)
    assert {r["outcome"] for r in records} == {"refused", "denied"}
    assert (download.mimetype, download.file_name) == (
        "text/csv",
        "skydesk-audit-20260828-1001-20261126-0901.csv",  # Zurich time, summer and winter
    )
    assert NOT_ALLOWED not in " ".join(texts(at))


def test_a_changed_record_breaks_the_chain_there(app_env) -> None:
    at = audit()
    at = at.button(key="audit_verify").click().run()
    assert at.success[0].value.startswith("Audit chain intact: all ")
    with app_env.engine.begin() as conn, audit_guard_lifted(conn):
        seq = conn.scalar(select(AuditEvent.seq).where(AuditEvent.outcome == "denied").limit(1))
        message = conn.scalar(select(AuditEvent.message).where(AuditEvent.seq == seq))
        conn.execute(
            text("UPDATE audit_events SET message = 'nothing to see' WHERE seq = :seq"),
            {"seq": seq},
        )
    try:
        at = at.button(key="audit_verify").click().run()
        assert not at.exception
        assert at.error[0].value.startswith(
            f"Audit chain BROKEN at record {seq}: record content changed (hash mismatch)."
        )
        assert at.tabs[1].dataframe[0].value["seq"].tolist() == [seq]
    finally:
        with app_env.engine.begin() as conn, audit_guard_lifted(conn):
            conn.execute(
                text("UPDATE audit_events SET message = :m WHERE seq = :seq"),
                {"m": message, "seq": seq},
            )


def test_new_records_are_checked_from_where_the_last_check_ended(app_env) -> None:
    at = audit("admin").button(key="audit_verify").click().run()
    assert at.success[0].value.startswith("Audit chain intact: all ")
    with app_env.engine.connect() as conn:
        checked_to = conn.scalar(select(func.max(AuditEvent.seq)))  # the check is the last one
    assert any(
        f"Last found intact up to record {checked_to - 1:,}, by admin" in c for c in texts(at)
    )
    at = audit("manager").button(key="audit_verify_new").click().run()  # signing in is audited
    assert not at.exception
    with app_env.engine.connect() as conn:
        checks = conn.execute(
            select(AuditEvent.seq, AuditEvent.actor, AuditEvent.outcome)
            .where(AuditEvent.action == "verify_audit_chain")
            .order_by(AuditEvent.seq.desc())
            .limit(2)
        ).all()
    assert [(c.actor, c.outcome) for c in checks] == [("manager", "ok"), ("admin", "ok")]
    # From the admin's check (record checked_to) to the sign-in before the manager's check.
    new = checks[0].seq - checked_to
    assert at.success[0].value.startswith(
        f"Audit chain intact: {new} new records after record {checked_to - 1:,} checked."
    )

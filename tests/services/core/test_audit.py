"""The audit chain: intact after real operations; any edited, deleted or inserted row is named."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import delete, select, text, update

from db.models import AuditEvent, Fare
from services.core import audit
from services.core.errors import PolicyViolation
from services.flights import cancellations, tickets
from tests import factories as f
from tests.conftest import as_dba, context_for


@pytest.fixture
def chain(session, clock) -> int:
    """Five audited operations: quotes, a refusal and a cancellation."""
    f.reference_data(session)
    flight = f.flight(session, "ZRH", "LHR", clock.now() + timedelta(days=3))
    p = f.passenger(session)
    light = f.ticket(
        session, p, [flight], fare=Fare.LIGHT, issued_at=clock.now() - timedelta(days=9)
    )
    flex = f.ticket(session, p, [flight], fare=Fare.FLEX, issued_at=clock.now() - timedelta(days=9))
    session.commit()
    ctx = context_for(p.id, clock)
    for _ in range(3):
        with pytest.raises(PolicyViolation):
            tickets.change_flight(
                session, ctx, ticket_no=light.ticket_no, new_flight_ids=[flight.id]
            )
    cancellations.cancel_ticket(session, ctx, ticket_no=flex.ticket_no)
    audit.record(session, ctx, action="login", outcome="ok")
    return 5


def test_chain_is_intact_after_operations(session, chain) -> None:
    result = audit.verify(session)
    assert result.ok and result.records == chain
    outcomes = [e.outcome for e in session.scalars(select(AuditEvent).order_by(AuditEvent.seq))]
    assert outcomes == ["refused", "refused", "refused", "executed", "ok"]


@pytest.mark.usefixtures("chain")
def test_edited_record_is_named(session) -> None:
    with as_dba(session):
        session.execute(update(AuditEvent).where(AuditEvent.seq == 2).values(outcome="executed"))
    session.commit()
    result = audit.verify(session)
    assert (result.ok, result.first_bad_seq) == (False, 2)
    assert "changed" in str(result.problem)


@pytest.mark.usefixtures("chain")
def test_edited_and_rehashed_record_breaks_the_next_link(session) -> None:
    with as_dba(session):
        event = session.get(AuditEvent, 2)
        event.message = "nothing to see"
        event.hash = audit.record_hash(event)
    session.commit()
    result = audit.verify(session)
    assert (result.ok, result.first_bad_seq) == (False, 3)


@pytest.mark.usefixtures("chain")
def test_deleted_record_is_named(session) -> None:
    with as_dba(session):
        session.execute(delete(AuditEvent).where(AuditEvent.seq == 3))
    session.commit()
    result = audit.verify(session)
    assert (result.ok, result.first_bad_seq) == (False, 3)
    assert "deleted" in str(result.problem)


def test_deleted_last_record_is_named(session, chain) -> None:
    with as_dba(session):
        session.execute(delete(AuditEvent).where(AuditEvent.seq == chain))
    session.commit()
    result = audit.verify(session)
    assert (result.ok, result.first_bad_seq) == (False, chain)


def test_inserted_record_is_named(session, chain) -> None:
    forged = session.get(AuditEvent, chain)
    session.execute(
        text(
            "INSERT INTO audit_events (seq, ts, actor, actor_role, action, outcome, details, prev_hash, hash) "
            "VALUES (:seq, :ts, 'mallory', 'agent', 'cancel_ticket', 'executed', '{}', :prev, :h)"
        ),
        {
            "seq": chain + 1,
            "ts": forged.ts.replace(tzinfo=None),
            "prev": forged.hash,
            "h": "f" * 64,
        },
    )
    session.commit()
    result = audit.verify(session)
    assert (result.ok, result.first_bad_seq) == (False, chain + 1)


@pytest.mark.usefixtures("chain")
def test_verify_command_exit_code(session, database_url) -> None:
    ok = subprocess.run(
        [sys.executable, "-m", "services.audit", "verify", "--database-url", database_url],
        capture_output=True,
        text=True,
    )
    assert ok.returncode == 0 and "intact: 5 records" in ok.stdout
    with as_dba(session):
        session.execute(update(AuditEvent).where(AuditEvent.seq == 4).values(actor="someone-else"))
    session.commit()
    broken = subprocess.run(
        [sys.executable, "-m", "services.audit", "verify", "--database-url", database_url],
        capture_output=True,
        text=True,
    )
    assert broken.returncode == 1 and "record 4" in broken.stdout

"""Recorded checks of the audit chain: each check is on the trail, and "new records only"
starts where the last intact check ended, yet still notices a rewrite reaching back past it."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select, update

from db.models import AuditEvent, Role
from services.core import audit, audit_checks
from services.core.audit_checks import VERIFY_ACTION, check_chain
from services.core.context import Actor, ServiceContext
from services.core.errors import PolicyViolation
from tests.conftest import as_dba, context_for


@pytest.fixture
def manager(clock) -> ServiceContext:
    return ServiceContext(actor=Actor("manager", Role.MANAGER), clock=clock)


def logins(session, clock, n: int) -> None:
    ctx = context_for(None, clock)
    for _ in range(n):
        audit.record(session, ctx, action="login", outcome="ok")


def test_a_check_is_recorded_and_the_next_starts_after_it(session, clock, manager) -> None:
    logins(session, clock, 5)
    first = check_chain(session, manager)
    assert (first.ok, first.records, first.start.seq, first.last.seq) == (True, 5, 0, 5)
    check = session.scalars(select(AuditEvent).where(AuditEvent.action == VERIFY_ACTION)).one()
    assert (check.seq, check.actor, check.outcome) == (6, "manager", "ok")
    assert check.details["verified_to_seq"] == 5 and check.details["scope"] == "whole chain"
    assert last_check(session).checkpoint == audit.Checkpoint(5, first.last.hash)

    logins(session, clock, 3)
    new = check_chain(session, manager, new_records_only=True)
    # Records 6 (the first check itself) to 9; the whole chain was not read again.
    assert (new.ok, new.records, new.start.seq, new.last.seq) == (True, 4, 5, 9)
    assert "after record 5" in str(new)
    assert last_check(session).checkpoint.seq == 9
    assert audit.verify(session).ok  # the check records keep the chain intact


def test_without_an_earlier_check_new_records_only_checks_everything(
    session, clock, manager
) -> None:
    logins(session, clock, 4)
    result = check_chain(session, manager, new_records_only=True)
    assert (result.ok, result.records, result.start.seq) == (True, 4, 0)


@pytest.mark.parametrize(
    ("tamper", "bad_seq", "words"),
    [
        (lambda s: s.execute(update(AuditEvent).where(AuditEvent.seq == 8).values(actor="x")), 8, "changed"),
        (lambda s: s.execute(delete(AuditEvent).where(AuditEvent.seq == 7)), 7, "deleted"),
        (lambda s: s.execute(delete(AuditEvent).where(AuditEvent.seq == 5)), 5, "where the last check ended"),
        (lambda s: s.execute(update(AuditEvent).where(AuditEvent.seq == 5).values(message="x")), 5, "where the last check ended"),
    ],
    ids=["new-record-edited", "new-record-deleted", "checkpoint-deleted", "checkpoint-edited"],
)  # fmt: skip
def test_new_records_only_finds_tampering_after_the_last_check(
    session, clock, manager, tamper, bad_seq, words
) -> None:
    logins(session, clock, 5)
    assert check_chain(session, manager).ok  # checkpoint: record 5; the check is record 6
    logins(session, clock, 3)
    with as_dba(session):
        tamper(session)
    session.commit()
    result = check_chain(session, manager, new_records_only=True)
    assert (result.ok, result.first_bad_seq) == (False, bad_seq)
    assert words in str(result.problem)
    # The broken check is recorded, and is not a checkpoint for the next one.
    broken = session.scalars(
        select(AuditEvent).where(AuditEvent.action == VERIFY_ACTION).order_by(AuditEvent.seq)
    ).all()[-1]
    assert (broken.outcome, broken.rule) == ("error", "audit_chain_broken")
    assert last_check(session).checkpoint.seq == 5


def test_rehashing_history_before_the_checkpoint_is_still_found(session, clock, manager) -> None:
    logins(session, clock, 5)
    assert check_chain(session, manager).ok
    # Rewrite record 2 and re-chain 2..5 consistently: the checkpoint's hash no longer matches.
    prev = session.get(AuditEvent, 1).hash
    with as_dba(session):
        for seq in range(2, 6):
            event = session.get(AuditEvent, seq)
            event.message = "rewritten" if seq == 2 else event.message
            event.prev_hash = prev
            event.hash = prev = audit.record_hash(event)
    session.commit()
    result = check_chain(session, manager, new_records_only=True)
    assert (result.ok, result.first_bad_seq) == (False, 5)


def test_an_old_record_edited_in_place_needs_the_whole_chain_check(session, clock, manager) -> None:
    """The documented limit of "new records only", and why the whole-chain check stays."""
    logins(session, clock, 5)
    assert check_chain(session, manager).ok
    with as_dba(session):
        session.execute(update(AuditEvent).where(AuditEvent.seq == 2).values(actor="someone-else"))
    session.commit()
    assert check_chain(session, manager, new_records_only=True).ok
    whole = check_chain(session, manager)
    assert (whole.ok, whole.first_bad_seq) == (False, 2)


def test_agents_cannot_check_the_chain(session, clock) -> None:
    with pytest.raises(PolicyViolation) as refused:
        check_chain(session, context_for(None, clock))
    assert refused.value.code == "permission_denied"
    assert audit_checks.last_intact_check(session) is None


def last_check(session) -> audit_checks.LastCheck:
    """The last intact check, which the test expects to exist."""
    found = audit_checks.last_intact_check(session)
    assert found is not None
    return found

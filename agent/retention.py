"""Retention of conversation checkpoints: `python -m agent.retention [--days N] [--dry-run]`.

Deletes the whole checkpoint thread of every conversation not updated for N days (default
SKYDESK_CHECKPOINT_RETENTION_DAYS), except one whose approval card still waits for a decision
or that a person at the desk holds. The transcript stays on the turns (Turn.transcript), so
review and history still show it (Chat.history); the conversation notes when its checkpoints
went. Conversations recorded before turns kept their transcript are left alone (deleting their
checkpoints would lose their history), and are counted."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from langgraph.checkpoint.base import BaseCheckpointSaver
from sqlalchemy import exists, select
from sqlalchemy.orm import Session, sessionmaker

from agent.checkpoint import open_checkpointer
from agent.checkpoint_store import delete_threads, has_pending_interrupt
from config import get_settings
from db.engine import make_engine, make_session_factory
from db.models import Conversation, Handoff, HandoffState, Turn
from services.core import audit
from services.core.clock import FixedClock, SystemClock
from services.core.context import SYSTEM_ACTOR, ServiceContext

log = logging.getLogger(__name__)


@dataclass
class RetentionReport:
    deleted: list[str] = field(default_factory=list)  # conversation (thread) ids
    pending_approval: int = 0
    held_by_person: int = 0
    no_transcript: int = 0  # recorded before turns kept transcripts

    def summary(self, *, dry_run: bool) -> str:
        verb = "would delete" if dry_run else "deleted"
        return (
            f"{verb} the checkpoints of {len(self.deleted)} conversations; kept "
            f"{self.pending_approval} waiting for an approval, {self.held_by_person} held by a "
            f"person, {self.no_transcript} recorded before turns kept transcripts"
        )


def expire_checkpoints(
    factory: sessionmaker[Session],
    saver: BaseCheckpointSaver[Any],
    *,
    now: datetime,
    days: int,
    dry_run: bool = False,
) -> RetentionReport:
    """One transaction per conversation: its row locked, still idle and not yet expired by a
    run racing this one, checkpoints deleted, noted and audited (checkpoints_expired).
    (The checkpoints may live in another database: a failure between the two leaves the
    conversation unnoted, and the next run notes it.)"""
    cutoff = now - timedelta(days=days)
    report = RetentionReport()
    with factory() as session:
        stale = session.scalars(_stale(cutoff)).all()
    for thread_id in stale:
        with factory() as session:
            # The conversation row's lock (and on SQLite the write lock from the first
            # statement) serialises this with a finishing turn and with another run.
            audit.begin_write(session)
            try:
                if not _skipped(session, saver, thread_id, cutoff, report):
                    report.deleted.append(thread_id)
                    if not dry_run:
                        _expire(session, saver, thread_id, now=now, days=days)
                session.commit()
            except BaseException:
                session.rollback()
                raise
    return report


def _expire(
    session: Session, saver: BaseCheckpointSaver[Any], thread_id: str, *, now: datetime, days: int
) -> None:
    delete_threads(saver, [thread_id])
    conversation = session.get(Conversation, thread_id)
    assert conversation is not None
    conversation.checkpoints_deleted_at = now
    # On the trail like any other deletion, in the transaction that notes it.
    audit.append(
        session,
        ServiceContext(SYSTEM_ACTOR, clock=FixedClock(now), conversation_id=thread_id),
        action="checkpoints_expired",
        outcome="executed",
        passenger_id=conversation.passenger_id,
        details={"idle_days": days, "last_activity": conversation.updated_at},
    )


def _stale(cutoff: datetime) -> Any:
    """Idle conversations whose checkpoints were not deleted yet."""
    return (
        select(Conversation.id)
        .where(Conversation.updated_at < cutoff, Conversation.checkpoints_deleted_at.is_(None))
        .order_by(Conversation.updated_at)
    )


def _skipped(
    session: Session,
    saver: BaseCheckpointSaver[Any],
    thread_id: str,
    cutoff: datetime,
    report: RetentionReport,
) -> bool:
    # Locked, so a turn finishing meanwhile (it updates the row) waits or is seen.
    conversation = session.get(Conversation, thread_id, with_for_update=True)
    if conversation is None or conversation.updated_at >= cutoff:
        return True
    if conversation.checkpoints_deleted_at is not None:
        return True  # another run of the command got there first, while this one waited
    held = select(Handoff.id).where(
        Handoff.conversation_id == thread_id, Handoff.state == HandoffState.HELD
    )
    if session.scalar(select(exists(held))):
        report.held_by_person += 1
        return True
    legacy = select(Turn.id).where(Turn.conversation_id == thread_id, Turn.transcript.is_(None))
    if session.scalar(select(exists(legacy))):
        report.no_transcript += 1
        return True
    if has_pending_interrupt(saver, thread_id) is not False:  # waiting, or cannot tell
        report.pending_approval += 1
        return True
    return False


def main(argv: Sequence[str] | None = None) -> int:
    settings = get_settings()
    parser = argparse.ArgumentParser(prog="python -m agent.retention", description=__doc__)
    parser.add_argument("--days", type=int, default=settings.checkpoint_retention_days)
    parser.add_argument("--dry-run", action="store_true", help="count, delete nothing")
    args = parser.parse_args(argv)
    if args.days < 1:
        parser.error("--days must be at least 1")
    logging.basicConfig(level=settings.log_level)
    clock = FixedClock(settings.demo_now) if settings.demo_now else SystemClock()
    engine = make_engine(settings.database_url)
    try:
        with open_checkpointer(settings.database_url, pool_size=2) as checkpointer:
            report = expire_checkpoints(
                make_session_factory(engine),
                checkpointer.saver,
                now=clock.now(),
                days=args.days,
                dry_run=args.dry_run,
            )
    finally:
        engine.dispose()
    sys.stdout.write(report.summary(dry_run=args.dry_run) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

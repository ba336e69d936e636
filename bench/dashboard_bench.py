"""Dashboards on 1M audit events and 200k turns in PostgreSQL, targets: each
aggregate <= 300 ms, a whole page (all its queries) <= 2 s.

The history is world's (a demo world plus `--history`: conversations, turns, feedback and a
valid audit chain over the 60 days before the demo clock) in the database
`skydesk_bench_history`, generated once (about a minute) and reused while its marker in
demo_meta matches. Figures are the p95 of 20 timed runs after a warm-up, each in a fresh
session, over the whole history (every row in range: the worst case). `--quick` runs the same
calls on a small SQLite history instead, without targets.

python -m bench.dashboard_bench [--quick]

At ten times that (10M audit events, 2M turns over a year: the monthly partitions of migration
0014 at work), `python -m bench.run --only dashboards_big` (bench/dashboard_big.py; not in CI)."""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypedDict

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from bench.common import (
    Timing,
    figure,
    percentiles,
    pg_available,
    pg_database_url,
    run_alone,
    scratch_audit_anchors,
)
from bench.dashboard_peers import measure_peers
from db.engine import make_engine, make_session_factory
from db.migrate import upgrade
from db.models import AuditEvent, Conversation, DemoMeta, Role
from services.core import audit
from services.core.clock import FixedClock
from services.core.context import Actor, ServiceContext
from services.dashboards import audit_export, audit_log, evaluations, metrics, reviews
from world import seed_world
from world.generator import GENERATOR_VERSION

DB_NAME = "skydesk_bench_history"
MARKER_KEY = "bench_dashboard_history"
ANCHOR = datetime(2026, 11, 26, 8, tzinfo=UTC)  # the demo clock of the benchmark world
BENCH_MANAGER = ServiceContext(Actor("bench", Role.MANAGER), clock=FixedClock(ANCHOR))


@dataclass(frozen=True)
class HistorySize:
    conversations: int
    turns: int
    audit: int
    days: int = 60  # how far back the history reaches

    def __str__(self) -> str:
        text = f"{self.conversations} conversations, {self.turns} turns, {self.audit} audit events"
        return text if self.days == 60 else f"{text} over {self.days} days"


FULL = HistorySize(conversations=50_000, turns=200_000, audit=1_000_000)
QUICK = HistorySize(conversations=1_000, turns=4_000, audit=20_000)
AGGREGATE_MS = 300
PAGE_MS = 2000
PEER_RUNS = 7
VERIFY_MAX_RATIO = 2.0  # issue #16: the whole-chain check within 2x of reading and hashing


def marker(size: HistorySize) -> str:
    return f"world v{GENERATOR_VERSION}, {size}"


def ensure_history(engine: Engine, size: HistorySize, notes: list[str]) -> None:
    upgrade(engine)
    with engine.connect() as conn:
        found = conn.scalar(select(DemoMeta.value).where(DemoMeta.key == MARKER_KEY))
    if found == marker(size):
        notes.append(f"dashboards: reused history ({found})")
        return
    started = time.perf_counter()
    seed_world(
        engine, size="demo", now=ANCHOR, history=size.conversations, history_turns=size.turns,
        history_audit=size.audit, history_days=size.days, force=True,
    )  # fmt: skip
    with make_session_factory(engine)() as session:
        for i in range(100):  # the Evaluations page's history
            cases = [
                {"id": f"case-{c}", "passed": (c * 7 + i) % 10 != 0, "tags": [f"t{c % 6}"]}
                for c in range(60)
            ]
            start = ANCHOR - timedelta(days=100 - i)
            evaluations.save_run(
                session, started_at=start, finished_at=start + timedelta(minutes=3),
                model="builtin", results=cases, triggered_by="bench",
            )  # fmt: skip
        # Written last: an interrupted run is redone next time.
        session.add(DemoMeta(key=MARKER_KEY, value=marker(size)))
        session.commit()
    if engine.dialect.name == "postgresql":
        # An all-visible map right away (autovacuum would get there later), so index-only
        # scans skip the heap as they will in a settled production database.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table in ("audit_events", "turns", "turn_tool_calls", "conversations", "feedback"):
                conn.exec_driver_sql(f"VACUUM ANALYZE {table}")
    notes.append(
        f"dashboards: generated history ({marker(size)}) in {time.perf_counter() - started:.0f} s"
    )


def timed(factory: sessionmaker[Session], fn: Callable[[Session], Any], runs: int) -> Timing:
    """p50/p95 of `runs` calls after one warm-up, each in its own session (no ORM cache)."""
    samples = []
    for i in range(runs + 1):
        with factory() as session:
            started = time.perf_counter()
            fn(session)
            elapsed = (time.perf_counter() - started) * 1000
            session.rollback()
        if i:
            samples.append(elapsed)
    return percentiles(samples)


class Window(TypedDict):
    """The time range every dashboard query takes as keywords."""

    since: datetime
    until: datetime


def pages(engine: Engine) -> dict[str, dict[str, Callable[[Session], Any]]]:
    """Each page's calls, as the page will make them (filters a manager would pick)."""
    with make_session_factory(engine)() as session:
        since = session.scalar(select(func.min(AuditEvent.ts)))
        last = session.scalar(select(func.max(AuditEvent.ts)))
        if since is None or last is None:
            raise SystemExit("The benchmark world has no audit records; seed it first.")
        until = last + timedelta(seconds=1)
        middle_seq = (session.scalar(select(func.max(AuditEvent.seq))) or 2) // 2
        sample = session.scalars(
            select(Conversation.id).order_by(Conversation.started_at.desc()).limit(1)
        ).one()
        runs = evaluations.run_history(session, limit=1)
    full = Window(since=since, until=until)
    week = Window(since=until - timedelta(days=7), until=until)
    latest_run = runs[0].id if runs else None
    return {
        "metrics": {
            "conversation_stats": lambda s: metrics.conversation_stats(s, **full),
            "turn_stats": lambda s: metrics.turn_stats(s, **full),
            "tool_stats": lambda s: metrics.tool_stats(s, **full),
            "decision_stats": lambda s: metrics.decision_stats(s, **full),
            "csat_stats": lambda s: metrics.csat_stats(s, **full),
            "usage_stats": lambda s: metrics.usage_stats(s, **full),
        },
        "metrics hourly 7d": {
            "turn_stats hourly": lambda s: metrics.turn_stats(s, **week, bucket="hour"),
            "tool_stats hourly": lambda s: metrics.tool_stats(s, **week, bucket="hour"),
            "decision_stats hourly": lambda s: metrics.decision_stats(s, **week, bucket="hour"),
        },
        "audit": {
            "audit_choices": audit_log.audit_choices,
            "audit_count": lambda s: audit_log.audit_count(s, **full),
            "audit_page first": lambda s: audit_log.audit_page(s, **full),
            "audit_count filtered": lambda s: audit_log.audit_count(s, **full, outcome="refused", actor="admin"),
            "audit_page filtered": lambda s: audit_log.audit_page(s, **full, outcome="refused", actor="admin"),
            "audit_page deep (keyset)": lambda s: audit_log.audit_page(s, **full, after_seq=middle_seq),
            "audit_page by passenger": lambda s: audit_log.audit_page(s, **full, passenger_id=4242),
            "audit_detail": lambda s: audit_log.audit_detail(s, middle_seq),
        },
        "review": {
            "list_conversations": lambda s: reviews.list_conversations(s, **full),
            "list_conversations filtered": lambda s: reviews.list_conversations(s, **full, status="escalated", rating=[1, 2]),
            "count_conversations": lambda s: reviews.count_conversations(s, **full),
            "conversation_review": lambda s: reviews.conversation_review(s, sample),
            "agent_choices": reviews.agent_choices,
        },
        "evaluations": {
            "run_history": lambda s: evaluations.run_history(s),
            "pass_rate_trend": lambda s: evaluations.pass_rate_trend(s),
            "get_run": lambda s: latest_run and evaluations.get_run(s, latest_run),
        },
    }  # fmt: skip


def measure(
    results: dict[str, Any], engine: Engine, *, label: str, runs: int, targets: bool,
    chain: bool = True,
) -> None:  # fmt: skip
    """Every page's calls; with `chain`, also the export, the integrity checks and the peers."""
    factory = make_session_factory(engine)
    aggregate_target = AGGREGATE_MS if targets else None
    page_target = PAGE_MS if targets else None
    for page, calls in pages(engine).items():
        for name, fn in calls.items():
            t = timed(factory, fn, runs)
            figure(
                results, f"dashboards {name} p95 ({label})", t.p95_ms, "ms", target=aggregate_target
            )

        def whole(session: Session, calls: dict[str, Callable[[Session], Any]] = calls) -> None:
            for fn in calls.values():
                fn(session)

        t = timed(factory, whole, runs)
        figure(
            results,
            f"dashboards page {page}, all calls, p95 ({label})",
            t.p95_ms,
            "ms",
            target=page_target,
        )
        figure(results, f"dashboards page {page}, all calls, p50 ({label})", t.p50_ms, "ms")
    if not chain:
        return
    with factory() as session:
        started = time.perf_counter()
        chunks = sum(
            1
            for _ in audit_export.export_csv(
                session, since=ANCHOR - timedelta(days=1), until=ANCHOR
            )
        )
        figure(
            results,
            f"dashboards CSV export, 1 day ({label})",
            (time.perf_counter() - started) * 1000,
            "ms",
        )
        floor_ms = read_and_hash_ms(session)
        started = time.perf_counter()
        report = audit_export.integrity_check(session, BENCH_MANAGER)
        figure(
            results,
            f"dashboards integrity check, whole chain, {report.records:,} records ({label})",
            (time.perf_counter() - started) * 1000,
            "ms",
            floor=floor_ms,
            max_ratio=VERIFY_MAX_RATIO if targets else None,
        )
        # "Check new records" after a check a day ago: from that day's first record on.
        day_ago = session.scalars(
            select(func.min(AuditEvent.seq)).where(AuditEvent.ts >= ANCHOR - timedelta(days=1))
        ).one()
        anchor = session.get_one(AuditEvent, day_ago - 1)
        started = time.perf_counter()
        since = audit.verify(session, after=audit.Checkpoint(anchor.seq, anchor.hash))
        figure(
            results,
            f"dashboards integrity check, new records only, {since.records:,} records ({label})",
            (time.perf_counter() - started) * 1000,
            "ms",
        )
        results["notes"].append(f"dashboards: CSV export in {chunks} chunks; {report}; {since}")
    # Fewer runs: the peer reads every row of the range (a million audit events) each time.
    measure_peers(results, engine, label=label, runs=min(runs, PEER_RUNS))


def read_and_hash_ms(session: Session) -> float:
    """The floor of a whole-chain check: stream the same columns in the same order and hash
    each row once (sha256 of its text), nothing else; what verification adds beyond this is its
    own cost (the canonical JSON of each record, the link and sequence checks)."""
    columns = select(*AuditEvent.__table__.columns).order_by(AuditEvent.seq)
    started = time.perf_counter()
    digest = ""
    for row in session.execute(columns.execution_options(yield_per=5000)):
        digest = hashlib.sha256(str(row).encode()).hexdigest()
    del digest
    session.rollback()
    return (time.perf_counter() - started) * 1000


def run(results: dict[str, Any], *, quick: bool = False) -> None:
    if quick:
        with tempfile.TemporaryDirectory() as tmp:
            engine = make_engine(f"sqlite:///{Path(tmp) / 'history.db'}")
            ensure_history(engine, QUICK, results["notes"])
            measure(
                results, engine, label="quick, SQLite 20k audit/4k turns", runs=3, targets=False
            )
            engine.dispose()
        return
    if not pg_available():
        results["notes"].append("dashboards: skipped (no PostgreSQL)")
        return
    engine = make_engine(pg_database_url(DB_NAME))
    # The integrity check records itself and exports an anchor, which PostgreSQL requires.
    with scratch_audit_anchors():
        try:
            ensure_history(engine, FULL, results["notes"])
            load = os.getloadavg()[0]
            measure(results, engine, label="PostgreSQL 1M audit/200k turns", runs=20, targets=True)
            # p95 figures move with whatever else the machine runs: say how busy it was.
            results["notes"].append(
                f"dashboards: load average {load:.1f} before, {os.getloadavg()[0]:.1f} after "
                f"({os.cpu_count()} CPUs)"
            )
        finally:
            engine.dispose()


if __name__ == "__main__":
    raise SystemExit(run_alone(run, doc=__doc__, quick_help="small SQLite history, no targets"))

"""The Metrics aggregates beside their pandas peer (bench/dashboard_naive.py) on the same history:
each pair timed in turns (ours, peer, peer, ours, ...), so both see the same load, and reported
as SkyDesk's median with the peer's as its baseline and the ratio (below 1: SkyDesk is faster)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from bench import dashboard_naive
from bench.common import Timing, figure, percentiles
from db.engine import make_session_factory
from db.models import AuditEvent
from services.dashboards import metrics

PEER = "pandas (read the range, group there)"
Call = Callable[[Session], Any]


def _elapsed_ms(factory: sessionmaker[Session], fn: Call) -> float:
    with factory() as session:
        started = time.perf_counter()
        fn(session)
        elapsed = (time.perf_counter() - started) * 1000
        session.rollback()
    return elapsed


def paired(
    factory: sessionmaker[Session], ours: Call, peer: Call, runs: int
) -> tuple[Timing, Timing]:
    """Both timed `runs` times after one warm-up each, alternating which goes first."""
    samples: dict[str, list[float]] = {"ours": [], "peer": []}
    for i in range(runs + 1):
        order = [("ours", ours), ("peer", peer)]
        for key, fn in order if i % 2 else reversed(order):
            elapsed = _elapsed_ms(factory, fn)
            if i:
                samples[key].append(elapsed)
    return percentiles(samples["ours"]), percentiles(samples["peer"])


def _range(engine: Engine) -> tuple[datetime, datetime]:
    """The whole history's range (as the dashboard benchmark's `full` window)."""
    with make_session_factory(engine)() as session:
        since = session.scalar(select(func.min(AuditEvent.ts)))
        last = session.scalar(select(func.max(AuditEvent.ts)))
    if since is None or last is None:
        raise SystemExit("The benchmark world has no audit records; seed it first.")
    return since, last + timedelta(seconds=1)


def calls(engine: Engine) -> dict[str, tuple[Call, Call]]:
    """Name -> (SkyDesk's aggregate, its pandas peer), over the whole range by day and over
    the last 7 days by hour, as the Metrics page asks."""
    since, until = _range(engine)
    week = until - timedelta(days=7)
    out: dict[str, tuple[Call, Call]] = {}
    for name, peer in dashboard_naive.PEERS.items():
        ours = getattr(metrics, name)
        whole = {"since": since, "until": until}
        out[name] = (partial(ours, **whole), partial(peer, **whole))
        if name in ("turn_stats", "tool_stats", "decision_stats"):
            hourly = {"since": week, "until": until, "bucket": "hour"}
            out[f"{name} hourly"] = (partial(ours, **hourly), partial(peer, **hourly))
    return out


def measure_peers(results: dict[str, Any], engine: Engine, *, label: str, runs: int) -> None:
    factory = make_session_factory(engine)
    for name, (ours, peer) in calls(engine).items():
        mine, theirs = paired(factory, ours, peer, runs)
        figure(
            results,
            f"dashboards {name} p50 vs pandas, n={mine.n} ({label})",
            mine.p50_ms,
            "ms",
            floor=theirs.p50_ms,
            baseline=PEER,
        )

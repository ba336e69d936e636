"""Dashboards at 10M audit events and 2M turns on PostgreSQL (issue #16, item 5), targets as
bench/dashboard_bench.py's: each aggregate p95 <= 300 ms, a whole page <= 2 s. Not in CI.

python -m bench.run --only dashboards_big   (or: python -m bench.dashboard_big [--quick])

The history (a demo world plus 500k conversations, 2M turns, 10M audit events on one valid
chain) reaches a year back, so the partitioned tables (migration 0014) hold thirteen months;
it is generated through the seeding's COPY path (world/bulk.py) into `skydesk_bench_big`, once,
and reused while its marker in demo_meta matches. `--quick` builds a fifth of it (2M audit
events, 400k turns) in `skydesk_bench_big_quick`. Each call is timed 10 times after a warm-up
over the whole history (every row in range, the worst case: partitions pruned by the range
only help the narrower queries, e.g. the hourly 7 days); the export, whole-chain checks and
the pandas peers are bench/dashboard_bench.py's business, at its 1M/200k."""

from __future__ import annotations

import os
import time
from typing import Any

from bench.common import pg_available, pg_database_url, run_alone, scratch_audit_anchors
from bench.dashboard_bench import HistorySize, ensure_history, measure
from db.engine import make_engine

BIG = HistorySize(conversations=500_000, turns=2_000_000, audit=10_000_000, days=365)
SMALLER = HistorySize(conversations=100_000, turns=400_000, audit=2_000_000, days=365)
RUNS = 10


def run(results: dict[str, Any], *, quick: bool = False) -> None:
    if not pg_available():
        results["notes"].append("dashboards_big: skipped (no PostgreSQL)")
        return
    size, name = (SMALLER, "skydesk_bench_big_quick") if quick else (BIG, "skydesk_bench_big")
    engine = make_engine(pg_database_url(name))
    label = f"PostgreSQL {size.audit // 1_000_000}M audit/{size.turns // 1000}k turns, partitioned"
    with scratch_audit_anchors():
        try:
            started = time.perf_counter()
            ensure_history(engine, size, results["notes"])
            results["notes"].append(
                f"dashboards_big: history ready in {time.perf_counter() - started:.0f} s"
            )
            load = os.getloadavg()[0]
            measure(results, engine, label=label, runs=RUNS, targets=True, chain=False)
            results["notes"].append(
                f"dashboards_big: load average {load:.1f} before, {os.getloadavg()[0]:.1f} after "
                f"({os.cpu_count()} CPUs)"
            )
        finally:
            engine.dispose()


if __name__ == "__main__":
    raise SystemExit(run_alone(run, doc=__doc__, quick_help="2M audit events, 400k turns"))

"""Seeding speed: the demo world into a fresh SQLite file (median of 3) and the large world into
a fresh PostgreSQL database (once; target: <= 120 s), beside its floor: COPY of the same rows
from prepared files (bench/seed_floor.py). `--quick`: the demo world into PostgreSQL beside its
floor instead of the large one.

The large world is then kept as database LARGE_DB_NAME ("skydesk_bench_large") on the benchmark
server (SKYDESK_BENCH_PG_URL, default postgresql://postgres@127.0.0.1:5432/test) for the query
benchmarks, which call ensure_large_world(url) to reuse it or seed it once.

python -m bench.seed_bench [--quick]
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from bench.common import (
    drop_pg_database,
    figure,
    pg_available,
    pg_base_url,
    pg_database_url,
    run_alone,
    scratch_name,
)
from bench.seed_floor import BASELINE as COPY_BASELINE
from bench.seed_floor import copy_floor
from db.engine import make_engine, make_session_factory, normalize_url
from world import SeedError, seed_world, world_meta
from world.generator import GENERATOR_VERSION
from world.scratch import scratch_engine

LARGE_DB_NAME = "skydesk_bench_large"
DEMO_TARGET_S = 10.0
LARGE_TARGET_S = 120.0


def _is_current_large(url: str) -> tuple[bool, dict[str, str]]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table("demo_meta"):
                return False, {}
        with make_session_factory(engine)() as session:
            meta = world_meta(session)
    finally:
        engine.dispose()
    current = (
        meta.get("size") == "large"
        and meta.get("scale") == "1.0"
        and meta.get("version") == GENERATOR_VERSION
    )
    return current, meta


def ensure_large_world(url: str) -> None:
    """Seed the large world into `url` unless it already holds one (demo_meta size=large) from
    this generator version. A different world there is refused, never wiped."""
    current, meta = _is_current_large(url)
    if current:
        return
    engine = make_engine(url)
    try:
        # An outdated large world is ours to replace; anything else is refused by seed_world.
        seed_world(engine, size="large", force=meta.get("size") == "large")
    finally:
        engine.dispose()


def _demo_seconds(runs: int) -> list[float]:
    seconds = []
    for _ in range(runs):
        with scratch_engine("bench_demo") as engine:
            started = time.perf_counter()
            seed_world(engine)
            seconds.append(time.perf_counter() - started)
    return seconds


def _replace_database(fresh: str, target: str) -> None:
    """Keep the freshly measured world under the well-known name (no copy, just a rename)."""
    admin = create_engine(normalize_url(pg_base_url()), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)'))
            conn.execute(text(f'ALTER DATABASE "{fresh}" RENAME TO "{target}"'))
    finally:
        admin.dispose()


def _large_seconds(results: dict[str, Any]) -> float:
    fresh = f"{LARGE_DB_NAME}_new"
    url = make_url(pg_database_url(fresh))
    engine = make_engine(url.render_as_string(hide_password=False))
    try:
        started = time.perf_counter()
        summary = seed_world(engine, size="large", force=True)
        seconds = time.perf_counter() - started
    finally:
        engine.dispose()
    _replace_database(fresh, LARGE_DB_NAME)
    results["notes"].append(
        f"seed: large world kept as database {LARGE_DB_NAME}: {summary.counts['flights']:,} "
        f"flights, {summary.counts['tickets']:,} tickets, "
        f"{summary.counts['seat_assignments']:,} seat assignments"
    )
    return seconds


def _demo_pg_figure(results: dict[str, Any]) -> None:
    """--quick: the demo world into a scratch PostgreSQL database, beside its COPY floor."""
    name = scratch_name("skydesk_bench_demo_pg")
    try:
        url = pg_database_url(name)
        engine = make_engine(url)
        try:
            started = time.perf_counter()
            seed_world(engine, size="demo", force=True)
            seconds = time.perf_counter() - started
        finally:
            engine.dispose()
        floor = copy_floor(url)
    finally:
        drop_pg_database(name)
    figure(results, "generate demo into PostgreSQL", seconds, "s", floor=floor.seconds,
           baseline=COPY_BASELINE)  # fmt: skip
    results["notes"].append(floor.note())


def run(results: dict[str, Any], *, quick: bool = False) -> None:
    runs = 1 if quick else 3
    demo = _demo_seconds(runs)
    figure(results, f"generate demo into SQLite (median of {runs})", statistics.median(demo), "s",
           target=DEMO_TARGET_S)  # fmt: skip
    if not pg_available():
        results["notes"].append(f"seed: PostgreSQL figures skipped: none at {pg_base_url()}")
        return
    if quick:
        _demo_pg_figure(results)
        results["notes"].append("seed: large world skipped (quick mode)")
        return
    try:
        seconds = _large_seconds(results)
    except SeedError as exc:
        results["notes"].append(f"seed: large world failed: {exc}")
        return
    floor = copy_floor(pg_database_url(LARGE_DB_NAME, create=False))
    figure(results, "generate large into PostgreSQL", seconds, "s", target=LARGE_TARGET_S,
           floor=floor.seconds, baseline=COPY_BASELINE)  # fmt: skip
    results["notes"].append(floor.note())


if __name__ == "__main__":
    raise SystemExit(run_alone(run, doc=__doc__, quick_help="one demo run, no large world"))

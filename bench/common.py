"""Shared helpers for benchmarks: timing, percentiles, the machine, scratch databases."""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from config import get_settings
from db.engine import normalize_url

DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/test"
ANCHOR_DIR_ENV, ANCHOR_KEY_ENV = "SKYDESK_AUDIT_ANCHOR_DIR", "SKYDESK_AUDIT_ANCHOR_KEY"


@contextmanager
def scratch_audit_anchors() -> Iterator[None]:
    """A throwaway anchor directory and key for the audit checks a benchmark records, where the
    environment names none: on PostgreSQL the check refuses to run without both (anchors
    must live outside the database), and a benchmark's anchors belong to no deployment."""
    missing = [name for name in (ANCHOR_DIR_ENV, ANCHOR_KEY_ENV) if not os.environ.get(name)]
    with tempfile.TemporaryDirectory(prefix="skydesk_bench_anchors_") as folder:
        values = {ANCHOR_DIR_ENV: folder, ANCHOR_KEY_ENV: secrets.token_hex(32)}
        os.environ.update({name: values[name] for name in missing})
        get_settings.cache_clear()
        try:
            yield
        finally:
            for name in missing:
                os.environ.pop(name, None)
            get_settings.cache_clear()


def pg_base_url() -> str:
    return os.environ.get("SKYDESK_BENCH_PG_URL", DEFAULT_PG_URL)


def pg_available(url: str | None = None) -> bool:
    try:
        engine = create_engine(normalize_url(url or pg_base_url()))
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:
        return False


def pg_database_url(name: str, *, create: bool = True) -> str:
    """URL of database `name` on the benchmark server, created if missing."""
    url = make_url(normalize_url(pg_base_url()))
    if create:
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def scratch_name(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


def drop_pg_database(name: str) -> None:
    url = make_url(normalize_url(pg_base_url()))
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@dataclass(frozen=True)
class Timing:
    p50_ms: float
    p95_ms: float
    n: int

    def as_dict(self) -> dict[str, Any]:
        return {"p50_ms": round(self.p50_ms, 2), "p95_ms": round(self.p95_ms, 2), "n": self.n}


def percentiles(samples_ms: list[float]) -> Timing:
    ordered = sorted(samples_ms)
    p95 = statistics.quantiles(ordered, n=20)[-1] if len(ordered) >= 20 else ordered[-1]
    return Timing(statistics.median(ordered), p95, len(ordered))


def time_calls(fn: Callable[[int], Any], n: int, warmup: int = 3) -> Timing:
    for i in range(warmup):
        fn(i)
    samples = []
    for i in range(n):
        start = time.perf_counter()
        fn(i)
        samples.append((time.perf_counter() - start) * 1000)
    return percentiles(samples)


def machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
    }


def figure(
    results: dict[str, Any],
    name: str,
    value: float,
    unit: str,
    *,
    target: float | None = None,
    lower_is_better: bool = True,
    floor: float | None = None,
    max_ratio: float | None = None,
    baseline: str | None = None,
) -> None:
    """Record one figure; with a target, status says whether it is met. With a floor (the same
    measurement on a bare baseline, or on a peer: `baseline` names which), the row keeps the
    floor and the ratio value / floor, and max_ratio is the target on that ratio."""
    row: dict[str, Any] = {"name": name, "value": round(value, 2), "unit": unit}
    met: bool | None = None
    if target is not None:
        row["target"] = f"{'<=' if lower_is_better else '>='} {target:g} {unit}"
        met = value <= target if lower_is_better else value >= target
    suffix = ""
    if floor is not None:
        ratio = value / floor if floor > 0 else float("inf")
        row.update(floor=round(floor, 2), ratio=round(ratio, 2))
        if baseline:
            row["baseline"] = baseline
        suffix = f" ({baseline or 'floor'} {floor:,.2f} {unit}, {ratio:.2f}x)"
        if max_ratio is not None:
            row["target"] = f"<= {max_ratio:g}x floor"
            met = ratio <= max_ratio
    if met is not None:
        row["status"] = "ok" if met else "MISSED"
    results["figures"].append(row)
    print(
        f"  {name}: {value:,.2f} {unit}{suffix}"
        + (f" (target {row['target']}: {row['status']})" if met is not None else ""),
        flush=True,
    )


def run_alone(
    run: Callable[..., None], *, doc: str | None, quick_help: str, argv: list[str] | None = None
) -> int:
    """`python -m bench.<suite> [--quick]`: one suite on its own, its figures printed as they
    are taken and its notes at the end (bench.run runs them all and writes the JSON)."""
    parser = argparse.ArgumentParser(
        description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help=quick_help)
    args = parser.parse_args(argv)
    results: dict[str, Any] = {"machine": machine(), "figures": [], "notes": []}
    print(f"machine: {results['machine']}")
    run(results, quick=args.quick)
    for note in results["notes"]:
        print(f"note: {note}")
    return 0

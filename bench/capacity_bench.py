"""Capacity: the throughput curve of two app processes sharing one PostgreSQL database, and
audited writes per second against the single audit-chain head (docs/capacity.md reads these).

    python -m bench.capacity_bench [--quick]      (or python -m bench.run --only capacity)

(a) Two OS processes, each its own engine, pools and Assistant (scripted model: no model
latency), hold N conversations at once between them (N = 1, 4, 16, 64), back to back: each
conversation a few turns, every turn one read tool. Turns per second, p50/p95 turn latency,
errors (must be 0), peak PostgreSQL connections, CPU per turn, and with a local redis-server the
chat rate limit in Redis and the Redis commands a turn costs.
(b) 1, 8 and 64 writers through the audited write path (services/core/operations.py: an
approved write's idempotency claim, the audit record under the locked head row, commit) beside
a floor: the same writers doing a plain INSERT + COMMIT into a table with no chain."""

from __future__ import annotations

import multiprocessing as mp
import os
import queue
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from agent.checkpoint import open_checkpointer
from agent.checkpoint_crypto import encrypted_serde
from bench import common
from bench.agent_bench import NOW
from bench.capacity_workers import (
    CHECKPOINT_KEY,
    PLAIN,
    TURNS_PER_CONVERSATION,
    ReplicaPlan,
    Samples,
    replica_process,
    writes_process,
)
from bench.common import figure, percentiles
from bench.ui_harness import free_port
from db.engine import make_engine, make_session_factory, normalize_url
from db.migrate import upgrade
from services.core import audit
from world import seed_world

CURVE = (1, 4, 16, 64)
WRITERS = (1, 8, 64)
PROCESSES = 2  # two app replicas on one database
SPAWN = mp.get_context("spawn")  # fresh interpreters: nothing inherited, as separate replicas


def split(n: int, processes: int = PROCESSES) -> list[int]:
    """n concurrent callers over the processes, as evenly as it goes (1 -> one process)."""
    return [c for c in (n // processes + (i < n % processes) for i in range(processes)) if c]


def run_processes(
    target: Callable[..., None],
    args: list[tuple[Any, ...]],
    on_ready: Callable[[], None] = lambda: None,
) -> Samples:
    """Start one process per argument tuple (each gets `start` and `out` appended), wait until
    all have warmed up, call `on_ready`, start them together and merge what they report."""
    start, out = SPAWN.Event(), SPAWN.Queue()
    procs = [SPAWN.Process(target=target, args=(*a, start, out)) for a in args]
    for p in procs:
        p.start()
    try:
        for _ in procs:
            if _receive(out, procs) != "ready":
                raise RuntimeError("a bench process reported before it was ready")
        on_ready()
        start.set()
        total = Samples()
        for _ in procs:
            total.merge(_receive(out, procs))
    finally:
        for p in procs:
            p.join(timeout=60)
            if p.is_alive():
                p.terminate()
    if any(p.exitcode for p in procs):
        raise RuntimeError(f"a bench process failed: exit codes {[p.exitcode for p in procs]}")
    return total


def _receive(out: Any, procs: list[Any], timeout_s: float = 600) -> Any:
    """The next report, or an error as soon as a process died without sending it."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            return out.get(timeout=0.5)
        except queue.Empty:
            dead = [p.exitcode for p in procs if p.exitcode]
            if dead:
                raise RuntimeError(f"a bench process died (exit codes {dead})") from None
    raise TimeoutError(f"no report from the bench processes in {timeout_s:g} s")


class Watch:
    """While a run lasts: the peak of the database's connections (pg_stat_activity) and the
    machine's CPU busy share (/proc/stat), sampled every 0.2 s."""

    def __init__(self, url: str, database: str) -> None:
        self.engine = create_engine(normalize_url(url), pool_size=1)
        self.database, self.peak, self.cpu_busy = database, 0, 0.0
        self.commits = self.rows = 0
        self.lock_waits: list[int] = []  # sessions waiting for a row lock, at each sample
        self._cpu: tuple[int, int] | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _poll(self) -> None:
        query = text(
            "SELECT count(*), count(*) FILTER (WHERE wait_event_type = 'Lock') "
            "FROM pg_stat_activity WHERE datname = :d"
        )
        with self.engine.connect() as conn:
            while not self._stop.wait(0.2):
                connections, waiting = conn.execute(query, {"d": self.database}).one()
                # Less this watcher's own connection.
                self.peak = max(self.peak, int(connections) - 1)
                self.lock_waits.append(int(waiting))
                conn.rollback()

    def _db_counts(self) -> tuple[int, int]:
        """(commits, rows inserted + updated + deleted) in the database so far; a process's
        counts reach pg_stat_database when its connections go idle or close."""
        query = text(
            "SELECT xact_commit, tup_inserted + tup_updated + tup_deleted "
            "FROM pg_stat_database WHERE datname = :d"
        )
        with self.engine.connect() as conn:
            conn.execute(text("SELECT pg_stat_clear_snapshot()"))
            commits, rows = conn.execute(query, {"d": self.database}).one()
        return int(commits), int(rows)

    def start(self) -> None:
        self._db = self._db_counts()
        self._cpu = _cpu_jiffies()
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        if self._cpu is not None:
            (busy0, all0), (busy1, all1) = self._cpu, _cpu_jiffies()
            self.cpu_busy = (busy1 - busy0) / max(all1 - all0, 1)
            time.sleep(1.0)  # the processes have exited; let their last statistics land
            (commits0, rows0), (commits1, rows1) = self._db, self._db_counts()
            self.commits, self.rows = commits1 - commits0, rows1 - rows0
        self.engine.dispose()


def _cpu_jiffies() -> tuple[int, int]:
    """(busy, total) CPU time of the whole machine; (0, 0) where /proc/stat is missing."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    except OSError:
        return 0, 0
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields[:8]) - idle, sum(fields[:8])


@contextmanager
def redis_server() -> Iterator[str | None]:
    """A private redis-server on a free loopback port (no persistence), or None if there is
    none on this machine; stopped at the end."""
    binary = shutil.which("redis-server")
    if binary is None:
        yield None
        return
    port = free_port()
    args = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        import redis

        client = redis.Redis(port=port)
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def redis_counts(url: str | None) -> tuple[int, int]:
    """(round trips, commands) Redis has served: a rate-limit check is one EVALSHA round trip
    whose script runs a few commands inside Redis (LINDEX, LPUSH, LTRIM, EXPIRE for a hit)."""
    if url is None:
        return 0, 0
    import redis

    client = redis.Redis.from_url(url)
    stats = client.info("commandstats")
    trips = sum(int(stats.get(f"cmdstat_{c}", {}).get("calls", 0)) for c in ("evalsha", "eval"))
    return trips, int(client.info("stats")["total_commands_processed"])


def redis_hits_per_second(url: str) -> float | None:
    """What Redis itself serves of the chat limit's hit (the `limits` moving-window script, one
    EVALSHA on 100,000 keys) from 50 redis-benchmark clients; None without redis-benchmark."""
    binary = shutil.which("redis-benchmark")
    if binary is None:
        return None
    import limits
    import redis

    client = redis.Redis.from_url(url)
    script = Path(limits.__file__).parent / "resources/redis/lua_scripts/acquire_moving_window.lua"
    sha = client.script_load(script.read_text())
    port = str(client.connection_pool.connection_kwargs["port"])
    command = ["EVALSHA", sha, "1", "skydesk/chat:__rand_int__", str(time.time()), "10", "60", "1"]
    args = [binary, "-p", port, "-c", "50", "-n", "200000", "-r", "100000", "--csv", *command]
    lines = subprocess.run(args, capture_output=True, text=True, check=True).stdout.splitlines()
    return float(lines[-1].split(",")[1].strip('"'))


def prepare(url: str) -> None:
    """The demo world, the floor's table and the checkpointer's tables, once, before any
    replica starts (two replicas racing the checkpointer's set-up would only wait)."""
    engine = make_engine(url)
    try:
        upgrade(engine)
        seed_world(engine, size="demo", now=NOW, force=True)
        PLAIN.create_all(engine)
    finally:
        engine.dispose()
    open_checkpointer(url, serde=encrypted_serde(CHECKPOINT_KEY)).close()


def curve_point(results: dict[str, Any], url: str, database: str, n: int, duration_s: float,
                redis_url: str | None) -> None:  # fmt: skip
    plans, first = [], 0
    for count in split(n):
        plans.append((ReplicaPlan(url, first, count, duration_s, redis_url),))
        first += count
    watch, before = Watch(url, database), [(0, 0)]

    def on_ready() -> None:  # after the warm-up turns, so they are not counted
        before[0] = redis_counts(redis_url)
        watch.start()

    try:
        samples = run_processes(replica_process, plans, on_ready)
    finally:
        watch.stop()
    after = redis_counts(redis_url)
    # The two INFO calls that took `before` are commands too.
    trips, commands = after[0] - before[0][0], after[1] - before[0][1] - 2
    turns, wall = len(samples.latencies_ms), samples.ended - samples.started
    label = f"{n} conversations, {len(plans)} app process{'es' if len(plans) > 1 else ''}"
    timing = percentiles(samples.latencies_ms or [0.0])
    figure(results, f"capacity: turns per second ({label})", turns / wall, "1/s")
    figure(results, f"capacity: turn p50 ({label})", timing.p50_ms, "ms")
    figure(results, f"capacity: turn p95 ({label})", timing.p95_ms, "ms")
    figure(results, f"capacity: turn errors ({label})", sum(samples.errors.values()), "n", target=0)
    figure(results, f"capacity: app CPU per turn ({label})", samples.cpu_s * 1000 / turns, "ms")
    figure(results, f"capacity: machine CPU busy ({label})", watch.cpu_busy * 100, "%")
    figure(results, f"capacity: peak PostgreSQL connections ({label})", watch.peak, "n")
    figure(
        results, f"capacity: PostgreSQL transactions per turn ({label})", watch.commits / turns, "n"
    )
    figure(results, f"capacity: PostgreSQL rows written per turn ({label})", watch.rows / turns,
           "n")  # fmt: skip
    if redis_url:
        figure(results, f"capacity: Redis round trips per turn ({label})", trips / turns, "n")
        figure(results, f"capacity: Redis commands per turn ({label})", commands / turns, "n")
    if samples.errors:
        results["notes"].append(f"capacity: errors at {n} conversations: {samples.errors}")


def curve(results: dict[str, Any], url: str, database: str, quick: bool) -> None:
    duration = 3.0 if quick else 10.0
    with redis_server() as redis_url:
        if redis_url is None:
            results["notes"].append("capacity: no redis-server here; the curve ran without it")
        for n in CURVE[:2] if quick else CURVE:
            curve_point(results, url, database, n, duration, redis_url)
        hits = redis_hits_per_second(redis_url) if redis_url else None
        if hits is not None:
            name = "capacity: Redis chat-limit hits per second (redis-benchmark, 50 clients)"
            figure(results, name, hits, "1/s")


def writes_rate(url: str, database: str, kind: str, n: int, duration_s: float
                ) -> tuple[float, Samples, Watch]:  # fmt: skip
    args, first = [], 0
    for count in split(n):
        args.append((url, kind, first, count, duration_s))
        first += count
    watch = Watch(url, database)
    try:
        samples = run_processes(writes_process, args, watch.start)
    finally:
        watch.stop()
    return len(samples.latencies_ms) / (samples.ended - samples.started), samples, watch


def writes(results: dict[str, Any], url: str, database: str, quick: bool) -> None:
    duration = 2.0 if quick else 5.0
    for n in WRITERS:
        floor, _, plain = writes_rate(url, database, "plain", n, duration)
        rate, samples, watch = writes_rate(url, database, "audited", n, duration)
        timing = percentiles(samples.latencies_ms or [0.0])
        label = f"{n} writer{'s' if n > 1 else ''}"
        figure(results, f"capacity: plain INSERT commits per second ({label})", floor, "1/s")
        figure(results, f"capacity: machine CPU busy, plain INSERTs ({label})",
               plain.cpu_busy * 100, "%")  # fmt: skip
        figure(results, f"capacity: audited writes per second ({label})", rate, "1/s", floor=floor)
        figure(results, f"capacity: audited write p95 ({label})", timing.p95_ms, "ms")
        figure(results, f"capacity: machine CPU busy, audited writes ({label})",
               watch.cpu_busy * 100, "%")  # fmt: skip
        writes_done = max(len(samples.latencies_ms), 1)
        figure(results, f"capacity: app CPU per audited write ({label})",
               samples.cpu_s * 1000 / writes_done, "ms")  # fmt: skip
        waiting = sum(watch.lock_waits) / max(len(watch.lock_waits), 1)
        figure(results, f"capacity: writers waiting for a row lock, mean ({label})", waiting, "n")
        errors = sum(samples.errors.values())
        figure(results, f"capacity: audited write errors ({label})", errors, "n", target=0)
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            check = audit.verify(session)
    finally:
        engine.dispose()
    figure(results, "capacity: audit chain broken after the writers", int(not check.ok), "n",
           target=0)  # fmt: skip
    results["notes"].append(f"capacity: after the writers, {check}")


def run(results: dict[str, Any], *, quick: bool = False) -> None:
    results.setdefault("figures", [])
    results.setdefault("notes", [])
    if not common.pg_available():
        results["notes"].append("capacity: PostgreSQL not reachable; skipped")
        return
    results["notes"].append(
        f"capacity: scripted model (no model latency), demo world, {PROCESSES} app processes on "
        f"one scratch PostgreSQL database, back to back (no think time), a new conversation "
        f"every {TURNS_PER_CONVERSATION} turns; writers: {PROCESSES} processes, one connection "
        "each, back to back for a fixed time"
    )
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    results["notes"].append(f"capacity: load average before the run {load} (1, 5, 15 min)")
    name = common.scratch_name("skydesk_capacity_bench")
    try:
        url = common.pg_database_url(name)
        prepare(url)
        curve(results, url, name, quick)
        writes(results, url, name, quick)
    finally:
        common.drop_pg_database(name)


if __name__ == "__main__":
    raise SystemExit(
        common.run_alone(run, doc=__doc__, quick_help="N = 1 and 4 only, shorter runs")
    )

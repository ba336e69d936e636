"""Fresh demo worlds for cases, in milliseconds.

Seeding the demo world takes seconds, so a run seeds ONE template SQLite file (cached under
data/evals/, keyed by seed, clock and a fingerprint of the generator, models, migrations,
services and the change tracking) and every case gets a byte copy of it. The template carries the change
tracking triggers of evals/tracking.py, installed once right after seeding."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, create_engine

from db.engine import make_engine
from evals.tracking import install_tracking
from world import seed_world
from world.generator import GENERATOR_VERSION

ROOT = Path(__file__).resolve().parent.parent
CACHE_DIR = ROOT / "data" / "evals"
# Thursday 2026-11-26, 09:00 in Zurich: the documented frozen demo clock (`--now` overrides).
DEFAULT_NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
DEFAULT_SEED = 42
# What the template depends on besides seed and clock: a change here means a new template.
# services/ too: the seeder prices tickets and chains the audit with the services' own code.
FINGERPRINT_SOURCES = ("db/**/*.py", "services/**/*.py", "evals/world.py", "evals/tracking.py")


def code_fingerprint() -> str:
    digest = hashlib.sha256(GENERATOR_VERSION.encode())
    for pattern in FINGERPRINT_SOURCES:
        for path in sorted(ROOT.glob(pattern)):
            digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


@dataclass(frozen=True)
class Template:
    path: Path
    seed: int
    now: datetime
    seeded: bool  # built by this call (False: reused from the cache)
    seconds: float  # time to seed, or to find it


def template_name(seed: int, now: datetime, fingerprint: str) -> str:
    return f"world-s{seed}-{now.astimezone(UTC):%Y%m%dT%H%M%SZ}-{fingerprint}.db"


def ensure_template(
    *, seed: int = DEFAULT_SEED, now: datetime = DEFAULT_NOW, cache_dir: Path | None = None
) -> Template:
    """The cached template for (seed, now, code), seeded once if missing. Safe when several
    processes ask at once: each builds under a temporary name and renames it into place."""
    started = time.perf_counter()
    folder = cache_dir or CACHE_DIR
    fingerprint = code_fingerprint()
    path = folder / template_name(seed, now, fingerprint)
    if path.exists():
        return Template(path, seed, now, False, time.perf_counter() - started)
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f".{path.stem}.{os.getpid()}.{uuid.uuid4().hex[:8]}.partial"
    engine = make_engine(f"sqlite:///{partial}")
    try:
        seed_world(engine, size="demo", seed=seed, now=now, force=True)
        with engine.begin() as conn:
            install_tracking(conn)
        engine.dispose()
        _self_contained(partial)
        os.replace(partial, path)
    finally:
        engine.dispose()
        for leftover in folder.glob(f"{partial.name}*"):
            leftover.unlink(missing_ok=True)
    _prune(folder, fingerprint)
    return Template(path, seed, now, True, time.perf_counter() - started)


def _self_contained(path: Path) -> None:
    """Fold the WAL into the file and leave WAL mode, so one file is the whole world and a
    byte copy of it is complete (each copy switches back to WAL when the app opens it)."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode=DELETE")
    finally:
        conn.close()


def _prune(folder: Path, fingerprint: str) -> None:
    """Templates of older code are never used again (a run still using one has pinned it), nor
    are the pins of runs that crashed a day ago."""
    for stale in folder.glob("world-*.db"):
        if not stale.stem.endswith(f"-{fingerprint}"):
            stale.unlink(missing_ok=True)
    for pin in folder.glob(".run-*"):
        if time.time() - pin.stat().st_mtime > 86_400:
            shutil.rmtree(pin, ignore_errors=True)


@contextmanager
def pinned_template(
    *, seed: int = DEFAULT_SEED, now: datetime = DEFAULT_NOW, cache_dir: Path | None = None
) -> Iterator[Template]:
    """The template under a name of this run's own (a hard link, so no copy), for as long as
    the run lasts: a run of newer code (someone edited db/ or services/ meanwhile) builds its
    own template and prunes this one's cached name, and the link keeps the file alive."""
    for attempt in range(3):
        template = ensure_template(seed=seed, now=now, cache_dir=cache_dir)
        folder = Path(tempfile.mkdtemp(prefix=".run-", dir=template.path.parent))
        target = folder / template.path.name
        try:
            try:
                os.link(template.path, target)
            except FileNotFoundError:
                if attempt == 2:
                    raise
                continue  # pruned between finding and linking it: find it again
            except OSError:  # a file system without hard links
                shutil.copyfile(template.path, target)
            yield replace(template, path=target)
            return
        finally:
            shutil.rmtree(folder, ignore_errors=True)


def copy_world(template: Path, folder: Path) -> str:
    """A fresh world: a copy of the template in `folder`; returns its database URL."""
    target = folder / "world.db"
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"


def read_only_engine(path: Path) -> Engine:
    """The template, for comparisons: immutable, so readers in many processes take no locks
    (it is never written after it is renamed into place)."""

    def connect() -> sqlite3.Connection:
        return sqlite3.connect(
            f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False
        )

    return create_engine("sqlite://", creator=connect)

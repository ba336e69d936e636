"""Fresh demo worlds on PostgreSQL (`--database-url postgresql://...`): the demo world is seeded
once into a template database on that server (kept and reused, named by seed, clock and code
fingerprint), and each case runs on `CREATE DATABASE ... TEMPLATE` of it, dropped afterwards.

PostgreSQL refuses to copy a template while anybody is connected to it, so the comparisons
for `unchanged` read a second copy (`<template>_ref`) and nobody connects to the template."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from agent.checkpoint import open_checkpointer
from db.engine import make_engine, normalize_url
from evals.tracking import install_tracking
from evals.world import code_fingerprint
from world import seed_world
from world.scratch import admin_engine

PREFIX = "skydesk_evals"
COPY_ATTEMPTS = 20  # CREATE DATABASE waits out a concurrent copy of the same template

_engines: dict[str, Engine] = {}


def _url(server_url: str, name: str) -> str:
    url = make_url(normalize_url(server_url)).set(database=name)
    return url.render_as_string(hide_password=False)


def _exists(admin: Engine, name: str) -> bool:
    with admin.connect() as conn:
        found = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
    return bool(found)


def _run(admin: Engine, statement: str) -> None:
    for attempt in range(COPY_ATTEMPTS):
        try:
            with admin.connect() as conn:
                conn.execute(text(statement))
            return
        except Exception as err:
            # "source database ... is being accessed by other users": another copy is running
            if "being accessed by other users" not in str(err) or attempt == COPY_ATTEMPTS - 1:
                raise
            time.sleep(0.05 * (attempt + 1))


def ensure_template(server_url: str, *, seed: int, now: datetime) -> str:
    """The template database's URL, seeded (with tracking and checkpointer tables) if
    missing. It is built under a temporary name and renamed, so a half-built one is never
    used."""
    fingerprint = code_fingerprint()
    name = f"{PREFIX}_{fingerprint}_{seed}_{now.astimezone(UTC):%Y%m%d%H%M}"
    admin = admin_engine(server_url)
    try:
        _prune(admin, fingerprint)
        if not _exists(admin, name):
            partial = f"{PREFIX}_partial_{uuid.uuid4().hex[:12]}"
            _run(admin, f'CREATE DATABASE "{partial}"')
            try:
                engine = make_engine(_url(server_url, partial))
                try:
                    seed_world(engine, size="demo", seed=seed, now=now, force=True)
                    with engine.begin() as conn:
                        install_tracking(conn)
                finally:
                    engine.dispose()
                open_checkpointer(_url(server_url, partial)).close()  # its tables, once
                _run(admin, f'ALTER DATABASE "{partial}" RENAME TO "{name}"')
            except BaseException:
                _run(admin, f'DROP DATABASE IF EXISTS "{partial}" WITH (FORCE)')
                raise
        if not _exists(admin, f"{name}_ref"):
            _run(admin, f'CREATE DATABASE "{name}_ref" TEMPLATE "{name}"')
    finally:
        admin.dispose()
    return _url(server_url, name)


def _prune(admin: Engine, fingerprint: str) -> None:
    """Templates of older code are never used again (case databases are dropped by their run)."""
    with admin.connect() as conn:
        names = conn.scalars(
            text("SELECT datname FROM pg_database WHERE datname ~ :pattern"),
            {"pattern": f"^{PREFIX}_[0-9a-f]{{12}}_"},
        ).all()
    for name in names:
        if not name.startswith(f"{PREFIX}_{fingerprint}_"):
            _run(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def case_database(server_url: str, template_url: str) -> Iterator[str]:
    """A database of its own for one case, copied from the template, dropped afterwards."""
    template = make_url(template_url).database
    name = f"{PREFIX}_case_{uuid.uuid4().hex[:16]}"
    admin = admin_engine(server_url)
    try:
        _run(admin, f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        try:
            yield _url(server_url, name)
        finally:
            _run(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.dispose()


def template_engine(template_url: str) -> Engine:
    """An engine on the reference copy of the template (for comparisons), one per process."""
    url = make_url(template_url)
    reference = url.set(database=f"{url.database}_ref").render_as_string(hide_password=False)
    if reference not in _engines:
        _engines[reference] = make_engine(reference, pool_size=2, max_overflow=0)
    return _engines[reference]

"""Throw-away databases for seeding tests and benchmarks: a SQLite file in a temporary folder,
or a uniquely named PostgreSQL database next to a given server URL, dropped afterwards."""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import URL, make_url

from db.engine import make_engine, normalize_url

ADMIN_DATABASES = ("postgres", "template1")


def is_postgres(url: str | None) -> bool:
    return bool(url) and normalize_url(str(url)).startswith("postgresql")


def admin_engine(url: str) -> Engine:
    """An AUTOCOMMIT engine on a maintenance database of the server `url` points at."""
    base = make_url(normalize_url(url))
    last_error: Exception | None = None
    for name in (*ADMIN_DATABASES, base.database):
        engine = create_engine(base.set(database=name), isolation_level="AUTOCOMMIT")
        try:
            with engine.connect():
                return engine
        except Exception as exc:  # try the next maintenance database
            last_error = exc
            engine.dispose()
    raise ConnectionError(f"cannot reach PostgreSQL at {base.render_as_string()}: {last_error}")


def create_database(url: str, name: str) -> URL:
    admin = admin_engine(url)
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return make_url(normalize_url(url)).set(database=name)


def drop_database(url: str, name: str) -> None:
    admin = admin_engine(url)
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@contextmanager
def scratch_engine(label: str, server_url: str | None = None) -> Iterator[Engine]:
    """A fresh, empty database: PostgreSQL when `server_url` is a PostgreSQL URL (the new
    database is named <its database>_<label>_<random>), else a temporary SQLite file."""
    if server_url and is_postgres(server_url):
        base = make_url(normalize_url(server_url)).database or "skydesk"
        name = f"{base}_{label}_{uuid.uuid4().hex[:8]}"
        engine = make_engine(create_database(server_url, name).render_as_string(False))
        try:
            yield engine
        finally:
            engine.dispose()
            drop_database(server_url, name)
        return
    folder = Path(tempfile.mkdtemp(prefix=f"skydesk_{label}_"))
    engine = make_engine(f"sqlite:///{folder / 'world.db'}")
    try:
        yield engine
    finally:
        engine.dispose()
        shutil.rmtree(folder, ignore_errors=True)

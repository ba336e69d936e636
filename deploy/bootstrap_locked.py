"""`python -m world.bootstrap`, one replica at a time: the container entrypoint runs this.

Several replicas starting together would otherwise run the Alembic migrations and the
empty-database seeding concurrently (duplicate tables, duplicate keys, a crash-looping pod).
On PostgreSQL a session-level advisory lock makes the others wait; they then find the schema
at head and the world seeded, and bootstrap does nothing. SQLite has a single writer anyway.

Run from the image: `python /app/deploy/bootstrap_locked.py` (PYTHONPATH=/app)."""

from __future__ import annotations

import sys
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, text

# A fixed 32-bit key that names this lock in pg_locks.
LOCK_KEY = zlib.crc32(b"skydesk:db.bootstrap")


@contextmanager
def bootstrap_lock(engine: Engine) -> Iterator[None]:
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": LOCK_KEY})
        conn.commit()  # the lock belongs to the session, not to this transaction
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": LOCK_KEY})
            conn.commit()


def main() -> int:
    from config import get_settings
    from db.engine import make_engine
    from world import bootstrap

    settings = get_settings()
    if not settings.bootstrap:  # SKYDESK_BOOTSTRAP=0: a separate step migrated as the owner
        print("bootstrap skipped (SKYDESK_BOOTSTRAP=0)")
        return 0
    engine = make_engine(settings.database_url)
    try:
        with bootstrap_lock(engine):
            sys.argv = sys.argv[:1]  # world.bootstrap reads its own options
            bootstrap.main()
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())

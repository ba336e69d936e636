"""The read engine of SKYDESK_READ_DATABASE_URL refuses writes on SQLite too (PRAGMA
query_only), and reads what the database holds. PostgreSQL: tests/db/test_read_replica.py."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

from db.engine import make_engine
from db.migrate import upgrade
from db.models import AuditHead
from db.read_engine import make_read_engine, make_read_session_factory


def test_a_sqlite_read_engine_reads_and_refuses_to_write(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'skydesk.db'}"
    primary = make_engine(url)
    upgrade(primary)
    read = make_read_engine(url)
    try:
        with make_read_session_factory(read)() as session:
            assert session.scalar(select(func.count()).select_from(AuditHead)) == 1
            with pytest.raises(OperationalError, match="readonly"):
                session.execute(text("UPDATE audit_head SET last_seq = 5"))
            session.rollback()
            assert session.scalar(select(AuditHead.last_seq)) == 0
    finally:
        read.dispose()
        primary.dispose()

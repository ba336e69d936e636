"""The read-only engine behind SKYDESK_READ_DATABASE_URL (a PostgreSQL hot standby, usually).

Every connection it opens refuses writes: on PostgreSQL each transaction starts READ ONLY
(`default_transaction_read_only`, set when the connection opens, so it holds even against a
URL that points at a primary by mistake), on SQLite `PRAGMA query_only`. A write routed here
by mistake then fails loudly instead of landing on a copy that is about to be overwritten, or,
worse, on the primary outside the audited write path."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from db.engine import make_engine, make_session_factory, normalize_url

READ_ONLY_OPTION = "-c default_transaction_read_only=on"


def make_read_engine(url: str, **kwargs: Any) -> Engine:
    if normalize_url(url).startswith("sqlite"):
        engine = make_engine(url, **kwargs)

        # Registered after make_engine's own connect hook (WAL and the other pragmas), so the
        # connection is made read-only once it is set up.
        @event.listens_for(engine, "connect")
        def _query_only(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA query_only=ON")
            cursor.close()

        return engine
    connect_args = dict(kwargs.pop("connect_args", {}))
    options = connect_args.get("options", "")
    connect_args["options"] = f"{options} {READ_ONLY_OPTION}".strip()
    # Dashboards are few and slow; the desk's pool sizes would only hold idle standby slots.
    kwargs.setdefault("pool_size", 5)
    kwargs.setdefault("max_overflow", 5)
    return make_engine(url, connect_args=connect_args, **kwargs)


def make_read_session_factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)

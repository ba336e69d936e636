"""Audit tampering (issue #10, item 9): the database refuses changes to audit rows, the app's
PostgreSQL role cannot get past that, and what someone who can write the database does anyway
(shorten, re-hash or empty the chain; forge an anchor) fails the check against the signed
anchors exported outside it. On SQLite and PostgreSQL (TEST_DATABASE_URL)."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from pydantic import SecretStr
from sqlalchemy import Engine, delete, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from config import Settings, get_settings
from db.app_role import ensure_app_role
from db.engine import make_engine, make_session_factory
from db.models import AuditEvent, AuditHead, Role
from services.core import audit
from services.core.audit import GENESIS_HASH, HEAD_ID
from services.core.audit_anchor import (
    AnchorConfigError,
    anchor_dir,
    anchor_store,
    production_problems,
)
from services.core.audit_checks import check_chain
from services.core.context import Actor, ServiceContext
from tests.conftest import as_dba, context_for

RECORDS = 6


@pytest.fixture
def manager(clock) -> ServiceContext:
    return ServiceContext(actor=Actor("manager", Role.MANAGER), clock=clock)


@pytest.fixture
def anchored(session, clock, manager) -> int:
    """A chain of logins, checked once (which exports its anchor): returns the anchored seq."""
    ctx = context_for(None, clock)
    for _ in range(RECORDS):
        audit.record(session, ctx, action="login", outcome="ok")
    result = check_chain(session, manager)
    assert result.ok and result.last.seq == RECORDS
    return RECORDS


def refused(engine: Engine, sql: str) -> str:
    with pytest.raises(DBAPIError) as error, engine.begin() as conn:
        conn.exec_driver_sql(sql)
    return str(error.value.orig)


def dialect(engine: Engine) -> str:
    return engine.dialect.name


# The database itself ----------------------------------------------------------------------


TAMPERING = {
    "update-record": "UPDATE audit_events SET message = 'nothing to see' WHERE seq = 2",
    "delete-record": "DELETE FROM audit_events WHERE seq = 6",
    "delete-all": "DELETE FROM audit_events",
    "delete-head": "DELETE FROM audit_head",
    "head-back": "UPDATE audit_head SET last_seq = 3",
    "head-same-seq-other-hash": f"UPDATE audit_head SET last_hash = '{'f' * 64}'",
}
SQLITE_ONLY = {
    "replace-record": "INSERT OR REPLACE INTO audit_events (seq, ts, actor, actor_role, action, "
    "outcome, details, prev_hash, hash) SELECT seq, ts, 'mallory', actor_role, action, outcome, "
    "details, prev_hash, hash FROM audit_events WHERE seq = 2",
    "replace-head": f"INSERT OR REPLACE INTO audit_head VALUES (1, 0, '{GENESIS_HASH}')",
}
PG_ONLY = {
    "truncate-records": "TRUNCATE audit_events",
    "truncate-head": "TRUNCATE audit_head",
    "truncate-cascade": "TRUNCATE audit_events, audit_head CASCADE",
}


@pytest.mark.usefixtures("anchored")
@pytest.mark.parametrize("name", [*TAMPERING, *SQLITE_ONLY, *PG_ONLY])
def test_the_database_refuses_to_change_audit_rows(engine, session, name) -> None:
    if name in SQLITE_ONLY and dialect(engine) != "sqlite":
        pytest.skip("SQLite's INSERT OR REPLACE")
    if name in PG_ONLY and dialect(engine) != "postgresql":
        pytest.skip("PostgreSQL's TRUNCATE")
    sql = TAMPERING.get(name) or SQLITE_ONLY.get(name) or PG_ONLY[name]
    assert "append-only" in refused(engine, sql)
    session.expire_all()
    assert check_chain(session, ServiceContext(Actor("m", Role.MANAGER))).ok


@pytest.mark.usefixtures("anchored")
def test_the_orm_cannot_delete_a_record_either(session) -> None:
    session.delete(session.get(AuditEvent, 1))
    with pytest.raises(DBAPIError, match="append-only"):
        session.commit()
    session.rollback()
    assert session.get(AuditEvent, 1) is not None


def test_appending_still_works(session, clock, anchored) -> None:
    event = audit.record(session, context_for(None, clock), action="login", outcome="ok")
    assert event.seq == anchored + 2  # after the check's own record
    assert audit.verify(session).ok


# The app's PostgreSQL role ----------------------------------------------------------------


@pytest.fixture
def app_role_engine(engine: Engine, anchored: int) -> Iterator[Engine]:  # noqa: ARG001
    """The scratch database reached as a fresh app role made by db.app_role (roles are
    cluster-wide: a unique name, dropped afterwards)."""
    if dialect(engine) != "postgresql":
        pytest.skip("database roles: PostgreSQL")
    role, password = f"skydesk_app_{secrets.token_hex(4)}", secrets.token_hex(16)
    with engine.begin() as conn:
        ensure_app_role(conn, role, password=password)
    url = make_url(engine.url).set(username=role, password=password)
    app_engine = make_engine(url.render_as_string(hide_password=False))
    yield app_engine
    app_engine.dispose()
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP OWNED BY {role}")
        conn.exec_driver_sql(f"DROP ROLE {role}")


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_events SET message = 'x' WHERE seq = 2",
        "DELETE FROM audit_events WHERE seq = 6",
        "TRUNCATE audit_events",
        "DELETE FROM audit_head",
        "TRUNCATE audit_head",
        "ALTER TABLE audit_events DISABLE TRIGGER USER",
        "ALTER TABLE audit_head DISABLE TRIGGER USER",
        "DROP TRIGGER audit_events_no_change ON audit_events",
        "SET session_replication_role = replica",
    ],
    ids=[
        "update", "delete", "truncate", "delete-head", "truncate-head", "disable-triggers",
        "disable-head-triggers", "drop-trigger", "replica-mode",
    ],
)  # fmt: skip
def test_the_app_role_cannot_change_or_unguard_audit_rows(app_role_engine, sql) -> None:
    message = refused(app_role_engine, sql)
    assert "permission denied" in message or "must be owner" in message


def test_the_app_role_appends_and_writes_the_rest(app_role_engine, clock) -> None:
    with make_session_factory(app_role_engine)() as session:
        event = audit.record(session, context_for(None, clock), action="login", outcome="ok")
        assert audit.verify(session).ok and event.seq == RECORDS + 2
    with app_role_engine.begin() as conn:  # an ordinary table: full rights
        conn.execute(text("INSERT INTO demo_meta (key, value) VALUES ('k', 'v')"))
        conn.execute(text("DELETE FROM demo_meta WHERE key = 'k'"))


# Someone who can write the database -------------------------------------------------------


def check(session) -> audit.VerifyResult:
    session.expire_all()
    return check_chain(session, ServiceContext(Actor("auditor", Role.MANAGER)))


def move_head(session, seq: int, hash_: str) -> None:
    session.execute(
        update(AuditHead).where(AuditHead.id == HEAD_ID).values(last_seq=seq, last_hash=hash_)
    )


@pytest.mark.usefixtures("anchored")
def test_the_untampered_trail_verifies_again(session) -> None:
    assert check(session).ok
    assert check(session).ok  # each check's own anchor agrees with the next


@pytest.mark.usefixtures("anchored")
def test_deleting_the_tail_and_moving_the_head_back_is_found(session) -> None:
    keep = session.get(AuditEvent, 3)
    with as_dba(session):
        session.execute(delete(AuditEvent).where(AuditEvent.seq > 3))
        move_head(session, 3, keep.hash)
    session.commit()
    assert audit.verify(session).ok  # the chain alone looks intact: the hole the anchor closes
    result = check(session)
    assert (result.ok, result.first_bad_seq) == (False, 4)
    assert "records 4-6 were deleted" in str(result.problem)


def test_a_full_rehash_is_found(session, anchored) -> None:
    prev = GENESIS_HASH
    with as_dba(session):
        for event in session.scalars(select(AuditEvent).order_by(AuditEvent.seq)):
            event.message = "rewritten" if event.seq == 1 else event.message
            event.prev_hash = prev
            event.hash = prev = audit.record_hash(event)
            last = event.seq
        session.flush()
        move_head(session, last, prev)
    session.commit()
    assert audit.verify(session).ok
    result = check(session)
    assert (result.ok, result.first_bad_seq) == (False, anchored)
    assert "rewritten and re-hashed" in str(result.problem)


@pytest.mark.usefixtures("anchored")
def test_emptying_the_trail_is_found(session) -> None:
    with as_dba(session):
        session.execute(delete(AuditEvent))
        move_head(session, 0, GENESIS_HASH)
    session.commit()
    assert audit.verify(session).ok
    result = check(session)
    assert not result.ok and "the audit trail is empty" in str(result.problem)


@pytest.mark.usefixtures("anchored")
def test_a_forged_anchor_is_refused(engine, session) -> None:
    directory = anchor_dir(get_settings(), engine.url)
    assert directory is not None
    genuine = json.loads(next(directory.glob("*.json")).read_text())
    forged = genuine | {"seq": 2, "hash": session.get(AuditEvent, 2).hash}  # signature kept
    (directory / "000000000002-forged.json").write_text(json.dumps(forged))
    result = check(session)
    assert (result.ok, result.first_bad_seq) == (False, None)
    assert "000000000002-forged.json has a wrong signature" in str(result.problem)


# The anchor key -----------------------------------------------------------------------------

K8S_PLACEHOLDER = "CHANGE-ME-to-the-hex-of-32-random-bytes"


@pytest.mark.parametrize(
    "key",
    [None, K8S_PLACEHOLDER, "00" * 32, "ab" * 32, secrets.token_hex(16)],
    ids=["missing", "k8s-placeholder", "zeros", "repeat", "too-short"],
)
def test_production_refuses_a_missing_or_weak_anchor_key(key, tmp_path) -> None:
    settings = Settings(
        environment="production",
        audit_anchor_key=SecretStr(key) if key else None,
        audit_anchor_dir=tmp_path,
    )
    assert any("anchor key" in p.lower().replace("_", " ") for p in production_problems(settings))
    with pytest.raises(AnchorConfigError):
        anchor_store(settings, f"sqlite:///{tmp_path}/skydesk.db")


def test_postgresql_needs_an_anchor_key_and_directory(tmp_path) -> None:
    url = "postgresql://app@db.internal/skydesk"
    with pytest.raises(AnchorConfigError, match="SKYDESK_AUDIT_ANCHOR_DIR"):
        anchor_store(Settings(audit_anchor_key=None, audit_anchor_dir=None), url)
    with pytest.raises(AnchorConfigError, match="SKYDESK_AUDIT_ANCHOR_KEY"):
        anchor_store(Settings(audit_anchor_key=None, audit_anchor_dir=tmp_path), url)


def test_the_deployments_set_the_anchor_key_and_directory() -> None:
    root = Path(__file__).resolve().parents[2]
    compose = (root / "docker-compose.yml").read_text()
    assert "${SKYDESK_AUDIT_ANCHOR_KEY:?" in compose and "SKYDESK_AUDIT_ANCHOR_DIR" in compose
    secret = next(
        doc
        for doc in yaml.safe_load_all((root / "deploy/k8s/secret.yaml").read_text())
        if doc["metadata"]["name"] == "skydesk-secrets"
    )["stringData"]
    assert secret["SKYDESK_AUDIT_ANCHOR_KEY"] == K8S_PLACEHOLDER
    assert "SKYDESK_AUDIT_ANCHOR_DIR" in (root / "deploy/k8s/configmap.yaml").read_text()

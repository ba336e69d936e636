"""The PostgreSQL role the app runs as: `python -m db.app_role ROLE` (issue #10, item 9).

Run it as the tables' owner (the role the migrations run as) after migrating: compose's migrate
service and the k8s init container do. The password comes from SKYDESK_APP_DB_PASSWORD (the
role is created, or its password set, when given; without it an existing role only gets its
grants). `--print-sql` prints the statements for a DBA who manages roles by hand.

The role reads and writes the app's tables, but the audit trail it may only read and append:
no UPDATE, DELETE or TRUNCATE of audit_events, no DELETE or TRUNCATE of audit_head (whose row
moves forward by UPDATE, checked by a trigger), no TRIGGER on either; and as it owns none of
them it cannot disable their triggers either (ALTER TABLE needs the owner). CREATE on the
schema lets LangGraph's checkpointer create its own tables at start (agent/checkpoint.py)."""

from __future__ import annotations

import argparse
import re

from sqlalchemy import Connection, text

from config import get_settings
from db.engine import make_engine

PASSWORD_ENV = "SKYDESK_APP_DB_PASSWORD"
DEFAULT_ROLE = "skydesk_app"
# Identifiers are spliced into DDL (roles cannot be bound parameters): only plain names.
ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def grant_statements(role: str) -> list[str]:
    if not ROLE_NAME.fullmatch(role):
        raise ValueError(f"not a plain role name: {role!r}")
    return [
        f"GRANT USAGE, CREATE ON SCHEMA public TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {role}",
        # Tables later migrations create (as this owner) get the same rights.
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public "
        f"GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {role}",
        # Last, so they win over the grants above: the audit trail is read and append only.
        f"REVOKE UPDATE, DELETE, TRUNCATE, TRIGGER ON audit_events FROM {role}",
        f"REVOKE DELETE, TRUNCATE, TRIGGER ON audit_head FROM {role}",
        # And on each monthly partition of the trail (migration 0014), which GRANT ... ON ALL
        # TABLES reached too; partitions made later copy the parent's grants (db/partitions.py).
        "DO $$ DECLARE part text; BEGIN FOR part IN SELECT relid::text FROM"
        " pg_partition_tree('audit_events') WHERE relid <> 'audit_events'::regclass LOOP"
        f" EXECUTE 'REVOKE UPDATE, DELETE, TRUNCATE, TRIGGER ON ' || part || ' FROM {role}';"
        " END LOOP; END $$",
    ]


def _literal(value: str) -> str:
    # standard_conforming_strings is on (the default since PostgreSQL 9.1): only ' is special.
    return "'" + value.replace("'", "''") + "'"


def ensure_app_role(conn: Connection, role: str, *, password: str | None) -> None:
    """Create the role (or set its password) and give it exactly the app's rights."""
    statements = grant_statements(role)
    exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first()
    attributes = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOINHERIT"
    if not exists:
        if password is None:
            raise ValueError(f"role {role} does not exist: set {PASSWORD_ENV} to create it")
        conn.exec_driver_sql(f"CREATE ROLE {role} {attributes} PASSWORD {_literal(password)}")
    elif password is not None:
        conn.exec_driver_sql(f"ALTER ROLE {role} {attributes} PASSWORD {_literal(password)}")
    for statement in statements:
        conn.exec_driver_sql(statement)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m db.app_role", description=__doc__)
    parser.add_argument("role", nargs="?", default=DEFAULT_ROLE)
    parser.add_argument("--database-url", default=get_settings().database_url)
    parser.add_argument("--print-sql", action="store_true", help="print, do not run")
    args = parser.parse_args()
    if args.print_sql:
        print(";\n".join(grant_statements(args.role)) + ";")
        return
    engine = make_engine(args.database_url)
    try:
        with engine.begin() as conn:
            secret = get_settings().app_db_password
            ensure_app_role(conn, args.role, password=secret.get_secret_value() if secret else None)
    finally:
        engine.dispose()
    print(f"role {args.role}: reads and appends the audit trail, reads and writes the rest")


if __name__ == "__main__":
    main()

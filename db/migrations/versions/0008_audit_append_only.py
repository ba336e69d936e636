"""append-only audit trail enforced in the database (hardening, item 9)

audit_events: no UPDATE, DELETE or TRUNCATE (and on SQLite no INSERT OR REPLACE, which deletes
the row it replaces without firing the DELETE trigger unless recursive_triggers is on).
audit_head: never deleted, truncated or replaced, and its sequence only moves forward.
On PostgreSQL every role but the tables' owner also loses UPDATE/DELETE/TRUNCATE/TRIGGER on
them (db/app_role.py grants the app role the rest); only the owner can disable the triggers,
which db/audit_guard.py does for the documented maintenance paths (seeding, test wipes).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 23:59:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REFUSED = "audit trail is append-only"

SQLITE_TRIGGERS = {
    "audit_events_no_update": f"""
        CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
        BEGIN SELECT RAISE(ABORT, '{REFUSED}: UPDATE of audit_events refused'); END""",
    "audit_events_no_delete": f"""
        CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
        BEGIN SELECT RAISE(ABORT, '{REFUSED}: DELETE of audit_events refused'); END""",
    "audit_events_no_replace": f"""
        CREATE TRIGGER audit_events_no_replace BEFORE INSERT ON audit_events
        WHEN EXISTS (SELECT 1 FROM audit_events WHERE seq = NEW.seq)
        BEGIN SELECT RAISE(ABORT, '{REFUSED}: replacing an audit_events row refused'); END""",
    "audit_head_no_delete": f"""
        CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
        BEGIN SELECT RAISE(ABORT, '{REFUSED}: DELETE of audit_head refused'); END""",
    "audit_head_no_replace": f"""
        CREATE TRIGGER audit_head_no_replace BEFORE INSERT ON audit_head
        WHEN EXISTS (SELECT 1 FROM audit_head WHERE id = NEW.id)
        BEGIN SELECT RAISE(ABORT, '{REFUSED}: replacing the audit_head row refused'); END""",
    "audit_head_forward_only": f"""
        CREATE TRIGGER audit_head_forward_only BEFORE UPDATE ON audit_head
        WHEN NEW.id IS NOT OLD.id OR NEW.last_seq <= OLD.last_seq
        BEGIN SELECT RAISE(ABORT, '{REFUSED}: the audit head only moves forward'); END""",
}

PG_FUNCTIONS = f"""
CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{REFUSED}: % of % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE FUNCTION audit_head_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id IS DISTINCT FROM OLD.id OR NEW.last_seq <= OLD.last_seq THEN
        RAISE EXCEPTION '{REFUSED}: the audit head only moves forward'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;
"""
PG_TRIGGERS = """
CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_head_forward_only BEFORE UPDATE ON audit_head
    FOR EACH ROW EXECUTE FUNCTION audit_head_forward_only();
"""
# Whoever was granted more than reading and appending (PUBLIC, an app role created before this
# migration) loses it: only the owner, who runs the migrations, may change audit rows.
PG_REVOKE = """
REVOKE UPDATE, DELETE, TRUNCATE, TRIGGER ON audit_events FROM PUBLIC;
REVOKE DELETE, TRUNCATE, TRIGGER ON audit_head FROM PUBLIC;
DO $$
DECLARE grantee_name text;
BEGIN
    FOR grantee_name IN
        SELECT DISTINCT grantee FROM information_schema.role_table_grants
        WHERE table_schema = current_schema() AND table_name IN ('audit_events', 'audit_head')
          AND grantee NOT IN ('PUBLIC', current_user)
          AND grantee <> (SELECT tableowner FROM pg_tables
                          WHERE schemaname = current_schema() AND tablename = 'audit_events')
    LOOP
        EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE, TRIGGER ON audit_events FROM %I',
                       grantee_name);
        EXECUTE format('REVOKE DELETE, TRUNCATE, TRIGGER ON audit_head FROM %I', grantee_name);
    END LOOP;
END $$;
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTIONS)
        op.execute(PG_TRIGGERS)
        op.execute(PG_REVOKE)
        return
    for ddl in SQLITE_TRIGGERS.values():
        op.execute(ddl)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_change ON audit_events")
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events")
        op.execute("DROP TRIGGER IF EXISTS audit_head_no_delete ON audit_head")
        op.execute("DROP TRIGGER IF EXISTS audit_head_no_truncate ON audit_head")
        op.execute("DROP TRIGGER IF EXISTS audit_head_forward_only ON audit_head")
        op.execute("DROP FUNCTION IF EXISTS audit_refuse_change()")
        op.execute("DROP FUNCTION IF EXISTS audit_head_forward_only()")
        return
    for name in SQLITE_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")

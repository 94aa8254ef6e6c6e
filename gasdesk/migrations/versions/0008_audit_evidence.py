"""audit as evidence: a digest on every sealed row, existing rows sealed in the chain, audit rows
append-only on PostgreSQL

Create Date: 2026-11-29 21:10:00
"""
from datetime import datetime

import sqlalchemy as sa
from alembic import op

from gasdesk.models.audit import SEALED, seal_unsealed_rows

revision = "0008"
down_revision = "0007"

# Audit rows are only ever inserted. The application's role may not change or remove them, whatever
# grants it has on the table: an UPDATE, DELETE or TRUNCATE raises. (A superuser can still disable
# triggers; the backup manifests and the printed daily cash report anchor the chain against that.)
_PG_GUARD = """
CREATE OR REPLACE FUNCTION gasdesk_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION gasdesk_audit_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION gasdesk_audit_append_only();
"""


def upgrade() -> None:
    for table in SEALED:
        op.add_column(table, sa.Column("digest", sa.String(length=64), nullable=True))
    _seal_existing_rows()
    if op.get_bind().dialect.name == "postgresql":
        for statement in _PG_GUARD.split(";\nCREATE TRIGGER"):
            op.execute(statement if statement.startswith("\nCREATE OR REPLACE") else "CREATE TRIGGER" + statement)


def _seal_existing_rows() -> None:
    """Digest every existing row and name it in chained seal entries, as the application will."""
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        bind.execute(sa.text("SELECT pg_advisory_xact_lock(7230001)"))  # the audit chain's lock
    seal_unsealed_rows(bind, datetime.now().replace(microsecond=0))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update_delete ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS gasdesk_audit_append_only()")
    for table in SEALED:
        op.drop_column(table, "digest")  # SQLite 3.35+ drops a plain column in place

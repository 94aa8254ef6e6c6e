"""audit as evidence: a digest on every sealed row, existing rows sealed in the chain, audit rows
append-only on PostgreSQL

Revision ID: 0008
Revises: 0006
Create Date: 2026-11-29 21:10:00
"""
from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op

from gasdesk.models import Base
from gasdesk.models.audit import GENESIS, SEAL_ENTITY, SEALED, entry_hash, row_digest, seal_key

revision: str = "0008"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CHUNK = 1000

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
    audit = Base.metadata.tables["audit_log"]
    head = bind.execute(sa.select(audit.c.hash).order_by(audit.c.id.desc()).limit(1)).scalar() or GENESIS
    at = datetime.now().replace(microsecond=0)
    for table in SEALED:
        t = Base.metadata.tables[table]
        fields = SEALED[table]
        rows = bind.execute(sa.select(t.c.id, *(t.c[f] for f in fields)).order_by(t.c.id)).all()
        for start in range(0, len(rows), _CHUNK):
            chunk = rows[start:start + _CHUNK]
            digests = {r.id: row_digest(table, {f: r._mapping[t.c[f]] for f in fields}) for r in chunk}
            bind.execute(t.update().where(t.c.id == sa.bindparam("rid")).values(digest=sa.bindparam("d")),
                         [{"rid": i, "d": d} for i, d in digests.items()])
            changes = {seal_key(table, i): d for i, d in sorted(digests.items())}
            digest = entry_hash(head, at, None, SEAL_ENTITY, str(len(changes)), "seal", changes)
            bind.execute(audit.insert().values(at=at, staff_id=None, entity=SEAL_ENTITY, entity_id=str(len(changes)),
                                               action="seal", changes=changes, prev_hash=head, hash=digest))
            head = digest


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update_delete ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS gasdesk_audit_append_only()")
    for table in SEALED:
        op.drop_column(table, "digest")  # SQLite 3.35+ drops a plain column in place

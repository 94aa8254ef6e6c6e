"""customer search index: character pairs of names and addresses

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 10:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from gasdesk.models import search_index

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    for ddl in search_index.SQLITE_DDL if sqlite else search_index.POSTGRES_DDL:
        op.execute(ddl)
    rows = bind.execute(sa.text("SELECT id, name, address FROM customer ORDER BY id")).all()
    for customer_id, name, address in rows:
        search_index.upsert(bind, customer_id, name, address)


def downgrade() -> None:
    op.execute("DROP TABLE customer_fts" if op.get_bind().dialect.name == "sqlite" else "DROP TABLE customer_search")

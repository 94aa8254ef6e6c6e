"""customer search index: character pairs of names and addresses

Create Date: 2026-11-27 10:00:00
"""
import sqlalchemy as sa
from alembic import op

from gasdesk.models import search_index

revision = "0004"
down_revision = "0003"


SQLITE_DDL = ["CREATE VIRTUAL TABLE customer_fts USING fts5(doc, tokenize = 'unicode61')"]
POSTGRES_DDL = [
    "CREATE TABLE customer_search (customer_id INTEGER PRIMARY KEY REFERENCES customer(id), doc TSVECTOR NOT NULL)",
    "CREATE INDEX ix_customer_search_doc ON customer_search USING GIN (doc)",
]


def upgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    for ddl in SQLITE_DDL if sqlite else POSTGRES_DDL:
        op.execute(ddl)
    insert = sa.text("INSERT INTO customer_fts(rowid, doc) VALUES (:id, :doc)" if sqlite else
                     "INSERT INTO customer_search(customer_id, doc) VALUES (:id, to_tsvector('simple', :doc))")
    rows = bind.execute(sa.text("SELECT id, name, address FROM customer ORDER BY id")).all()
    for customer_id, name, address in rows:
        bind.execute(insert, {"id": customer_id, "doc": search_index.document(name, address)})


def downgrade() -> None:
    op.execute("DROP TABLE customer_fts" if op.get_bind().dialect.name == "sqlite" else "DROP TABLE customer_search")

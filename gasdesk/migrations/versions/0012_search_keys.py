"""customer search on PostgreSQL: keys in a B-tree (runs of four characters, last three and two)

The pairs' GIN index (customer_search, 0004) built the bitmap of every match before the first page
could be read; the keys' B-tree reads the page and stops (see models/search_index). SQLite keeps
its FTS5 pairs: nothing changes there.
"""
import sqlalchemy as sa
from alembic import op

from gasdesk.models import search_index

revision = "0012"
down_revision = "0011"

BATCH = 20_000


def _customers(bind: sa.Connection) -> "list[tuple[int, str, str]]":
    return [tuple(r) for r in bind.execute(sa.text("SELECT id, name, address FROM customer ORDER BY id")).all()]


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    # Collation "C": keys compare by code point, so the keys starting with a fragment are one range.
    op.execute('CREATE TABLE customer_gram (gram TEXT COLLATE "C" NOT NULL, customer_id INTEGER NOT NULL)')
    raw = bind.connection.driver_connection
    assert raw is not None
    customers = _customers(bind)
    with raw.cursor() as cursor:
        for start in range(0, len(customers), BATCH):
            with cursor.copy("COPY customer_gram (gram, customer_id) FROM STDIN") as copy:
                for customer_id, name, address in customers[start:start + BATCH]:
                    for key in sorted(search_index.customer_keys(name, address)):
                        copy.write_row((key, customer_id))
    op.execute("ALTER TABLE customer_gram ADD CONSTRAINT customer_gram_pkey PRIMARY KEY (gram, customer_id)")
    op.execute("ANALYZE customer_gram")
    op.execute("DROP TABLE customer_search")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    op.execute("CREATE TABLE customer_search (customer_id INTEGER PRIMARY KEY REFERENCES customer(id), "
               "doc TSVECTOR NOT NULL)")
    insert = sa.text("INSERT INTO customer_search(customer_id, doc) VALUES (:id, to_tsvector('simple', :doc))")
    for customer_id, name, address in _customers(bind):
        bind.execute(insert, {"id": customer_id, "doc": search_index.document(name, address)})
    op.execute("CREATE INDEX ix_customer_search_doc ON customer_search USING GIN (doc)")
    op.execute("DROP TABLE customer_gram")

"""customer search on PostgreSQL: runs of four characters beside the pairs

Create Date: 2026-11-30 04:00:00
"""
import sqlalchemy as sa
from alembic import op

from gasdesk.models import search_index

revision = "0012"
down_revision = "0011"

BATCH = 10_000


def upgrade() -> None:
    # A query of four or more characters is answered from its runs of four (see models/search_index):
    # a common street name is then one index entry the planner can count, not three long posting
    # lists to intersect. SQLite's FTS5 phrase needs nothing more.
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE customer_search ADD COLUMN quads TSVECTOR NOT NULL DEFAULT ''::tsvector")
    op.execute("CREATE TEMPORARY TABLE search_quads_stage (customer_id INTEGER PRIMARY KEY, quads TEXT NOT NULL)")
    stage = sa.text("INSERT INTO search_quads_stage (customer_id, quads) VALUES (:id, :quads)")
    after = 0
    while True:
        rows = bind.execute(sa.text("SELECT id, name, address FROM customer WHERE id > :after ORDER BY id LIMIT :n"),
                            {"after": after, "n": BATCH}).all()
        if not rows:
            break
        bind.execute(stage, [{"id": i, "quads": search_index.document(n, a, search_index.QUAD)} for i, n, a in rows])
        after = rows[-1][0]
    op.execute("UPDATE customer_search s SET quads = to_tsvector('simple', t.quads) "
               "FROM search_quads_stage t WHERE s.customer_id = t.customer_id")
    op.execute("DROP TABLE search_quads_stage")
    op.execute("ALTER TABLE customer_search ALTER COLUMN quads DROP DEFAULT")
    op.execute("CREATE INDEX ix_customer_search_quads ON customer_search USING GIN (quads)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_customer_search_quads")
        op.execute("ALTER TABLE customer_search DROP COLUMN quads")

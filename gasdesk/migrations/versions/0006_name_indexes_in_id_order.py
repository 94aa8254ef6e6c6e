"""name and pinyin-initial indexes carry the id, so a page of hits comes straight off the index

Create Date: 2026-11-27 12:40:00
"""
from alembic import op

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    # Search orders hits by (name, id) and (initials, id). SQLite's indexes end in the rowid anyway;
    # PostgreSQL's did not, so two-letter initials ('zf': ~5,000 customers at a million) read every
    # row of the range to sort it for a page of fifty.
    for name, column in (("ix_customer_name", "name"), ("ix_customer_initials", "name_initials")):
        op.drop_index(name, table_name="customer")
        op.create_index(name, "customer", [column, "id"])


def downgrade() -> None:
    for name, column in (("ix_customer_name", "name"), ("ix_customer_initials", "name_initials")):
        op.drop_index(name, table_name="customer")
        op.create_index(name, "customer", [column])

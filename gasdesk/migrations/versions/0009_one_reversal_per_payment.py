"""one reversal per payment: a unique index on payment.reverses_id

Create Date: 2026-11-29 21:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"


def upgrade() -> None:
    # Two managers reversing one payment at the same moment could both succeed before; the database
    # now refuses the second. A database that already holds such a pair is not repaired here: the
    # upgrade stops and names the payments, for the finance office to settle by hand.
    twice = op.get_bind().execute(sa.text(
        "SELECT p.receipt_number FROM payment p WHERE p.id IN "
        "(SELECT reverses_id FROM payment WHERE reverses_id IS NOT NULL GROUP BY reverses_id HAVING COUNT(*) > 1)"
    )).scalars().all()
    if twice:
        raise RuntimeError("以下收费被冲正了不止一次，请财务核对后处理，再升级数据库：" + "、".join(twice))
    op.create_index("uq_payment_reverses", "payment", ["reverses_id"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_payment_reverses", table_name="payment")

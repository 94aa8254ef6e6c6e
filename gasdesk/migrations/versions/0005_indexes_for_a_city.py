"""indexes measured at a million customers: payments by customer and order, overdue clocks

Create Date: 2026-11-27 10:50:00
"""
from alembic import op

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    # The customer page and printing read a customer's or an order's payments; the overdue list groups
    # running clocks by order straight from the index.
    op.create_index("ix_payment_customer_at", "payment", ["customer_id", "at"])
    op.create_index("ix_payment_order", "payment", ["order_id"])
    op.create_index("ix_deadline_status_due_order", "deadline", ["status", "due_at", "order_id"])
    op.drop_index("ix_deadline_open_due", table_name="deadline")


def downgrade() -> None:
    op.create_index("ix_deadline_open_due", "deadline", ["status", "due_at"])
    op.drop_index("ix_deadline_status_due_order", table_name="deadline")
    op.drop_index("ix_payment_order", table_name="payment")
    op.drop_index("ix_payment_customer_at", table_name="payment")

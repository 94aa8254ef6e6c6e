"""billing: tariffs, meter readings, bills, allocations, receipt prints

The default (illustrative) tariffs are not seeded here: gasdesk.services.billing.ensure_tariffs writes
them on first use, so a database emptied by hand (or by the PostgreSQL test fixture) gets them too.

Create Date: 2026-11-27 09:29:08.039950
"""
from gasdesk.migrations.kit import (boolean, column, create, date, drop, index, integer, json, money,
                                    quantity, ref, string, table, timestamp, unique)
from gasdesk.models.billing import Price

revision = "0002"
down_revision = "0001"

PRICE = Price(precision=10, scale=4)

TABLES = (
    table(
        "tariff",
        integer("id"),
        string("gas_use_type", 20),
        date("effective_from"),
        quantity("tier1_limit", null=True),
        quantity("tier2_limit", null=True),
        column("price1", PRICE),
        column("price2", PRICE, null=True),
        column("price3", PRICE, null=True),
        string("note", 200),
        ref("created_by_id", "staff", null=True),
        timestamp("created_at"),
        unique("uq_tariff_use_from", "gas_use_type", "effective_from"),
    ),
    table(
        "meter_reading",
        integer("id"),
        ref("meter_id", "meter"),
        ref("account_id", "account"),
        date("read_on"),
        quantity("reading"),
        quantity("previous"),
        date("previous_on"),
        quantity("volume"),
        string("source", 20),
        ref("order_id", "service_order", null=True),
        ref("staff_id", "staff"),
        timestamp("created_at"),
        unique("uq_meter_reading_day", "meter_id", "read_on", "source"),
        index("ix_meter_reading_account", "account_id", "read_on"),
    ),
    table(
        "bill",
        integer("id"),
        string("number", 30, unique=True),
        ref("account_id", "account"),
        ref("customer_id", "customer"),
        ref("reading_id", "meter_reading", unique=True),
        string("gas_use_type", 20),
        date("period_start"),
        date("period_end"),
        quantity("volume"),
        money("amount"),
        json("lines"),
        timestamp("issued_at"),
        date("due_from"),
        date("due_to"),
        money("paid"),
        string("status", 20),
        ref("staff_id", "staff"),
        index("ix_bill_account", "account_id", "period_end"),
        index("ix_bill_issued_at", "issued_at"),
        index("ix_bill_status_due", "status", "due_to"),
    ),
    table(
        "receipt_print",
        integer("id"),
        ref("payment_id", "payment"),
        ref("staff_id", "staff"),
        timestamp("at"),
        boolean("copy"),
        index("ix_receipt_print_payment", "payment_id"),
    ),
    table(
        "bill_allocation",
        integer("id"),
        ref("bill_id", "bill"),
        ref("payment_id", "payment", null=True),
        money("amount"),
        timestamp("at"),
        ref("staff_id", "staff", null=True),
        string("note", 40),
        index("ix_bill_allocation_at", "at"),
        index("ix_bill_allocation_bill", "bill_id"),
        index("ix_bill_allocation_payment", "payment_id"),
    ),
)


def upgrade() -> None:
    create(TABLES)


def downgrade() -> None:
    drop(TABLES)

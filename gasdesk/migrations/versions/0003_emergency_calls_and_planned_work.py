"""emergency calls and planned work

Create Date: 2026-11-27 09:38:52.748557
"""
from gasdesk.migrations.kit import (boolean, create, drop, index, integer, json, ref, string, table, text,
                                    timestamp)

revision = "0003"
down_revision = "0002"

TABLES = (
    table(
        "emergency_call",
        integer("id"),
        string("number", 30, unique=True),
        timestamp("called_at"),
        string("kind", 20),
        string("caller_name", 60),
        string("caller_phone", 20),
        string("address", 200),
        string("district", 20),
        ref("customer_id", "customer", null=True),
        text("description"),
        ref("taken_by_id", "staff"),
        integer("limit_minutes", null=True),
        timestamp("due_at"),
        string("status", 20),
        string("crew", 60),
        timestamp("dispatched_at", null=True),
        timestamp("arrived_at", null=True),
        string("excuse", 20),
        text("excuse_note"),
        string("arrival_outcome", 20),
        text("result"),
        boolean("resolved_first_visit", null=True),
        timestamp("closed_at", null=True),
        ref("closed_by_id", "staff", null=True),
        index("ix_emergency_called", "called_at"),
        index("ix_emergency_open_due", "status", "due_at"),
    ),
    table(
        "planned_work",
        integer("id"),
        string("number", 30, unique=True),
        string("kind", 20),
        string("title", 100),
        string("area", 200),
        json("address_terms"),
        timestamp("starts_at"),
        timestamp("ends_at"),
        timestamp("noticed_at"),
        boolean("emergency"),
        text("peak_warning"),
        integer("affected_count"),
        string("status", 20),
        ref("created_by_id", "staff"),
        text("note"),
        index("ix_planned_work_starts", "starts_at"),
    ),
)


def upgrade() -> None:
    create(TABLES)


def downgrade() -> None:
    drop(TABLES)

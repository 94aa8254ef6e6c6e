"""Readable numbers unique across every counter: orders (KT-20261127-0001), receipts, customers, accounts.

One row per series and day, bumped with a single atomic upsert (… ON CONFLICT DO UPDATE …
RETURNING) on both databases, so concurrent counters never get the same number.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from gasdesk.models import NumberSequence


def next_value(session: Session, series: str) -> int:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    upsert = insert(NumberSequence).values(series=series, last_value=1)
    stmt = upsert.on_conflict_do_update(
        index_elements=[NumberSequence.series],
        set_={"last_value": NumberSequence.last_value + 1},
    ).returning(NumberSequence.last_value)
    return int(session.execute(stmt).scalar_one())


def reserve(session: Session, series: str, count: int) -> int:
    """Take `count` consecutive values of a series in one upsert; returns the first of them."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(NumberSequence).values(series=series, last_value=count).on_conflict_do_update(
        index_elements=[NumberSequence.series],
        set_={"last_value": NumberSequence.last_value + count},
    ).returning(NumberSequence.last_value)
    return int(session.execute(stmt).scalar_one()) - count + 1


def order_number(session: Session, prefix: str, day: date) -> str:
    stamp = day.strftime("%Y%m%d")
    return f"{prefix}-{stamp}-{next_value(session, f'{prefix}-{stamp}'):04d}"


def receipt_number(session: Session, day: date) -> str:
    stamp = day.strftime("%Y%m%d")
    return f"SJ-{stamp}-{next_value(session, f'SJ-{stamp}'):05d}"


def customer_number(session: Session) -> str:
    return f"C{next_value(session, 'customer'):09d}"


def account_number(session: Session) -> str:
    return f"A{next_value(session, 'account'):09d}"

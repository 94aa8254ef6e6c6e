"""The audit log: append-only, each row chained to the previous one by a hash.

The hashing lives here (not in the services) because migrations seal existing rows with it too.

Seals: every row of a sealed table (money, identity, who may do what) carries `digest`, the SHA-256 of
its fields; each write transaction that changes sealed rows appends one chained "seal" entry listing
`{"table:id": digest}`. `gasdesk audit verify` recomputes every row's digest and compares it with the
row's column and with the newest seal in the chain, so a value edited in a table is reported even when
its digest column was recomputed too.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, ForeignKey, Index, String, bindparam, select
from sqlalchemy.orm import Mapped, mapped_column

from gasdesk.models.base import Base, JsonData

GENESIS = "0" * 64
SEAL_ENTITY = "seal"

# The sealed fields of each sealed table, frozen: a digest must mean the same thing years later.
# A field added to one of these tables later is sealed by a migration that reseals every row.
SEALED: dict[str, tuple[str, ...]] = {
    "customer": ("number", "category", "status", "name", "name_initials", "id_type", "id_number",
                 "contact_person", "phone", "phone2", "address", "district", "gas_use_type", "yearly_allowance",
                 "household_size", "created_at", "closed_at", "predecessor_id"),
    "account": ("number", "customer_id", "status", "balance", "address", "opened_at", "activated_at",
                "suspended_at", "closed_at", "predecessor_id"),
    "payment": ("receipt_number", "kind", "amount", "cash_effect", "balance_effect", "method", "customer_id",
                "account_id", "order_id", "staff_id", "at", "item", "note", "reverses_id"),
    "bill": ("number", "account_id", "customer_id", "reading_id", "gas_use_type", "period_start", "period_end",
             "volume", "amount", "issued_at", "due_from", "due_to", "paid", "status", "staff_id"),
    "staff": ("login", "name", "department_id", "role", "password_hash", "active", "created_at"),
}


def render(value: Any) -> Any:
    """Audit values as JSON-safe text/numbers."""
    kind = type(value)
    if kind is str or kind is int or value is None:
        return value
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): render(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [render(v) for v in value]
    return str(value)


def entry_hash(prev_hash: str, at: datetime, staff_id: int | None, entity: str, entity_id: str,
               action: str, changes: dict[str, Any]) -> str:
    body = json.dumps(
        [prev_hash, at.isoformat(), staff_id, entity, entity_id, action, changes],
        ensure_ascii=False, sort_keys=True, separators=(",", ":"),
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _canonical(value: Any) -> Any:
    kind = type(value)
    if kind is str or kind is int or value is None:  # the common cases first: digests are made in bulk
        return value
    if kind is Decimal or kind is datetime or kind is date:
        # Bulk imports seal many rows with the same amounts and times: their text is remembered. Equal
        # values have equal text (zero aside: -0 and 0 are equal but print apart; naive times only).
        text = _TEXTS.get(value)
        if text is None:
            text = format(value.normalize(), "f") if kind is Decimal else value.isoformat()
            if value and (kind is not datetime or value.tzinfo is None) and len(_TEXTS) < 50_000:
                _TEXTS[value] = text
        return text
    if isinstance(value, bool):
        return int(value)  # SQLite hands booleans back as 0/1 to raw readers; the ORM as bool
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return render(value)


_PLAIN = frozenset({str, int, type(None)})
_TEXTS: dict[Any, str] = {}
# json.dumps(..., ensure_ascii=False, separators=...) builds an encoder per call; one, built once.
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def row_digest(table: str, values: dict[str, Any]) -> str:
    """The digest of a sealed row from its field values (as the ORM loads them)."""
    plain = _PLAIN
    body = _encode([table, [v if type(v) in plain else _canonical(v) for v in map(values.get, SEALED[table])]])
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def seal_key(table: str, row_id: int) -> str:
    return f"{table}:{row_id}"


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(40))
    # {field: [old, new]} with values rendered as text.
    changes: Mapped[dict[str, Any]] = mapped_column(JsonData, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


def seal_unsealed_rows(connection: Connection, at: datetime, *, chunk: int = 1000) -> int:
    """Digest every sealed-table row without a digest and name them in chained seal entries, as the
    application does on each write: for rows written in bulk outside it (migration 0008 sealing the
    rows already there; the benchmark generator). Run it holding the database's write lock (inside a
    write transaction; on PostgreSQL the caller takes the audit chain's advisory lock). Returns the
    number of rows sealed."""
    audit = Base.metadata.tables["audit_log"]
    head = connection.execute(select(audit.c.hash).order_by(audit.c.id.desc()).limit(1)).scalar() or GENESIS
    sealed = 0
    for table_name, fields in SEALED.items():
        t = Base.metadata.tables[table_name]
        last = 0
        while True:
            rows = connection.execute(select(t.c.id, *(t.c[f] for f in fields)).where(
                t.c.id > last, t.c.digest.is_(None)).order_by(t.c.id).limit(chunk)).all()
            if not rows:
                break
            last = rows[-1].id
            digests = {r.id: row_digest(table_name, {f: r._mapping[t.c[f]] for f in fields}) for r in rows}
            connection.execute(t.update().where(t.c.id == bindparam("rid")).values(digest=bindparam("d")),
                               [{"rid": i, "d": d} for i, d in digests.items()])
            changes = {seal_key(table_name, i): d for i, d in sorted(digests.items())}
            digest = entry_hash(head, at, None, SEAL_ENTITY, str(len(changes)), "seal", changes)
            connection.execute(audit.insert().values(at=at, staff_id=None, entity=SEAL_ENTITY,
                                                     entity_id=str(len(changes)), action="seal", changes=changes,
                                                     prev_hash=head, hash=digest))
            head = digest
            sealed += len(rows)
    return sealed

"""The audit trail: every change of master data and orders, chained by SHA-256.

Entries are collected during a unit of work and chained when it flushes its last changes, under a
lock (PostgreSQL advisory lock; SQLite's write lock is already held by BEGIN IMMEDIATE), so two
counters never fork the chain.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import event, inspect, select, text
from sqlalchemy.orm import Session

from gasdesk.models import AuditEntry

GENESIS = "0" * 64
_HEAD = "audit_chain_head"
_AUDIT_LOCK_KEY = 7_230_001


def render(value: Any) -> Any:
    """Audit values as JSON-safe text/numbers."""
    if value is None or isinstance(value, bool | int | str):
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


def changes_of(obj: Any, fields: list[str] | None = None) -> dict[str, list[Any]]:
    """{field: [old, new]} for the modified attributes of a loaded ORM object."""
    state = inspect(obj)
    result: dict[str, list[Any]] = {}
    for attr in state.attrs:
        if fields is not None and attr.key not in fields:
            continue
        if attr.key == "version":
            continue
        hist = attr.load_history()
        if hist.has_changes():
            old = hist.deleted[0] if hist.deleted else None
            new = hist.added[0] if hist.added else None
            if render(old) != render(new):
                result[attr.key] = [render(old), render(new)]
    return result


def snapshot(obj: Any, fields: list[str]) -> dict[str, list[Any]]:
    """{field: [None, value]} for a newly created object."""
    return {f: [None, render(getattr(obj, f))] for f in fields}


def append(session: Session, *, at: datetime, staff_id: int | None, entity: str, entity_id: Any,
           action: str, changes: dict[str, Any] | None = None) -> AuditEntry:
    """Append one chained entry to the caller's transaction.

    The chain's head is read once per transaction, under the lock, and then carried in the
    session: entries of one mapper are inserted in the order they were added, so ids follow the chain.
    """
    prev = session.info.get(_HEAD)
    if prev is None:
        lock_chain(session)
        prev = session.execute(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)).scalar() or GENESIS
    body = render(changes or {})
    entry = AuditEntry(
        at=at, staff_id=staff_id, entity=entity, entity_id=str(entity_id), action=action,
        changes=body, prev_hash=prev,
        hash=entry_hash(prev, at, staff_id, entity, str(entity_id), action, body),
    )
    session.add(entry)
    session.info[_HEAD] = entry.hash
    return entry


@event.listens_for(Session, "after_transaction_end")
def _forget_head(session: Session, _transaction: Any) -> None:
    """The carried head is only good inside the transaction that holds the lock."""
    session.info.pop(_HEAD, None)


def lock_chain(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _AUDIT_LOCK_KEY})


def verify(session: Session) -> tuple[bool, int | None, str]:
    """Walk the chain. Returns (ok, first broken entry id, explanation)."""
    prev = GENESIS
    expected_id: int | None = None
    for row in session.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars():
        if expected_id is not None and row.id != expected_id:
            return False, row.id, f"第 {expected_id} 至 {row.id - 1} 条审计记录缺失（被删除）"
        if row.prev_hash != prev:
            return False, row.id, f"第 {row.id} 条审计记录的前序哈希不符（之前的记录被删除或修改）"
        digest = entry_hash(row.prev_hash, row.at, row.staff_id, row.entity, row.entity_id, row.action,
                            row.changes)
        if digest != row.hash:
            return False, row.id, f"第 {row.id} 条审计记录内容被修改"
        prev = row.hash
        expected_id = row.id + 1
        session.expunge(row)
    return True, None, "审计链完整"

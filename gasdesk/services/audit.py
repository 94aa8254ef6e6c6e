"""The audit trail: every change of master data and orders, chained by SHA-256, and the evidence check.

Entries are collected during a unit of work and chained when it flushes its last changes, under a
lock (PostgreSQL advisory lock; SQLite's write lock is already held by BEGIN IMMEDIATE), so two
counters never fork the chain. Chain order is id order: each transaction reads the head and inserts
its entries while holding the lock, so a later transaction's ids are larger; a rolled-back transaction
leaves an id gap on PostgreSQL, which is no break, since the chain is followed by previous hash.

Rows of the sealed tables (gasdesk.models.audit.SEALED) get their `digest` at flush time, and each
transaction that changed sealed rows ends its part of the chain with one "seal" entry naming them.

`check()` walks the whole chain and reports every break, every anchor (a head recorded outside the
database: backup manifests, the printed daily cash report, a value typed by whoever verifies) that is
not in the chain, every sealed row whose fields no longer match the newest seal, and every account
whose balance is not its payments minus its bills.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from itertools import chain
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    MetaData,
    String,
    Table,
    and_,
    event,
    func,
    insert,
    inspect,
    select,
    text,
)
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator

from gasdesk.models import Account, AuditEntry, Base, Bill, Payment
from gasdesk.models.audit import GENESIS, SEAL_ENTITY, SEALED, entry_hash, render, row_digest, seal_key
from gasdesk.services import bulk

__all__ = ["GENESIS", "Anchor", "AuditReport", "append", "changes_of", "check", "entry_hash", "head", "lock_chain",
           "place", "render", "snapshot", "verify"]

_HEAD = "audit_chain_head"
_LAST = "audit_last_entry"
_SEAL = "audit_pending_seal"
_AUDIT_LOCK_KEY = 7_230_001

TABLE_LABELS = {"customer": "客户", "account": "燃气账户", "payment": "收费记录", "bill": "账单", "staff": "员工"}
_IDENT = {"customer": "number", "account": "number", "payment": "receipt_number", "bill": "number",
          "staff": "login"}


def changes_of(obj: Any, fields: list[str] | None = None) -> dict[str, list[Any]]:
    """{field: [old, new]} for the modified attributes of a loaded ORM object."""
    state = inspect(obj)
    result: dict[str, list[Any]] = {}
    for attr in state.attrs:
        if fields is not None and attr.key not in fields:
            continue
        if attr.key in ("version", "digest"):
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
    session.info[_LAST] = (at, staff_id)
    return entry


@event.listens_for(Session, "after_transaction_end")
def _forget_head(session: Session, transaction: Any) -> None:
    """The carried head is only good inside the transaction that holds the lock."""
    session.info.pop(_HEAD, None)
    if transaction.parent is None:
        session.info.pop(_SEAL, None)
        session.info.pop(_LAST, None)


def lock_chain(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _AUDIT_LOCK_KEY})


def head(session: Session) -> tuple[int | None, str]:
    """(id, hash) of the newest entry; (None, GENESIS) for an empty chain."""
    row = session.execute(select(AuditEntry.id, AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)).first()
    return (None, GENESIS) if row is None else (int(row[0]), str(row[1]))


def place(session: Session) -> int | None:
    """Where a row written now stands in the chain: the id of the newest entry this transaction sees
    (its own pending ones are not flushed to find it). Every audited change committed after it has a
    larger id, so a form undoes those to print what the row's step saw (services/as_of.py)."""
    with session.no_autoflush:
        return session.scalar(select(func.max(AuditEntry.id)))


# --- seals ----------------------------------------------------------------------------------------

def digest_of(session: Session, obj: Any, *, fill_defaults: bool = False) -> str:
    """The digest the row will have in the table: values pass through their column types as stored."""
    table = obj.__tablename__
    mapper = inspect(obj).mapper
    dialect = session.get_bind().dialect
    values: dict[str, Any] = {}
    for name in SEALED[table]:
        column = mapper.columns[name]
        value = getattr(obj, name)
        default = column.default
        if value is None and fill_defaults and default is not None and getattr(default, "is_scalar", False):
            value = default.arg  # type: ignore[attr-defined]
            setattr(obj, name, value)
        kind = column.type
        if value is not None and isinstance(kind, TypeDecorator):
            value = kind.process_result_value(kind.process_bind_param(value, dialect), dialect)
        values[name] = value
    return row_digest(table, values)


@event.listens_for(Session, "before_flush")
def _seal_rows(session: Session, _context: Any, _instances: Any) -> None:
    pending: dict[int, tuple[str, Any, bool]] = session.info.setdefault(_SEAL, {})
    for obj in chain(session.new, session.dirty):
        table = getattr(obj, "__tablename__", None)
        if table not in SEALED:
            continue
        new = obj in session.new
        if not new and not session.is_modified(obj):
            continue
        digest = digest_of(session, obj, fill_defaults=new)
        if new or obj.digest != digest:
            obj.digest = digest
            pending[id(obj)] = (table, obj, False)
    for obj in session.deleted:
        table = getattr(obj, "__tablename__", None)
        if table in SEALED:
            pending[id(obj)] = (table, obj, True)
    if not pending:
        session.info.pop(_SEAL, None)


SEAL_CHUNK = 5000


def seal_written(session: Session, *, at: datetime, staff_id: int | None,
                 rows: Sequence[tuple[str, int, str]]) -> int:
    """Seal rows of sealed tables written in bulk (Core statements the flush never sees), each given as
    (table, id, digest of its fields as written): chained seal entries of up to SEAL_CHUNK rows, as
    the flush's own seal names the rows an ORM write changed, themselves written in bulk (COPY on
    PostgreSQL). Returns the number of entries."""
    if not rows:
        return 0
    session.flush()  # entries appended before these are inserted first: ids follow the chain
    prev = session.info.get(_HEAD)
    if prev is None:
        lock_chain(session)
        prev = session.execute(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)).scalar() or GENESIS
    entries: list[dict[str, Any]] = []
    when = at.isoformat()
    for i in range(0, len(rows), SEAL_CHUNK):
        changes = {seal_key(table, row_id): digest for table, row_id, digest in rows[i:i + SEAL_CHUNK]}
        entity_id = str(len(changes))
        # entry_hash's body, with the changes serialised once (and stored as that same text)
        body = _sorted_json(changes)
        head = _sorted_json([prev, when, staff_id, SEAL_ENTITY, entity_id, "seal"])
        digest = hashlib.sha256(f"{head[:-1]},{body}]".encode()).hexdigest()
        entries.append({"at": at, "staff_id": staff_id, "entity": SEAL_ENTITY, "entity_id": entity_id,
                        "action": "seal", "changes": changes, "json": body, "prev_hash": prev, "hash": digest})
        prev = digest
    columns = ["at", "staff_id", "entity", "entity_id", "action", "changes", "prev_hash", "hash"]
    if session.get_bind().dialect.name == "postgresql":
        # Entries of thousands of digests are stored compressed (TOAST): lz4, where the server has it,
        # compresses them about four times faster than the default pglz (this transaction only).
        if session.scalar(text("SELECT 'lz4' = ANY(enumvals) FROM pg_settings "
                               "WHERE name = 'default_toast_compression'")):
            session.execute(text("SET LOCAL default_toast_compression = 'lz4'"))
        bulk.copy_rows(session, "audit_log", columns,
                       ([e["json"] if c == "changes" else e[c] for c in columns] for e in entries))
    else:
        session.execute(insert(AuditEntry), [{c: e[c] for c in columns} for e in entries])
    session.info[_HEAD] = prev
    session.info[_LAST] = (at, staff_id)
    return len(entries)


_sorted_json = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode


@event.listens_for(Session, "before_commit")
def _write_seal(session: Session) -> None:
    """One chained entry per transaction naming the digest of every sealed row it wrote."""
    if not (session.info.get(_SEAL) or session.new or session.dirty or session.deleted):
        return
    session.flush()
    pending = session.info.pop(_SEAL, None)
    if not pending:
        return
    seals = {seal_key(table, obj.id): (None if deleted else obj.digest) for table, obj, deleted in pending.values()}
    at, staff_id = session.info.get(_LAST) or (datetime.now().replace(microsecond=0), None)
    append(session, at=at, staff_id=staff_id, entity=SEAL_ENTITY, entity_id=len(seals), action="seal",
           changes=dict(sorted(seals.items())))
    session.flush()
    session.info.pop(_SEAL, None)


# --- the check ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Anchor:
    """A chain head recorded outside the database."""

    hash: str
    entry_id: int | None
    source: str


@dataclass(frozen=True)
class Problem:
    entry_id: int | None
    text: str


@dataclass
class AuditReport:
    entries: int = 0
    head_id: int | None = None
    head_hash: str = GENESIS
    anchors_checked: int = 0
    rows_checked: int = 0
    accounts_checked: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_row(self) -> int | None:
        return next((p.entry_id for p in self.problems if p.entry_id is not None), None)

    def add(self, entry_id: int | None, message: str) -> None:
        self.problems.append(Problem(entry_id, message))

    def lines(self) -> list[str]:
        head = f"第 {self.head_id} 条，{self.head_hash}" if self.head_id is not None else "空"
        out = [f"审计记录 {self.entries} 条；链首：{head}",
               f"对照锚点 {self.anchors_checked} 个；核对封签记录 {self.rows_checked} 行；"
               f"核对账户余额 {self.accounts_checked} 户"]
        if self.ok:
            out.append("审计链完整，表中数据与封签一致，账户余额与收费、账单相符")
        else:
            out.append(f"发现 {len(self.problems)} 处问题：")
            out += [f"  {i}. {p.text}" for i, p in enumerate(self.problems, 1)]
        return out


# Balances carried over from an earlier system when an account came to gasdesk: an audit entry on the
# account, {"balance": [old, new]}; the demo hall posts its arrears this way ('demo_opening_balance').
OPENING_ACTIONS = ("opening_balance", "demo_opening_balance")

_TEMP = "gasdesk_seal_check"
_SEALS = Table(_TEMP, MetaData(), Column("tbl", String(40), primary_key=True),
               Column("row_id", BigInteger, primary_key=True), Column("digest", String(64)),
               Column("audit_id", BigInteger, nullable=False), prefixes=["TEMPORARY"])
_BATCH = 5000


def check(session: Session, anchors: Iterable[Anchor] = ()) -> AuditReport:
    """Everything verify reports; give it a fresh session (on PostgreSQL it reads one snapshot)."""
    report = AuditReport()
    if session.get_bind().dialect.name == "postgresql" and not session.in_transaction():
        # one snapshot for the chain, the tables and the balances while counters keep working
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    wanted = {a.hash: a for a in anchors}
    report.anchors_checked = len(wanted)
    found: set[str] = set()
    session.execute(text(f"DROP TABLE IF EXISTS {_TEMP}"))
    _SEALS.create(session.connection())
    batch: dict[tuple[str, int], tuple[str | None, int]] = {}
    openings: dict[int, Decimal] = {}
    prev, prev_id = GENESIS, None
    rows = session.execute(
        select(AuditEntry.id, AuditEntry.at, AuditEntry.staff_id, AuditEntry.entity, AuditEntry.entity_id,
               AuditEntry.action, AuditEntry.changes, AuditEntry.prev_hash, AuditEntry.hash)
        .order_by(AuditEntry.id).execution_options(yield_per=2000))
    for r in rows:
        report.entries += 1
        intact = entry_hash(r.prev_hash, r.at, r.staff_id, r.entity, r.entity_id, r.action, r.changes) == r.hash
        if r.prev_hash != prev:
            where = "链首之前" if prev_id is None else f"第 {prev_id} 条与第 {r.id} 条之间"
            report.add(r.id, f"审计链在{where}断开：其间的审计记录缺失（被删除），或第 {r.id} 条的前序哈希被改写")
        if not intact:
            report.add(r.id, f"第 {r.id} 条审计记录内容被修改（与其哈希不符）")
        if r.hash in wanted:
            found.add(r.hash)
        if r.entity == "account" and r.action in OPENING_ACTIONS and intact:
            _add_opening(openings, r.entity_id, r.changes)
        if r.entity == SEAL_ENTITY and r.action == "seal" and isinstance(r.changes, dict):
            for key, digest in r.changes.items():
                table, _, row_id = str(key).partition(":")
                if table in SEALED and row_id.isdigit():
                    batch[(table, int(row_id))] = (digest, r.id)
            if len(batch) >= _BATCH:
                _store_seals(session, batch)
        prev, prev_id = r.hash, r.id
    _store_seals(session, batch)
    report.head_id, report.head_hash = prev_id, prev
    for anchor in wanted.values():
        if anchor.hash not in found:
            at = f"第 {anchor.entry_id} 条，" if anchor.entry_id is not None else ""
            report.add(anchor.entry_id, f"{anchor.source}记录的审计链首（{at}{anchor.hash[:16]}…）不在审计链中："
                                        "其后的审计记录被删除，或整条链被重新计算")
    for table in SEALED:
        _check_table(session, table, report)
    _check_balances(session, report, openings)
    session.execute(text(f"DROP TABLE IF EXISTS {_TEMP}"))
    return report


def _store_seals(session: Session, batch: dict[tuple[str, int], tuple[str | None, int]]) -> None:
    if not batch:
        return
    session.execute(
        text(f"INSERT INTO {_TEMP} (tbl, row_id, digest, audit_id) VALUES (:t, :i, :d, :a) "
             "ON CONFLICT (tbl, row_id) DO UPDATE SET digest = excluded.digest, audit_id = excluded.audit_id"),
        [{"t": t, "i": i, "d": d, "a": a} for (t, i), (d, a) in batch.items()])
    batch.clear()


def _check_table(session: Session, table: str, report: AuditReport) -> None:
    label, ident = TABLE_LABELS[table], _IDENT[table]
    t = Base.metadata.tables[table]
    fields = SEALED[table]
    stmt = (select(t.c.id, *(t.c[f] for f in fields), t.c.digest, _SEALS.c.digest.label("sealed"),
                   _SEALS.c.audit_id.label("sealed_by"))
            .select_from(t.outerjoin(_SEALS, and_(_SEALS.c.tbl == table, _SEALS.c.row_id == t.c.id)))
            .order_by(t.c.id).execution_options(yield_per=2000))
    for r in session.execute(stmt):
        report.rows_checked += 1
        row = r._mapping
        actual = row_digest(table, {f: row[t.c[f]] for f in fields})
        name = f"{label} {row[t.c[ident]] or r.id}（第 {r.id} 行）"
        if r.sealed_by is None:
            report.add(None, f"{name}：审计链中没有它的封签（记录未经程序写入）")
        elif actual != r.sealed:
            report.add(r.sealed_by, f"{name}：表中的数据与审计链中的封签（第 {r.sealed_by} 条审计记录）不符，"
                                    "数据被直接修改")
        elif row[t.c.digest] != actual:
            report.add(r.sealed_by, f"{name}：校验值被改写（数据本身与封签一致）")
    gone = session.execute(
        text(f"SELECT s.row_id, s.audit_id FROM {_TEMP} s WHERE s.tbl = :tbl AND s.digest IS NOT NULL "
             f"AND NOT EXISTS (SELECT 1 FROM {table} t WHERE t.id = s.row_id) ORDER BY s.row_id"), {"tbl": table})
    for row_id, audit_id in gone:
        report.add(audit_id, f"{label}（第 {row_id} 行）已从表中删除（审计链第 {audit_id} 条记录封存过它）")


def _add_opening(openings: dict[int, Decimal], entity_id: str, changes: Any) -> None:
    try:
        old, new = changes["balance"]
        openings[int(entity_id)] = openings.get(int(entity_id), Decimal("0.00")) + Decimal(new) - Decimal(old)
    except (KeyError, TypeError, ValueError, ArithmeticError):
        return


def _check_balances(session: Session, report: AuditReport, openings: dict[int, Decimal]) -> None:
    """Every balance is its opening balance (if any) plus its payments' balance effects minus its bills."""
    paid = (select(Payment.account_id.label("account_id"), func.sum(Payment.balance_effect).label("total"))
            .where(Payment.account_id.is_not(None)).group_by(Payment.account_id).subquery())
    billed = (select(Bill.account_id.label("account_id"), func.sum(Bill.amount).label("total"))
              .group_by(Bill.account_id).subquery())
    stmt = (select(Account.id, Account.number, Account.balance, paid.c.total, billed.c.total)
            .outerjoin(paid, paid.c.account_id == Account.id).outerjoin(billed, billed.c.account_id == Account.id)
            .order_by(Account.id).execution_options(yield_per=2000))
    zero = Decimal("0.00")
    for account_id, number, balance, payments, bills in session.execute(stmt):
        report.accounts_checked += 1
        expected = openings.get(account_id, zero) + (payments or zero) - (bills or zero)
        if balance != expected:
            report.add(None, f"燃气账户 {number}（第 {account_id} 行）：余额 {balance} 元，按期初余额、收费记录与账单重算应为 "
                             f"{expected} 元（相差 {balance - expected} 元）")


def verify(session: Session, anchors: Iterable[Anchor] = ()) -> tuple[bool, int | None, str]:
    """(ok, first broken entry id, explanation): the short form of check()."""
    report = check(session, anchors)
    if report.ok:
        return True, None, "审计链完整"
    return False, report.first_row, report.problems[0].text

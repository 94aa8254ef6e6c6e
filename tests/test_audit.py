"""The audit trail as evidence: every change is recorded and chained; every break, every anchor not in
the chain, every sealed row edited in its table and every balance that is not its payments minus its
bills is reported; PostgreSQL refuses to change audit rows."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text

from gasdesk.cli import main
from gasdesk.models import Account, AuditEntry, Customer, Payment
from gasdesk.models.audit import SEALED, entry_hash, row_digest
from gasdesk.services import anchors, audit
from gasdesk.services.cash_report import CashReportService
from gasdesk.services.errors import ServiceError
from gasdesk.services.payments import PaymentService
from tests.helpers import active_resident, make_team, set_balance, tamper


def _worked(app):
    team = make_team(app)
    c, o = active_resident(app, team)
    pay = PaymentService(app, team.clerk).prepay(o.account_id, Decimal("100.00"), "cash")
    return team, c, o, pay


def _check(app, anchors_=()):
    with app.reading() as s:
        return audit.check(s, anchors_)


def _verify(app, *args: str) -> int:
    return main(["--db", app.url, "audit", "verify", *args])


def test_changes_are_audited_and_the_chain_verifies(app):
    team = make_team(app)
    c, o = active_resident(app, team)
    with app.reading() as s:
        entities = set(s.scalars(select(AuditEntry.entity)))
        assert {"customer", "account", "meter", "service_order", "staff", "seal"} <= entities
        activation = s.scalar(select(AuditEntry).where(AuditEntry.entity == "account",
                                                       AuditEntry.action.like("activate%")))
        assert activation.changes["status"] == ["applying", "active"] and activation.staff_id == team.dispatcher.staff_id
        assert audit.verify(s) == (True, None, "审计链完整")
        # every sealed row carries its digest, and the chain names it
        for row in s.scalars(select(Customer)):
            assert row.digest == row_digest("customer", {f: getattr(row, f) for f in SEALED["customer"]})
    report = _check(app)
    assert report.ok and report.rows_checked >= 8 and report.accounts_checked == 1


def test_an_edited_row_is_caught(app):
    _worked(app)
    tamper(app, "UPDATE audit_log SET action = 'nothing' WHERE id = 5")
    with app.reading() as s:
        ok, row, why = audit.verify(s)
    assert (ok, row) == (False, 5) and "修改" in why


def test_a_deleted_row_is_caught(app):
    _worked(app)
    with app.reading() as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry)) > 8
    tamper(app, "DELETE FROM audit_log WHERE id = 7")
    with app.reading() as s:
        ok, row, why = audit.verify(s)
    assert (ok, row) == (False, 8) and "缺失" in why


def test_every_break_is_reported_not_only_the_first(app, capsys):
    _worked(app)
    tamper(app, "DELETE FROM audit_log WHERE id IN (4, 9)")
    tamper(app, "UPDATE audit_log SET entity_id = 'x' WHERE id = 14")
    report = _check(app)
    broken = [p.entry_id for p in report.problems]
    assert broken[:3] == [5, 10, 14]
    assert _verify(app) == 1
    out = capsys.readouterr().out
    assert "第 4 条与第 5 条之间" not in out and "第 3 条与第 5 条之间" in out and "第 8 条与第 10 条之间" in out
    assert "第 14 条审计记录内容被修改" in out


def test_a_rewritten_link_is_caught(app):
    _worked(app)
    tamper(app, "UPDATE audit_log SET prev_hash = :h WHERE id = 3", {"h": "f" * 64})
    with app.reading() as s:
        ok, row, _ = audit.verify(s)
    assert (ok, row) == (False, 3)


def test_a_rolled_back_transaction_leaves_verify_clean(app):
    """On PostgreSQL the rolled-back entries used sequence numbers: an id gap that is no break."""
    team, _c, o, _pay = _worked(app)
    with app.reading() as s:
        before = s.scalar(select(func.max(AuditEntry.id)))
    with pytest.raises(RuntimeError), app.unit_of_work() as s:
        account = s.get(Account, o.account_id)
        audit.append(s, at=app.clock.now(), staff_id=team.clerk.staff_id, entity="account", entity_id=account.id,
                     action="note", changes={"x": [None, 1]})
        account.address = account.address + "（改）"
        s.flush()
        raise RuntimeError("the counter dies here")
    PaymentService(app, team.clerk).prepay(o.account_id, Decimal("5.00"), "cash")
    with app.reading() as s:
        ids = list(s.scalars(select(AuditEntry.id).where(AuditEntry.id > before).order_by(AuditEntry.id)))
    if app.engine.dialect.name == "postgresql":
        assert ids[0] > before + 1, "the rolled-back entries left a gap"
    report = _check(app)
    assert report.ok, report.problems
    assert _verify(app) == 0


def test_a_payment_amount_edited_in_the_table_is_reported(app, capsys):
    _team, _c, _o, pay = _worked(app)
    tamper(app, "UPDATE payment SET amount = amount * 10 WHERE id = :i", {"i": pay.id})
    assert _verify(app) == 1
    out = capsys.readouterr().out
    assert f"收费记录 {pay.receipt_number}" in out and "数据被直接修改" in out


def test_an_edit_with_its_digest_recomputed_is_still_reported(app):
    """The digest column alone proves nothing: the newest seal in the chain decides."""
    _team, _c, _o, pay = _worked(app)
    with app.reading() as s:
        row = s.get(Payment, pay.id)
        values = {f: getattr(row, f) for f in SEALED["payment"]}
    values["amount"] = Decimal("1.00")
    tamper(app, "UPDATE payment SET amount = :a, digest = :d WHERE id = :i",
           {"a": 100 if app.engine.dialect.name == "sqlite" else Decimal("1.00"), "d": row_digest("payment", values),
            "i": pay.id})
    report = _check(app)
    assert [p.text for p in report.problems if pay.receipt_number in p.text]


def test_balances_and_id_numbers_edited_in_the_table_are_reported(app, capsys):
    _team, c, o, _pay = _worked(app)
    cents = 99_999_00 if app.engine.dialect.name == "sqlite" else Decimal("99999.00")
    tamper(app, "UPDATE account SET balance = :b WHERE id = :i", {"b": cents, "i": o.account_id})
    tamper(app, "UPDATE customer SET id_number = '110101199001011237' WHERE id = :i", {"i": c.id})
    assert _verify(app) == 1
    out = capsys.readouterr().out
    assert f"客户 {c.number}" in out and "燃气账户" in out
    assert "按期初余额、收费记录与账单重算应为 100.00 元" in out
    assert "110101199001011237" not in out, "no personal data in the report"


def test_a_balance_that_is_not_payments_minus_bills_is_listed(app):
    _team, _c, o, _pay = _worked(app)
    set_balance(app, o.account_id, Decimal("-35.20"))  # through the program: sealed, but not derived
    report = _check(app)
    assert [p.text for p in report.problems] == [
        f"燃气账户 {report_number(app, o.account_id)}（第 {o.account_id} 行）：余额 -35.20 元，"
        "按期初余额、收费记录与账单重算应为 100.00 元（相差 -135.20 元）"]


def report_number(app, account_id):
    with app.reading() as s:
        return s.get(Account, account_id).number


def test_deleting_the_tail_is_caught_against_the_printed_daily_report(app, tmp_path, capsys):
    team, _c, _o, _pay = _worked(app)
    folder = tmp_path / "anchors"
    _pdf, data = CashReportService(app, team.clerk).print_day(app.clock.now().date(), anchor_folder=folder)
    assert _verify(app, "--backups", str(folder)) == 0
    capsys.readouterr()
    with app.reading() as s:
        last = s.scalar(select(func.max(AuditEntry.id)))
    assert last == data.audit_entry_id
    tamper(app, "DELETE FROM audit_log WHERE id = :i", {"i": last})
    # without an anchor nothing shows: the chain is whole up to its new end
    assert _verify(app, "--backups", str(tmp_path / "nothing")) == 0
    capsys.readouterr()
    assert _verify(app, "--backups", str(folder)) == 1
    assert "收费日结单" in capsys.readouterr().out
    # the head typed from the signed paper is enough
    assert _verify(app, "--backups", str(tmp_path / "nothing"), "--anchor", data.anchor) == 1
    assert "手工输入的锚点" in capsys.readouterr().out


def test_a_rebuilt_chain_is_caught_against_the_anchors(app, tmp_path, capsys):
    """Someone with write access edits a payment, reseals it and recomputes every hash after it."""
    team, _c, _o, pay = _worked(app)
    folder = tmp_path / "anchors"
    _pdf, data = CashReportService(app, team.clerk).print_day(app.clock.now().date(), anchor_folder=folder)
    with app.reading() as s:
        row = s.get(Payment, pay.id)
        values = {f: getattr(row, f) for f in SEALED["payment"]}
        entries = list(s.execute(select(AuditEntry.id, AuditEntry.at, AuditEntry.staff_id, AuditEntry.entity,
                                        AuditEntry.entity_id, AuditEntry.action, AuditEntry.changes)
                                 .order_by(AuditEntry.id)))
    values["amount"] = Decimal("1.00")
    forged = row_digest("payment", values)
    key = f"payment:{pay.id}"
    prev, rewritten = "0" * 64, []
    for e in entries:
        changes = dict(e.changes)
        if e.entity == "seal" and key in changes:
            changes[key] = forged
        digest = entry_hash(prev, e.at, e.staff_id, e.entity, e.entity_id, e.action, changes)
        rewritten.append({"i": e.id, "c": json.dumps(changes, ensure_ascii=False), "p": prev, "h": digest})
        prev = digest
    tamper(app, "UPDATE payment SET amount = :a, digest = :d WHERE id = :i",
           {"a": 100 if app.engine.dialect.name == "sqlite" else Decimal("1.00"), "d": forged, "i": pay.id})
    cast = "CAST(:c AS JSONB)" if app.engine.dialect.name == "postgresql" else ":c"
    tamper(app, f"UPDATE audit_log SET changes = {cast}, prev_hash = :p, hash = :h WHERE id = :i", rewritten)
    report = _check(app)
    assert [p.text for p in report.problems if "燃气账户" not in p.text] == []  # the forgery is consistent...
    assert _verify(app, "--backups", str(folder)) == 1  # ...but the printed head is gone
    assert "不在审计链中" in capsys.readouterr().out
    assert _verify(app, "--anchor", data.anchor, "--backups", str(tmp_path / "none")) == 1


def test_a_badly_typed_anchor_is_refused(app, capsys):
    assert _verify(app, "--anchor", "12:abc") == 2
    assert "64 位哈希值" in capsys.readouterr().err


def test_anchor_parsing():
    a = anchors.parse(" 12:" + "AB" * 32)
    assert (a.entry_id, a.hash) == (12, "ab" * 32)
    assert anchors.parse("cd" * 32).entry_id is None


@pytest.mark.pg
def test_postgresql_refuses_to_change_or_remove_audit_rows(db_url, clock):
    if not db_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only: the append-only trigger")
    from gasdesk.services.context import App

    app = App(db_url, clock, migrate=False)
    try:
        _worked(app)
        for sql in ("UPDATE audit_log SET action = 'x' WHERE id = 2", "DELETE FROM audit_log WHERE id = 2",
                    "TRUNCATE audit_log CASCADE"):
            # The trigger refuses; the counter gets the database refusal in Chinese, nothing changes.
            with pytest.raises(ServiceError), app.unit_of_work() as s:
                s.execute(text(sql))
        assert _check(app).ok
    finally:
        app.dispose()


def test_upgrading_seals_the_rows_already_there(app):
    """Migration 0008 on a database with data: every existing row gets its digest and a seal."""
    from alembic import command

    from gasdesk import db

    _worked(app)
    cfg = db.alembic_config(app.url)
    with app.engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, "0006")
    with app.engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")
    report = _check(app)
    assert report.ok, report.problems
    with app.reading() as s:
        assert s.scalar(select(func.count()).select_from(Customer).where(Customer.digest.is_(None))) == 0


def test_killed_counters_leave_no_false_alarm(app):
    """SIGKILL a counter in the middle of its transactions: on PostgreSQL its audit rows' ids are
    used up (a gap), and verify stays clean every time."""
    import os
    import random
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    from tests.test_crash_safety import WRITER

    team = make_team(app)
    customer, order = active_resident(app, team)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    rng = random.Random(11)
    for _ in range(4):
        proc = subprocess.Popen([sys.executable, "-c", WRITER, app.url, str(customer.id), str(order.account_id)],
                                stdout=subprocess.PIPE, env=env)
        assert proc.stdout is not None and proc.stdout.readline().strip() == b"ready"
        time.sleep(rng.uniform(0.2, 0.8))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        report = _check(app)
        assert report.ok, report.problems
    assert report.entries > 30


def test_an_opening_balance_from_an_earlier_system_reconciles(app):
    _team, _c, o, _pay = _worked(app)
    with app.unit_of_work() as s:
        account = s.get(Account, o.account_id)
        old = account.balance
        account.balance = old - Decimal("35.20")
        audit.append(s, at=app.clock.now(), staff_id=None, entity="account", entity_id=account.id,
                     action="opening_balance", changes={"balance": [old, account.balance]})
    assert _check(app).ok


def test_a_payment_deleted_from_its_table_is_reported(app):
    _team, _c, o, pay = _worked(app)
    tamper(app, "DELETE FROM payment WHERE id = :i", {"i": pay.id})
    texts = [p.text for p in _check(app).problems]
    assert any(f"收费记录（第 {pay.id} 行）已从表中删除" in t for t in texts)
    assert any("燃气账户" in t and "相差 100.00 元" in t for t in texts)

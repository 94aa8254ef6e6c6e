"""Many counters at once: 8 processes opening orders and taking payments on one database."""

from __future__ import annotations

import multiprocessing as mp
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from gasdesk.models import Account, Payment, ServiceOrder
from gasdesk.services.context import App
from gasdesk.services.customers import CustomerService
from gasdesk.services.errors import Conflict
from gasdesk.services.orders import OrderService
from gasdesk.services.payments import PaymentService
from tests.helpers import active_resident, make_team, resident

WORKERS = 8
ROUNDS = 6


def run_at_once(target, arg_lists) -> None:  # type: ignore[no-untyped-def]
    """Start one process per argument list, all together, and expect each to finish cleanly."""
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=target, args=args) for args in arg_lists]
    for p in procs:
        p.start()
    for p in procs:
        p.join(240)
        assert p.exitcode == 0


def _counter(url: str, clerk, account_ids: list[int], customer_ids: list[int], worker: int) -> None:
    app = App(url, migrate=False)
    try:
        payments = PaymentService(app, clerk)
        orders = OrderService(app, clerk)
        for i in range(ROUNDS):
            # every counter pays into the same accounts: balances must not lose an update
            payments.prepay(account_ids[i % len(account_ids)], Decimal("1.01") * (worker + 1), "cash")
            c = customer_ids[worker * ROUNDS + i]
            orders.open("complaint", c, data={"complaint_type": "enquiry", "content": f"第{worker}号柜台",
                                              "contact_phone": "13900000000"})
    finally:
        app.dispose()


def test_eight_counters_at_once(app):
    team = make_team(app)
    accounts = [active_resident(app, team, f"共享户{i}")[1].account_id for i in range(3)]
    customers = [resident(app, team.clerk, f"客户{i}").id for i in range(WORKERS * ROUNDS)]
    run_at_once(_counter, [(app.url, team.clerk, accounts, customers, w) for w in range(WORKERS)])
    with app.reading() as s:
        numbers = s.scalars(select(ServiceOrder.number).where(ServiceOrder.kind == "complaint")).all()
        assert len(numbers) == WORKERS * ROUNDS == len(set(numbers))
        receipts = s.scalars(select(Payment.receipt_number)).all()
        assert len(receipts) == WORKERS * ROUNDS and len(set(receipts)) == len(receipts)
        for account_id in accounts:
            balance = s.get(Account, account_id).balance
            paid = s.scalar(select(func.sum(Payment.balance_effect)).where(Payment.account_id == account_id))
            assert balance == paid
        expected = sum(Decimal("1.01") * (w + 1) for w in range(WORKERS)) * ROUNDS
        assert s.scalar(select(func.sum(Payment.amount))) == expected


def test_two_clerks_saving_the_same_customer(app):
    team = make_team(app)
    c = resident(app, team.clerk)
    first = CustomerService(app, team.clerk)
    second = CustomerService(app, team.manager)
    first.update_contact(c.id, c.version, phone="13511112222")
    with pytest.raises(Conflict, match="其他柜台"):
        second.update_contact(c.id, c.version, phone="13633334444")
    assert first.get(c.id).phone.endswith("2222") and first.get(c.id).phone.startswith("135")


def _printer(url: str, clerk, order_id: int) -> None:
    from gasdesk.services.printing import PrintService

    app = App(url, migrate=False)
    try:
        for _ in range(3):
            PrintService(app, clerk).render(order_id, "acceptance")
    finally:
        app.dispose()


def test_four_counters_printing_one_order_at_once(app):
    from gasdesk.models import OrderStep

    team = make_team(app)
    c = resident(app, team.clerk, "同打印")
    order = OrderService(app, team.clerk).open("complaint", c.id, data={
        "complaint_type": "enquiry", "content": "咨询", "contact_phone": "13900000000"})
    run_at_once(_printer, [(app.url, team.clerk, order.id)] * 4)
    with app.reading() as s:
        prints = s.scalars(select(OrderStep).where(OrderStep.order_id == order.id, OrderStep.action == "print")
                           .order_by(OrderStep.seq)).all()
        assert len(prints) == 12 and len({p.seq for p in prints}) == 12
        assert [p.data["copy"] for p in prints].count(False) == 1 and not prints[0].data["copy"]


def _batch_printer(url: str, clerk, order_ids: list[int]) -> None:
    from gasdesk.services.printing import PrintService

    app = App(url, migrate=False)
    try:
        for _ in range(3):
            PrintService(app, clerk).render_batch([(oid, "acceptance", None) for oid in order_ids])
    finally:
        app.dispose()


def test_batches_printing_the_same_orders_in_opposite_orders_do_not_deadlock(app):
    from gasdesk.models import OrderStep

    team = make_team(app)
    ids = [OrderService(app, team.clerk).open("complaint", resident(app, team.clerk, f"批{i}").id, data={
        "complaint_type": "enquiry", "content": "咨询", "contact_phone": "13900000000"}).id for i in range(2)]
    run_at_once(_batch_printer, [(app.url, team.clerk, order) for order in (ids, ids[::-1], ids, ids[::-1])])
    with app.reading() as s:
        for oid in ids:
            seqs = s.scalars(select(OrderStep.seq).where(OrderStep.order_id == oid, OrderStep.action == "print")).all()
            assert len(seqs) == 12 == len(set(seqs))

"""Kill a writing counter with SIGKILL at random moments: the database stays whole every time."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from gasdesk.models import Deadline, OrderStep, Payment, ServiceOrder
from gasdesk.services import audit
from gasdesk.services.backup import check_integrity
from gasdesk.services.context import App
from tests.helpers import active_resident, make_team

WRITER = r"""
import sys
from decimal import Decimal
from gasdesk.services.context import App, Actor
from gasdesk.services.orders import OrderService
from gasdesk.services.payments import PaymentService
from gasdesk.vocab import Role
url, customer, account = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
app = App(url, migrate=False)
clerk = Actor(2, "clerk", "李娜", Role.CLERK)
orders, payments = OrderService(app, clerk), PaymentService(app, clerk)
print("ready", flush=True)
while True:
    o = orders.open("complaint", customer, data={"complaint_type": "complaint", "content": "x" * 500,
                                                 "contact_phone": "13900000000"})
    orders.perform(o.id, "refer", {"department": "distribution", "summary": "处理"})
    payments.prepay(account, Decimal("0.01"), "cash")
"""


def test_sigkill_never_leaves_half_written_orders(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'crash.sqlite'}"
    app = App(url)
    team = make_team(app)
    customer, order = active_resident(app, team)
    app.dispose()
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    rng = random.Random(7)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    for _ in range(12):
        proc = subprocess.Popen([sys.executable, str(script), url, str(customer.id), str(order.account_id)],
                                stdout=subprocess.PIPE, env=env)
        assert proc.stdout is not None and proc.stdout.readline().strip() == b"ready"
        time.sleep(rng.uniform(0.05, 0.6))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert check_integrity(tmp_path / "crash.sqlite") == "ok"
        written = check_whole(url)
    assert written > 12, "the writer must have committed work between the kills"


def check_whole(url: str) -> int:
    app = App(url, migrate=False)
    try:
        with app.reading() as s:
            opened = s.scalar(select(func.count()).select_from(ServiceOrder).where(ServiceOrder.kind == "complaint"))
            logged = s.scalar(select(func.count(func.distinct(OrderStep.order_id))).join(
                ServiceOrder, ServiceOrder.id == OrderStep.order_id).where(ServiceOrder.kind == "complaint"))
            assert opened == logged
            # every order that reached 'handling' has its handling deadline, and its log says so
            for o in s.scalars(select(ServiceOrder).where(ServiceOrder.step == "handling")):
                assert s.scalar(select(func.count()).select_from(Deadline).where(
                    Deadline.order_id == o.id, Deadline.step == "handling")) == 1
                assert s.scalar(select(func.count()).select_from(OrderStep).where(
                    OrderStep.order_id == o.id, OrderStep.action == "refer")) == 1
            balance = s.execute(select(func.sum(Payment.balance_effect))).scalar() or 0
            from gasdesk.models import Account

            assert sum(a.balance for a in s.scalars(select(Account))) == balance
            ok, row, why = audit.verify(s)
            assert ok, why
            return int(opened)
    finally:
        app.dispose()

"""A form's company header, contract texts and staff names are those of its step: the administrator
edits the company profile and renames the clerks after an order's steps and payments, and every
reprint (order forms, the order's receipt, a counter receipt) reads as the original did, while an
order opened after the edit prints the new profile and names. On SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select

from gasdesk.models import OrderStep
from gasdesk.services.as_of import PLACE_KEY
from gasdesk.services.flow_context import FACTS_KEY
from gasdesk.services.payments import PaymentService
from gasdesk.services.printing import PrintService
from gasdesk.services.receipts import ReceiptService
from gasdesk.services.settings import SettingsService
from gasdesk.services.staff import StaffService
from tests.profile_edits import (
    NEW_WORDS,
    edit_profile_and_rename,
    meter_change,
    profiled_team,
    text_of,
    unmarked,
)


@pytest.fixture
def team(app):
    return profiled_team(app)


def print_each(app, actor, order_id: int) -> dict[str, str]:
    printer = PrintService(app, actor)
    return {f"{f.code}:{f.payment_id}": text_of(printer.render(order_id, f.code, payment_id=f.payment_id))
            for f in printer.forms_for(order_id)}


def test_reprints_after_a_profile_edit_and_renames_read_as_the_originals(app, team, clock):
    o, act = meter_change(app, team, clock, "M-H1")
    counter = PaymentService(app, team.clerk).prepay(act.account_id, "100", "cash")
    first = print_each(app, team.clerk, o.id)
    assert sorted(k.split(":")[0] for k in first) == ["acceptance", "meter_change", "receipt"]
    receipt = next(k for k in first if k.startswith("receipt:"))
    first_counter = text_of(ReceiptService(app, team.clerk).render(counter.id))
    for text in (*first.values(), first_counter):
        assert "黔中燃气有限公司" in text and "96001" in text and "塔山路1号" in text
    assert "第一版说明" in first["acceptance:None"] and "李娜" in first["acceptance:None"]
    assert "刘洋" in first[receipt] and "李娜" in first_counter  # who took each payment

    # In the same second as the counter payment (placed by the audit chain, not the clock); a year on.
    renamed = edit_profile_and_rename(app, team)
    clock.advance(days=365)
    again = print_each(app, renamed.manager, o.id)
    again_counter = text_of(ReceiptService(app, renamed.manager).render(counter.id))
    for key, text in [*again.items(), ("counter", again_counter)]:
        assert "副本" in text, key
        assert [w for w in NEW_WORDS if w in unmarked(text)] == [], key
    for key, text in first.items():
        assert unmarked(again[key]) == unmarked(text), key
    assert unmarked(again_counter) == unmarked(first_counter)

    # An order opened after the edit prints the profile, texts and names of its own day.
    fresh, _ = meter_change(app, renamed, clock, "M-H2")
    now = print_each(app, renamed.clerk, fresh.id)
    for key, text in now.items():
        assert "安顺新城燃气有限公司" in text and "96002" in text and "黄果树大街9号" in text, key
        assert "黔中燃气" not in text and "塔山路" not in text, key
    assert "第二版说明" in now["acceptance:None"] and "李娜娜" in now["acceptance:None"]
    assert "刘洋洋" in next(v for k, v in now.items() if k.startswith("receipt:"))


def test_an_order_logged_before_steps_kept_their_place_prints_the_profile_of_its_time(app, team, clock):
    """Rows without a place (and without facts) are placed by their time: a change made in a later
    second is undone."""
    o, _ = meter_change(app, team, clock, "M-H3")
    with app.unit_of_work() as s:
        for row in s.scalars(select(OrderStep).where(OrderStep.order_id == o.id)):
            row.data = {k: v for k, v in row.data.items() if k not in (PLACE_KEY, FACTS_KEY)}
    first = print_each(app, team.clerk, o.id)
    clock.advance(seconds=1)
    renamed = edit_profile_and_rename(app, team)
    clock.advance(days=30)
    again = print_each(app, renamed.manager, o.id)
    for key, text in first.items():
        assert "黔中燃气有限公司" in text, key
        assert unmarked(again[key]) == unmarked(text), key


def test_printing_an_orders_forms_reads_no_more_after_a_long_history(app, team, clock):
    """The profile and names of then cost the same queries whatever was edited since: the changes are
    read once for the order, not replayed row by row."""
    o, _ = meter_change(app, team, clock, "M-H4")
    engines = {app.engine, app.read_engine}
    count = [0]

    def counted(*_args: object) -> None:
        count[0] += 1

    def queries_to_print() -> int:
        for engine in engines:
            event.listen(engine, "before_cursor_execute", counted)
        try:
            count[0] = 0
            PrintService(app, team.clerk).render_all(o.id)
            return count[0]
        finally:
            for engine in engines:
                event.remove(engine, "before_cursor_execute", counted)

    queries_to_print()  # the first print: originals; every later one is a reprint
    before = queries_to_print()
    for i in range(15):
        clock.advance(minutes=1)
        SettingsService(app, team.admin).update({"company.service_phone": f"9700{i:02d}",
                                                  "texts": {"acceptance_note": f"第{i}版"}})
        StaffService(app, team.admin).update(team.clerk.staff_id, name=f"李娜{i}")
        StaffService(app, team.admin).update(team.dispatcher.staff_id, name=f"刘洋{i}")
    assert queries_to_print() == before
    text = text_of(PrintService(app, team.clerk).render(o.id, "acceptance"))
    # The printer is named as the staff record has it now (李娜14), beside the print time.
    assert "打印人：李娜14" in text
    assert "96001" in unmarked(text) and "李娜" in unmarked(text) and "李娜1" not in unmarked(text)

"""The papers outside the order forms print the facts of their own step: the bank agreement (its
signing), the transmittal sheet (its file made), the daily cash report (the day closed), the
planned-work notice (the notice made) and a counter receipt (its payment, with the account and meter
as they were). The administrator edits the company profile and renames the staff, the agreement is
suspended, the work cancelled, the customer's phone, the account and the meter change; every reprint
reads as the first print did, and a paper made afterwards prints the new values. A clerk renamed while
signed in is named by the staff record from the next step on. On SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from gasdesk.models import Account, OrderStep, Payment
from gasdesk.services import audit, settings
from gasdesk.services.bank import BankService
from gasdesk.services.billing import BillingService
from gasdesk.services.cash_report import CashReportService
from gasdesk.services.customers import CustomerService
from gasdesk.services.flow_context import FACTS_KEY
from gasdesk.services.orders import OrderService
from gasdesk.services.payments import PaymentService
from gasdesk.services.planned_work import PlannedWorkService
from gasdesk.services.printing import PrintService
from gasdesk.services.receipts import ReceiptService, receipt_context
from gasdesk.services.staff import StaffService
from tests.bank_helpers import CARD_19, CARD_19B, agree, billed
from tests.helpers import active_resident
from tests.profile_edits import NEW_WORDS, edit_profile_and_rename, profiled_team, text_of, unmarked

OLD_WORDS = ("黔中燃气有限公司", "96001")
NEW_COMPANY = ("安顺新城燃气有限公司", "96002")


@pytest.fixture
def team(app):
    return profiled_team(app)


def unprinted(text: str) -> str:
    """The text without what every print states of itself: the 打印 line (who printed, when), the
    print time and printer beside a form's header, and 副本."""
    text = re.sub(r"打印：[^\n]*", "", unmarked(text))
    return "\n".join(line for line in text.split("\n") if not re.fullmatch(r"\s*副\s*本\s*", line))


def without_new(text: str) -> list[str]:
    return [w for w in NEW_WORDS if w in text]


def named(text: str, name: str) -> bool:
    """`name` stands in the text as a whole name (李娜, not the start of 李娜娜)."""
    return re.search(re.escape(name) + r"(?!娜|洋|强)", text) is not None


def test_bank_papers_reprint_as_signed_and_as_the_file_was_made(app, team, clock):
    _, first_home, _ = billed(app, team, clock, "张伟", "M-PF-1", "20")
    _, later_home, _ = billed(app, team, clock, "欧阳娜娜", "M-PF-2", "30")
    signed = agree(app, team, first_home.account_id)  # by the clerk 李娜
    clock.set(datetime(2026, 12, 21, 9, 30))
    run, _ = BankService(app, team.manager).create_run("GH", "2026-12")  # made by 王强
    agreement = text_of(BankService(app, team.clerk).render_agreement(signed.id))
    sheet = text_of(BankService(app, team.manager).render_transmittal(run.id))
    for text in (agreement, sheet):
        assert "黔中燃气有限公司" in text and without_new(unprinted(text)) == []
    assert "96001" in agreement and named(agreement, "李娜") and "有效" in agreement and named(sheet, "王强")

    # The profile edited, the staff renamed and the agreement suspended, the same morning.
    clock.advance(hours=1)
    renamed = edit_profile_and_rename(app, team)
    BankService(app, renamed.clerk).set_status(signed.id, "suspended", "客户要求暂停")
    # Signed and made after the edit, by a clerk and a manager still signed in under their old names.
    later = BankService(app, team.clerk).open_agreement(
        later_home.account_id, bank="GH", branch="示例市人民路支行", holder="欧阳娜娜", bank_account=CARD_19B,
        signed_on=date(2026, 12, 21))
    later_run, _ = BankService(app, team.manager).create_run("GH", "2026-12")
    for text in (text_of(BankService(app, renamed.clerk).render_agreement(later.id)),
                 text_of(BankService(app, renamed.manager).render_transmittal(later_run.id))):
        assert "安顺新城燃气有限公司" in text and "黔中燃气" not in text
        assert "李娜娜" in text or "王强强" in text

    clock.advance(days=365)
    again = text_of(BankService(app, renamed.manager).render_agreement(signed.id))
    again_sheet = text_of(BankService(app, renamed.manager).render_transmittal(run.id))
    assert re.search(r"副\s*本", again) and "王强强" in again  # a copy; who printed it, today
    assert unprinted(again) == unprinted(agreement)
    assert unprinted(again_sheet) == unprinted(sheet)
    assert CARD_19 in again  # the signed agreement prints the full number


def cash_unprinted(text: str) -> str:
    """A cash report without this print's own facts: its time and printer, and its audit anchor."""
    text = re.sub(r"打印：\d{4}-\d\d-\d\d \d\d:\d\d（[^\n]*", "", text)
    return re.sub(r"第 \d+ 条审计记录|\d+:[0-9a-f]{64}", "", text)


def test_a_cash_report_prints_the_day_as_it_closed(app, team, clock, tmp_path):
    _c, home = active_resident(app, team, "周明", meter="M-PF-C")
    day = date(2026, 12, 1)
    clock.set(datetime(2026, 12, 1, 10, 0))
    PaymentService(app, team.clerk).prepay(home.account_id, "80", "cash")
    PaymentService(app, team.manager).prepay(home.account_id, "30", "cash")
    clock.set(datetime(2026, 12, 1, 16, 0))
    first, data = CashReportService(app, team.clerk).print_day(day, anchor_folder=tmp_path)
    first = text_of(first)
    assert "黔中燃气有限公司" in first and named(first, "李娜") and "80.00" in first
    assert str(data.audit_entry_id) in first

    clock.set(datetime(2026, 12, 2, 8, 0))  # the edit after the day ended
    renamed = edit_profile_and_rename(app, team)
    clock.set(datetime(2026, 12, 2, 9, 0))
    again, again_data = CashReportService(app, team.clerk).print_day(day, anchor_folder=tmp_path)
    again = text_of(again)
    assert again_data.audit_entry_id > data.audit_entry_id and "李娜娜" in again  # printed by, today
    assert without_new(cash_unprinted(again)) == []
    assert cash_unprinted(again) == cash_unprinted(first)
    # The manager's day, first printed the next morning after the edit: the day's profile and name.
    managers = text_of(CashReportService(app, renamed.manager).print_day(day, anchor_folder=tmp_path)[0])
    assert "黔中燃气有限公司" in managers and without_new(cash_unprinted(managers)) == []
    assert "收费员：王强 " in managers and "签字：\n王强\n" in managers

    clock.set(datetime(2026, 12, 2, 10, 0))
    PaymentService(app, team.clerk).prepay(home.account_id, "12", "cash")
    today = text_of(CashReportService(app, team.clerk).print_day(date(2026, 12, 2), anchor_folder=tmp_path)[0])
    assert "安顺新城燃气有限公司" in today and "收费员：李娜娜" in today and "黔中燃气" not in today


def test_a_planned_work_notice_reprints_as_posted(app, team, clock):
    planner = PlannedWorkService(app, team.dispatcher)
    start = clock.now().replace(hour=9) + timedelta(days=3)
    work = planner.create(kind="maintenance", title="中压管网碰口", area="花果园片区", address_terms=["花果园"],
                          starts_at=start, ends_at=start + timedelta(hours=6))
    posted = text_of(planner.notice_pdf(work.id))
    assert all(w in posted for w in OLD_WORDS) and "取消" not in posted

    clock.advance(hours=2)
    renamed = edit_profile_and_rename(app, team)
    PlannedWorkService(app, renamed.dispatcher).cancel(work.id, "施工单位改期")
    clock.advance(days=30)
    again = text_of(PlannedWorkService(app, renamed.dispatcher).notice_pdf(work.id))
    assert again == posted

    later = PlannedWorkService(app, renamed.dispatcher).create(
        kind="live_gas", title="带气接驳", area="花果园片区", address_terms=["花果园"],
        starts_at=clock.now() + timedelta(days=2), ends_at=clock.now() + timedelta(days=2, hours=3))
    fresh = text_of(PlannedWorkService(app, renamed.dispatcher).notice_pdf(later.id))
    assert all(w in fresh for w in NEW_COMPANY) and "黔中燃气" not in fresh


def receipt_facts(app, payment_id: int):
    """The account and meter a counter receipt states (the form prints the customer and the payment)."""
    with app.reading() as s:
        payment = s.get(Payment, payment_id)
        ctx = receipt_context(s, payment, settings.read_all(s), now=datetime(2030, 1, 1), printed_by="",
                              copy=True)
        return ctx.account, ctx.meter, ctx.customer.phone


def test_a_counter_receipt_states_the_account_and_meter_of_its_payment(app, team, clock):
    c, home = active_resident(app, team, "周明", meter="M-PF-R")
    paid = PaymentService(app, team.clerk).prepay(home.account_id, "100", "cash")
    first = text_of(ReceiptService(app, team.clerk).render(paid.id))
    account, meter, phone = receipt_facts(app, paid.id)
    assert (account.status_label, meter.number, meter.rating, meter.last_reading) == ("正常用气", "M-PF-R", "G2.5", 0)
    assert phone in first and named(first, "李娜")

    # Since: a reading, the meter changed (增容换表), the supply suspended, the phone corrected, the
    # account's address moved (no service moves one today: written as a flow rule would, audited),
    # the profile edited and the clerk renamed.
    clock.advance(days=3)
    BillingService(app, team.clerk).record_reading("M-PF-R", clock.now().date(), "2")
    clerk = OrderService(app, team.clerk)
    o = clerk.open("capacity_change", c.id, documents=["id_copy"],
                   data={"direction": "increase", "requested_rating": "G4"})
    clerk.perform(o.id, "accept")
    OrderService(app, team.dispatcher).perform(o.id, "meter_changed", {
        "final_reading": "3", "meter_number": "M-PF-R2", "meter_model": "JBD4", "meter_rating": "G4",
        "initial_reading": "0.5", "fee": "150.00", "fee_method": "cash"})
    o = clerk.open("suspension", c.id, documents=["owner_id"], data={"suspend_from": "2026-12-01"})
    clerk.perform(o.id, "accept")
    clerk.perform(o.id, "with_plugging")
    OrderService(app, team.dispatcher).perform(o.id, "plugged", {"final_reading": "1", "fee": "50",
                                                                  "fee_method": "cash"})
    view = CustomerService(app, team.clerk).get(c.id)
    CustomerService(app, team.clerk).update_contact(c.id, view.version, phone="13812345678")
    with app.unit_of_work() as s:
        moved = s.get(Account, home.account_id)
        moved.address = "示例市南明区新址1号"
        audit.append(s, at=clock.now(), staff_id=team.admin.staff_id, entity="account", entity_id=moved.id,
                     action="move", changes=audit.changes_of(moved))
    renamed = edit_profile_and_rename(app, team)

    clock.advance(days=365)
    again = text_of(ReceiptService(app, renamed.manager).render(paid.id))
    assert re.search(r"副\s*本", again) and "13812345678" not in again and without_new(unmarked(again)) == []
    assert unmarked(again) == unmarked(first)
    assert receipt_facts(app, paid.id) == (account, meter, phone)

    # A payment taken now states the account and meter of now.
    later = PaymentService(app, renamed.clerk).prepay(home.account_id, "20", "cash")
    account_now, meter_now, phone_now = receipt_facts(app, later.id)
    assert (account_now.status_label, account_now.address) == ("暂停用气", "示例市南明区新址1号")
    assert (meter_now.number, meter_now.rating, meter_now.last_reading) == ("M-PF-R2", "G4", 1)
    assert phone_now == "13812345678"
    assert "13812345678" in text_of(ReceiptService(app, renamed.clerk).render(later.id))


def test_a_clerk_renamed_while_signed_in_is_named_by_the_staff_record(app, team, clock):
    """The clerk is renamed by the administrator; their session (team.clerk: 李娜) goes on. The steps
    they do from then on, the payment they take and its receipt all name them 李娜娜."""
    StaffService(app, team.admin).update(team.clerk.staff_id, name="李娜娜")
    assert team.clerk.name == "李娜"
    _c, home = active_resident(app, team, "周明", meter="M-PF-N")
    paid = PaymentService(app, team.clerk).prepay(home.account_id, "20", "cash")
    assert paid.staff_name == "李娜娜"
    with app.reading() as s:
        actors = [row.data[FACTS_KEY]["actor"] for row in s.scalars(
            select(OrderStep).where(OrderStep.order_id == home.id).order_by(OrderStep.seq))]
    assert actors == ["李娜娜", "李娜娜", "刘洋"]  # opened, accepted; the dispatcher's visit
    acceptance = text_of(PrintService(app, team.clerk).render(home.id, "acceptance"))
    receipt = text_of(ReceiptService(app, team.clerk).render(paid.id))
    for text in (acceptance, receipt):
        assert "李娜娜" in text and not named(text, "李娜"), text

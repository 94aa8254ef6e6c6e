"""Forms print the facts of their step: a form printed at its step and reprinted after archiving, a
year later, by another clerk, with the customer renamed and moved, reads the same apart from the copy
marks (副本, the footer's print time and printer). On SQLite and PostgreSQL."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from gasdesk.models import Account, Customer, Meter
from gasdesk.services.orders import OrderService
from gasdesk.services.printing import PrintService
from gasdesk.validation import make_resident_id
from tests.helpers import active_resident, business, make_team

TRANSFER_DOCS = ["both_ids", "property_proof", "property_mgmt"]
NEW_OWNER = {"new_name": "李秀英", "new_id_type": "resident_id",
             "new_id_number": make_resident_id("520103", date(1992, 3, 15), 432), "new_phone": "13608512345"}


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def without_copy_marks(text: str) -> str:
    """The text without what a reprint may change: the footer's print time and printer, 副本."""
    text = re.sub(r"打印时间：[^\n]*", "", text)
    text = re.sub(r"副\s*本", "", text)
    return re.sub(r"\s+", "", text)


def rename_everyone(app, *customer_ids: int) -> None:
    """A year of master-data changes: every customer renamed, moved, with a new phone and category."""
    with app.unit_of_work() as s:
        for cid in customer_ids:
            c = s.get(Customer, cid)
            c.name, c.address, c.phone = f"改名{cid}号", f"别处路{cid}号", "13900000000"
            c.category = "non_residential" if c.category == "residential" else "residential"
            c.gas_use_type = "commercial" if c.gas_use_type == "residential" else "residential"
        for a in s.scalars(select(Account).where(Account.customer_id.in_(customer_ids))):
            a.address = "别处路"


@pytest.fixture
def team(app):
    return make_team(app)


def print_now(app, actor, order_id: int, form: str) -> str:
    return text_of(PrintService(app, actor).render(order_id, form))


def test_transfer_forms_name_the_owner_of_their_step_and_reprint_the_same(app, clock, team):
    c, act = active_resident(app, team, "王小明", meter="M-T1", balance=Decimal("80"))
    clerk = OrderService(app, team.clerk)
    o = clerk.open("transfer", c.id, documents=TRANSFER_DOCS)
    o = clerk.perform(o.id, "documents_ok")
    first = {"transfer_application": print_now(app, team.clerk, o.id, "transfer_application")}
    o = clerk.perform(o.id, "application_signed", NEW_OWNER)
    o = clerk.perform(o.id, "settled", {"final_reading": "12", "settle_method": "cash"})
    o = clerk.perform(o.id, "owner_switched")
    assert o.step == "new_agreement"
    for form in ("residential_contract", "safety_notice"):
        first[form] = print_now(app, team.clerk, o.id, form)
        assert "李秀英" in first[form] and "王小明" not in first[form], form
    assert "王小明" in first["transfer_application"] and "M-T1" in first["transfer_application"]
    o = clerk.perform(o.id, "agreement_signed")
    assert o.status == "archived"

    clock.advance(days=366)
    new_id = int(o.data["new_customer_id"])
    rename_everyone(app, c.id, new_id)
    for form, before in first.items():
        again = print_now(app, team.manager, o.id, form)
        assert "副本" in again and "改名" not in again, form
        assert without_copy_marks(again) == without_copy_marks(before), form


def test_a_business_transfer_signs_the_non_residential_contract(app, clock, team):
    b = business(app, team.clerk, "示例小吃有限公司")
    clerk = OrderService(app, team.clerk)
    o = clerk.open("installation", b.id, documents=["business_license", "agent_id", "site_proof"],
                   data={"project_name": "厨房燃气工程", "expected_monthly_volume": "800"})
    with app.unit_of_work() as s:  # take a finished installation as given
        s.get(Account, o.account_id).status = "active"
        s.add(Meter(number="M-B1", model="JBD25", rating="G25", account_id=o.account_id, status="in_service",
                    initial_reading=Decimal("0"), last_reading=Decimal("0"), last_read_at=clock.now(),
                    installed_at=clock.now()))
    clerk.perform(o.id, "cancel", reason="测试：直接使用已开通账户")
    o = clerk.open("transfer", b.id, documents=TRANSFER_DOCS)
    o = clerk.perform(o.id, "documents_ok")
    o = clerk.perform(o.id, "application_signed", {**NEW_OWNER, "new_name": "新餐饮有限公司"})
    with app.reading() as s:
        assert s.scalar(select(Customer.category).where(Customer.id == b.id)) == "non_residential"
    o = clerk.perform(o.id, "settled", {"final_reading": "0", "settle_method": "cash"})
    o = clerk.perform(o.id, "owner_switched")
    printer = PrintService(app, team.clerk)
    codes = [f.code for f in printer.forms_for(o.id)]
    assert "non_residential_contract" in codes and "residential_contract" not in codes
    text = text_of(printer.render(o.id, "residential_contract"))  # as the step names it
    assert "非居民供用气合同" in text and "新餐饮有限公司" in text and "居民供气合同" not in text.replace("非居民", "")
    assert "M-B1" in text and "起始读数" in text


def test_change_forms_show_before_and_after_of_their_step(app, clock, team):
    c, _ = active_resident(app, team, "赵六")
    clerk = OrderService(app, team.clerk)
    o = clerk.open("allowance_change", c.id, documents=["id_copy", "property_proof", "community_certificate",
                                                       "household_register", "supply_agreement"])
    o = clerk.perform(o.id, "documents_ok")
    o = clerk.perform(o.id, "application_signed", {"household_size": "6", "new_allowance": "520"})
    at_step = print_now(app, team.clerk, o.id, "allowance_application")
    o = clerk.perform(o.id, "allowance_changed")
    assert o.status == "archived"
    flat = re.sub(r"\s+", "", at_step)
    assert "年度用气基数（m³）350520" in flat, flat

    t = clerk.open("type_change", c.id, documents=["identity", "property_proof"])
    form = print_now(app, team.clerk, t.id, "type_change_application")
    assert "用气性质居民生活用气" in re.sub(r"\s+", "", form)  # 变更前 is never blank
    t = clerk.perform(t.id, "to_non_residential")
    t = OrderService(app, team.account_manager).perform(t.id, "data_completed", {
        "new_gas_use_type": "commercial", "business_name": "赵记面馆"})
    contract = print_now(app, team.clerk, t.id, "non_residential_contract")
    assert "赵记面馆" in contract and "商业用气" in contract and "非居民供用气合同" in contract
    t = clerk.perform(t.id, "type_changed")

    clock.advance(days=366)
    rename_everyone(app, c.id)
    again = print_now(app, team.manager, o.id, "allowance_application")
    assert without_copy_marks(again) == without_copy_marks(at_step)
    assert without_copy_marks(print_now(app, team.manager, t.id, "type_change_application")) == \
        without_copy_marks(form)
    assert without_copy_marks(print_now(app, team.manager, t.id, "non_residential_contract")) == \
        without_copy_marks(contract)


def test_a_rejection_notice_keeps_its_date_and_decider(app, clock, team):
    c, _ = active_resident(app, team, "钱七")
    clerk = OrderService(app, team.clerk)
    o = clerk.open("closure", c.id, documents=["id_copy"])
    decided = clock.now()
    o = clerk.perform(o.id, "refuse", reason="未携带房产证明")
    first = print_now(app, team.clerk, o.id, "rejection_notice")
    assert f"{decided.year}年{decided.month}月{decided.day}日" in first and "李娜" in first
    clock.advance(days=120)
    rename_everyone(app, c.id)
    again = print_now(app, team.manager, o.id, "rejection_notice")
    later = clock.now()
    assert f"{later.year}年{later.month}月{later.day}日" not in again and "王强" not in again.split("打印时间")[0]
    assert without_copy_marks(again) == without_copy_marks(first)


def test_complaint_ticket_and_visit_sheets_keep_their_step(app, clock, team):
    c, act = active_resident(app, team, "孙八")
    clerk = OrderService(app, team.clerk)
    k = clerk.open("complaint", c.id, data={"complaint_type": "complaint", "content": "燃气灶打不着火",
                                            "contact_phone": "13900001111"})
    referred = clock.now()
    k = clerk.perform(k.id, "refer", {"department": "distribution", "summary": "请输配中心上门核实"})
    clock.advance(hours=3)
    ticket = print_now(app, team.clerk, k.id, "complaint_transfer")
    assert f"{referred:%Y-%m-%d %H:%M}" in ticket

    # A meter service visit: its work sheet printed at the visit says what the visit is, also after archiving.
    m = clerk.open("meter_service", c.id, account_id=act.account_id, documents=["owner_id"],
                   data={"service_reason": "customer_request"})
    m = clerk.perform(m.id, "accept")
    m = OrderService(app, team.dispatcher).perform(m.id, "assign", {
        "crew": "安装二班", "appointment_at": (clock.now() + timedelta(days=1)).isoformat(timespec="minutes")})
    sheet = print_now(app, team.dispatcher, m.id, "site_work")
    assert "上门校验/更换" in sheet
    clock.advance(days=1)
    m = OrderService(app, team.dispatcher).perform(m.id, "passed", {
        "arrived_at": clock.now().isoformat(timespec="minutes"), "check_reading": "1", "check_result": "合格",
        "work_checked": True})
    k = OrderService(app, team.handler).perform(k.id, "handled", {"result": "已修复"})
    k = clerk.perform(k.id, "review_passed")
    k = clerk.perform(k.id, "satisfied", {"callback_note": "满意"})
    clock.advance(days=400)
    rename_everyone(app, c.id)
    assert without_copy_marks(print_now(app, team.manager, k.id, "complaint_transfer")) == without_copy_marks(ticket)
    after = print_now(app, team.manager, m.id, "site_work")
    assert "作业内容上门校验/更换" in re.sub(r"\s+", "", after) and "归档" not in after

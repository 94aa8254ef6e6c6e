"""Every path of every flow through the services, on SQLite and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from gasdesk.models import Account, Customer, Meter, Payment
from gasdesk.services.errors import Conflict, NotAllowed, Refused
from gasdesk.services.orders import OrderService
from gasdesk.services.payments import PaymentService
from tests.helpers import active_resident, balance_of, business, make_team, resident, set_balance, snapshot

NEW_METER = {"meter_number": "M-NEW-001", "meter_model": "JBD4", "meter_rating": "G4", "initial_reading": "0.5"}


@pytest.fixture
def team(app):
    return make_team(app)


def services(app, team):
    return (OrderService(app, team.clerk), OrderService(app, team.dispatcher),
            OrderService(app, team.account_manager), OrderService(app, team.handler))


def history(order):
    return [h.action for h in order.history]


# --- 1. installation -----------------------------------------------------------------------------

INSTALL_DOCS = ["business_license", "agent_id", "site_proof"]
INSTALL_DATA = {"project_name": "示例餐厅燃气工程", "expected_monthly_volume": "3000"}
BUILT = {"work_finished": True, "materials_cleared": True, "site_cleaned": True}  # 工完、料尽、场清


def test_installation_whole_path_with_failed_acceptance_and_rebooked_ignition(app, team, clock):
    clerk, dispatcher, am, _ = services(app, team)
    c = business(app, team.clerk)
    o = clerk.open("installation", c.id, documents=INSTALL_DOCS, data=INSTALL_DATA)
    assert o.number.startswith("BZ-20261127-") and o.step == "apply" and o.account_number
    o = clerk.perform(o.id, "register", {"business_group": "一组"})
    o = am.perform(o.id, "survey_done", {"survey_date": "2026-11-30", "designer": "王工", "survey_notes": "可接管"})
    assert o.step == "await_materials"
    o = am.perform(o.id, "materials_received")
    o = am.perform(o.id, "plan_approved", {"supply_plan": "中压管道接入，调压箱一台"})
    o = am.perform(o.id, "design_done", {"design_unit": "示例设计院", "design_summary": "中压接入，室外表箱"})
    assert o.step == "design_approval"
    o = am.perform(o.id, "design_approved", {"approval_date": "2026-11-30", "approved_by": "周经理"})
    o = am.perform(o.id, "budget_done", {"budget_amount": "85000.50"})
    o = am.perform(o.id, "contract_signed", {"contract_number": "HT-2026-1", "contract_amount": "85000.50",
                                             "contract_date": "2026-12-01"})
    o = am.perform(o.id, "briefing_done", {"briefing_date": "2026-12-02", "briefing_attendees": "甲公司项目经理、乙监理"})
    o = am.perform(o.id, "construction_done", {**BUILT, "construction_unit": "甲公司", "supervision_unit": "乙监理"})
    o = am.perform(o.id, "acceptance_failed", reason="管道试压不合格")
    assert o.step == "construction" and o.reason == "管道试压不合格"
    o = am.perform(o.id, "construction_done", {**BUILT, "construction_unit": "甲公司", "supervision_unit": "乙监理"})
    o = am.perform(o.id, "acceptance_passed", {"acceptance_date": "2026-12-20"})
    assert o.step == "ignition"
    o = dispatcher.perform(o.id, "assign", {"crew": "点火一班", "appointment_at": "2026-12-21 09:00"})
    assert o.step == "ignition" and o.crew == "点火一班"
    o = dispatcher.perform(o.id, "conditions_not_met", reason="现场无人")
    assert o.step == "ignition_wait"
    o = clerk.perform(o.id, "rebook", {"appointment_at": "2026-12-22 10:00"})
    o = dispatcher.perform(o.id, "ignited", NEW_METER)
    assert o.status == "archived"
    with app.reading() as s:
        account = s.get(Account, o.account_id)
        assert account.status == "active"
        meter = s.scalar(select(Meter).where(Meter.account_id == account.id))
        assert meter.number == "M-NEW-001" and meter.last_reading == Decimal("0.500")
    assert o.data["budget_amount"] == "85000.50"


def test_installation_refused_plan_ends_with_reason(app, team):
    clerk, _, am, _ = services(app, team)
    o = clerk.open("installation", business(app, team.clerk).id, documents=INSTALL_DOCS, data=INSTALL_DATA)
    o = clerk.perform(o.id, "register")
    o = am.perform(o.id, "survey_done", {"survey_date": "2026-11-30", "designer": "王工", "survey_notes": "无管网"})
    o = am.perform(o.id, "materials_received")
    o = am.perform(o.id, "plan_refused", reason="该区域暂无中压管网")
    assert o.status == "rejected" and o.reason == "该区域暂无中压管网"
    assert OrderService(app, team.clerk).get(o.id).history[-1].data["reason"] == "该区域暂无中压管网"


def test_installation_only_for_non_residential_and_refused_at_the_counter(app, team):
    clerk = OrderService(app, team.clerk)
    with pytest.raises(Refused, match="非居民"):
        clerk.open("installation", resident(app, team.clerk).id, data=INSTALL_DATA)
    o = clerk.open("installation", business(app, team.clerk).id, documents=["agent_id"], data=INSTALL_DATA)
    with pytest.raises(Refused, match="缺少：营业执照"):
        clerk.perform(o.id, "register")
    o = clerk.perform(o.id, "refuse", reason="资料不全，请补齐营业执照后再来")
    assert o.status == "rejected"


# --- 2. activation -------------------------------------------------------------------------------

def test_activation_refused_for_missing_documents(app, team):
    clerk = OrderService(app, team.clerk)
    c = resident(app, team.clerk)
    o = clerk.open("activation", c.id, documents=["owner_id"])
    before = snapshot(app)
    with pytest.raises(Refused, match="房产证明材料"):
        clerk.perform(o.id, "accept")
    assert snapshot(app) == before
    o = clerk.perform(o.id, "refuse", reason="缺少房产证明材料")
    assert o.status == "rejected" and history(o) == ["open", "refuse"]


def test_activation_conditions_not_met_then_rebooked(app, team):
    clerk, dispatcher, _, _ = services(app, team)
    o = clerk.open("activation", resident(app, team.clerk).id, documents=["property_proof", "owner_id"])
    o = clerk.perform(o.id, "accept")
    o = dispatcher.perform(o.id, "conditions_not_met", reason="灶具未安装")
    assert o.step == "site_visit_wait"
    o = clerk.perform(o.id, "rebook")
    o = dispatcher.perform(o.id, "work_done", NEW_METER)
    assert o.status == "archived"
    assert history(o) == ["open", "accept", "conditions_not_met", "rebook", "work_done"]


def test_duplicate_meter_number_refused_and_nothing_written(app, team):
    active_resident(app, team, meter="M-DUP")
    clerk, dispatcher, _, _ = services(app, team)
    o = clerk.open("activation", resident(app, team.clerk, "李四").id, documents=["property_proof", "owner_id"])
    o = clerk.perform(o.id, "accept")
    before = snapshot(app)
    with pytest.raises(Refused, match="M-DUP"):
        dispatcher.perform(o.id, "work_done", {**NEW_METER, "meter_number": "M-DUP"})
    assert snapshot(app) == before


# --- 3. capacity change --------------------------------------------------------------------------

def test_capacity_change_replaces_meter_and_charges_fee(app, team):
    c, act = active_resident(app, team, meter="M-OLD")
    clerk, dispatcher, _, _ = services(app, team)
    o = clerk.open("capacity_change", c.id, documents=["id_copy"], data={"direction": "increase",
                                                                          "requested_rating": "G4"})
    o = clerk.perform(o.id, "accept")
    _set_last_reading(app, "M-OLD", Decimal("200"))
    before = snapshot(app)
    with pytest.raises(Refused, match="小于上次读数"):
        dispatcher.perform(o.id, "meter_changed", {"final_reading": "199.999", **NEW_METER, "fee": "150",
                                                   "fee_method": "cash"})
    assert snapshot(app) == before
    o = dispatcher.perform(o.id, "meter_changed", {"final_reading": "223.456", **NEW_METER, "fee": "150.00",
                                                   "fee_method": "mobile"})
    assert o.status == "archived"
    assert o.data["old_meter_number"] == "M-OLD" and o.data["fee_receipt"].startswith("SJ-")
    with app.reading() as s:
        old = s.scalar(select(Meter).where(Meter.number == "M-OLD"))
        new = s.scalar(select(Meter).where(Meter.number == "M-NEW-001"))
        assert old.status == "removed" and old.final_reading == Decimal("223.456")
        assert new.status == "in_service" and new.account_id == act.account_id
        fee = s.scalar(select(Payment).where(Payment.order_id == o.id))
        assert fee.amount == Decimal("150.00") and fee.kind == "fee" and fee.method == "mobile"


def _set_last_reading(app, number, reading):
    """Readings come from meter reading (a later issue); tests set the last one directly."""
    with app.unit_of_work() as s:
        s.scalar(select(Meter).where(Meter.number == number)).last_reading = reading


def test_capacity_change_conditions_not_met_is_refused_with_reason(app, team):
    c, _ = active_resident(app, team)
    clerk, dispatcher, _, _ = services(app, team)
    o = clerk.open("capacity_change", c.id, documents=["id_copy"], data={"direction": "decrease",
                                                                          "requested_rating": "G1.6"})
    o = clerk.perform(o.id, "accept")
    o = dispatcher.perform(o.id, "conditions_not_met", reason="表位不具备改造条件")
    assert o.status == "rejected" and o.reason == "表位不具备改造条件"


def test_capacity_change_needs_an_active_account(app, team):
    with pytest.raises(Refused, match="正常用气"):
        OrderService(app, team.clerk).open("capacity_change", resident(app, team.clerk).id,
                                           data={"direction": "increase", "requested_rating": "G4"})


# --- 4. type change ------------------------------------------------------------------------------

def test_residential_to_non_residential(app, team):
    c, _ = active_resident(app, team)
    clerk, _, am, _ = services(app, team)
    o = clerk.open("type_change", c.id, documents=["identity", "property_proof"])
    with pytest.raises(Refused, match="不是非居民"):
        clerk.perform(o.id, "to_residential")
    o = clerk.perform(o.id, "to_non_residential")
    assert o.step == "market_data"
    with pytest.raises(Refused, match="无权"):
        clerk.perform(o.id, "data_completed", {"new_gas_use_type": "commercial"})
    o = am.perform(o.id, "data_completed", {"new_gas_use_type": "commercial", "business_name": "张记小吃店"})
    o = clerk.perform(o.id, "type_changed")
    with app.reading() as s:
        cust = s.get(Customer, c.id)
        assert (cust.category, cust.gas_use_type, cust.name) == ("non_residential", "commercial", "张记小吃店")


def test_non_residential_to_residential_signs_the_residential_contract(app, team):
    clerk, dispatcher, am, _ = services(app, team)
    b = business(app, team.clerk)
    o = clerk.open("installation", b.id, documents=INSTALL_DOCS, data=INSTALL_DATA)
    with app.unit_of_work() as s:  # take a finished installation as given
        s.get(Account, o.account_id).status = "active"
    clerk.perform(o.id, "cancel", reason="测试：直接使用已开通账户")
    o = clerk.open("type_change", b.id, documents=["identity", "property_proof"])
    o = clerk.perform(o.id, "to_residential")
    assert o.step == "residential_opening"
    o = clerk.perform(o.id, "contract_signed", {"household_size": "3"})
    # The opening procedure: the distribution centre opens the supply on site before the use changes.
    assert o.step == "opening_visit"
    with pytest.raises(Refused):
        clerk.perform(o.id, "type_changed")
    o = dispatcher.perform(o.id, "work_done", {"work_record": "安全检查合格，点火正常"})
    assert o.step == "change_type"
    o = clerk.perform(o.id, "type_changed")
    with app.reading() as s:
        cust = s.get(Customer, b.id)
        assert (cust.category, cust.gas_use_type, cust.household_size) == ("residential", "residential", 3)


# --- 5. allowance change -------------------------------------------------------------------------

def test_allowance_change_with_documents_resubmitted(app, team):
    c, _ = active_resident(app, team)
    clerk = OrderService(app, team.clerk)
    o = clerk.open("allowance_change", c.id, documents=["id_copy", "property_proof"])
    o = clerk.perform(o.id, "documents_mismatch", reason="缺少户口簿复印件和社区证明")
    assert o.step == "await_documents"
    o = clerk.perform(o.id, "documents_resubmitted")
    with pytest.raises(Refused, match="社区证明"):
        clerk.perform(o.id, "documents_ok")
    o = clerk.set_documents(o.id, ["id_copy", "property_proof", "community_certificate", "household_register",
                                   "supply_agreement"])
    o = clerk.perform(o.id, "documents_ok")
    o = clerk.perform(o.id, "application_signed", {"household_size": "6", "new_allowance": "520"})
    o = clerk.perform(o.id, "allowance_changed")
    assert o.status == "archived" and o.data["old_allowance"] == "350.000"
    with app.reading() as s:
        cust = s.get(Customer, c.id)
        assert cust.yearly_allowance == Decimal("520.000") and cust.household_size == 6


# --- 6. suspension -------------------------------------------------------------------------------

def test_suspension_without_plugging(app, team):
    c, act = active_resident(app, team)
    clerk = OrderService(app, team.clerk)
    o = clerk.open("suspension", c.id, documents=["owner_id"], data={"suspend_from": "2026-12-01"})
    o = clerk.perform(o.id, "accept")
    o = clerk.perform(o.id, "without_plugging")
    o = clerk.perform(o.id, "reader_notified", {"reader_name": "抄表员老王"})
    assert o.status == "archived"
    with app.reading() as s:
        assert s.get(Account, act.account_id).status == "suspended"


def test_suspension_with_plugging_charges_the_fee(app, team):
    c, act = active_resident(app, team)
    clerk, dispatcher, _, _ = services(app, team)
    o = clerk.open("suspension", c.id, documents=["owner_id"], data={"suspend_from": "2026-12-01"})
    o = clerk.perform(o.id, "accept")
    o = clerk.perform(o.id, "with_plugging")
    assert o.step == "plugging_visit"
    o = dispatcher.perform(o.id, "plugged", {"final_reading": "10", "fee": "50", "fee_method": "cash"})
    with app.reading() as s:
        assert s.get(Account, act.account_id).status == "suspended"
        paid = s.execute(select(Payment.kind, Payment.amount).where(Payment.order_id == o.id)
                         .order_by(Payment.id)).all()
        # the plugging reading's gas (10 m³ = 26.50) is collected with the fee: nothing left unpaid
        assert [tuple(p) for p in paid] == [("arrears", Decimal("26.50")), ("fee", Decimal("50.00"))]
        assert s.get(Account, act.account_id).balance == Decimal("0.00")


def test_suspension_refused(app, team):
    c, _ = active_resident(app, team)
    clerk = OrderService(app, team.clerk)
    o = clerk.open("suspension", c.id, documents=["owner_id"], data={"suspend_from": "2026-12-01"})
    o = clerk.perform(o.id, "refuse", reason="存在未处理的安全隐患")
    assert o.status == "rejected"


# --- 7. transfer ---------------------------------------------------------------------------------

NEW_OWNER = {"new_name": "王芳", "new_id_type": "resident_id", "new_id_number": "", "new_phone": "13700000001"}


def _transfer(app, team, c):
    from datetime import date

    from gasdesk.validation import make_resident_id

    clerk = OrderService(app, team.clerk)
    o = clerk.open("transfer", c.id, documents=["both_ids", "property_proof", "property_mgmt"])
    o = clerk.perform(o.id, "documents_ok")
    owner = {**NEW_OWNER, "new_id_number": make_resident_id("520103", date(1990, 5, 6), 12)}
    o = clerk.perform(o.id, "application_signed", owner)
    o = clerk.perform(o.id, "settled", {"settle_method": "cash", "final_reading": "0"})
    o = clerk.perform(o.id, "owner_switched")
    o = clerk.perform(o.id, "agreement_signed")
    return o


def test_transfer_refunds_prepaid_and_moves_meter_to_new_customer(app, team):
    c, act = active_resident(app, team, meter="M-T1", balance=Decimal("88.80"))
    o = _transfer(app, team, c)
    assert o.status == "archived" and o.data["settled_balance"] == "88.80"
    with app.reading() as s:
        old_c, old_a = s.get(Customer, c.id), s.get(Account, act.account_id)
        assert (old_c.status, old_a.status, old_a.balance) == ("closed", "closed", Decimal("0.00"))
        new_c = s.get(Customer, o.data["new_customer_id"])
        assert new_c.name == "王芳" and new_c.predecessor_id == c.id and new_c.address == old_c.address
        new_a = s.scalar(select(Account).where(Account.customer_id == new_c.id))
        assert new_a.predecessor_id == old_a.id and new_a.status == "active"
        assert s.scalar(select(Meter.account_id).where(Meter.number == "M-T1")) == new_a.id
        refund = s.scalar(select(Payment).where(Payment.order_id == o.id))
        assert (refund.kind, refund.amount, refund.cash_effect) == ("refund", Decimal("88.80"), Decimal("-88.80"))
    # the old owner's history stays readable
    assert [h.action for h in OrderService(app, team.clerk).get(o.id).history][-1] == "agreement_signed"
    assert PaymentService(app, team.clerk).for_customer(c.id)[0].kind == "refund"


def test_transfer_collects_arrears(app, team):
    c, act = active_resident(app, team, balance=Decimal("-36.45"))
    o = _transfer(app, team, c)
    with app.reading() as s:
        p = s.scalar(select(Payment).where(Payment.order_id == o.id))
        assert (p.kind, p.amount, p.cash_effect) == ("arrears", Decimal("36.45"), Decimal("36.45"))
    assert balance_of(app, act.account_id) == Decimal("0.00")


# --- 8. detail change ----------------------------------------------------------------------------

def test_detail_change_keeps_old_and_new_values(app, team):
    c, _ = active_resident(app, team)
    clerk = OrderService(app, team.clerk)
    o = clerk.open("detail_change", c.id, documents=["id_copy"])
    with pytest.raises(Refused, match="至少填写一项"):
        clerk.perform(o.id, "approve", {"new_phone": c.phone})
    with pytest.raises(Refused, match="手机|电话|号码"):
        clerk.perform(o.id, "approve", {"new_phone": "123"})
    o = clerk.perform(o.id, "approve", {"new_phone": "13512345678", "new_contact_person": "张小伟"})
    o = clerk.perform(o.id, "details_changed")
    o = clerk.perform(o.id, "agreement_signed")
    assert o.data["old_values"]["phone"] == c.phone
    with app.reading() as s:
        assert s.get(Customer, c.id).phone == "13512345678"


def test_detail_change_refused(app, team):
    c, _ = active_resident(app, team)
    clerk = OrderService(app, team.clerk)
    o = clerk.open("detail_change", c.id, documents=["id_copy"])
    o = clerk.perform(o.id, "refuse", reason="户名变更属于过户，请办理过户")
    assert o.status == "rejected"


# --- 9. closure ----------------------------------------------------------------------------------

@pytest.mark.parametrize("path, visit", [("plugging", "plugging_visit"), ("removal", "removal_visit")])
def test_closure_settles_and_closes(app, team, path, visit):
    c, act = active_resident(app, team, meter="M-C1", balance=Decimal("20.10"))
    clerk, dispatcher, _, _ = services(app, team)
    o = clerk.open("closure", c.id, documents=["id_copy", "property_proof", "property_mgmt"])
    o = clerk.perform(o.id, "documents_ok")
    o = clerk.perform(o.id, "application_signed")
    o = clerk.perform(o.id, "settled", {"settle_method": "card"})
    o = clerk.perform(o.id, path)
    assert o.step == visit
    o = dispatcher.perform(o.id, "conditions_not_met", reason="客户不在家")
    o = clerk.perform(o.id, "rebook")
    fee = "120.00" if path == "removal" else "50.00"  # the fee schedule's
    o = dispatcher.perform(o.id, "work_done", {"final_reading": "55.5", "fee": fee, "fee_method": "cash"})
    assert o.status == "archived"
    with app.reading() as s:
        assert s.get(Account, act.account_id).status == "closed"
        assert s.get(Customer, c.id).status == "closed"
        meter = s.scalar(select(Meter).where(Meter.number == "M-C1"))
        assert meter.status == ("removed" if path == "removal" else "in_service")
        assert meter.final_reading == Decimal("55.500")
        paid = s.execute(select(Payment.kind, Payment.amount).where(Payment.order_id == o.id)
                         .order_by(Payment.id)).all()
        # the counter refunded the deposit; the visit collected the final bill (55.5 m³) with the fee
        assert [tuple(p) for p in paid] == [("refund", Decimal("20.10")), ("arrears", Decimal("147.08")),
                                            ("fee", Decimal(fee))]
        assert s.get(Account, act.account_id).balance == Decimal("0.00")


def test_closure_refused_identity(app, team):
    c, _ = active_resident(app, team)
    clerk = OrderService(app, team.clerk)
    o = clerk.open("closure", c.id, documents=[])
    o = clerk.perform(o.id, "refuse", reason="身份证与户主不符")
    assert o.status == "rejected"
    with app.reading() as s:
        assert s.get(Customer, c.id).status == "active"


# --- 10. complaint -------------------------------------------------------------------------------

def test_complaint_rounds_until_satisfied(app, team):
    c = resident(app, team.clerk)
    clerk, _, _, handler = services(app, team)
    o = clerk.open("complaint", c.id, data={"complaint_type": "complaint", "content": "抢修人员态度差",
                                            "contact_phone": "13900000000"})
    o = clerk.perform(o.id, "refer", {"department": "distribution", "summary": "核实抢修人员服务态度"})
    assert o.step == "handling" and o.rounds == 1
    o = handler.perform(o.id, "handled", {"result": "已批评教育"})
    o = clerk.perform(o.id, "review_passed")
    o = clerk.perform(o.id, "not_satisfied", reason="客户要求当面道歉")
    assert o.step == "handling" and o.rounds == 2
    o = handler.perform(o.id, "handled", {"result": "班长上门道歉"})
    o = clerk.perform(o.id, "review_passed")
    o = clerk.perform(o.id, "satisfied", {"callback_note": "客户表示满意"})
    assert o.status == "archived" and o.rounds == 2


def test_complaint_result_is_passed_before_the_customer_is_called_back(app, team):
    """The chart's 是否通过: customer service checks the department's result; a failed check sends it back."""
    c = resident(app, team.clerk)
    clerk, _, _, handler = services(app, team)
    o = clerk.open("complaint", c.id, data={"complaint_type": "complaint", "content": "抄表读数有误",
                                            "contact_phone": "13900000000"})
    o = clerk.perform(o.id, "refer", {"department": "distribution", "summary": "核实读数"})
    o = handler.perform(o.id, "handled", {"result": "已处理"})
    assert o.step == "review" and o.step_label == "审核处理结果"
    assert {a.code for a in clerk.get(o.id).actions} == {"review_passed", "review_failed", "cancel"}
    with pytest.raises(Refused, match="“审核处理结果”环节，不能办理“") as stale:
        clerk.perform(o.id, "satisfied", {"callback_note": "未回访就归档"})
    assert "satisfied" not in stale.value.message  # the action's name, never its code
    with pytest.raises(Refused, match="请填写原因"):
        clerk.perform(o.id, "review_failed")
    with pytest.raises(Refused, match="无权"):
        handler.perform(o.id, "review_passed")  # the department does not pass its own result
    o = clerk.perform(o.id, "review_failed", reason="未说明读数差错的原因")
    assert o.step == "handling" and o.rounds == 1 and o.reason == "未说明读数差错的原因"
    step_clocks = [d for d in o.deadlines if d.scope == "step" and d.step == "handling"]
    assert [d.status for d in step_clocks] == ["met", "running"]  # the department's time runs again
    o = handler.perform(o.id, "handled", {"result": "系抄表员误读，已更正读数并退还多收气费"})
    o = clerk.perform(o.id, "review_passed", {"review_note": "已核对更正后的账单"})
    assert o.step == "follow_up" and o.data["result"].startswith("系抄表员误读")
    o = clerk.perform(o.id, "satisfied", {"callback_note": "客户满意"})
    assert o.status == "archived" and o.rounds == 1


@pytest.mark.parametrize("action, field", [("enquiry_answered", "answer"), ("explanation_accepted", "explanation")])
def test_complaint_closed_at_the_counter(app, team, action, field):
    c = resident(app, team.clerk)
    clerk = OrderService(app, team.clerk)
    o = clerk.open("complaint", c.id, data={"complaint_type": "enquiry", "content": "咨询阶梯气价",
                                            "contact_phone": "0851-86201234"})
    o = clerk.perform(o.id, action, {field: "已说明"})
    assert o.status == "archived"


def test_complaint_transfer_needs_a_real_department(app, team):
    c = resident(app, team.clerk)
    clerk = OrderService(app, team.clerk)
    o = clerk.open("complaint", c.id, data={"complaint_type": "complaint", "content": "x", "contact_phone": "13900000000"})
    before = snapshot(app)
    with pytest.raises(Refused, match="部门"):
        clerk.perform(o.id, "refer", {"department": "nowhere", "summary": "x"})
    assert snapshot(app) == before


# --- across flows --------------------------------------------------------------------------------

def test_refusals_write_nothing(app, team):
    c, _ = active_resident(app, team)
    clerk, dispatcher, _, _ = services(app, team)
    o = clerk.open("suspension", c.id, documents=["owner_id"], data={"suspend_from": "2026-12-01"})
    before = snapshot(app)
    for call in (
        lambda: clerk.perform(o.id, "plugged", {}),                     # not this step
        lambda: dispatcher.perform(o.id, "accept"),                     # not this role
        lambda: clerk.perform(o.id, "refuse", reason=""),                # no reason
        lambda: clerk.perform(o.id, "accept", expected_version=o.version + 1),  # stale
        lambda: clerk.open("suspension", c.id, data={"suspend_from": "2026-12-01"}),  # already open
        lambda: clerk.open("closure", c.id),                            # clashes with the open suspension
    ):
        with pytest.raises((Refused, NotAllowed, Conflict)):
            call()
        assert snapshot(app) == before
    clerk.perform(o.id, "cancel", reason="客户撤回")
    with pytest.raises(Refused, match="已撤销"):
        clerk.perform(o.id, "accept")


def test_order_numbers_are_readable_and_unique(app, team):
    clerk = OrderService(app, team.clerk)
    numbers = set()
    for i in range(5):
        c = resident(app, team.clerk, f"测试{i}")
        numbers.add(clerk.open("activation", c.id).number)
    assert numbers == {f"KT-20261127-{i:04d}" for i in range(1, 6)}


def test_money_is_exact_to_the_fen(app, team):
    c, act = active_resident(app, team)
    pay = PaymentService(app, team.clerk)
    for amount in ("0.10", "0.20", "0.01", "9999999.99"):  # the largest one payment may be
        pay.prepay(act.account_id, amount, "cash")
    assert balance_of(app, act.account_id) == Decimal("10000000.30")
    with app.reading() as s:
        total = s.scalar(select(func.sum(Payment.balance_effect)).where(Payment.account_id == act.account_id))
    assert total == Decimal("10000000.30") and isinstance(total, Decimal)
    with pytest.raises(Refused, match="不能超过"):
        pay.prepay(act.account_id, "99999999.99", "cash")
    with pytest.raises(Refused, match="两位小数"):
        pay.prepay(act.account_id, "0.001", "cash")
    with pytest.raises(Refused, match="负"):
        pay.prepay(act.account_id, "-5", "cash")


def test_arrears_then_payment_and_manager_reversal(app, team):
    c, act = active_resident(app, team)
    set_balance(app, act.account_id, Decimal("-30.00"))
    p = PaymentService(app, team.clerk).prepay(act.account_id, "30", "cash")
    assert p.kind == "arrears" and balance_of(app, act.account_id) == Decimal("0.00")
    with pytest.raises(NotAllowed):
        PaymentService(app, team.clerk).reverse(p.id, "收错")
    r = PaymentService(app, team.manager).reverse(p.id, "重复收费")
    assert r.kind == "reversal" and r.reverses_id == p.id
    assert balance_of(app, act.account_id) == Decimal("-30.00")
    with pytest.raises(Refused, match="已冲正"):
        PaymentService(app, team.manager).reverse(p.id, "again")


def test_check_explains_a_refusal_without_writing(app, team):
    clerk = OrderService(app, team.clerk)
    o = clerk.open("activation", resident(app, team.clerk).id, documents=["owner_id"])
    before = snapshot(app)
    assert clerk.check(o.id, "accept") == ["资料不齐全，缺少：房产证明材料"]
    assert clerk.check(o.id, "refuse", reason="缺材料") == []
    assert "无权" in OrderService(app, team.dispatcher).check(o.id, "accept")[0]
    assert snapshot(app) == before


@pytest.mark.parametrize("ending", ["refuse", "cancel"])
def test_an_abandoned_opening_closes_its_prepared_account(app, team, ending):
    clerk = OrderService(app, team.clerk)
    o = clerk.open("activation", resident(app, team.clerk).id, documents=["owner_id"])
    o = clerk.perform(o.id, ending, reason="客户资料不全，暂不办理")
    with app.reading() as s:
        account = s.get(Account, o.account_id)
        assert (account.status, account.closed_at is not None) == ("closed", True)

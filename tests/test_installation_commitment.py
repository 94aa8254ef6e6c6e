"""Installation as the commitment (三、1) describes it (issue 17 item 4): the customer reviews and signs the
design plan, construction starts with the technical briefing and ends with 工完、料尽、场清 recorded
before acceptance, and days spent on approvals such as road-excavation permits are not counted."""

from __future__ import annotations

import io
import re
from datetime import datetime

import pytest
from pypdf import PdfReader

from gasdesk.services.errors import Refused
from gasdesk.services.orders import OrderService, OrderView
from gasdesk.services.printing import PrintService
from gasdesk.vocab import DeadlineScope, DeadlineStatus
from tests.helpers import business, make_team, resident, snapshot

DOCS = ["business_license", "agent_id", "site_proof"]
DATA = {"project_name": "示例火锅店燃气工程", "expected_monthly_volume": "1500"}
CHECKS = {"work_finished": True, "materials_cleared": True, "site_cleaned": True}
UNITS = {"construction_unit": "安顺市燃气安装工程有限公司", "supervision_unit": "安顺市建设工程监理有限公司"}


@pytest.fixture
def team(app):
    return make_team(app)


def flat(pdf: bytes) -> str:
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))


def to_design(app, team) -> tuple[OrderService, OrderView]:
    clerk, am = OrderService(app, team.clerk), OrderService(app, team.account_manager)
    o = clerk.open("installation", business(app, team.clerk).id, documents=DOCS, data=DATA)
    o = clerk.perform(o.id, "register")
    o = am.perform(o.id, "survey_done", {"survey_date": "2026-11-27", "designer": "周工", "survey_notes": "可接管"})
    o = am.perform(o.id, "materials_received")
    o = am.perform(o.id, "plan_approved", {"supply_plan": "中压接入"})
    assert o.step == "design"
    return am, o


def order_clock(o: OrderView):
    clock = o.open_deadline(DeadlineScope.ORDER)
    assert clock is not None
    return clock


def test_the_customer_signs_the_design_plan_before_the_budget(app, team):
    am, o = to_design(app, team)
    o = am.perform(o.id, "design_done", {"design_unit": "安顺市市政工程设计院有限公司", "design_number": "SJ2026-0007",
                                         "design_summary": "室外设调压计量箱一座，DN50钢管沿外墙明敷至厨房"})
    assert o.step == "design_approval" and o.step_label == "客户审核设计方案"
    # The customer's review is the customer's time (a customer_wait step): the 8 working days wait on.
    assert order_clock(o).status == DeadlineStatus.PAUSED
    assert {a.code for a in o.actions} == {"design_approved", "design_revision"}
    printer = PrintService(app, team.account_manager)
    assert "design_approval" in {f.code for f in printer.forms_for(o.id)}
    sheet = flat(printer.render(o.id, "design_approval"))
    assert "设计方案确认单" in sheet and "SJ2026-0007" in sheet and "DN50钢管沿外墙明敷至厨房" in sheet
    assert "用气单位代表签字" in sheet and "同意按此方案编制工程预算" in sheet
    # Not accepted: back to the designers with the customer's objection, then designed again.
    with pytest.raises(Refused, match="原因"):
        am.perform(o.id, "design_revision")
    o = am.perform(o.id, "design_revision", reason="表箱位置挡住店面招牌，要求移至侧墙")
    assert o.step == "design" and o.reason.startswith("表箱位置")
    o = am.perform(o.id, "design_done", {"design_unit": "安顺市市政工程设计院有限公司", "design_number": "SJ2026-0007-1",
                                         "design_summary": "调压计量箱移至侧墙"})
    with pytest.raises(Refused, match="客户确认日期"):
        am.perform(o.id, "design_approved", {"approval_date": "2020-01-01", "approved_by": "周经理"})
    o = am.perform(o.id, "design_approved", {"approval_date": "2026-11-28", "approved_by": "周经理"})
    assert o.step == "budget" and o.data["approved_by"] == "周经理"
    # The sheet printed again is the revised plan's (the customer signed that one), not the first design.
    again = flat(printer.render(o.id, "design_approval"))
    assert "SJ2026-0007-1" in again and "调压计量箱移至侧墙" in again and "DN50钢管" not in again
    assert [h.action for h in o.history if h.action.startswith("design")] == [
        "design_done", "design_revision", "design_done", "design_approved"]


def test_construction_records_the_briefing_and_the_site_cleared_before_acceptance(app, team):
    am, o = to_design(app, team)
    for action, payload in [("design_done", {"design_unit": "设计院", "design_summary": "中压接入"}),
                            ("design_approved", {"approval_date": "2026-11-27", "approved_by": "周经理"}),
                            ("budget_done", {"budget_amount": "50000"}),
                            ("contract_signed", {"contract_number": "AZ-1", "contract_amount": "50000",
                                                 "contract_date": "2026-11-27"})]:
        o = am.perform(o.id, action, payload)
    assert o.step == "construction"
    before = snapshot(app)
    with pytest.raises(Refused, match="现场技术交底"):
        am.perform(o.id, "construction_done", {**UNITS, **CHECKS})
    assert snapshot(app) == before
    o = am.perform(o.id, "briefing_done", {"briefing_date": "2026-11-30", "briefing_attendees": "项目经理、监理工程师、用气单位代表",
                                           "briefing_points": "管道走向、穿墙套管、带气接驳安全措施"})
    assert o.step == "construction" and o.history[-1].action_label == "现场技术交底"
    with pytest.raises(Refused, match="尚未确认：料尽") as refused:
        am.perform(o.id, "construction_done", {**UNITS, **CHECKS, "materials_cleared": False})
    assert refused.value.field == "materials_cleared"
    with pytest.raises(Refused, match="尚未确认：工完、料尽、场清"):
        am.perform(o.id, "construction_done", UNITS)
    o = am.perform(o.id, "construction_done", {**UNITS, **CHECKS})
    assert o.step == "completion_check"
    checklist = flat(PrintService(app, team.account_manager).render(o.id, "construction_checklist"))
    assert "施工技术交底及完工检查记录" in checklist and "2026-11-30" in checklist and "项目经理、监理工程师" in checklist
    assert "■工完" in checklist and "■料尽" in checklist and "■场清" in checklist and "□" not in checklist.split("完工检查")[1]
    o = am.perform(o.id, "acceptance_passed", {"acceptance_date": "2026-12-01"})
    assert o.step == "ignition"


def test_a_permit_pause_is_not_counted_in_the_eight_working_days(app, team, clock):
    clerk = OrderService(app, team.clerk)
    o = clerk.open("installation", business(app, team.clerk).id, documents=DOCS, data=DATA)  # Friday 11-27
    o = clerk.perform(o.id, "register")
    assert o.step == "survey"
    assert order_clock(o).due_at == datetime(2026, 12, 9, 23, 59, 59)  # 8 working days
    clock.set(datetime(2026, 11, 30, 9, 0))  # Monday: the service pipe needs a road-excavation permit
    with pytest.raises(Refused, match="请填写暂停原因"):
        OrderService(app, team.manager).pause_clock(o.id, " ", "permit")
    o = OrderService(app, team.manager).pause_clock(o.id, "道路挖掘许可，已向市政部门申请", "permit")
    assert o.on_hold and o.data["_hold_kind"] == "permit"
    assert order_clock(o).status == DeadlineStatus.PAUSED
    assert order_clock(o).pause_reason == "审批（道路挖掘许可等）：道路挖掘许可，已向市政部门申请"
    clock.set(datetime(2026, 12, 3, 9, 0))  # Thursday: permit granted
    o = OrderService(app, team.manager).resume_clock(o.id)
    # Tuesday, Wednesday and Thursday are given back: due three working days later.
    assert order_clock(o).status == DeadlineStatus.RUNNING
    assert order_clock(o).due_at == datetime(2026, 12, 14, 23, 59, 59)
    assert [h.data.get("kind") for h in o.history if h.action == "pause_clock"] == ["permit"]


def test_only_the_installation_pauses_for_permits(app, team):
    clerk = OrderService(app, team.clerk)
    o = clerk.open("activation", resident(app, team.clerk).id, documents=["property_proof", "owner_id"])
    before = snapshot(app)
    with pytest.raises(Refused, match="不能按“审批（道路挖掘许可等）”暂停计时"):
        OrderService(app, team.manager).pause_clock(o.id, "道路挖掘许可", "permit")
    with pytest.raises(Refused, match="不能按"):
        OrderService(app, team.manager).pause_clock(o.id, "随便", "holiday")
    assert snapshot(app) == before
    o = OrderService(app, team.manager).pause_clock(o.id, "客户外出")
    assert order_clock(o).pause_reason == "客户原因：客户外出"

"""非居民燃气报装: every branch — registered, survey, plan refused / approved, acceptance failed and
re-done, ignition not possible and re-booked, ignited; and the refusal for missing documents."""

from __future__ import annotations

from gasdesk.services.customers import CustomerService
from gasdesk.vocab import AccountStatus, OrderStatus
from tests.helpers import business
from tests.ui import steps
from tests.ui.steps import ASSIGN

DOCS = ["business_license", "agent_id", "site_proof"]
APPLICATION = {"project_name": "中餐厅后厨燃气改造", "expected_monthly_volume": "1200", "equipment": "中餐燃气灶2台"}
BUILT = {"work_finished": True, "materials_cleared": True, "site_cleaned": True}  # 工完、料尽、场清, ticked


def _register(qtbot, gui_app, team, window, name: str):  # type: ignore[no-untyped-def]
    business(gui_app, team.clerk, name)
    clerk = window(team.clerk)
    wiz = steps.start_wizard(qtbot, clerk, "installation")
    steps.pick_customer(qtbot, wiz, name)
    steps.tick_documents(qtbot, wiz, DOCS)
    steps.fill_application(qtbot, wiz, APPLICATION)
    steps.submit(qtbot, wiz)
    return steps.first_step(qtbot, wiz, "register", {"business_group": "业务一组"})


def test_installation_through_rework_and_rebooked_ignition(qtbot, gui_app, team, window, msgs):
    order = _register(qtbot, gui_app, team, window, "示例火锅有限公司")
    assert order.step == "survey"
    am = window(team.account_manager)
    page = steps.open_from_queue(qtbot, am, order.number)
    steps.act(qtbot, page, "survey_done", {"survey_date": "2026-11-30", "designer": "周工",
                                           "survey_notes": "具备中压接入条件"})
    steps.act(qtbot, page, "materials_received")
    steps.act(qtbot, page, "plan_approved", {"supply_plan": "中压A接入，调压箱1台"})
    steps.act(qtbot, page, "design_done", {"design_unit": "示例燃气设计院", "design_summary": "中压A接入，室外表箱"})
    steps.act(qtbot, page, "design_approved", {"approval_date": "2026-11-30", "approved_by": "周经理"})
    steps.act(qtbot, page, "budget_done", {"budget_amount": "36800.00"})
    steps.act(qtbot, page, "contract_signed", {"contract_number": "AZ-2026-118", "contract_amount": "36800",
                                               "contract_date": "2026-12-01"})
    steps.act(qtbot, page, "briefing_done", {"briefing_date": "2026-12-01", "briefing_attendees": "项目经理、监理"})
    steps.act(qtbot, page, "construction_done", {**BUILT, "construction_unit": "示例安装公司",
                                                 "supervision_unit": "示例监理"})
    steps.act(qtbot, page, "acceptance_failed", reason="调压箱接地不合格")
    assert page.order.step == "construction"
    chart = page.chart.chart
    assert chart.items_by_key["construction"].data(1) == "current"
    assert chart.items_by_key["completion_check"].data(1) == "done"
    steps.act(qtbot, page, "construction_done", {**BUILT, "construction_unit": "示例安装公司",
                                                 "supervision_unit": "示例监理"})
    steps.act(qtbot, page, "acceptance_passed", {"acceptance_date": "2026-12-03"})
    assert page.order.step == "ignition"

    dispatcher = window(team.dispatcher)
    steps.visit(qtbot, dispatcher, order.number, "assign", ASSIGN)
    steps.visit(qtbot, dispatcher, order.number, "conditions_not_met", reason="用气设备未到场")
    steps.visit(qtbot, dispatcher, order.number, "rebook", {"appointment_at": "2026-12-02 14:00"}, waiting=True)
    steps.visit(qtbot, dispatcher, order.number, "ignited", {
        "meter_number": "G10-778899", "meter_model": "IC卡膜式表", "meter_rating": "G10", "initial_reading": "0"})

    final = steps.order(gui_app, team, order.id)
    assert final.status is OrderStatus.ARCHIVED
    actions = [h.action for h in final.history]
    assert actions.count("construction_done") == 2 and "acceptance_failed" in actions
    account = CustomerService(gui_app, team.admin).accounts(final.customer_id)[0]
    assert account.status is AccountStatus.ACTIVE and account.meter_number == "G10-778899"


def test_installation_supply_refused(qtbot, gui_app, team, window, msgs):
    order = _register(qtbot, gui_app, team, window, "示例化工厂")
    am = window(team.account_manager)
    page = steps.open_from_queue(qtbot, am, order.number)
    steps.act(qtbot, page, "survey_done", {"survey_date": "2026-11-30", "designer": "周工", "survey_notes": "管网未覆盖"})
    steps.act(qtbot, page, "materials_received")
    steps.act(qtbot, page, "plan_refused", reason="该区域暂无中压管网，无法供气")
    final = steps.order(gui_app, team, order.id)
    assert final.status is OrderStatus.REJECTED and final.reason == "该区域暂无中压管网，无法供气"
    assert page.chart.chart.items_by_key["reject:plan_reply"].data(1) == "reject_hit"


def test_installation_missing_licence_is_refused(qtbot, gui_app, team, window, msgs):
    business(gui_app, team.clerk, "示例茶楼")
    clerk = window(team.clerk)
    wiz = steps.start_wizard(qtbot, clerk, "installation")
    steps.pick_customer(qtbot, wiz, "示例茶楼")
    steps.tick_documents(qtbot, wiz, ["agent_id", "site_proof"])
    steps.fill_application(qtbot, wiz, APPLICATION)
    steps.submit(qtbot, wiz)
    assert not wiz.first_step_page.radios["register"].isEnabled()
    done = steps.first_step(qtbot, wiz, "refuse")
    assert done.status is OrderStatus.REJECTED and "营业执照" in done.reason

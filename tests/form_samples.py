"""Realistic FormContexts for every printed form (one scenario per flow), for tests and previews.

    from tests.form_samples import sample_context
    ctx = sample_context("meter_change", copy=True)
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from decimal import Decimal
from typing import Any

from gasdesk.flows.forms import FORMS
from gasdesk.reports.context import (
    AccountInfo,
    CompanyProfile,
    FieldValue,
    FormContext,
    MeterInfo,
    PartyInfo,
    PaymentInfo,
    StepRecord,
)

COMPANY = CompanyProfile(
    name="贵州燃气集团安顺市燃气有限责任公司",
    hall_address="安顺市西秀区 客户服务大厅",
    service_phone="96977",
    emergency_phone="96977",
    complaint_phone="0851-33525106",
    hall_hours="每日 9:00-17:00",
    complaint_hours="工作日 9:00-17:00",
    service_line_hours="每日 9:00-24:00",
)

RESIDENT = PartyInfo(
    number="C2026000123",
    category_label="居民",
    name="张伟",
    id_type_label="居民身份证",
    id_number="520102198805061234",
    contact_person="张伟",
    phone="13985012345",
    address="示例市云岩区中华北路108号金桂园小区3栋2单元1502室",
    district_label="市区",
    gas_use_type_label="居民生活用气",
    yearly_allowance=Decimal("350"),
    household_size=3,
)

BUSINESS = PartyInfo(
    number="F2026000042",
    category_label="非居民",
    name="示例市好味道餐饮管理有限公司",
    id_type_label="统一社会信用代码",
    id_number="91520100MA6H1234XY",
    contact_person="刘强",
    phone="0851-85556789",
    address="示例市南明区花果园大街66号商业街B区1层112号",
    district_label="市区",
    gas_use_type_label="商业用气",
    yearly_allowance=Decimal("0"),
)

ACCOUNT = AccountInfo(number="A2026000123", status_label="正常用气", balance=Decimal("86.40"),
                      address=RESIDENT.address)
OLD_METER = MeterInfo(number="JB2016030789", model="JBD1.6膜式燃气表", rating="G1.6",
                      last_reading=Decimal("1234.5"))

OPENED = datetime(2026, 11, 27, 9, 12)
PRINTED = datetime(2026, 11, 27, 10, 35)
APPOINTMENT = datetime(2026, 11, 30, 14, 0)

FLOWS: dict[str, tuple[str, str]] = {
    "activation": ("KT", "用户开通"),
    "installation": ("BZ", "非居民燃气报装"),
    "capacity_change": ("ZR", "增/减容（换表）"),
    "type_change": ("XZ", "用户性质变更"),
    "allowance_change": ("QL", "气量变更"),
    "suspension": ("ZT", "暂停用气"),
    "transfer": ("GH", "客户过户"),
    "detail_change": ("XG", "用户信息更改"),
    "closure": ("XH", "客户销户"),
    "complaint": ("TS", "投诉"),
    "inspection": ("AJ", "安全检查"),
}

# Which flow each form is sampled from.
FORM_FLOW: dict[str, str] = {
    "acceptance": "activation",
    "installation_application": "installation",
    "supply_plan_reply": "installation",
    "design_approval": "installation",
    "construction_checklist": "installation",
    "completion_confirmation": "installation",
    "ignition_notice": "installation",
    "residential_contract": "activation",
    "non_residential_contract": "transfer",
    "reset_agreement": "activation",
    "safety_notice": "activation",
    "site_work": "activation",
    "meter_change": "capacity_change",
    "suspension_notice": "suspension",
    "plugging_work": "suspension",
    "removal_work": "closure",
    "transfer_application": "transfer",
    "closure_application": "closure",
    "allowance_application": "allowance_change",
    "detail_change_application": "detail_change",
    "type_change_application": "type_change",
    "complaint_transfer": "complaint",
    "rejection_notice": "activation",
    "receipt": "capacity_change",
    "inspection_record": "inspection",
    "hazard_notice": "inspection",
    "no_one_home_card": "inspection",
}

COMPLAINT_TEXT = (
    "客户反映：11月20日上午燃气公司人员上门安检后，厨房燃气灶右侧灶眼一直打不着火，"
    "多次拨打客服电话要求上门维修，至今无人处理；客户认为安检人员操作不当损坏了灶具，要求赔偿并尽快修复。"
)


def order_number(flow: str) -> str:
    return f"{FLOWS[flow][0]}-20261127-0001"


def _fields(*pairs: tuple[str, str]) -> list[FieldValue]:
    return [FieldValue(label, value) for label, value in pairs]


def scenario(form: str) -> dict[str, Any]:
    """The parts of the context that differ by form (customer, step, data, fields...)."""
    s: dict[str, Any] = {}
    if form == "acceptance":
        s.update(
            current_step_label="受理申请并核实资料和通气条件",
            documents=[("房产证明材料", True), ("户主身份证", True)],
            commitment="受理后5个工作日内完成通气点火（客户原因延误除外）",
        )
    elif form == "installation_application":
        s.update(
            current_step_label="用户报装",
            documents=[("营业执照（统一社会信用代码证明）", True), ("经办人身份证", True),
                       ("用气场所产权或租赁证明", True), ("用气设备清单", False)],
            data={"project_name": "好味道餐厅厨房燃气工程", "expected_monthly_volume": "3200",
                  "equipment": "中餐燃气炒灶2台（每台40kW），燃气蒸柜1台，燃气汤炉1台"},
            fields=_fields(("项目名称", "好味道餐厅厨房燃气工程"), ("预计月用气量（m³）", "3200"),
                           ("用气设备", "中餐燃气炒灶2台（每台40kW），燃气蒸柜1台，燃气汤炉1台")),
        )
    elif form == "supply_plan_reply":
        plan = ("由花果园大街中压管网DN160引入，新建调压箱1座（RX100/0.1），"
                "经地上敷设DN50镀锌钢管至厨房；设计用气量每小时40m³，计量采用G25皮膜表1台。")
        s.update(
            current_step_label="用气方案答复",
            data={"project_name": "好味道餐厅厨房燃气工程", "survey_date": "2026-11-30", "supply_plan": plan},
            fields=_fields(("项目名称", "好味道餐厅厨房燃气工程"), ("踏勘日期", "2026-11-30"),
                           ("设计人员", "赵工"), ("用气方案", plan)),
        )
    elif form == "design_approval":
        summary = "花果园大街中压管网DN160引入，室外设调压计量箱1座（G25表），DN50镀锌钢管沿外墙明敷至厨房，设燃气泄漏报警及紧急切断装置。"
        s.update(
            current_step_label="客户审核设计方案",
            data={"project_name": "好味道餐厅厨房燃气工程", "design_unit": "安顺市市政工程设计院有限公司",
                  "design_number": "SJ2026-0031", "design_summary": summary},
            fields=_fields(("项目名称", "好味道餐厅厨房燃气工程"), ("设计单位", "安顺市市政工程设计院有限公司"),
                           ("设计方案编号", "SJ2026-0031"), ("设计方案概要", summary)),
        )
    elif form == "construction_checklist":
        s.update(
            current_step_label="工程施工",
            data={"briefing_date": "2026-12-10", "briefing_attendees": "施工单位项目经理、监理工程师、用气单位代表",
                  "briefing_points": "管道走向、穿墙套管、带气接驳安全措施", "construction_unit": "示例市燃气工程安装有限公司",
                  "supervision_unit": "示例市建设监理咨询有限公司", "work_finished": True, "materials_cleared": True,
                  "site_cleaned": True},
            fields=_fields(("技术交底日期", "2026-12-10"), ("施工单位", "示例市燃气工程安装有限公司")),
        )
    elif form in ("completion_confirmation", "ignition_notice"):
        s.update(
            current_step_label="竣工验收" if form == "completion_confirmation" else "开通点火及交接",
            data={"contract_number": "AZ-2026-0318", "acceptance_date": "2026-12-20"},
            fields=_fields(("项目名称", "好味道餐厅厨房燃气工程"), ("合同编号", "AZ-2026-0318"),
                           ("施工单位", "示例市燃气工程安装有限公司"), ("监理单位", "示例市建设监理咨询有限公司"),
                           ("验收日期", "2026-12-20")),
            crew="输配中心 安装一班 王师傅", appointment_at=datetime(2026, 12, 22, 9, 30),
        )
    elif form == "site_work":
        s.update(
            current_step_label="上门作业（通气点火）", crew="输配中心 安装二班 陈明", appointment_at=APPOINTMENT,
            data={"meter_number": "JB2026110045", "meter_model": "JBD2.5膜式燃气表", "meter_rating": "G2.5",
                  "initial_reading": "0"},
            fields=_fields(("作业班组/人员", "输配中心 安装二班 陈明"), ("预约上门时间", "2026-11-30 14:00"),
                           ("表号", "JB2026110045"), ("表型号", "JBD2.5膜式燃气表"), ("规格", "G2.5"),
                           ("起始读数（m³）", "0")),
        )
    elif form in ("meter_change", "receipt"):
        s.update(
            current_step_label="上门换表", crew="输配中心 维修一班 陈明", appointment_at=APPOINTMENT,
            meter=OLD_METER,
            data={"direction": "increase", "requested_rating": "G4", "final_reading": "1234.5",
                  "meter_number": "JB2026110045", "meter_model": "JBD4膜式燃气表", "meter_rating": "G4",
                  "initial_reading": "0", "fee": "150.00", "fee_method": "cash"},
            fields=_fields(("增容或减容", "增容"), ("申请表具规格", "G4"), ("旧表止数（m³）", "1234.5"),
                           ("表号", "JB2026110045"), ("表型号", "JBD4膜式燃气表"), ("规格", "G4"),
                           ("起始读数（m³）", "0"), ("收费金额（元）", "150.00"), ("收费方式", "现金")),
            payment=PaymentInfo(receipt_number="SJ202611270003", kind_label="业务收费", item="增容换表费",
                                amount=Decimal("150.00"), method_label="现金", at=datetime(2026, 11, 30, 15, 20),
                                staff_name="李娜", direction="in"),
        )
    elif form == "suspension_notice":
        s.update(current_step_label="核实暂停用气条件", data={"suspend_from": "2026-12-01"},
                 fields=_fields(("申请暂停日期", "2026-12-01")), documents=[("户主身份证", True)])
    elif form == "plugging_work":
        s.update(current_step_label="上门封堵", crew="输配中心 维修二班 周杰", appointment_at=APPOINTMENT,
                 data={"suspend_from": "2026-12-01", "final_reading": "1260.3", "fee": "50.00", "fee_method": "cash"},
                 fields=_fields(("申请暂停日期", "2026-12-01"), ("封堵时表读数（m³）", "1260.3"),
                                ("收费金额（元）", "50.00"), ("收费方式", "现金")))
    elif form == "removal_work":
        s.update(current_step_label="上门拆除", crew="输配中心 维修二班 周杰", appointment_at=APPOINTMENT,
                 data={"final_reading": "1288", "fee": "120.00", "fee_method": "mobile"},
                 fields=_fields(("表止数（m³）", "1288"), ("收费金额（元）", "120.00"), ("收费方式", "移动支付")))
    elif form == "transfer_application":
        s.update(
            current_step_label="客户填写并签署过户申请表",
            documents=[("双方身份证复印件", True), ("房产证或购房合同复印件", True), ("物业管理证明", True)],
            data={"new_name": "李秀英", "new_id_type": "resident_id", "new_id_number": "520103199203154321",
                  "new_phone": "13608512345"},
            fields=_fields(("新户名", "李秀英"), ("新户主证件类型", "居民身份证"),
                           ("新户主证件号码", "520103199203154321"), ("新户主联系电话", "13608512345")),
        )
    elif form == "closure_application":
        s.update(current_step_label="客户填写并签署销户申请表",
                 documents=[("身份证复印件", True), ("房产证或购房合同复印件", True), ("物业管理证明", False)])
    elif form == "allowance_application":
        s.update(
            current_step_label="客户填写并签署气量变更申请表",
            documents=[("身份证复印件", True), ("房产证或购房合同复印件", True), ("社区证明", True),
                       ("户口簿复印件", True), ("居民供气协议", True)],
            data={"household_size": 6, "new_allowance": "520"},
            fields=_fields(("家庭人口（人）", "6"), ("变更后年用气基数（m³）", "520")),
        )
    elif form == "detail_change_application":
        s.update(
            current_step_label="核实信息及是否允许变更", documents=[("身份证复印件", True)],
            data={"new_contact_person": "王芳", "new_phone": "13885098765",
                  "old_values": {"phone": "13985012345", "phone2": "0851-85551234", "contact_person": "张伟"}},
            fields=_fields(("新联系人", "王芳"), ("新联系电话", "13885098765")),
        )
    elif form == "type_change_application":
        s.update(
            customer=BUSINESS, current_step_label="核实地址及客户资料",
            documents=[("身份证或营业执照", True), ("房产证或购房合同复印件", True)],
        )
    elif form == "complaint_transfer":
        s.update(
            current_step_label="被投诉部门处理", account=None, meter=None,
            data={"complaint_type": "complaint", "content": COMPLAINT_TEXT, "contact_phone": "13985012345",
                  "respondent_department": "distribution", "department": "distribution",
                  "summary": "请输配中心核实11月20日安检情况，上门检修灶具并答复赔偿要求。", "rounds": 1},
            fields=_fields(("类别", "投诉"), ("投诉/咨询内容", COMPLAINT_TEXT), ("联系电话", "13985012345"),
                           ("被投诉部门", "输配中心"), ("转办部门", "输配中心"),
                           ("转办事项", "请输配中心核实11月20日安检情况，上门检修灶具并答复赔偿要求。")),
            history=[
                StepRecord(OPENED, "受理、解释、安抚客户", "受理投诉", "李娜", "客户情绪激动，已安抚"),
                StepRecord(datetime(2026, 11, 27, 9, 40), "受理、解释、安抚客户", "客户不接受，开具投诉转办单",
                           "李娜", "转输配中心"),
            ],
        )
    elif form in ("inspection_record", "hazard_notice"):
        hazards = [
            {"id": 1, "item": "leak", "label": "接口、阀门漏气", "grade": "grade1", "grade_label": "一级",
             "note": "灶前阀接口漏气，已关闭表前阀", "due_at": "2026-11-30T23:59:59", "status": "open"},
            {"id": 2, "item": "hose_aged", "label": "胶管老化或使用非燃气专用胶管", "grade": "grade2",
             "grade_label": "二级", "note": "", "due_at": "2026-12-25T23:59:59", "status": "open"},
            {"id": 3, "item": "no_alarm", "label": "应安装燃气报警器而未安装", "grade": "grade3", "grade_label": "三级",
             "note": "建议安装", "due_at": None, "status": "advice"},
        ]
        marks = {f"chk_{code}": "ok" for code in (
            "hose_long", "no_flame_failure", "heater_flue", "pipe_concealed", "meter_damaged", "altered")}
        s.update(
            current_step_label="入户安全检查", crew="安检一班 周明",
            data={"visited_at": "2026-11-27T09:30", "left_at": "2026-11-27T09:55", "inspector": "安检一班 周明",
                  "attempt": 2, "outcome": "entered", "hazard_list": hazards, "notice_number": "ZG-20261127-0001",
                  "chk_leak": "grade1", "note_leak": "灶前阀接口漏气，已关闭表前阀", "chk_hose_aged": "grade2",
                  "chk_no_alarm": "grade3", "hose_due": "2027-06-30", **marks},
        )
    elif form == "no_one_home_card":
        s.update(current_step_label="入户安全检查", crew="安检一班 周明",
                 data={"visited_at": "2026-11-27T09:30", "inspector": "安检一班 周明", "attempt": 1,
                       "max_attempts": 3, "outcome": "not_home", "card_left": True})
    elif form == "rejection_notice":
        s.update(current_step_label="不予受理（已告知原因）", order_status_label="不予受理",
                 reason="房产证明材料上的产权人与申请人不一致，且未提供产权人的委托书；请补齐资料后重新申请。",
                 documents=[("房产证明材料", False), ("户主身份证", True)])
    elif form in ("residential_contract", "reset_agreement", "safety_notice"):
        s.update(current_step_label="受理申请并核实资料和通气条件")
    elif form == "non_residential_contract":
        s.update(current_step_label="新客户签订供气协议", customer=BUSINESS)
    if FORM_FLOW[form] == "installation" and "customer" not in s:
        s["customer"] = BUSINESS
        s.setdefault("account", None)
    return s


def sample_context(form: str, **changes: Any) -> FormContext:
    """A complete context for `form`; keyword arguments replace any FormContext field."""
    flow = FORM_FLOW[form]
    base: dict[str, Any] = dict(
        form=form,
        form_title=FORMS[form],
        company=COMPANY,
        order_number=order_number(flow),
        flow_kind=flow,
        flow_label=FLOWS[flow][1],
        order_status_label="办理中",
        opened_at=OPENED,
        opened_by="李娜",
        current_step_label="",
        customer=RESIDENT,
        account=ACCOUNT,
        meter=OLD_METER if flow not in ("activation", "installation") else None,
        documents=[],
        data={},
        fields=[],
        reason="",
        crew="",
        appointment_at=None,
        history=[StepRecord(OPENED, "受理", "受理申请", "李娜", "")],
        payments=[],
        printed_at=PRINTED,
        printed_by="李娜",
    )
    base.update(scenario(form))
    base.update(changes)
    # As the printing service does: each recorded label's field code, from the flow's definition.
    from gasdesk.flows import ALL_FLOWS
    from gasdesk.flows.departments import DEPARTMENTS
    from gasdesk.services.printing import field_choices

    known = list(ALL_FLOWS[base["flow_kind"]].fields())
    by_label = {f.label: f.code for f in known}
    base.setdefault("field_choices", field_choices(known, dict(DEPARTMENTS)))
    from gasdesk.flows.forms import FLOW_FORMS

    if form in FLOW_FORMS:
        base.setdefault("blocks", FLOW_FORMS[form].blocks)
    base.setdefault("field_labels", {code: label for label, code in by_label.items()})
    base.setdefault("field_text", {by_label[f.label]: f.value for f in base["fields"] if f.label in by_label})
    return FormContext(**base)


def replace(ctx: FormContext, **changes: Any) -> FormContext:
    """dataclasses.replace; new order data is formatted for print as the printing service does."""
    if "data" in changes and isinstance(ctx, FormContext):
        from gasdesk.flows import ALL_FLOWS
        from gasdesk.services.printing import display

        text = dict(ctx.field_text)
        for f in ALL_FLOWS[ctx.flow_kind].fields():
            if changes["data"].get(f.code) not in (None, ""):
                text[f.code] = display(f, changes["data"][f.code], {})
        changes.setdefault("field_text", text)
    return dataclasses.replace(ctx, **changes)

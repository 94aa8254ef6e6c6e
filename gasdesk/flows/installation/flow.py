"""非居民燃气报装 (flows.md §1): the business customer's gas installation, from application to ignition.

As the commitment (三、1) describes it beyond the chart: the design plan is reviewed and signed by the
customer (设计方案确认单) before the budget and contract; construction begins with the on-site technical
briefing (技术交底) and ends with 工完、料尽、场清, both recorded before completion acceptance; time spent
on approvals such as road-excavation permits is a pause of its own (PauseKind.PERMIT), outside the 8
working days like the customer's own delays.
"""

from __future__ import annotations

from gasdesk.flows.prelude import *  # noqa: F403 - the definition vocabulary

# The completion checks of construction: 工完、料尽、场清 (三、1（4）), each confirmed before acceptance.
SITE_CLEARED = ("work_finished", "materials_cleared", "site_cleaned")

FLOW = FlowDef(
    kind="installation", label="非居民燃气报装", number_prefix="BZ",
    categories=("non_residential",), **opens_account(Effect("positive", fields=("expected_monthly_volume",))),
    documents=(
        DocumentDef("business_license", "营业执照（统一社会信用代码证明）"),
        DocumentDef("agent_id", "经办人身份证"),
        DocumentDef("site_proof", "用气场所产权或租赁证明"),
        DocumentDef("equipment_list", "用气设备清单", required=False),
    ),
    open_fields=(
        FieldDef("project_name", "项目名称"),
        FieldDef("expected_monthly_volume", "预计月用气量（m³）", FieldKind.READING),
        FieldDef("equipment", "用气设备", FieldKind.LONG_TEXT, required=False),
    ),
    open_forms=("acceptance", "installation_application"),
    total_limit=TimeLimit(8, WD),
    phone_intake=True,
    pause_kinds=(PauseKind.CUSTOMER, PauseKind.PERMIT),
    commitment="可控环节（报装、踏勘、方案答复、竣工验收、点火交接）合计不超过8个工作日",
    steps=(
        StepDef(
            code="apply", label="用户报装", department="customer_service", limit=TimeLimit(1, WD),
            note="接待受理员1个工作日内将用户资料转业务组登记",
            actions=(
                ActionDef(code="register", label="转业务组登记", target="survey", roles=ROLES.clerk,
                          guards=("documents_complete",),
                          fields=(FieldDef("business_group", "承办业务组", required=False),)),
                refuse(decision=None),
            ),
        ),
        simple_step(
            "survey", "现场踏勘", "survey_done", "踏勘完成", "await_materials",
            roles=ROLES.account_manager, department="market", limit=TimeLimit(3, WD),
            note="客户经理3个工作日内联系预约，约定设计人员现场踏勘",
            fields=(
                FieldDef("survey_date", "踏勘日期", FieldKind.DATE),
                FieldDef("designer", "设计人员"),
                FieldDef("survey_notes", "踏勘情况", FieldKind.LONG_TEXT),
            ),
        ),
        simple_step(
            "await_materials", "等待客户提交设计基础资料", "materials_received", "设计基础资料已收齐",
            "plan_reply", roles=ROLES.business, department="business_group", customer_wait=True,
        ),
        StepDef(
            code="plan_reply", label="用气方案答复", department="business_group", limit=TimeLimit(2, WD),
            question="是否可以供气",
            actions=(
                ActionDef(code="plan_approved", label="可以供气，答复用气方案", target="design",
                          roles=ROLES.business, decision="是", forms=("supply_plan_reply",),
                          fields=(FieldDef("supply_plan", "用气方案", FieldKind.LONG_TEXT),)),
                ActionDef(code="plan_refused", label="不能供气（告知原因）", target="rejected",
                          roles=ROLES.business, decision="否", needs_reason=True,
                          forms=("supply_plan_reply", "rejection_notice")),
            ),
        ),
        simple_step("design", "项目设计", "design_done", "设计完成，交客户审核", "design_approval",
                    roles=ROLES.business, department="design", counted=False,
                    fields=(FieldDef("design_unit", "设计单位"),
                            FieldDef("design_number", "设计方案编号", required=False),
                            FieldDef("design_summary", "设计方案概要", FieldKind.LONG_TEXT))),
        StepDef(
            code="design_approval", label="客户审核设计方案", department="business_group", customer_wait=True,
            question="客户是否确认设计方案", forms=("design_approval",),
            note="设计方案评审后回复客户，由客户对设计方案进行审核，签字确认",
            actions=(
                ActionDef(code="design_approved", label="客户审核通过，签字确认", target="budget",
                          roles=ROLES.business, decision="是", guards=(Guard("date_near", field="approval_date"),),
                          fields=(FieldDef("approval_date", "客户确认日期", FieldKind.DATE),
                                  FieldDef("approved_by", "客户确认人"))),
                ActionDef(code="design_revision", label="客户提出修改意见，退回设计", target="design",
                          roles=ROLES.business, decision="否", needs_reason=True),
            ),
        ),
        simple_step("budget", "工程预算", "budget_done", "预算完成", "contract", roles=ROLES.business,
                    department="business_group", counted=False, guards=(Effect("positive", fields=("budget_amount",)),),
                    fields=(FieldDef("budget_amount", "预算金额（元）", FieldKind.MONEY),)),
        simple_step("contract", "签订合同", "contract_signed", "安装合同已签订", "construction",
                    roles=ROLES.business, department="business_group", counted=False,
                    guards=(Effect("positive", fields=("contract_amount",)), Effect("date_near", field="contract_date")),
                    fields=(
                        FieldDef("contract_number", "合同编号"),
                        FieldDef("contract_amount", "合同金额（元）", FieldKind.MONEY),
                        FieldDef("contract_date", "签订日期", FieldKind.DATE),
                    )),
        StepDef(
            code="construction", label="工程施工", department="business_group", counted=False,
            note="先组织现场技术交底；施工完毕做到工完、料尽、场清，再报竣工验收",
            actions=(
                ActionDef(code="briefing_done", label="现场技术交底", target="construction", roles=ROLES.business,
                          guards=(Guard("date_near", field="briefing_date"),),
                          fields=(FieldDef("briefing_date", "技术交底日期", FieldKind.DATE),
                                  FieldDef("briefing_attendees", "参加交底人员"),
                                  FieldDef("briefing_points", "交底内容", FieldKind.LONG_TEXT, required=False))),
                ActionDef(code="construction_done", label="施工完毕（工完、料尽、场清），提交竣工资料",
                          target="completion_check", roles=ROLES.business, forms=("construction_checklist",),
                          guards=("briefing_recorded", Guard("all_confirmed", fields=SITE_CLEARED)),
                          fields=(
                              FieldDef("construction_unit", "施工单位"),
                              FieldDef("supervision_unit", "监理单位"),
                              FieldDef("work_finished", "工完：施工内容已全部完成", FieldKind.BOOL),
                              FieldDef("materials_cleared", "料尽：剩余材料已清点退库", FieldKind.BOOL),
                              FieldDef("site_cleaned", "场清：施工现场已清理干净", FieldKind.BOOL),
                          )),
            ),
        ),
        StepDef(
            code="completion_check", label="竣工验收", department="business_group", limit=TimeLimit(1, WD),
            question="验收是否合格",
            actions=(
                ActionDef(code="acceptance_passed", label="验收合格，客户签章确认", target="ignition",
                          roles=ROLES.business, decision="是",
                          forms=("completion_confirmation", "ignition_notice"),
                          fields=(FieldDef("acceptance_date", "验收日期", FieldKind.DATE),)),
                ActionDef(code="acceptance_failed", label="验收不合格，返回施工整改", target="construction",
                          roles=ROLES.business, decision="否", needs_reason=True),
            ),
        ),
        *visit_steps(
            "ignition", "开通点火及交接", limit=TimeLimit(1, WD), rebook=True, forms=("ignition_notice",),
            done=ActionDef(code="ignited", label="点火完成，客户签字", target="archived",
                           roles=ROLES.dispatcher, decision="是", fields=new_meter_fields(),
                           effects=("activate_account",), forms=("site_work",)),
        ),
        *terminal_steps(),
    ),
)

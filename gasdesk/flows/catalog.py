"""The ten flows of the process document (flows.md), as data for the one engine.

Shared shapes (a refusal, a site visit with its re-booking, a fee) are built by the small helpers
at the top, so every flow states only what is its own.
"""

from __future__ import annotations

from gasdesk.flows.definition import (
    ROLES,
    ActionDef,
    DocumentDef,
    FieldDef,
    FieldKind,
    FlowDef,
    StepDef,
    TimeLimit,
    terminal_steps,
)
from gasdesk.vocab import GasUseType, IdDocType, PaymentMethod, Role, TimeUnit

WD = TimeUnit.WORKING_DAYS
RATINGS = tuple((r, r) for r in ("G1.6", "G2.5", "G4", "G6", "G10", "G16", "G25", "G40", "G65", "G100"))
METHODS = tuple(PaymentMethod.choices())
NON_RESIDENTIAL_USES = tuple(c for c in GasUseType.choices() if c[0] != GasUseType.RESIDENTIAL)


def refuse(label: str = "不予受理（告知客户原因）", decision: str | None = "否") -> ActionDef:
    return ActionDef(
        code="refuse", label=label, target="rejected", roles=ROLES.clerk, needs_reason=True,
        forms=("rejection_notice",), decision=decision,
    )


def fee_fields(setting: str) -> tuple[FieldDef, ...]:
    return (
        FieldDef("fee", "收费金额（元）", FieldKind.MONEY, default_setting=f"fees.{setting}"),
        FieldDef("fee_method", "收费方式", FieldKind.CHOICE, choices=METHODS),
    )


def new_meter_fields() -> tuple[FieldDef, ...]:
    return (
        FieldDef("meter_number", "表号"),
        FieldDef("meter_model", "表型号", default_setting="defaults.meter_model"),
        FieldDef("meter_rating", "规格", FieldKind.CHOICE, choices=RATINGS),
        FieldDef("initial_reading", "起始读数（m³）", FieldKind.READING),
    )


ASSIGN = ActionDef(
    code="assign", label="派工预约", target="", roles=ROLES.dispatcher,
    fields=(
        FieldDef("crew", "作业班组/人员"),
        FieldDef("appointment_at", "预约上门时间", FieldKind.DATETIME),
    ),
    effects=("set_appointment",),
)


def visit_steps(
    code: str,
    label: str,
    done: ActionDef,
    *,
    limit: TimeLimit | None = None,
    forms: tuple[str, ...] = (),
    rebook: bool = True,
    extra: tuple[ActionDef, ...] = (),
) -> tuple[StepDef, ...]:
    """A site visit by the distribution centre: book it, then work done or conditions not met.

    Conditions not met tells the customer why; with `rebook` the order waits on the customer
    (clocks paused) until a new visit is booked, otherwise it ends as refused.
    """
    wait_code = f"{code}_wait"
    not_met = ActionDef(
        code="conditions_not_met", label="不符合作业条件（告知客户原因）",
        target=wait_code if rebook else "rejected", roles=ROLES.dispatcher, needs_reason=True,
        decision="否", forms=() if rebook else ("rejection_notice",),
    )
    visit = StepDef(
        code=code, label=label, department="distribution", limit=limit, visit=True,
        question="是否符合作业条件", forms=forms,
        actions=(ActionDef(**{**ASSIGN.__dict__, "target": code}), done, *extra, not_met),
    )
    if not rebook:
        return (visit,)
    wait = StepDef(
        code=wait_code, label="等待客户重新预约", department="distribution", customer_wait=True,
        actions=(ActionDef(
            code="rebook", label="重新预约上门", target=code, roles=ROLES.business | ROLES.dispatcher,
            fields=(FieldDef("appointment_at", "预约上门时间", FieldKind.DATETIME, required=False),),
            effects=("set_appointment",),
        ),),
    )
    return (visit, wait)


def documents_step(code: str, label: str, next_step: str, ok_label: str, question: str,
                   *, mismatch_wait: str | None = None) -> StepDef:
    """The counter checks the customer's documents; yes goes on, no tells the reason."""
    ok = ActionDef(code="documents_ok", label=ok_label, target=next_step, roles=ROLES.clerk,
                   guards=("documents_complete",), decision="是")
    if mismatch_wait:
        no = ActionDef(code="documents_mismatch", label="资料不符（告知客户补充资料）", target=mismatch_wait,
                       roles=ROLES.clerk, needs_reason=True, decision="否")
    else:
        no = refuse()
    return StepDef(code=code, label=label, department="customer_service", question=question, actions=(ok, no))


def simple_step(code: str, label: str, action: str, action_label: str, target: str, *,
                roles: frozenset[Role] = ROLES.clerk, department: str = "customer_service",
                fields: tuple[FieldDef, ...] = (), effects: tuple[str, ...] = (),
                limit: TimeLimit | None = None, counted: bool = True, customer_wait: bool = False,
                forms: tuple[str, ...] = (), note: str = "") -> StepDef:
    """A step with one way forward: `fields` and `effects` belong to that action, the rest to the step
    (`forms` are the step's, printed on entering it)."""
    return StepDef(
        code=code, label=label, department=department, limit=limit, counted=counted,
        customer_wait=customer_wait, forms=forms, note=note,
        actions=(ActionDef(code=action, label=action_label, target=target, roles=roles, fields=fields,
                           effects=effects),),
    )


ID_COPY = DocumentDef("id_copy", "身份证复印件")
PROPERTY_PROOF = DocumentDef("property_proof", "房产证或购房合同复印件")
PROPERTY_MGMT = DocumentDef("property_mgmt", "物业管理证明")


INSTALLATION = FlowDef(
    kind="installation", label="非居民燃气报装", number_prefix="BZ",
    categories=("non_residential",), account_statuses=None,
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
    open_effects=("create_applying_account",),
    abandon_effects=("close_applying_account",),
    open_forms=("acceptance", "installation_application"),
    total_limit=TimeLimit(8, WD),
    commitment="可控环节（报装、踏勘、方案答复、竣工验收、点火交接）合计不超过8个工作日",
    initial="apply",
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
        simple_step("design", "项目设计", "design_done", "设计完成", "budget", roles=ROLES.business,
                    department="design", counted=False,
                    fields=(FieldDef("design_unit", "设计单位"),)),
        simple_step("budget", "工程预算", "budget_done", "预算完成", "contract", roles=ROLES.business,
                    department="business_group", counted=False,
                    fields=(FieldDef("budget_amount", "预算金额（元）", FieldKind.MONEY),)),
        simple_step("contract", "签订合同", "contract_signed", "安装合同已签订", "construction",
                    roles=ROLES.business, department="business_group", counted=False,
                    fields=(
                        FieldDef("contract_number", "合同编号"),
                        FieldDef("contract_amount", "合同金额（元）", FieldKind.MONEY),
                        FieldDef("contract_date", "签订日期", FieldKind.DATE),
                    )),
        simple_step("construction", "工程施工", "construction_done", "施工完成，提交竣工资料", "acceptance",
                    roles=ROLES.business, department="business_group", counted=False,
                    fields=(
                        FieldDef("construction_unit", "施工单位"),
                        FieldDef("supervision_unit", "监理单位"),
                    )),
        StepDef(
            code="acceptance", label="竣工验收", department="business_group", limit=TimeLimit(1, WD),
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

ACTIVATION = FlowDef(
    kind="activation", label="用户开通", number_prefix="KT",
    categories=("residential",), account_statuses=None,
    documents=(
        DocumentDef("property_proof", "房产证明材料"),
        DocumentDef("owner_id", "户主身份证"),
    ),
    open_effects=("create_applying_account",),
    abandon_effects=("close_applying_account",),
    open_forms=("acceptance",),
    total_limit=TimeLimit(5, WD),
    commitment="受理后5个工作日内完成通气点火（客户原因延误除外）",
    initial="accept",
    steps=(
        StepDef(
            code="accept", label="受理申请并核实资料和通气条件", department="customer_service",
            question="资料是否齐全，条件是否具备",
            actions=(
                ActionDef(code="accept", label="签订居民供气合同及复置协议，发放安全用气宣传资料",
                          target="site_visit", roles=ROLES.clerk, decision="是",
                          guards=("documents_complete",),
                          forms=("residential_contract", "reset_agreement", "safety_notice")),
                refuse(),
            ),
        ),
        *visit_steps(
            "site_visit", "上门作业（通气点火）", forms=("site_work",),
            done=ActionDef(code="work_done", label="作业完毕，客户签字", target="archived",
                           roles=ROLES.dispatcher, decision="是", fields=new_meter_fields(),
                           effects=("activate_account",)),
        ),
        *terminal_steps(),
    ),
)

CAPACITY_CHANGE = FlowDef(
    kind="capacity_change", label="增/减容（换表）", number_prefix="ZR",
    account_statuses=("active",),
    documents=(ID_COPY, DocumentDef("equipment_note", "用气设备变更说明", required=False)),
    open_fields=(
        FieldDef("direction", "增容或减容", FieldKind.CHOICE, choices=(("increase", "增容"), ("decrease", "减容"))),
        FieldDef("requested_rating", "申请表具规格", FieldKind.CHOICE, choices=RATINGS),
    ),
    open_forms=("acceptance",),
    total_limit=TimeLimit(5, WD),
    commitment="拆、迁、移、改作业受理后5个工作日内完成（客户原因延误除外）",
    initial="accept",
    steps=(
        StepDef(
            code="accept", label="客户服务部填写受理单", department="customer_service",
            actions=(
                ActionDef(code="accept", label="受理，转输配中心派工", target="site_visit", roles=ROLES.clerk,
                          guards=("documents_complete",)),
                refuse(decision=None),
            ),
        ),
        *visit_steps(
            "site_visit", "上门换表", rebook=False, forms=("meter_change",),
            done=ActionDef(
                code="meter_changed", label="换表完成，收费，客户签字", target="archived",
                roles=ROLES.dispatcher, decision="是",
                fields=(
                    FieldDef("final_reading", "旧表止数（m³）", FieldKind.READING),
                    *new_meter_fields(),
                    *fee_fields("capacity_change"),
                ),
                effects=("replace_meter", "charge_fee"), forms=("meter_change", "receipt"),
            ),
        ),
        *terminal_steps(),
    ),
)

TYPE_CHANGE = FlowDef(
    kind="type_change", label="用户性质变更", number_prefix="XZ",
    account_statuses=("active", "suspended"),
    documents=(DocumentDef("identity", "身份证或营业执照"), PROPERTY_PROOF),
    open_forms=("acceptance", "type_change_application"),
    initial="accept",
    steps=(
        StepDef(
            code="accept", label="核实地址及客户资料", department="customer_service", question="变更方向",
            actions=(
                ActionDef(code="to_residential", label="非居民转居民", target="residential_opening",
                          roles=ROLES.clerk, guards=("documents_complete", "is_non_residential"),
                          decision="非居民转居民"),
                ActionDef(code="to_non_residential", label="居民转非居民", target="market_data",
                          roles=ROLES.clerk, guards=("documents_complete", "is_residential"),
                          decision="居民转非居民"),
                refuse(decision=None),
            ),
        ),
        simple_step(
            "residential_opening", "按居民开通办理（签订居民供气合同）", "contract_signed", "居民供气合同已签订",
            "change_type", forms=("residential_contract", "reset_agreement", "safety_notice"),
            fields=(FieldDef("household_size", "家庭人口（人）", FieldKind.INT),),
        ),
        simple_step(
            "market_data", "市场发展部完善资料", "data_completed", "资料已完善", "change_type",
            roles=ROLES.account_manager, department="market",
            fields=(
                FieldDef("new_gas_use_type", "用气性质", FieldKind.CHOICE, choices=NON_RESIDENTIAL_USES),
                FieldDef("business_name", "单位名称", required=False),
            ),
        ),
        simple_step("change_type", "修改用气性质", "type_changed", "用气性质已修改", "archived",
                    effects=("change_gas_use_type",)),
        *terminal_steps(),
    ),
)

ALLOWANCE_CHANGE = FlowDef(
    kind="allowance_change", label="气量变更", number_prefix="QL",
    categories=("residential",), account_statuses=("active", "suspended"),
    documents=(
        ID_COPY, PROPERTY_PROOF,
        DocumentDef("community_certificate", "社区证明"),
        DocumentDef("household_register", "户口簿复印件"),
        DocumentDef("supply_agreement", "居民供气协议"),
    ),
    open_forms=("acceptance",),
    initial="accept",
    steps=(
        documents_step("accept", "受理并核对资料", "application", "资料相符", "资料是否相符",
                       mismatch_wait="await_documents"),
        simple_step("await_documents", "等待客户补充资料", "documents_resubmitted", "客户已补充资料，重新核对",
                    "accept", customer_wait=True),
        simple_step(
            "application", "客户填写并签署气量变更申请表", "application_signed", "申请表已签署",
            "change_allowance", forms=("allowance_application",),
            fields=(
                FieldDef("household_size", "家庭人口（人）", FieldKind.INT),
                FieldDef("new_allowance", "变更后年用气基数（m³）", FieldKind.READING),
            ),
        ),
        simple_step("change_allowance", "建立台账并变更气量", "allowance_changed", "气量已变更", "archived",
                    effects=("change_allowance",)),
        *terminal_steps(),
    ),
)

SUSPENSION = FlowDef(
    kind="suspension", label="暂停用气", number_prefix="ZT",
    account_statuses=("active",),
    documents=(DocumentDef("owner_id", "户主身份证"),),
    open_fields=(FieldDef("suspend_from", "申请暂停日期", FieldKind.DATE),),
    open_forms=("acceptance",),
    initial="accept",
    steps=(
        StepDef(
            code="accept", label="核实暂停用气条件", department="customer_service", question="是否符合暂停条件",
            actions=(
                ActionDef(code="accept", label="符合条件，告知暂停用气须知", target="plugging_decision",
                          roles=ROLES.clerk, guards=("documents_complete",), decision="是",
                          forms=("suspension_notice",)),
                refuse(),
            ),
        ),
        StepDef(
            code="plugging_decision", label="是否需要封堵", department="customer_service",
            question="是否需要封堵",
            actions=(
                ActionDef(code="without_plugging", label="不需封堵，告知抄表员", target="notify_reader",
                          roles=ROLES.clerk, decision="否"),
                ActionDef(code="with_plugging", label="需要封堵，建立封堵台账并派工", target="plugging_visit",
                          roles=ROLES.clerk, decision="是", forms=("plugging_work",)),
            ),
        ),
        simple_step("notify_reader", "告知抄表员暂停用气客户", "reader_notified", "已告知抄表员", "archived",
                    effects=("suspend_account",),
                    fields=(FieldDef("reader_name", "抄表员", required=False),)),
        *visit_steps(
            "plugging_visit", "上门封堵", limit=TimeLimit(5, WD), forms=("plugging_work",),
            done=ActionDef(
                code="plugged", label="封堵完成，收费，客户签字", target="archived", roles=ROLES.dispatcher,
                decision="是",
                fields=(FieldDef("final_reading", "封堵时表读数（m³）", FieldKind.READING), *fee_fields("plugging")),
                effects=("suspend_account", "charge_fee"), forms=("receipt",),
            ),
        ),
        *terminal_steps(),
    ),
)

TRANSFER = FlowDef(
    kind="transfer", label="客户过户", number_prefix="GH",
    account_statuses=("active", "suspended"),
    documents=(DocumentDef("both_ids", "双方身份证复印件"), PROPERTY_PROOF, PROPERTY_MGMT),
    open_forms=("acceptance",),
    initial="accept",
    steps=(
        documents_step("accept", "受理并核对资料", "application", "资料齐全", "资料是否齐全"),
        simple_step(
            "application", "客户填写并签署过户申请表", "application_signed", "过户申请表已签署", "settle",
            forms=("transfer_application",),
            fields=(
                FieldDef("new_name", "新户名"),
                FieldDef("new_id_type", "新户主证件类型", FieldKind.CHOICE, choices=tuple(IdDocType.choices())),
                FieldDef("new_id_number", "新户主证件号码"),
                FieldDef("new_phone", "新户主联系电话", FieldKind.PHONE),
            ),
        ),
        simple_step("settle", "抄读过户表数，结清原客户费用（预存款退费、欠费收费）", "settled", "费用已结清",
                    "switch_owner", effects=("bill_final_reading", "settle_balance"), forms=("receipt",),
                    fields=(FieldDef("final_reading", "过户时表读数（m³）", FieldKind.READING),
                            FieldDef("settle_method", "收/退费方式", FieldKind.CHOICE, choices=METHODS))),
        simple_step("switch_owner", "注销原客户信息并创建新客户信息", "owner_switched", "新客户信息已创建",
                    "new_agreement", effects=("transfer_owner",)),
        simple_step("new_agreement", "新客户签订供气协议", "agreement_signed", "供气协议已签订", "archived",
                    forms=("residential_contract", "safety_notice")),
        *terminal_steps(),
    ),
)

DETAIL_CHANGE = FlowDef(
    kind="detail_change", label="用户信息更改", number_prefix="XG",
    account_statuses=("active", "suspended", "applying"),
    documents=(ID_COPY,),
    open_forms=("acceptance",),
    initial="accept",
    steps=(
        StepDef(
            code="accept", label="核实信息及是否允许变更", department="customer_service", question="是否允许变更",
            actions=(
                ActionDef(
                    code="approve", label="允许变更", target="change", roles=ROLES.clerk, decision="是",
                    guards=("documents_complete", "has_detail_changes"),
                    forms=("detail_change_application",),
                    fields=(
                        FieldDef("new_name", "更正后户名", required=False),
                        FieldDef("new_id_number", "更正后证件号码", required=False),
                        FieldDef("new_contact_person", "新联系人", required=False),
                        FieldDef("new_phone", "新联系电话", FieldKind.PHONE, required=False),
                        FieldDef("new_phone2", "新备用电话", FieldKind.PHONE, required=False),
                    ),
                ),
                refuse(),
            ),
        ),
        simple_step("change", "变更客户信息（保留原值）", "details_changed", "信息已变更", "resign",
                    effects=("change_details",)),
        simple_step("resign", "重新签订协议/合同", "agreement_signed", "协议/合同已重新签订", "archived",
                    forms=("residential_contract",)),
        *terminal_steps(),
    ),
)

CLOSURE = FlowDef(
    kind="closure", label="客户销户", number_prefix="XH",
    account_statuses=("active", "suspended"),
    documents=(ID_COPY, PROPERTY_PROOF, PROPERTY_MGMT),
    open_forms=("acceptance",),
    initial="accept",
    steps=(
        documents_step("accept", "受理并核实客户身份", "application", "身份核实无误", "身份是否核实"),
        simple_step("application", "客户填写并签署销户申请表", "application_signed", "销户申请表已签署", "settle",
                    forms=("closure_application",)),
        simple_step("settle", "查询费用（预存款退费、欠费收费）", "settled", "费用已结清", "facilities",
                    effects=("settle_balance",), forms=("receipt",),
                    fields=(FieldDef("settle_method", "收/退费方式", FieldKind.CHOICE, choices=METHODS),)),
        StepDef(
            code="facilities", label="是否需要拆除燃气设施", department="customer_service",
            question="是否需要拆除燃气设施",
            actions=(
                ActionDef(code="plugging", label="不拆除，填写封堵业务单", target="plugging_visit",
                          roles=ROLES.clerk, decision="否", forms=("plugging_work",)),
                ActionDef(code="removal", label="拆除，填写拆除业务单", target="removal_visit",
                          roles=ROLES.clerk, decision="是", forms=("removal_work",)),
            ),
        ),
        *(step for code, label, form, fee in (
            ("plugging_visit", "上门封堵", "plugging_work", "plugging"),
            ("removal_visit", "上门拆除", "removal_work", "removal"),
        ) for step in visit_steps(
            code, label, limit=TimeLimit(5, WD), forms=(form,),
            done=ActionDef(
                code="work_done", label="作业完毕，收费，客户签字，销户", target="archived",
                roles=ROLES.dispatcher, decision="是",
                fields=(FieldDef("final_reading", "表止数（m³）", FieldKind.READING), *fee_fields(fee)),
                effects=("close_account", "charge_fee"), forms=("receipt",),
            ),
        )),
        *terminal_steps(),
    ),
)

COMPLAINT = FlowDef(
    kind="complaint", label="投诉", number_prefix="TS",
    open_fields=(
        FieldDef("complaint_type", "类别", FieldKind.CHOICE,
                 choices=(("complaint", "投诉"), ("enquiry", "咨询/查询"))),
        FieldDef("content", "投诉/咨询内容", FieldKind.LONG_TEXT),
        FieldDef("contact_phone", "联系电话", FieldKind.PHONE),
        FieldDef("respondent_department", "被投诉部门", FieldKind.DEPARTMENT, required=False),
    ),
    open_forms=("acceptance",),
    open_effects=("note_service_hours",),
    commitment="投诉电话工作日9:00-17:00受理，营业厅营业时间内均可受理",
    initial="accept",
    steps=(
        StepDef(
            code="accept", label="受理、解释、安抚客户", department="customer_service",
            question="客户是否接受解释",
            actions=(
                ActionDef(code="enquiry_answered", label="咨询/查询已当场答复", target="archived",
                          roles=ROLES.clerk, fields=(FieldDef("answer", "答复内容", FieldKind.LONG_TEXT),)),
                ActionDef(code="explanation_accepted", label="客户接受解释，记录归档", target="archived",
                          roles=ROLES.clerk, decision="是",
                          fields=(FieldDef("explanation", "解释内容", FieldKind.LONG_TEXT),)),
                ActionDef(code="transfer", label="客户不接受，开具投诉转办单", target="handling",
                          roles=ROLES.clerk, decision="否", forms=("complaint_transfer",),
                          effects=("assign_department", "count_round"),
                          fields=(
                              FieldDef("department", "转办部门", FieldKind.DEPARTMENT),
                              FieldDef("summary", "转办事项", FieldKind.LONG_TEXT),
                          )),
            ),
        ),
        simple_step("handling", "被投诉部门处理", "handled", "处理完毕，记录结果", "follow_up",
                    roles=ROLES.handler, department="",
                    limit=TimeLimit(5, WD, setting="limits.complaint_round_days"),
                    fields=(FieldDef("result", "处理结果", FieldKind.LONG_TEXT),)),
        StepDef(
            code="follow_up", label="电话回访", department="customer_service", question="客户是否仍不满意",
            actions=(
                ActionDef(code="satisfied", label="客户满意，归档", target="archived", roles=ROLES.clerk,
                          decision="否", fields=(FieldDef("callback_note", "回访记录", FieldKind.LONG_TEXT),)),
                ActionDef(code="not_satisfied", label="客户仍不满意，再次转部门处理", target="handling",
                          roles=ROLES.clerk, decision="是", needs_reason=True, effects=("count_round",),
                          forms=("complaint_transfer",)),
            ),
        ),
        *terminal_steps(),
    ),
)

ALL_FLOWS: tuple[FlowDef, ...] = (
    INSTALLATION, ACTIVATION, CAPACITY_CHANGE, TYPE_CHANGE, ALLOWANCE_CHANGE,
    SUSPENSION, TRANSFER, DETAIL_CHANGE, CLOSURE, COMPLAINT,
)

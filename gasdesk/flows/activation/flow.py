"""用户开通 (flows.md §2): a household's gas is opened and ignited."""

from __future__ import annotations

from gasdesk.flows.definition import (
    ROLES,
    AccountLock,
    ActionDef,
    DocumentDef,
    FlowDef,
    StepDef,
    TimeLimit,
    terminal_steps,
)
from gasdesk.flows.shapes import WD, new_meter_fields, refuse, visit_steps

FLOW = FlowDef(
    kind="activation", label="用户开通", number_prefix="KT",
    categories=("residential",), account_statuses=None, account_lock=AccountLock.CHANGES,
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

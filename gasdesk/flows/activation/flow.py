"""用户开通 (flows.md §2): a household's gas is opened and ignited."""

from __future__ import annotations

from gasdesk.flows.prelude import *  # noqa: F403 - the definition vocabulary

FLOW = FlowDef(
    kind="activation", label="用户开通", number_prefix="KT",
    categories=("residential",), **opens_account(),
    documents=(
        DocumentDef("property_proof", "房产证明材料"),
        DocumentDef("owner_id", "户主身份证"),
    ),
    total_limit=TimeLimit(5, WD),
    phone_intake=True,
    commitment="受理后5个工作日内完成通气点火（客户原因延误除外）",
    steps=(
        counter_step(
            "accept", "受理申请并核实资料和通气条件", "资料是否齐全，条件是否具备",
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

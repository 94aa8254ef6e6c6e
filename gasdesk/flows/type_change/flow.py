"""用户性质变更 (flows.md §4): residential to business use and back.

A change to residential use follows the opening procedure (客户服务部按照开通程序办理): the counter
signs the residential contract, the distribution centre opens the supply on site and the customer
signs the work sheet; only then is the use changed. A change to business use prints the
non-residential supply contract once the market department has completed the business's data.
"""

from __future__ import annotations

from gasdesk.flows.prelude import *  # noqa: F403 - the definition vocabulary

FLOW = FlowDef(
    kind="type_change", label="用户性质变更", number_prefix="XZ",
    account_statuses=("active", "suspended"), account_lock=AccountLock.CHANGES,
    documents=(DocumentDef("identity", "身份证或营业执照"), PROPERTY_PROOF),
    open_forms=("acceptance", "type_change_application"),
    steps=(
        counter_step(
            "accept", "核实地址及客户资料", "变更方向",
            actions=(
                ActionDef(code="to_residential", label="非居民转居民", target="residential_opening",
                          roles=ROLES.clerk,
                          guards=("documents_complete", Guard("is_category", category="non_residential")),
                          effects=("intend_use",), decision="非居民转居民"),
                ActionDef(code="to_non_residential", label="居民转非居民", target="market_data",
                          roles=ROLES.clerk,
                          guards=("documents_complete", Guard("is_category", category="residential")),
                          decision="居民转非居民"),
                refuse(decision=None),
            ),
        ),
        simple_step(
            "residential_opening", "按居民开通程序办理（签订居民供气合同）", "contract_signed", "居民供气合同已签订",
            "opening_visit", forms=("residential_contract", "reset_agreement", "safety_notice"),
            fields=(FieldDef("household_size", "家庭人口（人）", FieldKind.INT),),
        ),
        *visit_steps(
            "opening_visit", "上门开通（安全检查、通气点火）", forms=("site_work",),
            done=ActionDef(code="work_done", label="开通作业完毕，客户签字", target="change_type",
                           roles=ROLES.dispatcher, decision="是", forms=("site_work",),
                           fields=(FieldDef("work_record", "作业记录", FieldKind.LONG_TEXT, required=False),)),
        ),
        StepDef(
            code="market_data", label="市场发展部完善资料", department="market",
            actions=(ActionDef(
                code="data_completed", label="资料已完善，签订非居民供用气合同", target="change_type",
                roles=ROLES.account_manager, effects=("intend_use",), forms=("non_residential_contract",),
                fields=(
                    FieldDef("new_gas_use_type", "用气性质", FieldKind.CHOICE, choices=NON_RESIDENTIAL_USES),
                    FieldDef("business_name", "单位名称", required=False),
                ),
            ),),
        ),
        simple_step("change_type", "修改用气性质", "type_changed", "用气性质已修改", "archived",
                    effects=("change_gas_use_type",)),
        *terminal_steps(),
    ),
)

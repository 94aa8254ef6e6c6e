"""用户性质变更 (flows.md §4): residential to business use and back."""

from __future__ import annotations

from gasdesk.flows.definition import (
    ROLES,
    AccountLock,
    ActionDef,
    DocumentDef,
    FieldDef,
    FieldKind,
    FlowDef,
    Guard,
    StepDef,
    terminal_steps,
)
from gasdesk.flows.shapes import NON_RESIDENTIAL_USES, PROPERTY_PROOF, refuse, simple_step

FLOW = FlowDef(
    kind="type_change", label="用户性质变更", number_prefix="XZ",
    account_statuses=("active", "suspended"), account_lock=AccountLock.CHANGES,
    documents=(DocumentDef("identity", "身份证或营业执照"), PROPERTY_PROOF),
    open_forms=("acceptance", "type_change_application"),
    initial="accept",
    steps=(
        StepDef(
            code="accept", label="核实地址及客户资料", department="customer_service", question="变更方向",
            actions=(
                ActionDef(code="to_residential", label="非居民转居民", target="residential_opening",
                          roles=ROLES.clerk,
                          guards=("documents_complete", Guard("is_category", category="non_residential")),
                          decision="非居民转居民"),
                ActionDef(code="to_non_residential", label="居民转非居民", target="market_data",
                          roles=ROLES.clerk,
                          guards=("documents_complete", Guard("is_category", category="residential")),
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

"""用户信息更改 (flows.md §8): the customer's name, ID number or phones are corrected."""

from __future__ import annotations

from gasdesk.flows.prelude import *  # noqa: F403 - the definition vocabulary

FLOW = FlowDef(
    kind="detail_change", label="用户信息更改", number_prefix="XG",
    account_statuses=("active", "suspended", "applying"), account_lock=AccountLock.CHANGES,
    documents=(ID_COPY,),
    steps=(
        counter_step(
            "accept", "核实信息及是否允许变更", "是否允许变更",
            actions=(
                ActionDef(
                    code="approve", label="允许变更", target="change", roles=ROLES.clerk, decision="是",
                    guards=("documents_complete", "has_detail_changes"),
                    forms=("detail_change_application",),
                    fields=(
                        FieldDef("new_name", "更正后户名", required=False),
                        FieldDef("new_id_number", "更正后证件号码", required=False, personal=Personal.ID_NUMBER),
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

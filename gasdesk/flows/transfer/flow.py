"""客户过户 (flows.md §7): the premises change hands; the old owner settles, the new one signs."""

from __future__ import annotations

from gasdesk.flows.prelude import *  # noqa: F403 - the definition vocabulary

FLOW = FlowDef(
    kind="transfer", label="客户过户", short_label="过户", number_prefix="GH",
    account_statuses=("active", "suspended"), account_lock=AccountLock.ENDS, ledgers=("transfer_closure",),
    reading_sources=(("transfer", "过户止数"),),
    documents=(DocumentDef("both_ids", "双方身份证复印件"), PROPERTY_PROOF, PROPERTY_MGMT),
    steps=(
        documents_step("accept", "受理并核对资料", "application", "资料齐全", "资料是否齐全"),
        simple_step(
            "application", "客户填写并签署过户申请表", "application_signed", "过户申请表已签署", "settle",
            forms=("transfer_application",), guards=("new_owner_valid",),
            fields=(
                FieldDef("new_name", "新户名"),
                FieldDef("new_id_type", "新户主证件类型", FieldKind.CHOICE, choices=tuple(IdDocType.choices())),
                FieldDef("new_id_number", "新户主证件号码", personal=Personal.ID_NUMBER),
                FieldDef("new_phone", "新户主联系电话", FieldKind.PHONE),
            ),
        ),
        simple_step("settle", "抄读过户表数，结清原客户费用（预存款退费、欠费收费）", "settled", "费用已结清",
                    "switch_owner",
                    effects=(Effect("settle_money", reading="final_reading", source="transfer", balance="all"),),
                    forms=("receipt",),
                    fields=(FieldDef("final_reading", "过户时表读数（m³）", FieldKind.READING),
                            FieldDef("settle_method", "收/退费方式", FieldKind.CHOICE, choices=METHODS))),
        simple_step("switch_owner", "注销原客户信息并创建新客户信息", "owner_switched", "新客户信息已创建",
                    "new_agreement", effects=("transfer_owner",)),
        simple_step("new_agreement", "新客户签订供气协议", "agreement_signed", "供气协议已签订", "archived",
                    forms=("residential_contract", "safety_notice")),
        *terminal_steps(),
    ),
)

"""气量变更 (flows.md §5): a household's yearly allowance (年用气基数) changes with its size."""

from __future__ import annotations

from gasdesk.flows.prelude import *  # noqa: F403 - the definition vocabulary

FLOW = FlowDef(
    kind="allowance_change", label="气量变更", number_prefix="QL",
    categories=("residential",), account_statuses=("active", "suspended"), account_lock=AccountLock.CHANGES,
    ledgers=("allowance",),
    documents=(
        ID_COPY, PROPERTY_PROOF,
        DocumentDef("community_certificate", "社区证明"),
        DocumentDef("household_register", "户口簿复印件"),
        DocumentDef("supply_agreement", "居民供气协议"),
    ),
    steps=(
        documents_step("accept", "受理并核对资料", "application", "资料相符", "资料是否相符",
                       mismatch_wait="await_documents"),
        simple_step("await_documents", "等待客户补充资料", "documents_resubmitted", "客户已补充资料，重新核对",
                    "accept", customer_wait=True),
        simple_step(
            "application", "客户填写并签署气量变更申请表", "application_signed", "申请表已签署",
            "change_allowance", forms=("allowance_application",),
            guards=(Effect("positive", fields=("household_size", "new_allowance")),),
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

"""增/减容（换表） (flows.md §3): a bigger or smaller meter."""

from __future__ import annotations

from gasdesk.flows.definition import (
    ROLES,
    AccountLock,
    ActionDef,
    DocumentDef,
    Effect,
    FieldDef,
    FieldKind,
    FlowDef,
    StepDef,
    TimeLimit,
    terminal_steps,
)
from gasdesk.flows.shapes import ID_COPY, RATINGS, WD, fee_fields, new_meter_fields, refuse, visit_steps

FLOW = FlowDef(
    kind="capacity_change", label="增/减容（换表）", number_prefix="ZR",
    account_statuses=("active",), account_lock=AccountLock.CHANGES, ledgers=("meter_change",),
    reading_sources=(("meter_change", "换表止数"),),
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
                    *fee_fields("fees.capacity_change"),
                ),
                effects=(Effect("replace_meter", reading="meter_change"), "charge_fee"),
                forms=("meter_change", "receipt"),
            ),
        ),
        *terminal_steps(),
    ),
)

"""Service orders the public commitment promises beyond the ten charts (flows.md, last section).

Meter calibration / replacement at a time agreed with the customer, 拆、迁、移、改 work within five
working days, and resuming a suspended supply (unplugging and ignition). Same engine, same shapes.
"""

from __future__ import annotations

from gasdesk.flows.catalog import (
    ID_COPY,
    PROPERTY_PROOF,
    WD,
    fee_fields,
    new_meter_fields,
    refuse,
    visit_steps,
)
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


def counter_accept(next_step: str, label: str = "受理，转输配中心派工") -> StepDef:
    return StepDef(
        code="accept", label="受理申请并核对资料", department="customer_service", question="资料是否齐全",
        actions=(
            ActionDef(code="accept", label=label, target=next_step, roles=ROLES.clerk,
                      guards=("documents_complete",), decision="是"),
            refuse(),
        ),
    )


ARRIVAL = FieldDef("arrived_at", "实际到达时间", FieldKind.DATETIME)

METER_SERVICE = FlowDef(
    kind="meter_service", label="表具校验/更换", number_prefix="JY",
    account_statuses=("active", "suspended"),
    documents=(DocumentDef("owner_id", "户主身份证"),),
    open_fields=(
        FieldDef("service_reason", "原因", FieldKind.CHOICE, choices=(
            ("customer_request", "客户申请校验"), ("periodic", "周期检定到期"), ("fault", "表具故障"))),
        FieldDef("preferred_time", "客户希望上门时间", FieldKind.DATETIME, required=False),
    ),
    open_forms=("acceptance",),
    total_limit=TimeLimit(5, WD),
    commitment="表具校验、更换按与客户约定的时间上门，合格率100%",
    initial="accept",
    steps=(
        counter_accept("site_visit"),
        *visit_steps(
            "site_visit", "上门校验/更换", forms=("site_work",),
            done=ActionDef(code="passed", label="校验合格，客户签字", target="archived", roles=ROLES.dispatcher,
                           decision="是", forms=("site_work",),
                           fields=(ARRIVAL, FieldDef("check_reading", "校验时读数（m³）", FieldKind.READING),
                                   FieldDef("check_result", "校验结论", FieldKind.LONG_TEXT)),
                           effects=("record_arrival",)),
            extra=(ActionDef(code="replaced", label="校验不合格，更换新表，客户签字", target="archived",
                             roles=ROLES.dispatcher, forms=("meter_change", "receipt"),
                             fields=(ARRIVAL, FieldDef("final_reading", "旧表止数（m³）", FieldKind.READING),
                                     *new_meter_fields(), *fee_fields("meter_replacement")),
                             effects=("record_arrival", "replace_meter", "charge_fee")),),
        ),
        *terminal_steps(),
    ),
)

RELOCATION = FlowDef(
    kind="relocation", label="拆、迁、移、改", number_prefix="GZ",
    account_statuses=("active", "suspended"),
    documents=(ID_COPY, PROPERTY_PROOF),
    open_fields=(
        FieldDef("work_type", "作业类别", FieldKind.CHOICE, choices=(
            ("removal", "拆除"), ("relocation", "迁移"), ("moving", "移位"), ("modification", "改装"))),
        FieldDef("work_description", "作业要求", FieldKind.LONG_TEXT),
    ),
    open_forms=("acceptance",),
    total_limit=TimeLimit(5, WD),
    commitment="拆、迁、移、改作业受理后5个工作日内完成（客户原因延误除外）",
    initial="accept",
    steps=(
        counter_accept("site_visit"),
        *visit_steps(
            "site_visit", "上门作业（拆、迁、移、改）", forms=("site_work",),
            done=ActionDef(code="work_done", label="作业完毕，收费，客户签字", target="archived",
                           roles=ROLES.dispatcher, decision="是", forms=("site_work", "receipt"),
                           fields=(FieldDef("work_record", "作业记录", FieldKind.LONG_TEXT),
                                   *fee_fields("relocation")),
                           effects=("charge_fee",)),
        ),
        *terminal_steps(),
    ),
)

RESUME_SUPPLY = FlowDef(
    kind="resume_supply", label="恢复供气", number_prefix="HF",
    account_statuses=("suspended",),
    documents=(DocumentDef("owner_id", "户主身份证"),),
    open_forms=("acceptance",),
    total_limit=TimeLimit(5, WD),
    commitment="受理后5个工作日内恢复供气并点火（客户原因延误除外）",
    initial="accept",
    steps=(
        counter_accept("site_visit", "受理，转输配中心启封点火"),
        *visit_steps(
            "site_visit", "上门启封并点火", forms=("site_work",),
            done=ActionDef(code="resumed", label="启封点火完成，客户签字", target="archived", roles=ROLES.dispatcher,
                           decision="是", forms=("site_work",),
                           fields=(FieldDef("resume_reading", "启封时表读数（m³）", FieldKind.READING),
                                   *fee_fields("ignition")),
                           effects=("resume_account", "charge_fee")),
        ),
        *terminal_steps(),
    ),
)

SERVICE_FLOWS: tuple[FlowDef, ...] = (METER_SERVICE, RELOCATION, RESUME_SUPPLY)

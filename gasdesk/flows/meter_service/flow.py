"""表具校验/更换: meter calibration or replacement at a time agreed with the customer (flows.md, commitment).

The commitment publishes a pass rate of 100 % (管道燃气表校验、更换合格率). Read here as the quality of
the work: every calibration or replacement ends with a re-check (tightness, metering, seal) that the
crew records as passed; a failed re-check is recorded as re-work (返工, with its reason) and the work
is done again. An order archived without re-work passed first time; the monthly rate is those over
all finished (services/ledgers/rates.py). A meter found inaccurate and replaced is not a failure:
the replacement is the remedy.
"""

from __future__ import annotations

from gasdesk.flows.prelude import *  # noqa: F403 - the definition vocabulary

ARRIVAL = FieldDef("arrived_at", "实际到达时间", FieldKind.DATETIME)
# The re-check that ends every calibration or replacement; a failed one is re-work, not a finish.
RECHECKED = FieldDef("work_checked", "复检合格（严密性试验、计量、铅封）", FieldKind.BOOL)

FLOW = FlowDef(
    kind="meter_service", label="表具校验/更换", number_prefix="JY", chart=False,
    rounds_label="返工次数", pass_rate="表具校验、更换合格率",
    account_statuses=("active", "suspended"), reading_sources=(("meter_change", "换表止数"),),
    # A replacement changes the meter: no closure or transfer may end the account meanwhile (the
    # visit would read and replace the meter of a closed account).
    account_lock=AccountLock.CHANGES,
    documents=(DocumentDef("owner_id", "户主身份证"),),
    open_fields=(
        FieldDef("service_reason", "原因", FieldKind.CHOICE, choices=(
            ("customer_request", "客户申请校验"), ("periodic", "周期检定到期"), ("fault", "表具故障"))),
        FieldDef("preferred_time", "客户希望上门时间", FieldKind.DATETIME, required=False),
    ),
    total_limit=TimeLimit(5, WD),
    phone_intake=True,
    commitment="表具校验、更换按与客户约定的时间上门，合格率100%",
    steps=accept_then_visit(
        "accept", "site_visit", "上门校验/更换", forms=("site_work",),
        done=ActionDef(code="passed", label="校验合格，客户签字", target="archived", roles=ROLES.dispatcher,
                       decision="是", forms=("site_work",),
                       fields=(ARRIVAL, FieldDef("check_reading", "校验时读数（m³）", FieldKind.READING),
                               FieldDef("check_result", "校验结论", FieldKind.LONG_TEXT), RECHECKED),
                       guards=("rechecked",), effects=("record_arrival",)),
        extra=(ActionDef(code="replaced", label="校验不合格，更换新表，客户签字", target="archived",
                         roles=ROLES.dispatcher, forms=("meter_change", "receipt"),
                         fields=(ARRIVAL, FieldDef("final_reading", "旧表止数（m³）", FieldKind.READING),
                                 *new_meter_fields(), *fee_fields("fees.meter_replacement"), RECHECKED),
                         guards=("rechecked",),
                         effects=("record_arrival", Effect("replace_meter", reading="meter_change"),
                                  "charge_fee")),
               ActionDef(code="rework", label="复检不合格，返工", target="site_visit", roles=ROLES.dispatcher,
                         needs_reason=True, effects=("count_rework",))),
    ),
)

"""拆、迁、移、改: work on the customer's gas facilities within five working days (flows.md, commitment)."""

from __future__ import annotations

from gasdesk.flows.prelude import *  # noqa: F403 - the definition vocabulary

FLOW = FlowDef(
    kind="relocation", label="拆、迁、移、改", number_prefix="GZ", chart=False,
    account_statuses=("active", "suspended"),
    documents=(ID_COPY, PROPERTY_PROOF),
    open_fields=(
        FieldDef("work_type", "作业类别", FieldKind.CHOICE, choices=(
            ("removal", "拆除"), ("relocation", "迁移"), ("moving", "移位"), ("modification", "改装"))),
        FieldDef("work_description", "作业要求", FieldKind.LONG_TEXT),
    ),
    total_limit=TimeLimit(5, WD),
    phone_intake=True,
    commitment="拆、迁、移、改作业受理后5个工作日内完成（客户原因延误除外）",
    steps=accept_then_visit(
        "accept", "site_visit", "上门作业（拆、迁、移、改）", forms=("site_work",),
        done=ActionDef(code="work_done", label="作业完毕，收费，客户签字", target="archived",
                       roles=ROLES.dispatcher, decision="是", forms=("site_work", "receipt"),
                       fields=(FieldDef("work_record", "作业记录", FieldKind.LONG_TEXT), *fee_fields("fees.relocation")),
                       effects=("charge_fee",)),
    ),
)

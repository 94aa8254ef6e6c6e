"""客户销户 (flows.md §9): the account is settled and closed; the facilities are plugged or removed."""

from __future__ import annotations

from gasdesk.flows.prelude import *  # noqa: F403 - the definition vocabulary


def closing_visit(code: str, label: str, form: str, fee: str, work: SiteWork) -> tuple[StepDef, ...]:
    """The plugging or removal visit that reads the meter for the last time and closes the account."""
    return visit_steps(
        code, label, limit=TimeLimit(5, WD), forms=(form,), work=work,
        done=ActionDef(
            code="work_done", label="作业完毕，结清末次气费与作业费，客户签字，销户", target="archived",
            roles=ROLES.dispatcher, decision="是",
            fields=(FieldDef("final_reading", "表止数（m³）", FieldKind.READING), *fee_fields(fee)),
            # The final reading is billed, the balance refunded or collected and the fee taken together,
            # so the account closes at exactly 0.00 (the counter's settlement came before the visit).
            effects=(Effect("settle_money", reading="final_reading", source="closure", balance="all", fee=True),
                     Effect("close_account", remove_meter=work is SiteWork.REMOVAL)),
            forms=("receipt",),
        ),
    )


FLOW = FlowDef(
    kind="closure", label="客户销户", short_label="销户", number_prefix="XH",
    account_statuses=("active", "suspended"), account_lock=AccountLock.ENDS,
    ledgers=("plugging", "transfer_closure"), reading_sources=(("closure", "销户止数"),),
    documents=(ID_COPY, PROPERTY_PROOF, PROPERTY_MGMT),
    # Asked at the counter when the customer already knows: the confirm page then lists only the fee of
    # that work. The answer names the action of the 是否需要拆除燃气设施 step that it stands for.
    open_fields=(FieldDef("facilities", "是否拆除燃气设施", FieldKind.CHOICE, required=False,
                          choices=(("plugging", "不拆除（封堵）"), ("removal", "拆除")),
                          help="客户已确定时选择；受理后在“是否需要拆除燃气设施”环节办理"),),
    steps=(
        documents_step("accept", "受理并核实客户身份", "application", "身份核实无误", "身份是否核实"),
        simple_step("application", "客户填写并签署销户申请表", "application_signed", "销户申请表已签署", "settle",
                    forms=("closure_application",)),
        simple_step("settle", "查询费用（预存款退费、欠费收费）", "settled", "费用已结清", "facilities",
                    effects=("settle_balance",), forms=("receipt",),
                    fields=(FieldDef("settle_method", "收/退费方式", FieldKind.CHOICE, choices=METHODS),)),
        counter_step(
            "facilities", "是否需要拆除燃气设施", "是否需要拆除燃气设施",
            actions=(
                ActionDef(code="plugging", label="不拆除，填写封堵业务单", target="plugging_visit",
                          roles=ROLES.clerk, decision="否", forms=("plugging_work",)),
                ActionDef(code="removal", label="拆除，填写拆除业务单", target="removal_visit",
                          roles=ROLES.clerk, decision="是", forms=("removal_work",)),
            ),
        ),
        *closing_visit("plugging_visit", "上门封堵", "plugging_work", "fees.plugging", SiteWork.PLUGGING),
        *closing_visit("removal_visit", "上门拆除", "removal_work", "fees.removal", SiteWork.REMOVAL),
        *terminal_steps(),
    ),
)

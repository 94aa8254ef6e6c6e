"""暂停用气 (flows.md §6): the customer stops using gas for a while, with or without plugging."""

from __future__ import annotations

from gasdesk.flows.prelude import *  # noqa: F403 - the definition vocabulary

FLOW = FlowDef(
    kind="suspension", label="暂停用气", short_label="暂停用气", number_prefix="ZT",
    account_statuses=("active",), account_lock=AccountLock.CHANGES, ledgers=("plugging",),
    reading_sources=(("suspension", "暂停用气止数"),),
    documents=(DocumentDef("owner_id", "户主身份证"),),
    open_fields=(FieldDef("suspend_from", "申请暂停日期", FieldKind.DATE),),
    open_effects=(Effect("date_near", field="suspend_from"),),
    steps=(
        counter_step(
            "accept", "核实暂停用气条件", "是否符合暂停条件",
            actions=(
                ActionDef(code="accept", label="符合条件，告知暂停用气须知", target="plugging_decision",
                          roles=ROLES.clerk, guards=("documents_complete",), decision="是",
                          forms=("suspension_notice",)),
                refuse(),
            ),
        ),
        counter_step(
            "plugging_decision", "是否需要封堵", "是否需要封堵",
            actions=(
                ActionDef(code="without_plugging", label="不需封堵，告知抄表员", target="notify_reader",
                          roles=ROLES.clerk, decision="否"),
                ActionDef(code="with_plugging", label="需要封堵，建立封堵台账并派工", target="plugging_visit",
                          roles=ROLES.clerk, decision="是", forms=("plugging_work",)),
            ),
        ),
        simple_step("notify_reader", "告知抄表员暂停用气客户", "reader_notified", "已告知抄表员", "archived",
                    effects=("suspend_account",),
                    fields=(FieldDef("reader_name", "抄表员", required=False),)),
        *visit_steps(
            "plugging_visit", "上门封堵", limit=TimeLimit(5, WD), forms=("plugging_work",), work=SiteWork.PLUGGING,
            done=ActionDef(
                code="plugged", label="封堵完成，收费，客户签字", target="archived", roles=ROLES.dispatcher,
                decision="是",
                fields=(FieldDef("final_reading", "封堵时表读数（m³）", FieldKind.READING), *fee_fields("fees.plugging")),
                # The plugging reading is billed and any debt collected with the fee: nothing is left
                # unpaid while supply is stopped (a prepaid balance stays for after the resumption).
                effects=(Effect("settle_money", reading="final_reading", source="suspension", balance="arrears",
                                fee=True), "suspend_account"),
                forms=("receipt",),
            ),
        ),
        *terminal_steps(),
    ),
)

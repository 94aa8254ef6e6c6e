"""恢复供气: a suspended supply is unplugged and ignited again (flows.md, commitment)."""

from __future__ import annotations

from gasdesk.flows.prelude import *  # noqa: F403 - the definition vocabulary

FLOW = FlowDef(
    kind="resume_supply", label="恢复供气", number_prefix="HF", chart=False,
    account_statuses=("suspended",), reading_sources=(("resumption", "恢复供气读数"),),
    documents=(DocumentDef("owner_id", "户主身份证"),),
    total_limit=TimeLimit(5, WD),
    phone_intake=True,
    commitment="受理后5个工作日内恢复供气并点火（客户原因延误除外）",
    steps=(
        counter_accept("accept", "accept", "site_visit", "受理，转输配中心启封点火"),
        *visit_steps(
            "site_visit", "上门启封并点火", forms=("site_work",),
            done=ActionDef(code="resumed", label="启封点火完成，客户签字", target="archived", roles=ROLES.dispatcher,
                           decision="是", forms=("site_work",), guards=("is_suspended",),
                           fields=(FieldDef("resume_reading", "启封时表读数（m³）", FieldKind.READING),
                                   *fee_fields("fees.ignition")),
                           # All gas since the last billed reading (the whole suspension) is billed now.
                           effects=(Effect("settle_money", reading="resume_reading", source="resumption", fee=True),
                                    "resume_account")),
        ),
        *terminal_steps(),
    ),
)

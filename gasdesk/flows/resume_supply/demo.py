"""How the demo walks resumptions: a suspended home is unsealed and lit again, the gas of the
suspension billed at the visit; some visits re-booked."""

from __future__ import annotations

from gasdesk.flows.demo import DemoCustomer, DemoPlan, DemoStory, Driver, Opening, Payload, visit_routes

NOTES = ("客户回家居住，申请恢复供气", "房屋装修完工，申请恢复用气", "店面重新营业，申请恢复供气")


def open_data(drv: Driver, story: DemoStory, customer: DemoCustomer) -> Opening:
    return Opening(note=drv.rng.choice(NOTES))


def payload(drv: Driver, story: DemoStory, i: int, move: str, customer: DemoCustomer) -> Payload:
    if move == "resumed":
        return {"resume_reading": drv.final_reading(customer)}, ""
    return {}, ""


DEMO = DemoPlan(
    routes=visit_routes("accept", "resumed"),
    volume={"resumed": 8, "rebooked": 1, "refused": 1, "@cancel": 1},
    needs="suspended",
    refusals=(("来办理人非户主本人，且未带户主身份证", "owner_id"),),
    reasons={"conditions_not_met": ("户内燃气设施存在漏气隐患，需整改后方可启封",
                                    "上门时家中无人，电话联系不上，请客户另约时间")},
    account_after="active",
    open_data=open_data,
    payload=payload,
)

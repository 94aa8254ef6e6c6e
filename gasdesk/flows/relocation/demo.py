"""How the demo walks 拆、迁、移、改: a meter moved for a kitchen refit, a pipe taken out, a few visits re-booked."""

from __future__ import annotations

from gasdesk.flows.demo import DemoCustomer, DemoPlan, DemoStory, Driver, Opening, Payload, visit_routes

# The work asked for (the open field's codes), with what the customer wants and what the crew records.
WORK = {
    "relocation": ("厨房改造，燃气表需迁移至阳台外墙", "燃气表及表前管道迁移至阳台外墙，试压合格，恢复供气"),
    "moving": ("橱柜更换，灶前管道需移位约1米", "灶前管道移位1.2米，接口检漏合格"),
    "modification": ("新增燃气热水器，需改装支管", "新增热水器支管一路，安装表后阀，检漏合格"),
    "removal": ("阳台封闭后不再使用的燃气支管需拆除", "拆除阳台废弃支管2米并封堵管口，检漏合格"),
}


def open_data(drv: Driver, story: DemoStory, customer: DemoCustomer) -> Opening:
    work = drv.rng.choice(list(WORK))
    story.memo["work"] = work
    return Opening({"work_type": work, "work_description": WORK[work][0]})


def payload(drv: Driver, story: DemoStory, i: int, move: str, customer: DemoCustomer) -> Payload:
    if move == "work_done":
        return {"work_record": WORK[story.memo["work"]][1]}, ""
    return {}, ""


DEMO = DemoPlan(
    routes=visit_routes("accept", "work_done"),
    volume={"work_done": 6, "rebooked": 1, "refused": 1, "@cancel": 1},
    needs="held",
    refusals=(("未提供房产证明，无法确认申请人为产权人", "property_proof"),
              ("改装方案需穿越卧室，不符合燃气设施安全要求", None)),
    reasons={"conditions_not_met": ("厨房装修尚未完工，管道位置无法确定，请客户完工后再约",
                                    "上门时家中无人，电话联系不上，请客户另约时间")},
    open_data=open_data,
    payload=payload,
)

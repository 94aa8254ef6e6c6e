"""How the demo walks meter services: most meters pass the check on site, some fail and are replaced,
a few visits are re-booked because nobody was home."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from gasdesk.flows.demo import DemoCustomer, DemoPlan, DemoStory, Driver, Opening, Payload, visit_routes

# Why the customer asks (the open field's codes), how often, and what the clerk notes.
WHY = {
    "customer_request": (4, ("客户反映燃气表走字偏快，申请校验", "客户对本月用气量有疑问，申请校验表具")),
    "periodic": (3, ("燃气表使用已满检定周期，按规定上门检定",)),
    "fault": (2, ("燃气表字轮不走，疑似表具故障", "燃气表漏气有异味，客户申请检查更换")),
}
PASSED = ("现场校验误差在允许范围内，表具合格", "表具运行正常，铅封完好，校验合格",
          "用气设备全部关闭后表具不走字，计量正常")


def arrival(drv: Driver, story: DemoStory, i: int) -> dict[str, datetime]:
    """When the crew arrived for the visit recorded by move `i`: most at the time agreed (the last
    booking before it), now and then late; never after the visit is recorded."""
    agreed = next((story.memo[f"appointment{j}"] for j in range(i - 1, -1, -1)
                   if story.memo.get(f"appointment{j}")), None)
    now = drv.now()
    if agreed is None:
        return {"arrived_at": now - timedelta(minutes=drv.rng.randint(15, 60))}
    late = drv.rng.randint(35, 90) if drv.rng.random() < 0.1 else drv.rng.randint(-10, 20)
    return {"arrived_at": min(agreed + timedelta(minutes=late), now)}


def open_data(drv: Driver, story: DemoStory, customer: DemoCustomer) -> Opening:
    why = drv.rng.choices(list(WHY), weights=[w for w, _ in WHY.values()])[0]
    data: dict[str, Any] = {"service_reason": why}
    if drv.rng.random() < 0.4:
        day = drv.now() + timedelta(days=drv.rng.randint(1, 4))
        data["preferred_time"] = day.replace(hour=drv.rng.choice((9, 10, 14, 15)), minute=0)
    return Opening(data, note=drv.rng.choice(WHY[why][1]))


def payload(drv: Driver, story: DemoStory, i: int, move: str, customer: DemoCustomer) -> Payload:
    if move == "passed":
        return {**arrival(drv, story, i), "check_reading": drv.final_reading(customer),
                "check_result": drv.rng.choice(PASSED)}, ""
    if move == "replaced":
        return {**arrival(drv, story, i), **drv.new_meter(customer, drv.meter_rating(customer))}, "校验不合格，更换新表"
    return {}, ""


DEMO = DemoPlan(
    routes=visit_routes("accept", "passed", "replaced"),
    volume={"passed": 6, "replaced": 3, "rebooked": 1, "refused": 1, "@cancel": 1},
    needs="held",
    refusals=(("来办理人非户主本人，且未带户主身份证", "owner_id"),),
    reasons={"conditions_not_met": ("上门时家中无人，电话联系不上，请客户另约时间",
                                    "表前阀门锈死无法关闭，需客户配合更换阀门后再约")},
    open_data=open_data,
    payload=payload,
)

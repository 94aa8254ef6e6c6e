"""How the demo walks meter calibrations and replacements: most meters pass their calibration, some are
replaced, a few need re-work after a failed re-check (the published pass rate is not always 100 %)."""

from __future__ import annotations

from gasdesk.flows.demo import DemoCustomer, DemoPlan, DemoStory, Driver, Opening, Payload

REASONS = (("customer_request", "客户认为燃气表走字偏快，申请校验"), ("periodic", "表具使用已满检定周期"),
           ("fault", "燃气表字轮不转，客户报修"))


def open_data(drv: Driver, story: DemoStory, customer: DemoCustomer) -> Opening:
    reason, note = drv.rng.choice(REASONS)
    return Opening({"service_reason": reason}, note=note)


def payload(drv: Driver, story: DemoStory, i: int, move: str, customer: DemoCustomer) -> Payload:
    arrived = drv.now().isoformat(timespec="minutes")
    if move == "passed":
        return {"arrived_at": arrived, "check_reading": drv.final_reading(customer),
                "check_result": drv.rng.choice(("现场校验误差在允许范围内，表具合格", "计量准确，铅封完好")),
                "work_checked": True}, ""
    if move == "replaced":
        return {"arrived_at": arrived, **drv.new_meter(customer, drv.meter_rating(customer)), "work_checked": True}, ""
    return {}, ""


DEMO = DemoPlan(
    routes={
        "passed": ("accept", "assign", "passed"),
        "replaced": ("accept", "assign", "replaced"),
        "rework": ("accept", "assign", "rework", "replaced"),
        "rebooked": ("accept", "assign", "conditions_not_met", "rebook", "assign", "passed"),
        "refused": ("refuse",),
    },
    volume={"passed": 8, "replaced": 5, "rework": 1, "rebooked": 1, "refused": 1, "@cancel": 1},
    needs="held",
    gaps={"rework": (0.5, 2.0)},
    refusals=(("未携带户主身份证，且非户主本人申请", "owner_id"),),
    reasons={"rework": ("新表接口严密性试验漏气，重新紧固密封后复检", "铅封未压实，重新加封后复检")},
    open_data=open_data,
    payload=payload,
)

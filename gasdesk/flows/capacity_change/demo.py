"""How the demo walks meter changes: most up one size for a new water heater, some down."""

from __future__ import annotations

from gasdesk.flows.demo import DemoCustomer, DemoPlan, DemoStory, Driver, Opening, Payload

from .flow import FLOW

_LADDER = [code for code, _label in next(f for f in FLOW.open_fields if f.code == "requested_rating").choices]


def open_data(drv: Driver, story: DemoStory, customer: DemoCustomer) -> Opening:
    rating = drv.meter_rating(customer)
    k = _LADDER.index(rating) if rating in _LADDER else 1
    up = k == 0 or (k < len(_LADDER) - 1 and drv.rng.random() < 0.75)
    story.memo["rating"] = _LADDER[k + 1] if up else _LADDER[k - 1]
    return Opening({"direction": "increase" if up else "decrease", "requested_rating": story.memo["rating"]},
                   note="新增燃气热水器，需增大表具规格" if up else "用气设备减少，申请换小规格表具")


def payload(drv: Driver, story: DemoStory, i: int, move: str, customer: DemoCustomer) -> Payload:
    if move == "meter_changed":
        return drv.new_meter(customer, story.memo["rating"]), ""
    return {}, ""


DEMO = DemoPlan(
    routes={
        "done": ("accept", "assign", "meter_changed"),
        "refused": ("refuse",),
        "not_met": ("accept", "assign", "conditions_not_met"),
    },
    volume={"done": 15, "refused": 1, "not_met": 1, "@cancel": 2},
    needs="active",
    refusals=(
        ("申请的表具规格与户内管道管径不匹配，需先办理户内管道改造", None),
        ("用气设备清单与申请规格不符，请核实用气设备后重新申请", None),
    ),
    reasons={"conditions_not_met": ("燃气管道被封入橱柜无法检修，不具备换表条件，请客户整改后重新申请",
                                    "表位空间不足，无法安装申请规格的燃气表，不予换表")},
    open_data=open_data,
    payload=payload,
)

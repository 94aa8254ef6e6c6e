"""How the demo walks suspensions: homes left empty, most without plugging, some plugged on a visit."""

from __future__ import annotations

from datetime import timedelta

from gasdesk.flows.demo import DemoCustomer, DemoPlan, DemoStory, Driver, Opening, Payload


def open_data(drv: Driver, story: DemoStory, customer: DemoCustomer) -> Opening:
    start = (drv.now() + timedelta(days=drv.rng.randint(0, 7))).date()
    return Opening({"suspend_from": start}, note=drv.rng.choice(("房屋长期空置", "客户外出务工半年以上", "店面装修停业")))


def payload(drv: Driver, story: DemoStory, i: int, move: str, customer: DemoCustomer) -> Payload:
    if move == "reader_notified":
        return {"reader_name": drv.person()[0]}, ""
    return {}, ""


DEMO = DemoPlan(
    routes={
        "no_plug": ("accept", "without_plugging", "reader_notified"),
        "plugged": ("accept", "with_plugging", "assign", "plugged"),
        "rebooked": ("accept", "with_plugging", "assign", "conditions_not_met", "rebook", "assign", "plugged"),
        "refused": ("refuse",),
    },
    volume={"no_plug": 12, "plugged": 8, "rebooked": 2, "refused": 2, "@cancel": 2},
    needs="active",
    gaps={"with_plugging": (0.05, 0.3), "without_plugging": (0.05, 0.3), "reader_notified": (2, 30)},
    refusals=(
        ("户主本人未到场，且未提供委托书", None),
        ("该户燃气安全隐患整改尚未完成，整改后方可办理暂停", None),
    ),
    account_after="suspended",
    open_data=open_data,
    payload=payload,
)

"""How the demo walks household openings: most are ignited on the first visit, some re-booked or delayed."""

from __future__ import annotations

from typing import Any

from gasdesk.flows.demo import DemoCustomer, DemoPlan, DemoStory, Driver, Payload


def payload(drv: Driver, story: DemoStory, i: int, move: str, customer: DemoCustomer) -> Payload:
    values: dict[str, Any] = {}
    if move == "work_done":
        values = drv.new_meter(customer, story.memo.get("rating"))
    return values, ""


DEMO = DemoPlan(
    routes={
        "done": ("accept", "assign", "work_done"),
        "walk_in": ("accept", "work_done"),
        "rebooked": ("accept", "assign", "conditions_not_met", "rebook", "assign", "work_done"),
        "delayed": ("accept", "@pause", "@resume", "assign", "work_done"),
        "refused": ("refuse",),
    },
    newcomers="residential",
    first_mix={"walk_in": 0.15, "rebooked": 0.12, "delayed": 0.08, "refused": 0.03, "@cancel": 0.02},
    stalls={"site_visit": 15, "site_visit_wait": 5},
    refusals=(
        ("未提供房产证明材料，请携带不动产权证书或购房合同原件后再来办理", "property_proof"),
        ("来办理人非户主本人，且未带户主身份证及委托书", "owner_id"),
        ("房屋尚未交付，户内燃气管道未经验收，暂不具备通气条件", None),
        ("厨房已改作卧室使用，燃气表及灶具位置不符合安全用气要求", None),
    ),
    account_after="active",
    payload=payload,
)

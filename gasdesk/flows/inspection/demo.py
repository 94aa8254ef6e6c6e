"""How the demo walks counter-booked inspections (the year of plan history is built apart): most get
in without hazards, some need a second visit, a few are refused."""

from __future__ import annotations

from datetime import timedelta

from gasdesk.flows.demo import DemoCustomer, DemoPlan, DemoStory, Driver, Payload
from gasdesk.flows.inspection.flow import CHECKLIST, OK, PASSED

INSPECTORS = ("安检一班 周明", "安检二班 吴磊", "安检三班 郑芳")
REFUSALS = ("客户称家中有老人休息，不方便入户", "客户认为刚检查过不久，拒绝再次检查", "租户表示需房东同意才能入户")


def payload(drv: Driver, story: DemoStory, i: int, move: str, customer: DemoCustomer) -> Payload:
    visited = (drv.now() - timedelta(minutes=drv.rng.randint(20, 50))).replace(second=0, microsecond=0)
    inspector = story.memo.setdefault("inspector", drv.rng.choice(INSPECTORS))
    values: dict[str, object] = {"visited_at": visited, "inspector": inspector}
    if move == PASSED:
        values |= {item.field: OK for item in CHECKLIST}
        values["left_at"] = visited + timedelta(minutes=drv.rng.randint(10, 25))
        if drv.rng.random() < 0.5:
            values["hose_due"] = (visited + timedelta(days=drv.rng.randint(200, 700))).date()
    elif move == "not_home":
        values["card_left"] = True
    elif move == "refused":
        values["refusal_reason"] = drv.rng.choice(REFUSALS)
    return values, ""


DEMO = DemoPlan(
    routes={
        "entered": ("assign", PASSED),
        "revisit": ("assign", "not_home", PASSED),
        "refused": ("assign", "refused"),
    },
    volume={"entered": 6, "revisit": 2, "refused": 1},
    needs="active",
    gaps={PASSED: (20, 120), "not_home": (20, 120), "refused": (20, 120)},
    payload=payload,
)

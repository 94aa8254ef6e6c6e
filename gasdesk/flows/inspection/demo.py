"""How the demo walks counter-booked inspections (the year of plan history is built apart): most get
in without hazards, some need a second visit, a few are refused, a minority find hazards that are
rectified later."""

from __future__ import annotations

from datetime import timedelta

from gasdesk.flows.demo import DemoCustomer, DemoPlan, DemoStory, Driver, Payload
from gasdesk.flows.inspection.flow import (
    CHECKLIST,
    GRADE1,
    GRADE2,
    HAZARDS,
    NOT_HOME_ACTION,
    OK,
    PASSED,
    RECTIFIED,
    RECTIFY,
    REFUSED_ACTION,
    REINSPECTION,
    REPORT,
    URGENT,
    URGENT_HAZARDS,
)

INSPECTORS = ("安检一班 周明", "安检二班 吴磊", "安检三班 郑芳")
REFUSALS = ("客户称家中有老人休息，不方便入户", "客户认为刚检查过不久，拒绝再次检查", "租户表示需房东同意才能入户")
# (item, note) found at a visit, by grade.
FOUND = {
    GRADE2: (("hose_aged", "橡胶软管老化龟裂"), ("hose_long", "软管约2.5米，穿过橱柜"), ("no_alarm", "厨房未装燃气报警器"),
             ("no_flame_failure", "老式灶具无熄火保护")),
    GRADE1: (("leak", "灶前阀接口漏气，已关闭表前阀"), ("heater_flue", "直排式热水器装在卫生间")),
}
RESULTS = {HAZARDS: GRADE2, URGENT_HAZARDS: GRADE1}


def payload(drv: Driver, story: DemoStory, i: int, move: str, customer: DemoCustomer) -> Payload:
    visited = (drv.now() - timedelta(minutes=drv.rng.randint(20, 50))).replace(second=0, microsecond=0)
    inspector = story.memo.setdefault("inspector", drv.rng.choice(INSPECTORS))
    if move == RECTIFIED:
        how = drv.rng.choice((REINSPECTION, REPORT))
        note = "复查确认已更换金属波纹管" if how == REINSPECTION else "客户提交整改照片，已更换合格器具"
        return {"closed_how": how, "checked_at": visited, "rectify_note": note}, ""
    values: dict[str, object] = {"visited_at": visited, "inspector": inspector}
    if move in (PASSED, *RESULTS):
        values |= {item.field: OK for item in CHECKLIST}
        # The inspector left before now (a visit began 20-50 minutes ago and lasts 10-25).
        values["left_at"] = min(visited + timedelta(minutes=drv.rng.randint(10, 25)),
                                drv.now().replace(second=0, microsecond=0))
        if move in RESULTS:
            code, note = drv.rng.choice(FOUND[RESULTS[move]])
            values[f"chk_{code}"], values[f"note_{code}"] = RESULTS[move], note
        if drv.rng.random() < 0.5:
            values["hose_due"] = (visited + timedelta(days=drv.rng.randint(200, 700))).date()
    elif move == NOT_HOME_ACTION:
        values["card_left"] = True
    elif move == REFUSED_ACTION:
        values["refusal_reason"] = drv.rng.choice(REFUSALS)
    return values, ""


DEMO = DemoPlan(
    routes={
        "entered": ("assign", PASSED),
        "revisit": ("assign", NOT_HOME_ACTION, PASSED),
        "refused": ("assign", REFUSED_ACTION),
        "rectified": ("assign", HAZARDS, RECTIFIED),
        "urgent": ("assign", URGENT_HAZARDS, RECTIFIED),
    },
    volume={"entered": 6, "revisit": 2, "refused": 1, "rectified": 2, "urgent": 1},
    stalls={URGENT: 1, RECTIFY: 1},
    needs="active",
    gaps={PASSED: (20, 120), NOT_HOME_ACTION: (20, 120), REFUSED_ACTION: (20, 120), HAZARDS: (20, 120),
          URGENT_HAZARDS: (20, 120), RECTIFIED: (24, 200)},
    payload=payload,
)

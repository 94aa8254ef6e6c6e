"""How the demo walks counter-booked inspections through the services: most get in without hazards,
some need a second visit, a few are refused or never found at home, a minority find hazards that are
rectified later (and, as every flow's open orders, some left waiting in each rectification step).

`history` writes the year of plans before them in bulk (gasdesk.demo calls it through the DemoPlan's
`history` hook once the period is replayed): monthly plans per district, visits at the hall's rates,
hazards and their rectification, each account's latest state."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import exists, insert, select
from sqlalchemy.orm import Session

from gasdesk.flows.demo import DemoCustomer, DemoPlan, DemoStory, Driver, HistoryPort, Payload
from gasdesk.models import (
    Account,
    Customer,
    Deadline,
    Department,
    InspectionAccount,
    InspectionHazard,
    InspectionOrder,
    InspectionPlan,
    InspectionVisit,
    OrderStep,
    ServiceOrder,
)
from gasdesk.vocab import Channel, District

from .flow import (
    CHECK,
    CHECKLIST,
    ENDED_REFUSED,
    ENDED_UNREACHABLE,
    ENTERED,
    FLOW,
    GRADE1,
    GRADE2,
    GRADE3,
    GRADE_DAYS,
    GRADE_SHORT,
    HAZARDS,
    ITEMS,
    NOT_HOME,
    NOT_HOME_ACTION,
    NOTICE_GRADES,
    OK,
    PASSED,
    RECTIFIED,
    RECTIFY,
    REFUSED,
    REFUSED_ACTION,
    REINSPECTION,
    REPORT,
    UNREACHABLE,
    UNREACHABLE_ACTION,
    URGENT,
    URGENT_HAZARDS,
)
from .rules import MAX_ATTEMPTS, notice_number

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
    # Typed in a while after the visit: the inspector left at least ten minutes ago.
    visited = (drv.now() - timedelta(minutes=drv.rng.randint(45, 90))).replace(second=0, microsecond=0)
    inspector = story.memo.setdefault("inspector", drv.rng.choice(INSPECTORS))
    if move == RECTIFIED:
        how = drv.rng.choice((REINSPECTION, REPORT))
        note = "复查确认已更换金属波纹管" if how == REINSPECTION else "客户提交整改照片，已更换合格器具"
        return {"closed_how": how, "checked_at": visited, "rectify_note": note}, ""
    values: dict[str, object] = {"visited_at": visited, "inspector": inspector}
    if move in (PASSED, *RESULTS):
        values |= {item.field: OK for item in CHECKLIST}
        # The inspector left before the result is recorded (never after now).
        left = visited + timedelta(minutes=drv.rng.randint(10, 25))
        values["left_at"] = min(left, drv.now().replace(second=0, microsecond=0))
        if move in RESULTS:
            code, note = drv.rng.choice(FOUND[RESULTS[move]])
            values[f"chk_{code}"], values[f"note_{code}"] = RESULTS[move], note
        if drv.rng.random() < 0.5:
            values["hose_due"] = (visited + timedelta(days=drv.rng.randint(200, 700))).date()
    elif move in (NOT_HOME_ACTION, UNREACHABLE_ACTION):
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
        "unreachable": ("assign", NOT_HOME_ACTION, NOT_HOME_ACTION, UNREACHABLE_ACTION),
    },
    volume={"entered": 6, "revisit": 2, "refused": 1, "rectified": 2, "urgent": 1, "unreachable": 1},
    stalls={URGENT: 1, RECTIFY: 1},
    needs="active",
    gaps={PASSED: (20, 120), NOT_HOME_ACTION: (20, 120), REFUSED_ACTION: (20, 120), HAZARDS: (20, 120),
          URGENT_HAZARDS: (20, 120), UNREACHABLE_ACTION: (20, 120), RECTIFIED: (24, 200)},
    payload=payload,
    history=lambda port: history(port),
)


# --- a year of plans before the period, imported from the earlier system -------------------------------

# What inspectors write beside each item found, and how hazards were put right (the history's).
FOUND_NOTES = {
    "hose_aged": "胶管发硬龟裂，已超过使用年限", "no_alarm": "餐饮厨房未安装可燃气体报警器",
    "no_flame_failure": "灶具为老式无熄火保护灶", "hose_long": "胶管约3米，穿过橱柜侧板",
    "heater_flue": "直排式热水器装在卫生间", "leak": "表后阀接口检漏有气泡",
    "pipe_concealed": "立管被橱柜封闭", "meter_damaged": "表前阀手柄断裂", "altered": "私自加装三通接第二台灶",
}
RECTIFY_NOTES = ("已更换燃气专用不锈钢波纹管", "客户已安装燃气报警器并提交照片", "已更换带熄火保护的灶具",
                 "已拆除直排式热水器，改装强排式", "已紧固接口，复查无泄漏")
HAZARD_RATE = 0.12  # entered visits that find something
# How often each item is the one found (inspectors' experience: hoses first).
FOUND_WEIGHTS = {"hose_aged": 30, "no_alarm": 20, "no_flame_failure": 15, "hose_long": 12, "pipe_concealed": 6,
                 "altered": 5, "heater_flue": 5, "meter_damaged": 4, "leak": 3}
SKIPPED_SHARE = 0.03  # households left out of every plan (found "due" today)


@dataclass
class _Order:
    account: Any
    plan: InspectionPlan
    opened: datetime
    visits: list[dict[str, Any]] = field(default_factory=list)
    hazards: list[dict[str, Any]] = field(default_factory=list)
    closed_at: datetime | None = None
    close: dict[str, Any] | None = None
    step: str = CHECK
    status: str = "open"
    outcome: str = ""


def _month_starts(end: datetime, months: int) -> list[date]:
    first = end.date().replace(day=1)
    out = []
    for _ in range(months):
        first = (first - timedelta(days=1)).replace(day=1)
        out.append(first)
    return sorted(out)


def _working(port: HistoryPort, day: date) -> date:
    while not port.is_working_day(day):
        day += timedelta(days=1)
    return day


def _at(port: HistoryPort, day: date, low: int = 9, high: int = 17) -> datetime:
    d = _working(port, day)
    return datetime.combine(d, time(low)) + timedelta(minutes=port.rng.randrange(0, (high - low) * 60))


def _plan_visits(port: HistoryPort, order: _Order, end: datetime, max_attempts: int) -> None:
    """The visits of one order, its hazards and how it ended, by the outcome rates of the hall."""
    rng = port.rng
    when = _at(port, order.opened.date() + timedelta(days=rng.randint(1, 24)))
    for attempt in range(1, max_attempts + 1):
        if when >= end - timedelta(hours=12):
            break
        pick = rng.random()
        if attempt == 1:
            outcome = ENTERED if pick < 0.85 else NOT_HOME if pick < 0.95 else REFUSED if pick < 0.98 else ""
        else:
            outcome = ENTERED if pick < 0.65 else NOT_HOME if pick < 0.95 else REFUSED
        if not outcome:
            break
        recorded = min(datetime.combine(when.date(), time(17, 30)) + timedelta(minutes=rng.randrange(60)),
                       end - timedelta(minutes=5))
        visit = {"attempt": attempt, "outcome": outcome, "visited_at": when, "recorded_at": recorded,
                 "inspector": order.plan.inspector, "checklist": {}, "left_at": None, "card_left": False,
                 "refusal_reason": "", "hose_due": None, "alarm_due": None}
        order.visits.append(visit)
        if outcome == NOT_HOME:
            visit["card_left"] = True
            if attempt == max_attempts:
                order.step, order.status, order.outcome, order.closed_at = ENDED_UNREACHABLE, "archived", UNREACHABLE, recorded
                return
            when = _at(port, when.date() + timedelta(days=rng.randint(2, 9)))
            order.outcome = NOT_HOME
            continue
        if outcome == REFUSED:
            visit["refusal_reason"] = rng.choice(REFUSALS)
            order.step, order.status, order.outcome, order.closed_at = ENDED_REFUSED, "archived", REFUSED, recorded
            return
        visit["left_at"] = when + timedelta(minutes=rng.randint(10, 30))
        found: dict[str, str] = {}
        if rng.random() < HAZARD_RATE:
            for code in rng.choices(list(FOUND_WEIGHTS), weights=list(FOUND_WEIGHTS.values()), k=rng.choice((1, 1, 2))):
                found[code] = GRADE3 if rng.random() < 0.2 else ITEMS[code].grade
        visit["checklist"] = {item.code: found.get(item.code, OK) for item in CHECKLIST}
        if rng.random() < 0.5:
            visit["hose_due"] = (when + timedelta(days=rng.randint(200, 900))).date()
        if rng.random() < 0.2:
            visit["alarm_due"] = (when + timedelta(days=rng.randint(300, 1500))).date()
        order.outcome = ENTERED
        noticed = [g for g in found.values() if g in NOTICE_GRADES]
        worst = GRADE1 if GRADE1 in noticed else GRADE2 if noticed else OK
        for code, grade in found.items():
            days = int(port.settings.get(GRADE_DAYS[grade]) or 1) if grade in NOTICE_GRADES else 0
            order.hazards.append({"item": code, "grade": grade, "found_at": when, "note": FOUND_NOTES[code],
                                  "due_at": port.due_at(days, "working_days", recorded) if grade in NOTICE_GRADES else None})
        if worst == OK:
            order.step, order.status, order.closed_at = "archived", "archived", recorded
            return
        due = min(h["due_at"] for h in order.hazards if h["due_at"] is not None)
        if worst == GRADE1:
            closing = recorded + timedelta(hours=rng.randint(2, 20))
        elif rng.random() < 0.1:  # rectified late
            closing = due + timedelta(days=rng.randint(1, 12))
        else:
            closing = recorded + (due - recorded) * rng.uniform(0.1, 0.95)
        closing = min(closing, end - timedelta(minutes=10)).replace(second=0, microsecond=0)
        order.step = URGENT if worst == GRADE1 else RECTIFY
        order.close = {"closed_how": rng.choice((REINSPECTION, REINSPECTION, REPORT)), "checked_at": closing,
                       "rectify_note": rng.choice(RECTIFY_NOTES), "from": order.step}
        order.step, order.status, order.closed_at = "archived", "archived", closing
        return
    if not order.visits:  # never visited: cancelled when the plan closed
        order.step, order.status = "cancelled", "cancelled"
        order.closed_at = min(datetime.combine(order.plan.ends_on, time(18)), end - timedelta(minutes=5))
    # else: not home, the re-visit not made yet: the order waits at the visit step (it stays open)


def history(port: HistoryPort) -> int:
    """Twelve months of monthly plans per district before the current month (non-residential
    accounts twice, their interval being six months), for the accounts in service that the period's
    counter-booked inspections left alone: orders, visits, hazards and their rectification, each
    account's latest state, every order audited as imported. Returns the units of work (one)."""
    end = port.now()
    rng = port.rng
    max_attempts = max(1, int(port.settings.get(MAX_ATTEMPTS) or 3))
    with port.unit_of_work() as s:
        rows = s.execute(
            select(Account.id, Account.customer_id, Account.activated_at, Customer.category, Customer.district)
            .join(Customer, Customer.id == Account.customer_id)
            .where(Account.status.in_(FLOW.account_statuses or ()), Account.activated_at.is_not(None),
                   Customer.status == "active",
                   ~exists().where(InspectionOrder.account_id == Account.id))
            .order_by(Account.id)).all()
        months = _month_starts(end, 12)
        dispatch = port.staff_id("dispatch")
        crews = {d.value: INSPECTORS[i % len(INSPECTORS)] for i, d in enumerate(District)}
        plans: dict[tuple[int, str], InspectionPlan] = {}
        orders: list[_Order] = []
        for account in rows:
            if rng.random() < SKIPPED_SHARE:
                continue
            first = rng.randrange(12)
            cohort = [first, first + 6] if account.category != "residential" else [first]
            for m in cohort:
                if m >= 12:
                    m -= 12
                key = (m, str(account.district))
                plan = plans.get(key)
                if plan is None:
                    month = months[m]
                    opened = datetime.combine(_working(port, month), time(9, 0))
                    ends = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
                    label = District(account.district).label
                    plan = InspectionPlan(
                        number=port.plan_number(s, opened.date()), title=f"{month.year}年{month.month}月{label}入户安全检查",
                        district=str(account.district), address="", category="", due_only=False, inspector=crews[key[1]],
                        starts_on=month, ends_on=ends, status="closed", planned=0, opened=0, skipped=0, note="",
                        created_at=opened - timedelta(days=3), created_by_id=dispatch, opened_at=opened,
                        closed_at=min(datetime.combine(ends, time(18)), end - timedelta(minutes=5)),
                        closed_by_id=dispatch)
                    plans[key] = plan
                if account.activated_at >= plan.opened_at:  # type: ignore[operator]
                    continue
                order = _Order(account, plan, plan.opened_at)  # type: ignore[arg-type]
                _plan_visits(port, order, end, max_attempts)
                orders.append(order)
                plan.planned += 1
                plan.opened += 1
        if not orders:  # a hall too small or too new to have a history
            return 1
        s.add_all([p for p in plans.values() if p.opened])
        s.flush()
        _write(port, s, orders, dispatch, end)
    return 1


def _write(port: HistoryPort, s: Session, orders: list[_Order], dispatch: int, end: datetime) -> None:
    by_day: dict[str, list[_Order]] = {}
    for o in orders:
        by_day.setdefault(o.opened.strftime("%Y%m%d"), []).append(o)
    numbers: dict[int, str] = {}
    for stamp, group in by_day.items():
        first = port.reserve(s, f"{FLOW.number_prefix}-{stamp}", len(group))
        for i, o in enumerate(group):
            numbers[id(o)] = f"{FLOW.number_prefix}-{stamp}-{first + i:04d}"
    department = s.scalar(select(Department.id).where(Department.code == FLOW.step(CHECK).department))
    rows = []
    for o in orders:
        rows.append(ServiceOrder(
            number=numbers[id(o)], kind=FLOW.kind, customer_id=o.account.customer_id, account_id=o.account.id,
            step=o.step, status=o.status,
            step_entered_at=o.closed_at or (o.visits[-1]["recorded_at"] if o.visits else o.opened), opened_by_id=dispatch,
            opened_at=o.opened, closed_at=o.closed_at, channel=Channel.PLAN.value, summary=f"安检计划 {o.plan.number}：{o.plan.title}",
            documents=[], data={"plan_id": o.plan.id, "plan_number": o.plan.number, "plan_title": o.plan.title,
                                "plan_ends_on": o.plan.ends_on.isoformat(), "crew": o.plan.inspector,
                                "attempt": len(o.visits), "outcome": o.outcome},
            reason="安检计划结束，未上门" if o.status == "cancelled" else "", department_id=None,
            crew=o.plan.inspector, appointment_at=None, rounds=len(o.visits), version=1))
    s.add_all(rows)
    s.flush()
    visits: list[InspectionVisit] = []
    steps: list[dict[str, Any]] = []
    for o, row in zip(orders, rows, strict=True):
        for v in o.visits:
            visits.append(InspectionVisit(
                order_id=row.id, plan_id=o.plan.id, account_id=o.account.id, attempt=v["attempt"], outcome=v["outcome"],
                visited_at=v["visited_at"], left_at=v["left_at"], inspector=v["inspector"], card_left=v["card_left"],
                refusal_reason=v["refusal_reason"], checklist=v["checklist"], alarm_due=v["alarm_due"],
                hose_due=v["hose_due"], cooker_due=None, heater_due=None, note="", staff_id=dispatch,
                recorded_at=v["recorded_at"]))
    s.add_all(visits)
    s.flush()
    visit_ids = {(v.order_id, v.attempt): v.id for v in visits}
    hazards: list[InspectionHazard] = []
    deadlines: list[dict[str, Any]] = []
    for o, row in zip(orders, rows, strict=True):
        entered = next((v for v in o.visits if v["outcome"] == ENTERED), None)
        notice = notice_number(row.number)
        found = []
        for h in o.hazards:
            assert entered is not None  # hazards are found by a visit that got in
            noticed = h["grade"] in NOTICE_GRADES
            closed = o.close if noticed else None
            hazards.append(InspectionHazard(
                order_id=row.id, visit_id=visit_ids[(row.id, entered["attempt"])],
                account_id=o.account.id, item=h["item"], label=ITEMS[h["item"]].label, grade=h["grade"], note=h["note"],
                found_at=h["found_at"], due_at=h["due_at"], notice_number=notice if noticed else None,
                status="closed" if noticed else "advice", closed_at=closed["checked_at"] if closed else None,
                closed_by_id=dispatch if closed else None, closed_how=closed["closed_how"] if closed else "",
                closed_note=closed["rectify_note"] if closed else "", suspension_order_id=None))
            found.append({"item": h["item"], "label": ITEMS[h["item"]].label, "grade": h["grade"],
                          "grade_label": GRADE_SHORT[h["grade"]], "note": h["note"],
                          "due_at": h["due_at"].isoformat() if h["due_at"] else None,
                          "status": "open" if noticed else "advice"})
        steps.append({"order_id": row.id, "seq": 1, "from_step": None, "to_step": CHECK, "action": "open",
                      "actor_id": dispatch, "at": o.opened, "note": row.summary, "data": {"documents": [], **row.data}})
        seq = 1
        for v in o.visits:
            seq += 1
            last = v is o.visits[-1]
            action, target = _visit_action(o, v, last)
            values = {"visited_at": v["visited_at"].isoformat(timespec="minutes"), "inspector": v["inspector"],
                      "attempt": v["attempt"], "outcome": UNREACHABLE if target == ENDED_UNREACHABLE else v["outcome"],
                      "max_attempts": max(1, int(port.settings.get(MAX_ATTEMPTS) or 3))}
            if v["outcome"] == ENTERED:
                values |= {ITEMS[c].field: g for c, g in v["checklist"].items()}
                values["left_at"] = v["left_at"].isoformat(timespec="minutes")
                values["hazard_list"] = found
                values["notice_number"] = notice if o.close else ""
            elif v["outcome"] == NOT_HOME:
                values["card_left"] = True
            else:
                values["refusal_reason"] = v["refusal_reason"]
            steps.append({"order_id": row.id, "seq": seq, "from_step": CHECK, "to_step": target, "action": action,
                          "actor_id": dispatch, "at": v["recorded_at"], "note": "", "data": values})
        if o.close is not None:
            seq += 1
            close = o.close
            steps.append({"order_id": row.id, "seq": seq, "from_step": close["from"], "to_step": "archived",
                          "action": RECTIFIED, "actor_id": dispatch, "at": close["checked_at"], "note": "",
                          "data": {"closed_how": close["closed_how"], "checked_at": close["checked_at"].isoformat(timespec="minutes"),
                                   "rectify_note": close["rectify_note"], "closing_items": "",
                                   "closed_items": [h["item"] for h in o.hazards if h["grade"] in NOTICE_GRADES],
                                   "still_open": []}})
            step = FLOW.step(close["from"])
            started = next(v["recorded_at"] for v in o.visits if v["outcome"] == ENTERED)
            due = min(h["due_at"] for h in o.hazards if h["due_at"] is not None)
            assert step.limit is not None
            deadlines.append({"order_id": row.id, "scope": "step", "step": step.code, "department_id": department,
                              "amount": int(port.settings.get(step.limit.setting or "") or step.limit.amount),
                              "unit": step.limit.unit, "started_at": started, "due_at": due,
                              "status": "met" if close["checked_at"] <= due else "missed", "paused_at": None,
                              "pause_reason": "", "remaining": None, "finished_at": close["checked_at"]})
        elif o.status == "cancelled":
            steps.append({"order_id": row.id, "seq": seq + 1, "from_step": CHECK, "to_step": "cancelled",
                          "action": "cancel", "actor_id": dispatch, "at": o.closed_at, "note": "安检计划结束，未上门",
                          "data": {}})
        port.audit(s, "service_order", row.id, {
            "number": [None, row.number], "kind": [None, FLOW.kind], "account_id": [None, o.account.id],
            "plan": [None, o.plan.number], "visits": [None, len(o.visits)], "outcome": [None, o.outcome],
            "hazards": [None, [f"{h['item']}:{h['grade']}" for h in o.hazards]], "status": [None, o.status]})
    s.add_all(hazards)
    s.execute(insert(OrderStep), steps)
    if deadlines:
        s.execute(insert(Deadline), deadlines)
    io = []
    for o, row in zip(orders, rows, strict=True):
        last_visit = o.visits[-1]["visited_at"] if o.visits else None
        entered_at = next((v["visited_at"] for v in o.visits if v["outcome"] == ENTERED), None)
        io.append({"order_id": row.id, "plan_id": o.plan.id, "account_id": o.account.id, "open_account_id": None,
                   "outcome": o.outcome, "attempts": len(o.visits), "last_visit_at": last_visit, "entered_at": entered_at,
                   "inspector": o.plan.inspector, "hazards": len(o.hazards), "open_hazards": 0})
        if o.status == "open":
            io[-1]["open_account_id"] = o.account.id
    s.execute(insert(InspectionOrder), io)
    states = _states(orders, rows, end)
    if states:
        s.execute(insert(InspectionAccount), states)
    for plan in {id(o.plan): o.plan for o in orders}.values():
        port.audit(s, "inspection_plan", plan.id, {"number": [None, plan.number], "title": [None, plan.title],
                                                   "opened": [None, plan.opened], "status": [None, plan.status]})


def _states(orders: list[_Order], rows: list[ServiceOrder], end: datetime) -> list[dict[str, Any]]:
    """Each visited account's latest inspection facts, as the flow's effects keep them."""
    latest: dict[int, tuple[_Order, ServiceOrder]] = {}
    entered: dict[int, datetime] = {}
    for o, row in zip(orders, rows, strict=True):
        if not o.visits:
            continue
        aid = o.account.id
        for v in o.visits:
            if v["outcome"] == ENTERED:
                entered[aid] = max(entered.get(aid, v["visited_at"]), v["visited_at"])
        known = latest.get(aid)
        if known is None or o.visits[-1]["visited_at"] > known[0].visits[-1]["visited_at"]:
            latest[aid] = (o, row)
    return [{"account_id": aid, "last_order_id": row.id, "last_visit_at": o.visits[-1]["visited_at"],
             "last_outcome": o.outcome, "last_entered_at": entered.get(aid), "refused": o.outcome == REFUSED,
             "unreachable": o.outcome == UNREACHABLE, "open_hazards": 0, "open_grade1": 0, "updated_at": end}
            for aid, (o, row) in latest.items()]


def _visit_action(o: _Order, v: dict[str, Any], last: bool) -> tuple[str, str]:
    if v["outcome"] == NOT_HOME:
        if last and o.outcome == UNREACHABLE:
            return UNREACHABLE_ACTION, ENDED_UNREACHABLE
        return "not_home", CHECK
    if v["outcome"] == REFUSED:
        return "refused", ENDED_REFUSED
    if o.close is None:
        return PASSED, "archived"
    return (URGENT_HAZARDS, URGENT) if o.close["from"] == URGENT else (HAZARDS, RECTIFY)

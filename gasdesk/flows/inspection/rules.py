"""What an inspection records beside its order: the visit, the hazards with their deadlines, the
order's and the account's inspection state; and how hazards are closed or lead to stopping the supply.

Every rule runs inside the order's transaction (OrderService.perform), so the visit, its hazards,
the flags and the step log are written together or not at all.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select

from gasdesk.errors import Refused
from gasdesk.flows.inspection.flow import (
    CHECKLIST,
    ENTERED,
    GRADE1,
    GRADE2,
    GRADE3,
    GRADE_DAYS,
    GRADE_SHORT,
    ITEMS,
    NOT_HOME,
    NOTICE_GRADES,
    OK,
    REFUSED,
    UNREACHABLE,
)
from gasdesk.flows.rules import RuleBook, RuleContext
from gasdesk.models import (
    InspectionAccount,
    InspectionHazard,
    InspectionOrder,
    InspectionVisit,
    ServiceOrder,
)
from gasdesk.vocab import OrderStatus

RULES = RuleBook()

OPEN, CLOSED, ADVICE = "open", "closed", "advice"
HAZARD_STATUS = {OPEN: "待整改", CLOSED: "已销项", ADVICE: "整改建议"}
MAX_ATTEMPTS = "inspection.max_attempts"
NOTICE_PREFIX = "ZG"


def notice_number(order_number: str) -> str:
    """The 隐患整改通知书 of an order: its number with the notice's prefix (AJ-20261127-0001 ->
    ZG-20261127-0001); an order gives at most one notice, at the visit that got in."""
    return NOTICE_PREFIX + order_number[order_number.index("-"):] if "-" in order_number else NOTICE_PREFIX + order_number


def inspection_row(ctx: RuleContext) -> InspectionOrder:
    row = ctx.session.get(InspectionOrder, ctx.order.id)
    if row is None:  # an order opened before its row existed cannot happen; refuse rather than guess
        raise Refused("该业务单缺少安检记录，请联系系统管理员")
    return row


def marks_of(values: dict[str, Any]) -> dict[str, str]:
    """{item code: grade} of the checklist fields recorded by this action."""
    return {item.code: str(values[item.field]) for item in CHECKLIST if values.get(item.field)}


def worst(marks: dict[str, str]) -> str:
    for grade in (GRADE1, GRADE2, GRADE3):
        if grade in marks.values():
            return grade
    return OK


def _when(ctx: RuleContext, code: str) -> datetime | None:
    raw = ctx.values.get(code)
    return datetime.fromisoformat(str(raw)) if raw not in (None, "") else None


def _day(ctx: RuleContext, code: str) -> date | None:
    raw = ctx.values.get(code)
    return date.fromisoformat(str(raw)) if raw not in (None, "") else None


def _ends_order(ctx: RuleContext) -> bool:
    return ctx.action is not None and bool(ctx.flow.step(ctx.action.target).terminal)


def account_state(ctx: RuleContext, account_id: int) -> InspectionAccount:
    state = ctx.session.get(InspectionAccount, account_id)
    if state is None:
        state = InspectionAccount(account_id=account_id, last_outcome="", refused=False, unreachable=False,
                                  open_hazards=0, open_grade1=0, updated_at=ctx.now)
        ctx.session.add(state)
    return state


def recount(ctx: RuleContext, state: InspectionAccount) -> None:
    """The account's open hazards, counted again from the hazards themselves."""
    ctx.session.flush()
    rows = dict(ctx.session.execute(
        select(InspectionHazard.grade, func.count()).where(InspectionHazard.account_id == state.account_id,
                                                           InspectionHazard.status == OPEN)
        .group_by(InspectionHazard.grade)).all())
    state.open_hazards = int(sum(rows.values()))
    state.open_grade1 = int(rows.get(GRADE1, 0))
    state.updated_at = ctx.now


# --- opening and abandoning ---------------------------------------------------------------------

@RULES.effect("start_inspection")
def start_inspection(ctx: RuleContext) -> None:
    """An inspection opened at the counter (a customer booked a visit): its inspection row, holding the
    account while the order is open (one open inspection per account; a plan's bulk opening writes
    the same row)."""
    account = ctx.require_account()
    ctx.session.add(InspectionOrder(order_id=ctx.order.id, plan_id=None, account_id=account.id,
                                    open_account_id=account.id, outcome="", attempts=0, inspector="",
                                    hazards=0, open_hazards=0))
    ctx.session.flush()


@RULES.effect("end_inspection")
def end_inspection(ctx: RuleContext) -> None:
    """A cancelled inspection lets go of the account; never while a hazard it noticed is still open."""
    row = inspection_row(ctx)
    if row.open_hazards:
        raise Refused(f"本单尚有 {row.open_hazards} 项隐患未整改销项，不能撤销；请先登记整改情况")
    row.open_account_id = None


# --- guards -------------------------------------------------------------------------------------

@RULES.guard("worst_grade")
def worst_grade(ctx: RuleContext, grades: str) -> None:
    """The result of an entered visit goes to the step of its worst grade: none (or advice only) is
    archived, 二级 waits for rectification within its days, 一级 at once. Every item is marked."""
    marks = marks_of(ctx.values)
    missing = [item.label for item in CHECKLIST if item.code not in marks]
    if missing:
        first = next(item for item in CHECKLIST if item.code not in marks)
        raise Refused("请逐项填写检查结果，未填：" + "、".join(missing[:3]) + ("等" if len(missing) > 3 else ""),
                      field=first.field)
    found = worst(marks)
    if grades == "none" and found in NOTICE_GRADES:
        raise Refused(f"检查发现{GRADE_SHORT[found]}隐患，应开具隐患整改通知书")
    if grades == GRADE2 and found != GRADE2:
        raise Refused("发现一级隐患，应按一级隐患立即整改办理" if found == GRADE1
                      else "未发现一级或二级隐患，无需开具隐患整改通知书")
    if grades == GRADE1 and found != GRADE1:
        raise Refused("未发现一级隐患")


@RULES.guard("attempts_left")
def attempts_left(ctx: RuleContext, last: bool) -> None:
    """Nobody home: the order waits for a re-visit until the set number of attempts, then ends."""
    limit = max(1, int(ctx.setting(MAX_ATTEMPTS) or 3))
    attempt = inspection_row(ctx).attempts + 1
    if last and attempt < limit:
        raise Refused(f"这是第 {attempt} 次上门（满 {limit} 次到访不遇才结束），请留卡后再次上门")
    if not last and attempt >= limit:
        raise Refused(f"这是第 {attempt} 次上门，已达 {limit} 次，应登记为多次到访不遇、无法入户")


# --- the visit ----------------------------------------------------------------------------------

def _check_times(ctx: RuleContext, row: InspectionOrder) -> tuple[datetime, datetime | None]:
    visited = _when(ctx, "visited_at")
    assert visited is not None
    left = _when(ctx, "left_at")
    if visited > ctx.now:
        raise Refused("到访时间不能晚于现在", field="visited_at")
    opened = ctx.order.opened_at.replace(second=0, microsecond=0)
    if visited < opened:
        raise Refused(f"到访时间早于业务单受理时间 {opened:%Y-%m-%d %H:%M}，请核对", field="visited_at")
    if row.last_visit_at is not None and visited <= row.last_visit_at:
        raise Refused(f"到访时间应晚于上次到访 {row.last_visit_at:%Y-%m-%d %H:%M}", field="visited_at")
    if left is not None and left < visited:
        raise Refused("离开时间不能早于到访时间", field="left_at")
    if left is not None and left > ctx.now:
        raise Refused("离开时间不能晚于现在", field="left_at")
    return visited, left


@RULES.effect("record_visit")
def record_visit(ctx: RuleContext, outcome: str) -> None:
    """One visit: its row, the hazards an entered visit found (each with its deadline by grade, the
    noticed ones on the order's 隐患整改通知书), the order's and the account's inspection state."""
    account = ctx.require_account()
    row = inspection_row(ctx)
    visited, left = _check_times(ctx, row)
    attempt = row.attempts + 1
    inspector = str(ctx.values.get("inspector") or "").strip()
    marks = marks_of(ctx.values) if outcome == ENTERED else {}
    visit = InspectionVisit(
        order_id=ctx.order.id, plan_id=row.plan_id, account_id=account.id, attempt=attempt, outcome=outcome,
        visited_at=visited, left_at=left, inspector=inspector, card_left=bool(ctx.values.get("card_left")),
        refusal_reason=str(ctx.values.get("refusal_reason") or "") if outcome == REFUSED else "",
        checklist=marks, alarm_due=_day(ctx, "alarm_due"), hose_due=_day(ctx, "hose_due"),
        cooker_due=_day(ctx, "cooker_due"), heater_due=_day(ctx, "heater_due"),
        note=str(ctx.values.get("visit_note") or ""), staff_id=ctx.staff_id, recorded_at=ctx.now,
    )
    ctx.session.add(visit)
    ctx.session.flush()
    final = outcome == NOT_HOME and _ends_order(ctx)
    ended = UNREACHABLE if final else outcome
    row.attempts, row.last_visit_at, row.inspector, row.outcome = attempt, visited, inspector, ended
    ctx.order.rounds = attempt
    ctx.audit("inspection_visit", visit.id, "record", {
        "attempt": [None, attempt], "outcome": [None, outcome], "visited_at": [None, visited],
        "inspector": [None, inspector], "checklist": [None, marks]})
    found: list[dict[str, Any]] = []
    if outcome == ENTERED:
        row.entered_at = visited
        found = _record_hazards(ctx, visit, marks)
        row.hazards = len(found)
        row.open_hazards = sum(1 for h in found if h["status"] == OPEN)
    if _ends_order(ctx):
        row.open_account_id = None
    state = account_state(ctx, account.id)
    state.last_order_id, state.last_visit_at = ctx.order.id, visited
    state.last_outcome = ended
    if outcome == ENTERED:
        state.last_entered_at, state.refused, state.unreachable = visited, False, False
    elif outcome == REFUSED:
        state.refused = True
    elif final:
        state.unreachable = True
    recount(ctx, state)
    ctx.remember(attempt=attempt, outcome=ended, hazard_list=found,
                 notice_number=notice_number(ctx.order.number) if any(h["status"] == OPEN for h in found) else "",
                 max_attempts=max(1, int(ctx.setting(MAX_ATTEMPTS) or 3)))


def _record_hazards(ctx: RuleContext, visit: InspectionVisit, marks: dict[str, str]) -> list[dict[str, Any]]:
    account = ctx.require_account()
    number = notice_number(ctx.order.number)
    found = []
    for item in CHECKLIST:
        grade = marks.get(item.code)
        if grade in (None, OK):
            continue
        noticed = grade in NOTICE_GRADES
        due = ctx.due_in(int(ctx.setting(GRADE_DAYS[grade]) or 0)) if noticed else None
        note = str(ctx.values.get(item.note_field) or "")
        hazard = InspectionHazard(
            order_id=ctx.order.id, visit_id=visit.id, account_id=account.id, item=item.code, label=item.label,
            grade=grade, note=note, found_at=visit.visited_at, due_at=due,
            notice_number=number if noticed else None, status=OPEN if noticed else ADVICE, closed_how="",
            closed_note="",
        )
        ctx.session.add(hazard)
        ctx.session.flush()
        ctx.audit("inspection_hazard", hazard.id, "found", {
            "item": [None, item.code], "grade": [None, grade], "due_at": [None, due]})
        found.append({"id": hazard.id, "item": item.code, "label": item.label, "grade": grade,
                      "grade_label": GRADE_SHORT[grade], "note": note, "due_at": due, "status": hazard.status})
    return found


# --- rectification ------------------------------------------------------------------------------

def _open_hazards(ctx: RuleContext) -> list[InspectionHazard]:
    return list(ctx.session.scalars(select(InspectionHazard).where(
        InspectionHazard.order_id == ctx.order.id, InspectionHazard.status == OPEN).order_by(InspectionHazard.id)))


@RULES.effect("close_hazards")
def close_hazards(ctx: RuleContext, partial: bool = False) -> None:
    """The hazards of the notice are rectified (re-inspection, or the customer's report): the ones named
    in `closing_items` (or all), each closed with how, when and by whom. Closing all of them ends the
    order (`partial`: some stay open, and the order keeps waiting)."""
    checked = _when(ctx, "checked_at")
    assert checked is not None
    if checked > ctx.now:
        raise Refused("复查/收到报告时间不能晚于现在", field="checked_at")
    hazards = _open_hazards(ctx)
    if hazards and checked < min(h.found_at for h in hazards):
        raise Refused("复查/收到报告时间早于发现隐患的时间，请核对", field="checked_at")
    raw = str(ctx.values.get("closing_items") or "").replace("，", ",")
    wanted = [w.strip() for w in raw.split(",") if w.strip()]
    by_label = {item.label: code for code, item in ITEMS.items()}
    codes = {by_label.get(w, w) for w in wanted}
    unknown = [w for w, c in zip(wanted, (by_label.get(w, w) for w in wanted), strict=True) if c not in ITEMS]
    if unknown:
        raise Refused("没有这一检查项目：" + "、".join(unknown), field="closing_items")
    chosen = [h for h in hazards if not codes or h.item in codes]
    if codes and len(chosen) != len(codes):
        raise Refused("所填项目中有不在本单待整改隐患内的", field="closing_items")
    if not chosen:
        raise Refused("本单没有待整改的隐患")
    left = [h for h in hazards if h not in chosen]
    if left and not partial:
        raise Refused("仍有隐患未整改：" + "、".join(h.label for h in left) + "；请选择“部分整改销项”",
                      field="closing_items")
    if partial and not left:
        raise Refused("所有隐患均已整改，请选择“隐患已整改，销项”", field="closing_items")
    how = str(ctx.values.get("closed_how") or "")
    note = str(ctx.values.get("rectify_note") or "")
    for h in chosen:
        h.status, h.closed_at, h.closed_by_id, h.closed_how, h.closed_note = CLOSED, checked, ctx.staff_id, how, note
        ctx.audit("inspection_hazard", h.id, "close", ctx.changes_of(h))
    row = inspection_row(ctx)
    row.open_hazards = len(left)
    if _ends_order(ctx):
        row.open_account_id = None
    recount(ctx, account_state(ctx, row.account_id))
    ctx.remember(closed_items=[h.item for h in chosen], still_open=[h.item for h in left])


@RULES.effect("note_recheck")
def note_recheck(ctx: RuleContext) -> None:
    """A re-inspection found the hazards still there: kept in the history; the deadline stands."""
    checked = _when(ctx, "checked_at")
    if checked is not None and checked > ctx.now:
        raise Refused("复查时间不能晚于现在", field="checked_at")
    if not _open_hazards(ctx):
        raise Refused("本单没有待整改的隐患")


@RULES.effect("link_suspension")
def link_suspension(ctx: RuleContext) -> None:
    """Supply stopped for an 一级 hazard: the suspension order (of the same account, open) is linked on
    the order's open 一级 hazards."""
    number = str(ctx.values.get("suspension_order") or "").strip().upper()
    other = ctx.session.scalar(select(ServiceOrder).where(ServiceOrder.number == number))
    account = ctx.require_account()
    if other is None or other.account_id != account.id or other.id == ctx.order.id:
        raise Refused(f"没有该账户的业务单 {number}", field="suspension_order")
    if other.status != OrderStatus.OPEN:
        raise Refused(f"业务单 {number} 已办结", field="suspension_order")
    urgent = [h for h in _open_hazards(ctx) if h.grade == GRADE1]
    if not urgent:
        raise Refused("本单没有未整改的一级隐患，不能据此停止供气")
    for h in urgent:
        h.suspension_order_id = other.id
        ctx.audit("inspection_hazard", h.id, "stop_supply", {"suspension_order": [None, number]})
    ctx.remember(suspension_order=number)

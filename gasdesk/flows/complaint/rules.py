"""A complaint's department, its rounds, and when a request taken out of hours will be handled."""

from __future__ import annotations

from sqlalchemy import select

from gasdesk.errors import Refused
from gasdesk.flows.rules import RuleBook, RuleContext
from gasdesk.models import Department

RULES = RuleBook()


@RULES.effect("count_round")
def count_round(ctx: RuleContext) -> None:
    ctx.order.rounds += 1


@RULES.effect("assign_department")
def assign_department(ctx: RuleContext, field: str, optional: bool = False) -> None:
    code = ctx.value(field)
    if optional and code in (None, ""):
        return
    dept = ctx.session.scalar(select(Department).where(Department.code == str(code), Department.active.is_(True)))
    if dept is None:
        raise Refused("请选择有效的转办部门", field=field)
    ctx.order.department_id = dept.id
    ctx.remember(department_name=dept.name)


@RULES.effect("note_service_hours")
def note_service_hours(ctx: RuleContext) -> None:
    """A request taken outside its service's hours records when it will be handled."""
    if ctx.order.channel == "phone":
        opens, closes, working_days, line = (ctx.setting("hours.complaint_open"), ctx.setting("hours.complaint_close"),
                                             True, "投诉电话")
    else:
        opens, closes, working_days, line = ctx.setting("hours.hall_open"), ctx.setting("hours.hall_close"), False, "营业厅"
    start = ctx.next_opening(str(opens), str(closes), working_days)
    if start != ctx.now:
        ctx.remember(handle_from=start, out_of_hours=f"非{line}受理时间，将于 {start:%Y-%m-%d %H:%M} 起处理")

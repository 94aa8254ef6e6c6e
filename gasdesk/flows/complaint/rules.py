"""A complaint's department, its rounds, and when a request taken out of hours will be handled."""

from __future__ import annotations

from sqlalchemy import select

from gasdesk.errors import Refused
from gasdesk.flows.rules import RuleBook, RuleContext
from gasdesk.hours import HoursError, parse_hours
from gasdesk.models import Department
from gasdesk.vocab import Channel

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
    """A call taken outside its line's hours records when it will be handled: an enquiry came in on
    the business and enquiry line (96977, `hours.service_line`, every day 9:00-24:00), a complaint on
    the complaint line (`hours.complaint`, working days 9:00-17:00). At the counter the customer is
    in the hall, which is open: nothing to note."""
    if ctx.order.channel != Channel.PHONE:
        return
    key, line = (("hours.service_line", "客服电话") if ctx.value("complaint_type") == "enquiry"
                 else ("hours.complaint", "投诉电话"))
    try:
        hours = parse_hours(str(ctx.setting(key) or ""))
    except HoursError:
        return  # the settings refuse such a text; an old one is not a reason to refuse the call
    start = ctx.next_opening(hours.opens, hours.closes, hours.working_days_only)
    if start != ctx.now:
        ctx.remember(handle_from=start, out_of_hours=f"非{line}受理时间，将于 {start:%Y-%m-%d %H:%M} 起处理")

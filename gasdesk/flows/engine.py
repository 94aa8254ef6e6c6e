"""The one flow engine: what may be done now, and what doing it means.

Pure: it never touches the database or the window. `plan()` checks an action against the flow
definition (step, role, reason, fields) and returns a Transition saying where the order goes, what
the actor recorded (validated and normalised), which guards and effects the service must run and
what happens to the clocks. The service applies a Transition in one transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from gasdesk import validation
from gasdesk.errors import ClerkError
from gasdesk.flows.definition import (
    ActionDef,
    FieldDef,
    FieldKind,
    FlowDef,
    StepDef,
    TimeLimit,
)
from gasdesk.vocab import Role

CANCEL = ActionDef(
    code="cancel",
    label="撤销业务（客户撤回申请）",
    target="cancelled",
    roles=frozenset({Role.CLERK, Role.MANAGER, Role.ADMIN}),
    needs_reason=True,
)


class ActionRefused(ClerkError):
    """The action cannot be taken now; nothing was written. `message` is for the clerk (Chinese)."""


@dataclass(frozen=True)
class ClockPlan:
    close_step: bool
    start_step: TimeLimit | None
    # 'run', 'pause' or 'close' for the whole-order clock; None when the flow has none.
    order_clock: str | None
    pause_reason: str = ""


@dataclass(frozen=True)
class Transition:
    flow: FlowDef
    action: ActionDef
    source: StepDef
    target: StepDef
    values: dict[str, Any] = field(default_factory=dict)
    reason: str = ""
    clocks: ClockPlan = ClockPlan(False, None, None)

    @property
    def stays(self) -> bool:
        return self.source.code == self.target.code

    @property
    def terminal_status(self) -> str | None:
        return self.target.terminal


def actions_for(flow: FlowDef, step: StepDef) -> tuple[ActionDef, ...]:
    if step.terminal:
        return ()
    return step.actions + (CANCEL,)


def allowed_actions(flow: FlowDef, step_code: str, role: Role | str) -> list[ActionDef]:
    step = flow.step(step_code)
    return [a for a in actions_for(flow, step) if Role(role) in a.roles]


def plan(
    flow: FlowDef,
    step_code: str,
    action_code: str,
    role: Role | str,
    payload: Mapping[str, Any] | None = None,
    reason: str = "",
) -> Transition:
    source = flow.step(step_code)
    if source.terminal:
        raise ActionRefused(f"该业务已{source.label}，不能再办理")
    action = next((a for a in actions_for(flow, source) if a.code == action_code), None)
    if action is None:
        # The clerk's screen (or sheet) may be older than the order: name the action, never its code.
        named = next((a.label for a in flow.actions() + (CANCEL,) if a.code == action_code), "此操作")
        raise ActionRefused(f"业务单当前在“{source.label}”环节，不能办理“{named}”（可能刚被其他柜台办理，请刷新后查看）")
    if Role(role) not in action.roles:
        raise ActionRefused(f"您的岗位（{Role(role).label}）无权在“{source.label}”环节执行“{action.label}”")
    reason = validation.clean_text(reason)
    if len(reason) > 2000:
        raise ActionRefused("原因过长（最多2000字）", field="reason")
    if action.needs_reason and not reason:
        raise ActionRefused("请填写原因（将告知客户）", field="reason")
    values = read_fields(action.fields, payload or {})
    target = flow.step(action.target)
    return Transition(
        flow=flow, action=action, source=source, target=target, values=values, reason=reason,
        clocks=plan_clocks(flow, source, target),
    )


def plan_clocks(flow: FlowDef, source: StepDef, target: StepDef) -> ClockPlan:
    if source.code == target.code:
        return ClockPlan(close_step=False, start_step=None, order_clock=None)
    order_clock: str | None = None
    pause_reason = ""
    if flow.total_limit is not None:
        if target.terminal:
            order_clock = "close"
        elif target.customer_wait:
            order_clock, pause_reason = "pause", f"等待客户：{target.label}"
        elif not target.counted:
            order_clock, pause_reason = "pause", f"不计入承诺时限的环节：{target.label}"
        else:
            order_clock = "run"
    return ClockPlan(
        close_step=True,
        start_step=None if target.terminal else target.limit,
        order_clock=order_clock,
        pause_reason=pause_reason,
    )


def read_fields(fields: tuple[FieldDef, ...], payload: Mapping[str, Any]) -> dict[str, Any]:
    """Validate and normalise the recorded values; JSON-safe (Decimal and dates become text)."""
    values: dict[str, Any] = {}
    for f in fields:
        raw = payload.get(f.code)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if f.required and f.kind is not FieldKind.BOOL:
                raise ActionRefused(f"请填写{f.label}", field=f.code)
            if f.kind is FieldKind.BOOL:
                values[f.code] = False
            continue
        try:
            values[f.code] = read_value(f, raw)
        except validation.ValidationError as exc:
            raise ActionRefused(f"{f.label}：{exc.message}", field=f.code) from exc
    return values


def reachable_steps(flow: FlowDef, data: dict[str, Any] | None = None) -> list[StepDef]:
    """The steps an order can still pass through, in the definition's order. A value recorded at opening
    that names one action of a later decision (销户's 是否拆除 answered as "removal") leaves out the
    branches of that decision's other actions."""
    chosen = {str(v) for v in (data or {}).values()}
    seen: set[str] = set()
    todo = [flow.initial]
    while todo:
        code = todo.pop()
        if code in seen or not flow.has_step(code):
            continue
        seen.add(code)
        step = flow.step(code)
        actions = [a for a in step.actions if a.code in chosen] or list(step.actions)
        todo += [a.target or code for a in actions]
    return [s for s in flow.steps if s.code in seen]


REQUIRED = "请填写此项"


def field_problem(f: FieldDef, raw: Any) -> str:
    """Why the value typed for one field would be refused, '' when it would not: the message that
    stands beside the field, so without the field's name (read_fields adds it for a message elsewhere)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return REQUIRED if f.required and f.kind is not FieldKind.BOOL else ""
    try:
        read_value(f, raw)
    except validation.ValidationError as exc:
        return exc.message
    return ""


def field_problems(fields: tuple[FieldDef, ...], payload: Mapping[str, Any]) -> dict[str, str]:
    """Every field's problem at once, in the order of the fields."""
    return {f.code: message for f in fields if (message := field_problem(f, payload.get(f.code)))}


def read_value(f: FieldDef, raw: Any) -> Any:
    kind = f.kind
    if kind in (FieldKind.TEXT, FieldKind.LONG_TEXT):
        text = validation.clean_text(str(raw))
        if len(text) > (2000 if kind is FieldKind.LONG_TEXT else 200):
            raise validation.ValidationError("内容过长")
        return text
    if kind is FieldKind.INT:
        try:
            number = int(str(raw).strip())
        except ValueError as exc:
            raise validation.ValidationError("应为整数") from exc
        if number < 0:
            raise validation.ValidationError("不能为负数")
        return number
    if kind is FieldKind.MONEY:
        return str(validation.check_amount(raw))
    if kind is FieldKind.READING:
        return str(validation.check_reading(raw))
    if kind is FieldKind.DATE:
        return _as_date(raw).isoformat()
    if kind is FieldKind.DATETIME:
        return _as_datetime(raw).isoformat(timespec="minutes")
    if kind is FieldKind.CHOICE:
        code = str(raw)
        if code not in {c for c, _ in f.choices}:
            raise validation.ValidationError("请选择一项")
        return code
    if kind is FieldKind.BOOL:
        return bool(raw)
    if kind is FieldKind.MOBILE:
        return validation.check_mobile(str(raw))
    if kind is FieldKind.PHONE:
        return validation.check_phone(str(raw))
    if kind is FieldKind.DEPARTMENT:
        return validation.clean_text(str(raw))
    if kind is FieldKind.ID_NUMBER:
        return validation.check_resident_id(str(raw))
    raise AssertionError(kind)


def _as_date(raw: Any) -> date:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw).strip())
    except ValueError as exc:
        raise validation.ValidationError("日期格式应为 年-月-日，如 2026-12-01") from exc


def _as_datetime(raw: Any) -> datetime:
    if isinstance(raw, datetime):
        return raw.replace(second=0, microsecond=0)
    try:
        return datetime.fromisoformat(str(raw).strip()).replace(second=0, microsecond=0)
    except ValueError as exc:
        raise validation.ValidationError("时间格式应为 年-月-日 时:分，如 2026-12-01 09:30") from exc


def as_decimal(value: Any) -> Decimal:
    return Decimal(str(value))

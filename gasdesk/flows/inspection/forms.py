"""The inspection's forms, printed from the facts of their step: 安检记录单 (every checklist item, the
outcome, both signatures), 隐患整改通知书 (each noticed hazard with its grade and deadline) and
到访不遇卡 (left at the door, with the service line and how to book a visit).

Printed before the visit (entering the inspection step), the record is the inspector's blank
sheet: every item with boxes to tick.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from reportlab.platypus import Flowable

from gasdesk.reports.context import FormContext
from gasdesk.reports.forms.catalog import Audience, FormDef, Signer, customer_brief, signatures, text
from gasdesk.reports.forms.kit import Cell, Kit
from gasdesk.reports.forms.values import check, fmt_date, fmt_datetime, value

from .flow import (
    CHECKLIST,
    ENTERED,
    GRADE_SHORT,
    GRADES,
    NOT_HOME,
    OUTCOMES,
    REFUSED,
    UNREACHABLE,
)

DEVICE_CODES = (("alarm_due", "报警器到期"), ("hose_due", "胶管到期"), ("cooker_due", "灶具到期"),
                ("heater_due", "热水器到期"))


def _outcome(ctx: FormContext) -> str:
    return str(ctx.data.get("outcome") or "")


def _formatted(raw: Any, fmt: Callable[[datetime], str]) -> str:
    """A stored ISO time through `fmt`; empty stays empty, anything unreadable is shown as stored."""
    if raw in (None, ""):
        return ""
    try:
        return fmt(datetime.fromisoformat(str(raw)))
    except ValueError:
        return str(raw)


def _when(raw: Any) -> str:
    return _formatted(raw, fmt_datetime)


def _day(raw: Any) -> str:
    return _formatted(raw, fmt_date)


def inspector(ctx: FormContext) -> str:
    return value(ctx, "inspector") or ctx.crew


def visit_facts(kit: Kit, ctx: FormContext) -> list[Flowable]:
    outcome = _outcome(ctx)
    attempt = ctx.data.get("attempt")
    result = OUTCOMES.get(outcome, "")
    if not result:
        result = "　".join(f"{check(False)} {OUTCOMES[o]}" for o in (ENTERED, NOT_HOME, REFUSED))
    pairs: list[tuple[str, Cell]] = [
        ("燃气账户", ctx.account.number if ctx.account else ""), ("燃气表号", ctx.meter.number if ctx.meter else ""),
        ("上门次数", f"第 {attempt} 次" if attempt else ""), ("安检员", inspector(ctx)),
        ("到访时间", _when(ctx.data.get("visited_at"))), ("离开时间", _when(ctx.data.get("left_at"))),
        ("检查结果", result),
    ]
    return [*kit.section("检查信息"), *kit.grid(pairs, cols=3, label_width=58)]


def checklist(kit: Kit, ctx: FormContext) -> list[Flowable]:
    """Every item: its grade as recorded, or boxes to tick on a blank sheet."""
    blank = _outcome(ctx) != ENTERED
    rows: list[list[Cell]] = []
    for i, item in enumerate(CHECKLIST, 1):
        grade = str(ctx.data.get(item.field) or "")
        if blank or not grade:
            mark = "　".join(f"{check(False)}{GRADE_SHORT[g]}" for g, _ in GRADES)
        else:
            mark = "　".join(f"{check(g == grade)}{GRADE_SHORT[g]}" for g, _ in GRADES)
        rows.append([str(i), item.label, mark, "" if blank else str(ctx.data.get(item.note_field) or "")])
    title = "检查项目（一级隐患立即整改；二级隐患限期整改；三级为整改建议）"
    return [*kit.section(title), kit.table(["序号", "检查项目", "检查结果", "说明"], rows, [0.5, 3.0, 3.0, 2.0])]


def devices(kit: Kit, ctx: FormContext) -> list[Flowable]:
    if _outcome(ctx) not in (ENTERED, ""):
        return []
    pairs: list[tuple[str, Cell]] = [(label, _day(ctx.data.get(code))) for code, label in DEVICE_CODES]
    return [*kit.grid(pairs, cols=4, label_width=62)]


def hazard_rows(ctx: FormContext, noticed_only: bool) -> list[list[Cell]]:
    rows: list[list[Cell]] = []
    for i, h in enumerate(ctx.data.get("hazard_list") or [], 1):
        if noticed_only and h.get("status") != "open":
            continue
        due = _day(h.get("due_at")) if h.get("due_at") else "不限期（建议整改）"
        rows.append([str(i), str(h.get("label") or ""), str(h.get("grade_label") or ""), due, str(h.get("note") or "")])
    return rows


def findings(kit: Kit, ctx: FormContext) -> list[Flowable]:
    outcome = _outcome(ctx)
    out: list[Flowable] = []
    if outcome == ENTERED:
        found = list(ctx.data.get("hazard_list") or [])
        noticed = [h for h in found if h.get("status") == "open"]
        parts = [f"{h.get('grade_label')}“{h.get('label')}”整改期限 {_day(h.get('due_at'))}" for h in noticed]
        advice = len(found) - len(noticed)
        if advice:
            parts.append(f"整改建议 {advice} 项")
        if noticed:
            text_ = f"已开具隐患整改通知书 {ctx.data.get('notice_number') or ''}：" + "；".join(parts) + "。"
        elif advice:
            text_ = "未发现需限期整改的安全隐患；" + "；".join(parts) + "。"
        else:
            text_ = "本次检查未发现安全隐患。"
        out += [kit.spacer(4), kit.p(f"检查结论：{text_}", "body")]
    elif outcome == REFUSED:
        out += [*kit.section("客户拒绝安检"), *kit.grid([("拒绝原因", value(ctx, "refusal_reason"))], cols=1)]
    elif outcome in (NOT_HOME, UNREACHABLE):
        out += [*kit.section("到访不遇"), kit.p("上门时无人在家，已留到访不遇卡。", "body")]
    note = value(ctx, "visit_note")
    if note:
        out += [*kit.section("检查情况说明"), *kit.paragraphs(note, "body")]
    elif not outcome:
        out.append(kit.lines("检查情况说明：", 3))
    return out


def notice_facts(kit: Kit, ctx: FormContext) -> list[Flowable]:
    pairs: list[tuple[str, Cell]] = [
        ("通知书编号", str(ctx.data.get("notice_number") or "")), ("安检单号", ctx.order_number),
        ("检查时间", _when(ctx.data.get("visited_at"))), ("安检员", inspector(ctx)),
    ]
    rows = hazard_rows(ctx, noticed_only=True)
    body: list[Flowable] = [*kit.section("通知信息"), *kit.grid(pairs, cols=2)]
    body += [*kit.section("限期整改的隐患")]
    if rows:
        body.append(kit.table(["序号", "隐患", "等级", "整改期限", "说明"], rows, [0.5, 3.2, 0.8, 1.8, 2.2]))
    else:
        body.append(kit.lines("隐患及整改期限：", 4))
    return body


def card_body(kit: Kit, ctx: FormContext) -> list[Flowable]:
    attempt = ctx.data.get("attempt")
    limit = ctx.data.get("max_attempts")
    when = _when(ctx.data.get("visited_at")) or "　　　　年　　月　　日　　时"
    lines = [
        f"尊敬的用户（{ctx.customer.address}）：",
        f"{ctx.company.name}安检人员于 {when} 上门进行入户安全检查，您不在家。"
        + (f"这是第 {attempt} 次上门" + (f"（共 {limit} 次）" if limit else "") + "。" if attempt else ""),
    ]
    pairs: list[tuple[str, Cell]] = [("安检员", inspector(ctx)), ("安检单号", ctx.order_number),
                                     ("客户编号", ctx.customer.number),
                                     ("燃气账户", ctx.account.number if ctx.account else ""),
                                     ("留卡日期", fmt_date(datetime.fromisoformat(str(ctx.data["visited_at"])))
                                      if ctx.data.get("visited_at") else "")]
    return [kit.spacer(4), *[kit.p(line, "body") for line in lines], kit.spacer(4), *kit.grid(pairs, cols=2)]


def booking(kit: Kit, ctx: FormContext) -> list[Flowable]:
    c = ctx.company
    hours = f"（{c.service_line_hours}）" if c.service_line_hours else ""
    how = [f"1．拨打客服热线 {c.service_phone}{hours}，报上燃气账户号或用气地址，预约上门时间。"]
    if c.hall_address:
        how.append(f"2．到营业厅（{c.hall_address}"
                   + (f"，{c.hall_hours}" if c.hall_hours else "") + "）预约。")
    return [*kit.section("如何预约安检"), *[kit.p(line, "clause") for line in how]]


RECORD_SIGNS = (Signer("安检员", inspector), Signer("用户签字"))
NOTICE_SIGNS = (Signer("供气人", lambda ctx: ctx.company.name, stamp=True), Signer("安检员", inspector),
                Signer("用户签收"))

FORMS = {
    "inspection_record": FormDef("入户安全检查记录单（安检记录单）", (
        customer_brief, visit_facts, checklist, devices, findings,
        text("inspection_record_statement"), signatures(*RECORD_SIGNS),
    ), Audience.FIELD),  # carried by the inspector from door to door: the ID masked
    "hazard_notice": FormDef("燃气安全隐患整改通知书", (
        customer_brief, notice_facts, text("hazard_notice_text", "整改要求"), signatures(*NOTICE_SIGNS),
    )),
    "no_one_home_card": FormDef("到访不遇卡", (
        card_body, booking, text("no_one_home_card_text"), signatures(Signer("安检员", inspector, date=False)),
    )),
}

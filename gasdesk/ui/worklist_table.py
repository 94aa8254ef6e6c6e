"""The table of service orders used by the dashboard, the dispatch queue and the customer page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from gasdesk.services.calendar import PROVISIONAL_MARK
from gasdesk.services.worklists import WorkItem
from gasdesk.ui.widgets import URGENCY_COLORS, Column, RowsModel, dt_text, time_left
from gasdesk.workdays import WorkCalendar

PROVISIONAL_TAG = "※推算"


def _due(w: WorkItem) -> str:
    """The due time; ※推算 when it is counted across a year whose holiday notice is not confirmed."""
    return dt_text(w.due_at) + (f" {PROVISIONAL_TAG}" if w.provisional else "")


def _due_column(width: int) -> Column[WorkItem]:
    return Column("时限", _due, width=width, tooltip=lambda w: PROVISIONAL_MARK if w.provisional else "")


def _left(now: Callable[[], datetime], calendar: Callable[[], WorkCalendar], *, mark: bool = False) -> Column[WorkItem]:
    def left(w: WorkItem) -> tuple[str, str]:
        return time_left(w.due_at, now(), calendar(), w.due_unit, w.deadline_started_at)

    def text(w: WorkItem) -> str:
        return left(w)[0] + (f" {PROVISIONAL_TAG}" if mark and w.provisional else "")

    def colors(w: WorkItem) -> tuple[str, str] | None:
        return URGENCY_COLORS.get(left(w)[1])

    return Column("剩余时间", text, colors, width=170 if mark else 150,
                  tooltip=lambda w: PROVISIONAL_MARK if mark and w.provisional else "")


def work_model(now: Callable[[], datetime], calendar: Callable[[], WorkCalendar], *,
               dispatch: bool = False) -> RowsModel[WorkItem]:
    if dispatch:  # what a dispatcher reads: the job, where, who, when
        return RowsModel([
            # the address takes what the others leave (at 1366 wide ~120 px: the full text in its tooltip
            # and in the side panel), so the fixed columns are kept narrow
            Column("业务单号", lambda w: w.number, width=126),
            Column("上门作业", lambda w: w.step_label, width=118),
            Column("客户", lambda w: w.customer_name, width=70),
            Column("用气地址", lambda w: w.address, width=200),
            Column("联系电话", lambda w: w.phone, width=100),
            Column("作业班组", lambda w: w.crew or "未派工", width=92),
            Column("预约时间", lambda w: dt_text(w.appointment_at) or "未预约", width=112),
            _left(now, calendar, mark=True),
        ])
    return RowsModel([
        Column("业务单号", lambda w: w.number, width=140),
        Column("业务类型", lambda w: w.kind_label, width=96),
        Column("当前环节", lambda w: w.step_label, width=190),
        Column("客户", lambda w: w.customer_name, width=140),
        Column("受理时间", lambda w: dt_text(w.opened_at), width=122),
        _due_column(130),
        _left(now, calendar),
    ])

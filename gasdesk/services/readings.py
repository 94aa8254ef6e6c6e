"""Meter readings: entered at the counter, imported from the meter readers' Excel sheet, or taken by a
meter change, a suspension with plugging or a closure visit (the flows' final readings).

Every reading with gas used makes a bill at once (gasdesk.services.bills). A reading is checked
completely, and its bill priced, before anything is written, so a refused reading writes nothing.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, BinaryIO, ClassVar, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from gasdesk.flows.registry import reading_labels
from gasdesk.models import Account, Bill, Meter, MeterReading, Staff
from gasdesk.permissions import Permission
from gasdesk.services import audit, bills
from gasdesk.services.context import Actor, Service
from gasdesk.services.errors import NotFound, Refused, ServiceError
from gasdesk.validation import ValidationError, check_meter_reading
from gasdesk.vocab import AccountStatus, MeterStatus

log = logging.getLogger(__name__)

ZERO_M3 = Decimal("0.000")
BATCH = 200


@dataclass(frozen=True)
class ReadingOutcome:
    """A reading entered at the counter and the bill it made (None when no gas was used)."""

    reading_id: int
    meter_number: str
    read_on: date
    reading: Decimal
    volume: Decimal
    bill: bills.BillView | None


class ReadingSource(str):
    """Where a reading came from: the counter, the readers' import, or a flow's visit (the sources a
    flow declares in FlowDef.reading_sources, e.g. a closure's 销户止数)."""

    ROUTINE_LABELS = {"counter": "柜台录入", "import": "抄表导入"}
    label: str
    COUNTER: ClassVar[ReadingSource]
    IMPORT: ClassVar[ReadingSource]

    def __new__(cls, code: str) -> ReadingSource:
        label = cls.ROUTINE_LABELS.get(code) or reading_labels().get(code)
        if label is None:
            raise ValueError(f"unknown reading source {code!r}")
        obj = super().__new__(cls, code)
        obj.label = label
        return obj


ReadingSource.COUNTER = ReadingSource("counter")
ReadingSource.IMPORT = ReadingSource("import")

# A meter reader's reading of a day: the counter and the import refuse a second one of these.
ROUTINE = (ReadingSource.COUNTER, ReadingSource.IMPORT)


def last_read_day(meter: Meter) -> date:
    return (meter.last_read_at or meter.installed_at).date()


def lock_meter(session: Session, number: str) -> Meter | None:
    """The meter by number, its account and itself locked (PostgreSQL; SQLite's BEGIN IMMEDIATE already
    serialises writers) in the order the flows lock them: account, then meter."""
    meter = session.scalar(select(Meter).where(Meter.number == number))
    if meter is not None:
        if meter.account_id is not None:
            session.get(Account, meter.account_id, with_for_update=True)
        session.refresh(meter, with_for_update=True)
    return meter


def check_routine(session: Session, meter: Meter | None, read_on: date, value: Decimal, today: date) -> Account:
    """Every reason a reading from the counter or the readers' sheet is refused. Writes nothing."""
    if meter is None:
        raise Refused("表号不存在")
    if meter.status == MeterStatus.REMOVED:
        raise Refused("该表已拆除，不能再录入读数")
    account = session.get(Account, meter.account_id) if meter.account_id is not None else None
    if account is None or account.status == AccountStatus.APPLYING:
        raise Refused("该表所属账户尚未开通")
    if read_on > today:
        raise Refused(f"抄表日期 {read_on.isoformat()} 晚于今天")
    stop = not_billed_after(account)
    if stop is not None and read_on > stop:
        if account.status == AccountStatus.SUSPENDED:
            raise Refused(f"账户已于 {stop.isoformat()} 暂停用气，抄表轮次跳过该户（恢复供气时按读数一并计费）")
        raise Refused(f"账户已于 {stop.isoformat()} 销户，此后的读数不再计费")
    previous_on = last_read_day(meter)
    if read_on < previous_on:
        raise Refused(f"抄表日期 {read_on.isoformat()} 早于上次抄表日期 {previous_on.isoformat()}")
    if session.scalar(select(MeterReading.id).where(MeterReading.meter_id == meter.id,
                                                    MeterReading.read_on == read_on,
                                                    MeterReading.source.in_(ROUTINE))):
        raise Refused(f"该表 {read_on.isoformat()} 已有抄表记录（重复）")
    if value < meter.last_reading:
        raise Refused(f"读数 {value} 小于上次读数 {meter.last_reading}")
    return account


def not_billed_after(account: Account) -> date | None:
    """The day after which a suspended or closed account gets no more bills (None: it does)."""
    if account.status == AccountStatus.SUSPENDED and account.suspended_at is not None:
        return account.suspended_at.date()
    if account.status == AccountStatus.CLOSED and account.closed_at is not None:
        return account.closed_at.date()
    return None


def write_reading(session: Session, *, staff_id: int, at: datetime, meter: Meter, account: Account,
                  read_on: date, value: Decimal, source: ReadingSource, order_id: int | None = None,
                  bill: bool = True) -> tuple[MeterReading, Bill | None]:
    """Record a checked reading, move the meter's last reading, bill the gas used (unless `bill` is
    False: the reading is kept, with its volume, and no bill is made)."""
    previous, previous_on = meter.last_reading, last_read_day(meter)
    volume = value - previous
    if volume < 0:
        raise Refused(f"读数 {value} 小于上次读数 {previous}")
    priced = bills.price_reading(session, account, volume if bill else ZERO_M3, previous_on, read_on)
    reading = MeterReading(meter_id=meter.id, account_id=account.id, read_on=read_on, reading=value,
                           previous=previous, previous_on=previous_on, volume=volume, source=source,
                           order_id=order_id, staff_id=staff_id, created_at=at)
    session.add(reading)
    session.flush()
    old_at = meter.last_read_at
    meter.last_reading = value
    meter.last_read_at = at if read_on == at.date() else datetime.combine(read_on, time.min)
    audit.append(session, at=at, staff_id=staff_id, entity="meter", entity_id=meter.id, action=f"reading:{source}",
                 changes={"last_reading": [previous, value], "last_read_at": [old_at, meter.last_read_at],
                          "reading_id": [None, reading.id], "order_id": [None, order_id]})
    made = bills.issue_bill(session, at=at, staff_id=staff_id, account=account, reading=reading, priced=priced)
    return reading, made


def visit_bills(account: Account, read_on: date) -> bool:
    """Whether a visit's reading bills its gas: always, except on an account closed before that day.
    A suspended account's gas is billed too (a meter changed or supply resumed while suspended): no gas
    goes unbilled because the routine rounds skipped the account."""
    return not (account.status == AccountStatus.CLOSED and account.closed_at is not None
                and read_on > account.closed_at.date())


def final_reading(session: Session, *, actor: Actor, at: datetime, meter: Meter, account: Account,
                  value: Decimal, source: ReadingSource, order_id: int | None) -> tuple[MeterReading, Bill | None]:
    """The reading a visit takes today (meter change, suspension, closure, resumption), billed before the
    account changes. It may follow a routine reading of the same day (the gas in between is billed).
    On a suspended account it bills all gas since the last billed reading (visit_bills)."""
    read_on = at.date()
    if session.scalar(select(MeterReading.id).where(MeterReading.meter_id == meter.id,
                                                    MeterReading.read_on == read_on,
                                                    MeterReading.source == source)):
        raise Refused(f"该表今天已有{source.label}记录", field="final_reading")
    if read_on < last_read_day(meter):
        raise Refused(f"上次抄表日期 {last_read_day(meter).isoformat()} 晚于今天，请核对", field="final_reading")
    return write_reading(session, staff_id=actor.staff_id, at=at, meter=meter, account=account, read_on=read_on,
                         value=value, source=source, order_id=order_id, bill=visit_bills(account, read_on))


def bill_visit_reading(ctx: Any, account: Account, meter: Meter, value: Decimal, source: str) -> Bill | None:
    """For the flows' effects (a gasdesk.services.flow_context.OrderContext): the visit's final reading
    becomes a reading of the meter and bills the gas used up to today, before the account or meter
    changes; the bill's number and amount are kept on the order for its forms."""
    _, bill = final_reading(ctx.session, actor=ctx.actor, at=ctx.now, meter=meter, account=account, value=value,
                            source=ReadingSource(source), order_id=ctx.order.id)
    if bill is not None:
        ctx.remember(final_bill_number=bill.number, final_bill_amount=bill.amount, final_bill_volume=bill.volume)
    return bill


# --- the readers' sheet -------------------------------------------------------------------------

HEADERS: dict[str, tuple[str, ...]] = {
    "meter": ("表号", "燃气表号", "表编号", "meternumber", "meterno", "meter"),
    "read_on": ("抄表日期", "日期", "抄表时间", "readingdate", "readon", "date"),
    "reading": ("读数", "本次读数", "表读数", "本月读数", "reading"),
}


class RejectedRow(NamedTuple):
    """A row of the sheet that was not imported: its row number in the sheet, meter number, reason."""

    row: int
    meter: str
    reason: str


@dataclass
class ImportResult:
    imported: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)
    bills: int = 0
    billed: Decimal = Decimal("0.00")
    rows: int = 0


@dataclass(frozen=True)
class SheetRow:
    row: int
    meter: Any
    read_on: Any
    reading: Any


def _header_key(value: Any) -> str | None:
    text = re.sub(r"[（(].*?[)）]", "", str(value or ""))  # a unit in brackets: 读数（m³）
    text = re.sub(r"[\s_：:*]+", "", text).lower()
    for key, names in HEADERS.items():
        if text in names:
            return key
    return None


def read_sheet(source: str | Path | bytes | BinaryIO) -> list[SheetRow]:
    """The data rows of the first sheet with the headers 表号 / 抄表日期 / 读数 (in any order, in one of
    the first ten rows). Empty rows are skipped; the cells come back as openpyxl read them."""
    from openpyxl import load_workbook

    handle: Any = io.BytesIO(source) if isinstance(source, bytes) else source
    try:
        workbook = load_workbook(handle, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - whatever openpyxl says about a file it cannot read
        raise Refused("无法读取该文件，请选择 Excel（.xlsx）格式的抄表表格") from exc
    try:
        sheet = workbook.worksheets[0]
        columns: dict[str, int] | None = None
        rows: list[SheetRow] = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if columns is None:
                found = {_header_key(v): i for i, v in enumerate(values) if _header_key(v)}
                if {"meter", "read_on", "reading"} <= set(found):
                    columns = {k: i for k, i in found.items() if k}
                elif number >= 10:
                    break
                continue
            cells = [values[columns[k]] if columns[k] < len(values) else None for k in ("meter", "read_on", "reading")]
            if all(c is None or str(c).strip() == "" for c in cells):
                continue
            rows.append(SheetRow(number, *cells))
        if columns is None:
            raise Refused("表格中找不到表头“表号、抄表日期、读数”，请使用抄表表格模板")
        return rows
    finally:
        workbook.close()


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")


def parse_date(value: Any) -> date:
    """A reading date from a cell: a date, a datetime, or text like 2026-12-01 / 2026/12/1 / 2026年12月1日."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool) or value is None:
        raise ValueError("empty or boolean")
    text = str(value).strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        text = str(int(value)) if float(value).is_integer() else text
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def parse_reading(value: Any) -> Decimal:
    """A reading from a cell (number or text); a number cell is taken by its shortest decimal text."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValidationError("缺少读数")
    if isinstance(value, bool):
        raise ValidationError("读数不是数字")
    if isinstance(value, float):
        try:
            value = Decimal(repr(value))
        except InvalidOperation as exc:
            raise ValidationError("读数不是数字") from exc
    if isinstance(value, int | Decimal):
        value = str(value)
    return check_meter_reading(str(value))


@dataclass(frozen=True)
class ReadingView:
    id: int
    meter_number: str
    account_id: int
    read_on: date
    reading: Decimal
    previous: Decimal
    previous_on: date
    volume: Decimal
    source: ReadingSource
    staff_name: str
    created_at: datetime
    bill_number: str | None
    bill_amount: Decimal | None


Progress = Callable[[int, int], Any]


class ReadingService(Service):
    def record(self, meter_number: str, read_on: date | str, reading: Decimal | str) -> ReadingOutcome:
        """One reading entered at the counter; returns it with the bill it made."""
        self.actor.require(Permission.TAKE_PAYMENT)
        number = str(meter_number or "").strip()
        if not number:
            raise Refused("请填写表号", field="meter_number")
        try:
            day = parse_date(read_on)
        except ValueError as exc:
            raise Refused("抄表日期无效", field="read_on") from exc
        try:
            value = check_meter_reading(str(reading), field="reading")
        except ValidationError as exc:
            raise Refused(exc.message, field="reading") from exc
        now = self.app.clock.now()
        with self.app.unit_of_work() as s:
            meter = lock_meter(s, number)
            account = check_routine(s, meter, day, value, now.date())
            assert meter is not None
            row, bill = write_reading(s, staff_id=self.actor.staff_id, at=now, meter=meter, account=account,
                                      read_on=day, value=value, source=ReadingSource.COUNTER)
            bill_view = bills.bill_view(bill, account.number, row) if bill is not None else None
            return ReadingOutcome(row.id, meter.number, row.read_on, row.reading, row.volume, bill_view)

    def readings_of(self, account_id: int, limit: int = 240) -> list[ReadingView]:
        """The account's readings, newest first, each with the bill it made."""
        with self.app.reading() as s:
            if s.get(Account, account_id) is None:
                raise NotFound("账户不存在")
            rows = s.execute(
                select(MeterReading, Meter.number, Staff.name, Bill.number, Bill.amount)
                .join(Meter, Meter.id == MeterReading.meter_id).join(Staff, Staff.id == MeterReading.staff_id)
                .outerjoin(Bill, Bill.reading_id == MeterReading.id)
                .where(MeterReading.account_id == account_id)
                .order_by(MeterReading.read_on.desc(), MeterReading.id.desc()).limit(limit)
            ).all()
            return [ReadingView(r.id, number, r.account_id, r.read_on, r.reading, r.previous, r.previous_on, r.volume,
                                ReadingSource(r.source), staff, r.created_at, bill_no, amount)
                    for r, number, staff, bill_no, amount in rows]

    # import ------------------------------------------------------------------------------------
    def import_file(self, source: str | Path | bytes | BinaryIO, progress: Progress | None = None) -> ImportResult:
        """Import the readers' .xlsx sheet (表号 / 抄表日期 / 读数): good rows go in, every bad row is listed
        back with its row number and reason and writes nothing."""
        self.actor.require(Permission.TAKE_PAYMENT)
        return self.import_rows(read_sheet(source), progress)

    def import_rows(self, rows: Sequence[SheetRow], progress: Progress | None = None) -> ImportResult:
        self.actor.require(Permission.TAKE_PAYMENT)
        result = ImportResult(rows=len(rows))
        ready: list[tuple[SheetRow, str, date, Decimal]] = []
        first_row: dict[str, int] = {}
        for r in rows:
            number = "" if r.meter is None else str(r.meter).strip()
            if isinstance(r.meter, float) and r.meter.is_integer():
                number = str(int(r.meter))
            if not number:
                result.rejected.append(RejectedRow(r.row, "", "缺少表号"))
                continue
            if number in first_row:
                result.rejected.append(RejectedRow(r.row, number, f"表号在本表中重复（与第 {first_row[number]} 行）"))
                continue
            first_row[number] = r.row
            try:
                day = parse_date(r.read_on)
            except ValueError:
                shown = "" if r.read_on is None else f"：{r.read_on}"
                result.rejected.append(RejectedRow(r.row, number, f"抄表日期无效{shown}"))
                continue
            try:
                value = parse_reading(r.reading)
            except ValidationError as exc:
                result.rejected.append(RejectedRow(r.row, number, exc.message))
                continue
            ready.append((r, number, day, value))
        done = len(rows) - len(ready)
        if progress is not None:
            progress(done, len(rows))
        for start in range(0, len(ready), BATCH):
            batch = ready[start:start + BATCH]
            try:
                outcomes = self._write_batch(batch)
            except Exception:  # noqa: BLE001 - a failed batch is retried row by row below
                outcomes = [self._write_alone(item) for item in batch]
            for (r, number, _, _), outcome in zip(batch, outcomes, strict=True):
                if isinstance(outcome, str):
                    result.rejected.append(RejectedRow(r.row, number, outcome))
                else:
                    result.imported += 1
                    if outcome is not None:
                        result.bills += 1
                        result.billed += outcome
            done += len(batch)
            if progress is not None:
                progress(done, len(rows))
        result.rejected.sort(key=lambda x: x.row)
        return result

    def _write_batch(self, batch: Sequence[tuple[SheetRow, str, date, Decimal]]) -> list[str | Decimal | None]:
        """One unit of work for the batch; a refused row is checked before it writes, so it writes nothing.
        Returns per row: the reason (refused), the bill amount, or None (no gas used)."""
        now = self.app.clock.now()
        outcomes: list[str | Decimal | None] = []
        with self.app.unit_of_work() as s:
            for _, number, day, value in batch:
                outcomes.append(self._write_row(s, now, number, day, value))
        return outcomes

    def _write_alone(self, item: tuple[SheetRow, str, date, Decimal]) -> str | Decimal | None:
        _, number, day, value = item
        try:
            with self.app.unit_of_work() as s:
                return self._write_row(s, self.app.clock.now(), number, day, value)
        except ServiceError as exc:
            return exc.message
        except Exception as exc:  # noqa: BLE001 - reported on the row, the others go on
            log.warning("reading row failed: %s", type(exc).__name__)
            return "写入失败，请重新导入该行"

    def _write_row(self, s: Session, now: datetime, number: str, day: date, value: Decimal) -> str | Decimal | None:
        try:
            meter = lock_meter(s, number)
            account = check_routine(s, meter, day, value, now.date())
            assert meter is not None
            _, bill = write_reading(s, staff_id=self.actor.staff_id, at=now, meter=meter, account=account,
                                    read_on=day, value=value, source=ReadingSource.IMPORT)
        except Refused as exc:
            return exc.message
        return bill.amount if bill is not None else None


def template_xlsx() -> bytes:
    """An empty readers' sheet with the expected headers (for the import window's 下载模板)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "抄表数据"
    ws.append(["表号", "抄表日期", "读数"])
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 14
    ws.column_dimensions["C"].width = 14
    for cell in ws["A"]:
        cell.number_format = "@"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()

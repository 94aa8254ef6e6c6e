"""The office's settings: company profile, hours, fees, limits, texts. Defaults live here."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gasdesk.bankfiles import EXAMPLE_LAYOUTS, LayoutError, check_entry
from gasdesk.hours import HoursError, parse_hours
from gasdesk.models import Setting
from gasdesk.permissions import Permission
from gasdesk.services import audit
from gasdesk.services.context import App, Service
from gasdesk.services.errors import Refused
from gasdesk.validation import ValidationError, check_counter_amount, check_meter_reading, check_text

DEFAULTS: dict[str, Any] = {
    # The seed's company and its published lines (服务承诺): 96977 takes business and enquiries
    # every day 9:00-24:00 and emergencies around the clock; complaints on working days 9:00-17:00.
    "company.name": "贵州燃气集团安顺市燃气有限责任公司",
    "company.short_name": "安顺燃气",
    "company.hall_address": "安顺市 客户服务大厅",
    "company.service_phone": "96977",
    "company.emergency_phone": "96977",
    "company.complaint_phone": "0851-33525106",
    "company.seal_text": "贵州燃气集团安顺市燃气有限责任公司",
    # Whether an administrator has confirmed (or edited) the company profile on this database.
    "company.confirmed": False,
    # Three hours of their own (gasdesk.hours). The hall's: the seed gives none, the administrator
    # writes them in the profile dialog. The 96977 line's and the complaint line's are the seed's, read
    # by hours.parse_hours when a telephone request is taken (each line's text is also what forms print).
    "hours.hall": "",
    "hours.service_line": "每日 9:00-24:00",
    "hours.complaint": "工作日 9:00-17:00",
    "hours.peak": "06:30-08:30,11:00-13:00,17:00-19:30",
    "fees.capacity_change": "150.00",
    "fees.plugging": "50.00",
    "fees.removal": "120.00",
    "fees.ignition": "0.00",
    "fees.meter_replacement": "0.00",
    "fees.relocation": "200.00",
    # The most any fee may be changed to (by someone with the take-payment right, with a reason).
    "fees.override_max": "1000.00",
    "defaults.meter_model": "JBD2.5膜式燃气表",
    "defaults.yearly_allowance.residential": "350",
    "defaults.yearly_allowance.non_residential": "0",
    "limits.complaint_round_days": 5,
    # Low pressure and network faults (及时处理): hours from the call; 0 = by the end of the same day.
    "limits.prompt_handling_hours": 0,
    # Safety inspection: the interval per category (months since the last inspection that got in), the
    # visits before an order ends as unreachable, and the working days to rectify a hazard by grade.
    "inspection.interval_months.residential": 12,
    "inspection.interval_months.non_residential": 6,
    "inspection.max_attempts": 3,
    "limits.hazard_grade1_days": 1,
    "limits.hazard_grade2_days": 20,
    # Where attached files (inspectors' photos) are kept; empty: a folder beside the SQLite database
    # file (on PostgreSQL, a folder every counter reaches should be named here).
    "files.folder": "",
    "calendar.confirmed_years": [],
    "security.idle_lock_minutes": 15,
    "backup.keep_days": 30,
    "printing.font_path": "",
    "texts": {},
    # The contracted banks, each with its file layout (gasdesk.bankfiles).
    "bank.banks": EXAMPLE_LAYOUTS,
}

LABELS: dict[str, str] = {
    "company.name": "公司名称",
    "company.short_name": "公司简称",
    "company.hall_address": "营业厅地址",
    "company.service_phone": "客服电话",
    "company.emergency_phone": "抢修电话（24小时）",
    "company.complaint_phone": "投诉电话",
    "company.seal_text": "印章文字",
    "hours.hall": "营业厅营业时间",
    "hours.service_line": "客服电话受理时间",
    "hours.complaint": "投诉受理时间",
    "hours.peak": "用气高峰时段",
    "fees.capacity_change": "增/减容换表费（元）",
    "fees.plugging": "封堵费（元）",
    "fees.removal": "拆除费（元）",
    "fees.ignition": "点火费（元）",
    "fees.meter_replacement": "校验不合格换表费（元）",
    "fees.relocation": "拆迁移改作业费（元）",
    "fees.override_max": "改收费用上限（元）",
    "limits.complaint_round_days": "投诉每轮处理时限（工作日）",
    "limits.prompt_handling_hours": "低压/管网故障处理时限（小时，0为当日）",
    "inspection.interval_months.residential": "居民用户安检周期（月）",
    "inspection.interval_months.non_residential": "非居民用户安检周期（月）",
    "inspection.max_attempts": "安检到访不遇上门次数（次）",
    "limits.hazard_grade1_days": "一级隐患整改期限（工作日）",
    "limits.hazard_grade2_days": "二级隐患整改期限（工作日）",
    "security.idle_lock_minutes": "闲置锁屏时间（分钟）",
    "backup.keep_days": "备份保留天数",
}


_TIME = re.compile(r"([01]?\d|2[0-4]):([0-5]\d)")


def _time_of_day(text: str, label: str) -> str:
    """'HH:MM' from 00:00 to 24:00 (24:00 is midnight at the end of the day); '9:00' becomes '09:00'."""
    value = text.strip()
    m = _TIME.fullmatch(value)
    if m is None or (int(m.group(1)) == 24 and m.group(2) != "00"):
        raise ValidationError(f"{label}应为00:00至24:00之间的时间，例如 09:00")
    return f"{int(m.group(1)):02d}:{m.group(2)}"


def _windows(text: str, label: str) -> str:
    """Time windows 'HH:MM-HH:MM' separated by commas, each ending after it starts."""
    parts = [p.strip() for p in text.replace("，", ",").split(",") if p.strip()]
    out = []
    for part in parts:
        start, sep, end = part.partition("-")
        if not sep:
            raise ValidationError(f"{label}应写成“开始-结束”，多个时段用逗号分开，例如 06:30-08:30,11:00-13:00")
        a, b = _time_of_day(start, label), _time_of_day(end, label)
        if a >= b:
            raise ValidationError(f"{label}中“{part}”的结束时间应晚于开始时间")
        out.append(f"{a}-{b}")
    return ",".join(out)


def _integer(value: Any, label: str, low: int, high: int) -> int:
    if isinstance(value, bool):
        raise ValidationError(f"{label}应为{low}至{high}之间的整数")
    if isinstance(value, str):
        text = value.strip().translate({cp: cp - 0xFEE0 for cp in range(0xFF10, 0xFF1A)})
        if not re.fullmatch(r"\d{1,6}", text):
            raise ValidationError(f"{label}应为{low}至{high}之间的整数")
        value = int(text)
    if not isinstance(value, int) or not low <= value <= high:
        raise ValidationError(f"{label}应为{low}至{high}之间的整数")
    return value


def _text(limit: int, *, multiline: bool = False) -> Callable[[Any, str], str]:
    def check(value: Any, label: str) -> str:
        if not isinstance(value, str):
            raise ValidationError(f"{label}应为文字")
        return check_text(value, label, limit, multiline=multiline)
    return check


def _years(value: Any, label: str) -> list[int]:
    if not isinstance(value, list | tuple):
        raise ValidationError(f"{label}应为年份列表")
    return sorted({_integer(v, label, 2000, 2100) for v in value})


def _texts(value: Any, label: str) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ValidationError(f"{label}格式不正确")
    out = {}
    for key, text in value.items():
        if not isinstance(key, str) or not re.fullmatch(r"[a-z0-9_.]{1,60}", key):
            raise ValidationError(f"{label}中有无效的文本代码")
        out[key] = _text(8000, multiline=True)(text, label)
    return out


def _number_text(value: Any) -> str | Decimal | int:
    """A number as the money and reading checks take it (True or a float become text, and are refused
    or read exactly as typed)."""
    if isinstance(value, str | Decimal) or type(value) is int:
        return value
    return str(value)


def _check_value(key: str, value: Any) -> Any:
    """The value of setting `key` as it will be stored, or ValidationError with a Chinese message."""
    label = LABELS.get(key, _EXTRA_LABELS.get(key, key))
    if key.startswith("fees."):
        return str(check_counter_amount(_number_text(value), label=label))
    if key.startswith("defaults.yearly_allowance."):
        return str(check_meter_reading(_number_text(value)))
    if key == "company.confirmed":
        if not isinstance(value, bool):
            raise ValidationError(f"{label}应为是或否")
        return value
    if key in ("company.name", "company.service_phone", "company.emergency_phone", "company.complaint_phone"):
        text = _text(_TEXT_LIMITS.get(key, 100))(value, label)
        if not text:
            raise ValidationError(f"{label}不能为空")
        return text
    if key in LINE_HOURS:
        text = _text(40)(value, label)
        try:
            parse_hours(text)
        except HoursError as exc:
            raise ValidationError(f"{label}：{exc}") from None
        return text
    if key == "hours.peak":
        if not isinstance(value, str):
            raise ValidationError(f"{label}格式不正确")
        return _windows(value, label)
    if key in _RANGES:
        low, high = _RANGES[key]
        return _integer(value, label, low, high)
    if key == "calendar.confirmed_years":
        return _years(value, label)
    if key == "texts":
        return _texts(value, label)
    if key in ("printing.font_path", "files.folder"):
        return _text(500)(value, label)
    if key == "bank.banks":
        return _bank_layouts(value)
    return _text(_TEXT_LIMITS.get(key, 100))(value, label)


def _bank_layouts(value: Any) -> Any:
    """The contracted banks and their file layouts (gasdesk.bankfiles), each entry checked as it will be
    used (bankfiles.check_entry), codes unique."""
    if not isinstance(value, list) or not all(isinstance(e, dict) for e in value):
        raise ValidationError("银行文件格式：格式应为银行列表")
    seen: set[str] = set()
    for i, entry in enumerate(value, 1):
        try:
            layout = check_entry(entry)
        except (LayoutError, TypeError, ValueError, AttributeError) as exc:
            message = exc.message if isinstance(exc, LayoutError) else "格式应为银行列表"
            who = str(entry.get("name") or entry.get("code") or f"第 {i} 家银行")
            raise ValidationError(f"银行文件格式：{who}：{message}") from exc
        if layout.code in seen:
            raise ValidationError(f"银行文件格式：银行代码 {layout.code} 重复")
        seen.add(layout.code)
    return value


# Integer settings: (lowest, highest).
_RANGES: dict[str, tuple[int, int]] = {
    "limits.complaint_round_days": (1, 60),
    "limits.prompt_handling_hours": (0, 72),
    "inspection.interval_months.residential": (1, 60),
    "inspection.interval_months.non_residential": (1, 60),
    "inspection.max_attempts": (1, 10),
    "limits.hazard_grade1_days": (0, 10),
    "limits.hazard_grade2_days": (1, 90),
    "security.idle_lock_minutes": (0, 240),  # 0: never lock
    "backup.keep_days": (1, 3650),
}
_TEXT_LIMITS = {"defaults.meter_model": 40, "company.hall_address": 200}
# The telephone lines whose hours decide when a call is handled (gasdesk.hours.parse_hours reads them).
LINE_HOURS = ("hours.service_line", "hours.complaint")
_EXTRA_LABELS = {
    "company.confirmed": "公司信息已确认",
    "defaults.meter_model": "默认表型号", "defaults.yearly_allowance.residential": "居民年度气量",
    "defaults.yearly_allowance.non_residential": "非居民年度气量", "calendar.confirmed_years": "已确认的年份",
    "printing.font_path": "打印字体文件", "files.folder": "附件（照片）存放文件夹", "texts": "合同与告知文本", "bank.banks": "银行文件格式",
}


def check_settings(values: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    """All of `values` checked (Refused on the first bad one, naming it)."""
    unknown = [k for k in values if k not in DEFAULTS]
    if unknown:
        raise Refused("没有这项设置：" + "、".join(str(k)[:40] for k in unknown[:3]))
    checked = {}
    for key, value in values.items():
        try:
            checked[key] = _check_value(key, value)
        except ValidationError as exc:
            label = LABELS.get(key, _EXTRA_LABELS.get(key, key))
            message = exc.message if exc.message.startswith(label) else f"{label}：{exc.message}"
            raise Refused(message, field=key) from None
    return checked


def _banks_in_use(session: Session, banks: list[dict[str, Any]]) -> None:
    """A bank with live debit agreements or a debit file waiting for its return stays in the list
    (renaming its code would orphan them); its layout may change: a run keeps the layout it was sent in."""
    from gasdesk.models import BankAgreement, BankRun

    kept = {str(b.get("code")) for b in banks}
    used = set(session.scalars(select(BankAgreement.bank_code).where(BankAgreement.status != "cancelled").distinct()))
    used |= set(session.scalars(select(BankRun.bank_code).where(BankRun.status == "sent").distinct()))
    gone = sorted(used - kept)
    if gone:
        raise Refused(f"银行 {'、'.join(gone)} 还有有效的代扣协议或待回盘的代扣批次，不能删除或修改其银行代码",
                      field="bank.banks")


DEMO_KEY = "demo.database"


def is_demo(app: App) -> bool:
    """Whether this database was built by `gasdesk demo` (its logins are public: admin/admin123)."""
    with app.reading() as s:
        return bool(get(s, DEMO_KEY))


def claim_for_demo(app: App) -> None:
    """Mark the database as a demo database before the demo writes into it. Refused for a database
    that holds staff or customers and is not marked already: a real hall never gets demo logins."""
    from gasdesk.models import Customer, Staff

    with app.unit_of_work() as s:
        if get(s, DEMO_KEY):
            return
        used = (s.scalar(select(func.count()).select_from(Staff)) or 0) + (
            s.scalar(select(func.count()).select_from(Customer)) or 0)
        if used:
            raise Refused("该数据库已有员工或客户数据，不是演示数据库；演示数据不能写入正式数据库。"
                          "请不带 --db 运行 gasdesk demo（生成单独的演示数据库），或指定一个新的空数据库")
        now = app.clock.now()
        s.add(Setting(key=DEMO_KEY, value=True, updated_at=now, updated_by_id=None))
        audit.append(s, at=now, staff_id=None, entity="setting", entity_id=DEMO_KEY, action="update",
                     changes={DEMO_KEY: [None, True]})


def read_all(session: Session) -> dict[str, Any]:
    values = dict(DEFAULTS)
    values.update({row.key: row.value for row in session.scalars(select(Setting))})
    return values


def get(session: Session, key: str) -> Any:
    row = session.get(Setting, key)
    return row.value if row is not None else DEFAULTS.get(key)


def get_many(session: Session, keys: Sequence[str]) -> dict[str, Any]:
    """Several settings in one read (a key never saved has its default)."""
    stored: dict[str, Any] = {key: value for key, value in session.execute(
        select(Setting.key, Setting.value).where(Setting.key.in_(keys)))}
    return {key: stored[key] if key in stored else DEFAULTS.get(key) for key in keys}


def public_profile(app: App) -> dict[str, Any]:
    """What may be shown before anyone signs in: the company's name, phones and hours."""
    with app.reading() as s:
        values = read_all(s)
    return {k: v for k, v in values.items() if k.startswith(("company.", "hours."))}


def profile_confirmed(app: App) -> bool:
    """Whether an administrator has confirmed the company profile that every form prints."""
    with app.reading() as s:
        return bool(get(s, "company.confirmed"))


PROFILE_KEYS = ("company.name", "company.short_name", "company.hall_address", "hours.hall",
                "company.service_phone", "hours.service_line", "company.emergency_phone",
                "company.complaint_phone", "hours.complaint", "company.seal_text")


def fee(session: Session, key: str) -> Decimal:
    return Decimal(str(get(session, key) or "0")).quantize(Decimal("0.01"))


class SettingsService(Service):
    def all(self) -> dict[str, Any]:
        with self.app.reading() as s:
            return read_all(s)

    def update(self, values: dict[str, Any]) -> None:
        """Save settings, each checked by its type and range first: one bad value and nothing is saved."""
        self.actor.require(Permission.EDIT_SETTINGS)
        now = self.app.clock.now()
        with self.app.unit_of_work() as s:
            values = check_settings(values, read_all(s))
            if "bank.banks" in values:
                _banks_in_use(s, values["bank.banks"])
            for key, value in values.items():
                row = s.get(Setting, key, with_for_update=True)
                old = row.value if row is not None else DEFAULTS.get(key)
                if old == value:
                    continue
                if row is None:
                    s.add(Setting(key=key, value=value, updated_at=now, updated_by_id=self.actor.staff_id))
                else:
                    row.value, row.updated_at, row.updated_by_id = value, now, self.actor.staff_id
                audit.append(s, at=now, staff_id=self.actor.staff_id, entity="setting", entity_id=key,
                             action="update", changes={key: [old, value]})
        self.app.forget_calendar()

    def confirm_profile(self, values: dict[str, Any]) -> None:
        """The administrator's first-run confirmation of the company profile (edits included), audited
        like every setting: one bad value and nothing is saved, not even the confirmation."""
        unknown = [k for k in values if k not in PROFILE_KEYS]
        if unknown:
            raise Refused("公司信息中没有这一项：" + "、".join(str(k)[:40] for k in unknown[:3]))
        hall = values["hours.hall"] if "hours.hall" in values else self.all().get("hours.hall")
        if not isinstance(hall, str) or not hall.strip():
            # The seed gives no hall hours: nobody else can know them.
            raise Refused("请填写营业厅营业时间（本厅实际营业时间，例如 每日 9:00-17:00）", field="hours.hall")
        self.update({**values, "company.confirmed": True})

"""The office's settings: company profile, hours, fees, limits, texts. Defaults live here."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gasdesk.models import Setting
from gasdesk.permissions import Permission
from gasdesk.services import audit
from gasdesk.services.context import Actor, App
from gasdesk.services.errors import Refused
from gasdesk.validation import ValidationError, check_amount

DEFAULTS: dict[str, Any] = {
    "company.name": "示例市燃气有限公司",
    "company.hall_address": "示例市人民路1号 客户服务大厅",
    "company.service_phone": "0851-96777",
    "company.emergency_phone": "0851-96777-1",
    "company.complaint_phone": "0851-86200000",
    "hours.hall": "每日 9:00-24:00",
    "hours.complaint": "工作日 9:00-17:00",
    "hours.hall_open": "09:00",
    "hours.hall_close": "24:00",
    "hours.complaint_open": "09:00",
    "hours.complaint_close": "17:00",
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
    "calendar.confirmed_years": [],
    "security.idle_lock_minutes": 15,
    "backup.keep_days": 30,
    "printing.font_path": "",
    "texts": {},
}

LABELS: dict[str, str] = {
    "company.name": "公司名称",
    "company.hall_address": "营业厅地址",
    "company.service_phone": "客服电话",
    "company.emergency_phone": "抢修电话",
    "company.complaint_phone": "投诉电话",
    "hours.hall": "营业时间",
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
    "security.idle_lock_minutes": "闲置锁屏时间（分钟）",
    "backup.keep_days": "备份保留天数",
}


def read_all(session: Session) -> dict[str, Any]:
    values = dict(DEFAULTS)
    values.update({row.key: row.value for row in session.scalars(select(Setting))})
    return values


def get(session: Session, key: str) -> Any:
    row = session.get(Setting, key)
    return row.value if row is not None else DEFAULTS.get(key)


def public_profile(app: App) -> dict[str, Any]:
    """What may be shown before anyone signs in: the company's name, phones and hours."""
    with app.reading() as s:
        values = read_all(s)
    return {k: v for k, v in values.items() if k.startswith(("company.", "hours."))}


def fee(session: Session, key: str) -> Decimal:
    return Decimal(str(get(session, key) or "0")).quantize(Decimal("0.01"))


class SettingsService:
    def __init__(self, app: App, actor: Actor) -> None:
        self.app, self.actor = app, actor

    def all(self) -> dict[str, Any]:
        with self.app.reading() as s:
            return read_all(s)

    def update(self, values: dict[str, Any]) -> None:
        self.actor.require(Permission.EDIT_SETTINGS)
        unknown = set(values) - set(DEFAULTS)
        if unknown:
            raise KeyError(f"unknown settings: {sorted(unknown)}")
        now = self.app.clock.now()
        with self.app.unit_of_work() as s:
            for key, value in values.items():
                if key.startswith("fees."):
                    try:
                        value = str(check_amount(value))
                    except ValidationError as exc:
                        raise Refused(f"{LABELS.get(key, key)}：{exc.message}", field=key) from exc
                row = s.get(Setting, key)
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

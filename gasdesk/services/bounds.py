"""The last check before a write reaches the database: every text within its column's length and
free of control characters, every number within what its column can hold.

The services check what the clerk types with labelled messages first; this catches whatever a
service did not (a flow's field, an imported line), with a Chinese refusal instead of the
database's English error -- nothing is written, nothing is cut.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, BigInteger, Integer, String, event, inspect
from sqlalchemy.orm import Session, sessionmaker

from gasdesk.models.base import Money, Quantity
from gasdesk.services.errors import Refused
from gasdesk.validation import MAX_STORED_MONEY, MAX_STORED_QUANTITY, has_control_characters

# Column names as a clerk knows them; anything else is "输入的内容".
LABELS = {
    "name": "名称", "address": "地址", "note": "备注", "reason": "原因", "phone": "电话", "caller_phone": "来电号码",
    "caller_name": "来电人", "contact_person": "联系人", "id_number": "证件号码", "number": "编号",
    "title": "标题", "area": "区域", "description": "说明", "summary": "摘要", "item": "收费项目",
    "model": "型号", "rating": "规格", "login": "登录名", "crew": "班组", "result": "结果",
    "excuse_note": "说明", "pause_reason": "暂停原因", "unit": "单位", "amount": "金额", "balance": "余额",
    "reading": "表读数", "last_reading": "表读数",
}
_INT32 = 2**31 - 1
_INT64 = 2**63 - 1


def _label(key: str) -> str:
    return LABELS.get(key, "输入的内容")


def _json_has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_json_has_nul(k) or _json_has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_json_has_nul(v) for v in value)
    return False


def check_row(obj: Any) -> None:
    """Refuse a row whose values its columns cannot hold as typed."""
    for attr in inspect(obj).mapper.column_attrs:
        column = attr.columns[0]
        value = getattr(obj, attr.key, None)
        if value is None:
            continue
        kind = column.type
        if isinstance(value, str):
            if has_control_characters(value, multiline=True):
                raise Refused(f"{_label(attr.key)}含有不可见的控制字符，未保存", field=attr.key)
            length = getattr(kind, "length", None)
            if isinstance(kind, String) and length and len(value) > length:
                raise Refused(f"{_label(attr.key)}过长：最多{length}个字，现有{len(value)}个字，未保存",
                              field=attr.key)
        elif isinstance(kind, Money) and isinstance(value, Decimal | int):
            if not Decimal(value).is_finite() or abs(Decimal(value)) > MAX_STORED_MONEY:
                raise Refused(f"{_label(attr.key)}超出可以记录的范围，未保存", field=attr.key)
        elif isinstance(kind, Quantity) and isinstance(value, Decimal | int):
            if not Decimal(value).is_finite() or abs(Decimal(value)) > MAX_STORED_QUANTITY:
                raise Refused(f"{_label(attr.key)}超出可以记录的范围，未保存", field=attr.key)
        elif isinstance(kind, Integer) and isinstance(value, int) and not isinstance(value, bool):
            limit = _INT64 if isinstance(kind, BigInteger) else _INT32
            if abs(value) > limit:
                raise Refused(f"{_label(attr.key)}超出可以记录的范围，未保存", field=attr.key)
        elif isinstance(kind, JSON) and _json_has_nul(value):
            raise Refused(f"{_label(attr.key)}含有不可见的控制字符，未保存", field=attr.key)


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    for obj in (*session.new, *session.dirty):
        check_row(obj)


def guard(factory: sessionmaker[Session]) -> None:
    """Check every row a session of `factory` is about to write."""
    event.listen(factory, "before_flush", _before_flush)

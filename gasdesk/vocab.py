"""The business vocabulary: codes stored in the database and their Chinese labels.

Pure Python, shared by every layer. A code never changes once stored; a label may.
"""

from __future__ import annotations

from enum import StrEnum


class Labelled(StrEnum):
    """A StrEnum whose members carry a Chinese label: `Member = ("code", "标签")`."""

    label: str

    def __new__(cls, code: str, label: str = "") -> Labelled:
        obj = str.__new__(cls, code)
        obj._value_ = code
        obj.label = label or code
        return obj

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(m.value, m.label) for m in cls]


class CustomerCategory(Labelled):
    RESIDENTIAL = ("residential", "居民")
    NON_RESIDENTIAL = ("non_residential", "非居民")


class CustomerStatus(Labelled):
    ACTIVE = ("active", "正常")
    CLOSED = ("closed", "已注销")


class IdDocType(Labelled):
    RESIDENT_ID = ("resident_id", "居民身份证")
    CREDIT_CODE = ("credit_code", "统一社会信用代码")
    PASSPORT = ("passport", "护照")
    OTHER = ("other", "其他证件")


class District(Labelled):
    URBAN = ("urban", "市区")
    SUBURBAN = ("suburban", "郊区")


class GasUseType(Labelled):
    RESIDENTIAL = ("residential", "居民生活用气")
    COMMERCIAL = ("commercial", "商业用气")
    INDUSTRIAL = ("industrial", "工业用气")
    PUBLIC = ("public", "公共服务用气")
    HEATING = ("heating", "采暖用气")


class AccountStatus(Labelled):
    APPLYING = ("applying", "申请中")
    ACTIVE = ("active", "正常用气")
    SUSPENDED = ("suspended", "暂停用气")
    CLOSED = ("closed", "已销户")


class MeterStatus(Labelled):
    IN_SERVICE = ("in_service", "在用")
    REMOVED = ("removed", "已拆除")


class OrderStatus(Labelled):
    OPEN = ("open", "办理中")
    ARCHIVED = ("archived", "已归档")
    REJECTED = ("rejected", "不予受理")
    CANCELLED = ("cancelled", "已撤销")


class Role(Labelled):
    CLERK = ("clerk", "接待受理员")
    ACCOUNT_MANAGER = ("account_manager", "客户经理")
    DISPATCHER = ("dispatcher", "输配中心调度")
    HANDLER = ("handler", "部门处理人")
    MANAGER = ("manager", "管理人员")
    ADMIN = ("admin", "系统管理员")


class PaymentKind(Labelled):
    FEE = ("fee", "业务收费")
    ARREARS = ("arrears", "收取欠费")
    REFUND = ("refund", "预存款退费")
    PREPAY = ("prepay", "预存")
    REVERSAL = ("reversal", "冲正")
    # A manager writes off a debt that cannot be collected: the balance goes to 0, no cash moves.
    WRITE_OFF = ("write_off", "坏账核销")


class PaymentMethod(Labelled):
    CASH = ("cash", "现金")
    CARD = ("card", "银行卡")
    MOBILE = ("mobile", "移动支付")
    TRANSFER = ("transfer", "转账")
    BANK_DEBIT = ("bank_debit", "银行代扣")
    BANK_COLLECTION = ("bank_collection", "银行代收")

    @property
    def at_bank(self) -> bool:
        """Money the bank took for the company (代扣/代收), not taken at a counter."""
        return self.value.startswith("bank_")

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        """The methods a counter may take: the bank's channels come only from bank files."""
        return [(m.value, m.label) for m in cls if not m.at_bank]


class Channel(Labelled):
    """How a request reached the company (the seed: 客户来电、来访). Stored on every order."""

    COUNTER = ("counter", "来访")
    PHONE = ("phone", "来电")
    # Reserved: no online intake exists yet.
    ONLINE = ("online", "网上")
    # Orders the company opens itself: a safety-inspection plan's visits, a supply stopped for a hazard.
    PLAN = ("plan", "安检计划")
    HAZARD_STOP = ("hazard_stop", "隐患停气")

    @property
    def internal(self) -> bool:
        """Opened by the company itself, not asked for by a customer."""
        return self in (Channel.PLAN, Channel.HAZARD_STOP)

    @property
    def reserved(self) -> bool:
        """Named for later: no order is taken this way yet (a filter does not offer it)."""
        return self is Channel.ONLINE


class PauseKind(Labelled):
    """Why a commitment clock was paused by hand; the reason text starts with the label."""

    CUSTOMER = ("customer", "客户原因")
    # Approvals such as a road-excavation permit: not counted in the installation's 8 working days.
    PERMIT = ("permit", "审批（道路挖掘许可等）")

    @classmethod
    def of_reason(cls, reason: str | None) -> PauseKind | None:
        """The kind a stored pause reason was written with (None: a step's own wait)."""
        for kind in cls:
            if (reason or "").startswith(kind.label + "："):
                return kind
        return None


class TimeUnit(Labelled):
    WORKING_DAYS = ("working_days", "个工作日")
    DAYS = ("days", "天")
    HOURS = ("hours", "小时")
    MINUTES = ("minutes", "分钟")


class SiteWork(Labelled):
    """Work a visit does to the customer's gas facilities that ledgers list apart."""

    PLUGGING = ("plugging", "封堵")
    REMOVAL = ("removal", "拆除")


class DeadlineStatus(Labelled):
    RUNNING = ("running", "计时中")
    PAUSED = ("paused", "已暂停")
    MET = ("met", "按时完成")
    MISSED = ("missed", "超时完成")
    CANCELLED = ("cancelled", "已终止")


class DeadlineScope(Labelled):
    STEP = ("step", "环节时限")
    ORDER = ("order", "全程时限")

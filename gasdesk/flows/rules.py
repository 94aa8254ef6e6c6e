"""What guards and effects may use, and the guards and effects that several flows share.

A rule is a function `rule(ctx, **params)`: `ctx` is the `RuleContext` the order service hands it
(the order, its customer and account, the values recorded by the action that runs it, and the few
operations that reach other parts of the system: money, readings, numbering, audit); `params` are
the ones the definition gave it (`Effect("charge_fee", item="封堵费")`). A rule raises `Refused` to
refuse the action; the service then rolls everything back.

Rules that one flow alone uses live in that flow's package; the registry gathers them all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from gasdesk.errors import Refused
from gasdesk.flows.definition import ActionDef, FlowDef
from gasdesk.models import Account, Customer, Meter, ServiceOrder
from gasdesk.vocab import AccountStatus, CustomerCategory, CustomerStatus, MeterStatus, Role


class RuleContext(Protocol):
    """The port the order service implements for the rules (services/flow_context.py)."""

    session: Session
    now: datetime
    flow: FlowDef
    action: ActionDef | None
    order: ServiceOrder
    customer: Customer
    account: Account | None
    values: dict[str, Any]
    step_code: str

    @property
    def staff_id(self) -> int: ...

    @property
    def role(self) -> Role: ...

    def value(self, key: str, default: Any = None) -> Any: ...
    def remember(self, **items: Any) -> None: ...
    def audit(self, entity: str, entity_id: Any, action: str, changes: dict[str, Any] | None = None) -> None: ...
    def snapshot(self, obj: Any, fields: list[str]) -> dict[str, Any]: ...
    def changes_of(self, obj: Any) -> dict[str, Any]: ...
    def require_account(self) -> Account: ...
    def current_meter(self) -> Meter | None: ...
    def new_account_number(self) -> str: ...
    def setting(self, key: str) -> Any: ...
    def may(self, permission: str) -> bool: ...
    def settle(self, account: Account, method: str) -> str: ...
    def charge(self, amount: Decimal, method: str, item: str) -> str: ...
    def bill_reading(self, account: Account, meter: Meter, value: Decimal, source: str) -> Decimal: ...
    def price_reading(self, account: Account, meter: Meter, value: Decimal) -> PricedGas: ...
    def create_customer(self, *, predecessor_id: int | None = None, **fields: Any) -> Customer: ...
    def check_id_number(self, id_type: str, number: str, field: str) -> str: ...
    def check_phone(self, phone: str, field: str) -> str: ...
    def name_initials(self, name: str) -> str: ...
    def next_opening(self, opens: str, closes: str, working_days_only: bool) -> datetime: ...
    def due_in(self, amount: int, unit: str = "working_days") -> datetime: ...


Rule = Callable[..., None]


@dataclass(frozen=True)
class PricedGas:
    """What a reading taken now would bill, worked out without writing (RuleContext.price_reading)."""

    previous: Decimal
    reading: Decimal
    volume: Decimal
    # Tier lines as BillLine.as_json() gives them: tier, volume, price, amount, from, to.
    lines: tuple[dict[str, str], ...]
    amount: Decimal
    billed: bool = True


@dataclass
class Settlement:
    """The money an action moves, shown before it moves and kept on the order for the receipt.

    Amounts are positive; `collect` is arrears taken from the customer, `refund` the prepaid balance
    paid back, `fee` the step's fee. `due` is what changes hands: > 0 the customer pays, < 0 is paid out.
    """

    balance_before: Decimal
    reading: Decimal | None = None
    previous: Decimal | None = None
    volume: Decimal | None = None
    lines: list[dict[str, str]] = field(default_factory=list)
    bill: Decimal = Decimal("0.00")
    fee: Decimal = Decimal("0.00")
    fee_item: str = ""
    fee_schedule: Decimal | None = None
    collect: Decimal = Decimal("0.00")
    refund: Decimal = Decimal("0.00")
    receipts: list[str] = field(default_factory=list)

    @property
    def balance_after_bill(self) -> Decimal:
        return self.balance_before - self.bill

    @property
    def balance_after(self) -> Decimal:
        return self.balance_after_bill + self.collect - self.refund

    @property
    def due(self) -> Decimal:
        return self.collect + self.fee - self.refund

    @property
    def moves_money(self) -> bool:
        return bool(self.bill or self.fee or self.collect or self.refund)

    def as_json(self) -> dict[str, Any]:
        def text(v: Decimal | None) -> str | None:
            return None if v is None else str(v)
        return {
            "balance_before": str(self.balance_before), "reading": text(self.reading),
            "previous": text(self.previous), "volume": text(self.volume), "lines": list(self.lines),
            "bill": str(self.bill), "fee": str(self.fee), "fee_item": self.fee_item,
            "collect": str(self.collect), "refund": str(self.refund), "due": str(self.due),
            "balance_after": str(self.balance_after), "receipts": list(self.receipts),
        }


Preview = Callable[..., None]


class RuleBook:
    """Guards and effects by name; a flow package makes one for its own rules.

    An effect that moves money also registers a preview under its name: `preview(ctx, settlement,
    **params)` adds to the Settlement what the effect would do, writing nothing, so the screen shows
    the amounts before the action is taken (OrderService.preview).
    """

    def __init__(self) -> None:
        self.guards: dict[str, Rule] = {}
        self.effects: dict[str, Rule] = {}
        self.previews: dict[str, Preview] = {}

    def preview(self, name: str) -> Callable[[Preview], Preview]:
        def register(fn: Preview) -> Preview:
            self.previews[name] = fn
            return fn
        return register

    def guard(self, name: str) -> Callable[[Rule], Rule]:
        def register(fn: Rule) -> Rule:
            self.guards[name] = fn
            return fn
        return register

    def effect(self, name: str) -> Callable[[Rule], Rule]:
        def register(fn: Rule) -> Rule:
            self.effects[name] = fn
            return fn
        return register


SHARED = RuleBook()


# --- guards -----------------------------------------------------------------------------------

@SHARED.guard("documents_complete")
def documents_complete(ctx: RuleContext) -> None:
    have = set(ctx.order.documents or [])
    missing = [d.label for d in ctx.flow.documents if d.required and d.code not in have]
    if missing:
        raise Refused("资料不齐全，缺少：" + "、".join(missing))


@SHARED.guard("is_category")
def is_category(ctx: RuleContext, category: str) -> None:
    if ctx.customer.category != category:
        raise Refused(f"该客户不是{CustomerCategory(category).label}用户")


@SHARED.effect("positive")  # also an opening effect: the opening's fields have no action
@SHARED.guard("positive")
def positive(ctx: RuleContext, fields: tuple[str, ...]) -> None:
    """Amounts and volumes where zero makes no sense (a budget, a contract sum, a household size)."""
    labels = {f.code: f.label for f in (ctx.action.fields if ctx.action is not None else ctx.flow.open_fields)}
    for code in fields:
        raw = ctx.values.get(code)
        if raw not in (None, "") and Decimal(str(raw)) <= 0:
            raise Refused(f"{labels.get(code, code)}必须大于零", field=code)


@SHARED.effect("date_near")
@SHARED.guard("date_near")
def date_near(ctx: RuleContext, field: str, days_back: int = 30, days_ahead: int = 366) -> None:
    """A date typed for this order (a contract, a suspension) that cannot be right is refused: more than
    `days_back` days before the order was taken, or more than `days_ahead` days after today."""
    raw = ctx.values.get(field)
    if raw in (None, ""):
        return
    day = datetime.fromisoformat(str(raw)).date()
    opened = (ctx.order.opened_at or ctx.now).date()
    labels = {f.code: f.label for f in (ctx.action.fields if ctx.action is not None else ctx.flow.open_fields)}
    label = labels.get(field, field)
    if day < opened - timedelta(days=days_back):
        raise Refused(f"{label} {day.isoformat()} 早于受理日期 {days_back} 天以上，请核对", field=field)
    if day > ctx.now.date() + timedelta(days=days_ahead):
        raise Refused(f"{label} {day.isoformat()} 晚于今天一年以上，请核对", field=field)


# --- accounts and meters ----------------------------------------------------------------------

@SHARED.effect("create_applying_account")
def create_applying_account(ctx: RuleContext) -> None:
    account = Account(number=ctx.new_account_number(), customer_id=ctx.customer.id,
                      status=AccountStatus.APPLYING, balance=Decimal("0.00"), address=ctx.customer.address,
                      opened_at=ctx.now)
    ctx.session.add(account)
    ctx.session.flush()
    ctx.order.account_id = account.id
    ctx.account = account
    ctx.audit("account", account.id, "create", ctx.snapshot(account, ["number", "status", "address"]))


@SHARED.effect("close_applying_account")
def close_applying_account(ctx: RuleContext) -> None:
    """An opening refused or withdrawn: the account prepared for it is closed, never left applying."""
    account = ctx.account
    if account is not None and account.status == AccountStatus.APPLYING:
        account.status, account.closed_at = AccountStatus.CLOSED, ctx.now
        ctx.audit("account", account.id, "close_unopened", ctx.changes_of(account))


def install_meter(ctx: RuleContext, account: Account) -> Meter:
    number = str(ctx.value("meter_number")).strip()
    if ctx.session.scalar(select(Meter.id).where(Meter.number == number)):
        raise Refused(f"表号 {number} 已在系统中登记，请核对", field="meter_number")
    reading = Decimal(str(ctx.value("initial_reading")))
    meter = Meter(number=number, model=str(ctx.value("meter_model")), rating=str(ctx.value("meter_rating")),
                  account_id=account.id, status=MeterStatus.IN_SERVICE, initial_reading=reading,
                  last_reading=reading, last_read_at=ctx.now, installed_at=ctx.now)
    ctx.session.add(meter)
    ctx.session.flush()
    ctx.audit("meter", meter.id, "install", ctx.snapshot(meter, ["number", "model", "rating", "account_id",
                                                                 "initial_reading"]))
    return meter


@SHARED.effect("activate_account")
def activate_account(ctx: RuleContext) -> None:
    account = account_in(ctx, AccountStatus.APPLYING, "账户不是待开通状态")
    install_meter(ctx, account)
    account.status = AccountStatus.ACTIVE
    account.activated_at = ctx.now
    ctx.audit("account", account.id, "activate", ctx.changes_of(account))


def read_final(ctx: RuleContext, meter: Meter, field: str = "final_reading") -> Decimal:
    final = Decimal(str(ctx.value(field)))
    if final < meter.last_reading:
        raise Refused(f"表读数 {final} 小于上次读数 {meter.last_reading}，请核对", field=field)
    return final


def account_in(ctx: RuleContext, status: AccountStatus, refusal: str) -> Account:
    """The order's account, refused with `refusal` unless it is in `status`."""
    account = ctx.require_account()
    if account.status != status:
        raise Refused(refusal)
    return account


def in_service_meter(ctx: RuleContext) -> Meter:
    meter = ctx.current_meter()
    if meter is None:
        raise Refused("该账户没有在用的燃气表")
    return meter


@SHARED.effect("replace_meter")
def replace_meter(ctx: RuleContext, reading: str) -> None:
    """The old meter's final reading is billed (`reading` names its source), then the new one goes in."""
    account = ctx.require_account()
    old = in_service_meter(ctx)
    final = read_final(ctx, old)
    number = str(ctx.value("meter_number")).strip()
    if ctx.session.scalar(select(Meter.id).where(Meter.number == number)):  # refuse before anything is written
        raise Refused(f"表号 {number} 已在系统中登记，请核对", field="meter_number")
    ctx.remember(old_meter_number=old.number, old_meter_model=old.model, old_meter_rating=old.rating,
                 old_last_reading=old.last_reading)
    ctx.bill_reading(account, old, final, reading)
    old.status, old.removed_at, old.final_reading = MeterStatus.REMOVED, ctx.now, final
    ctx.audit("meter", old.id, "remove", ctx.changes_of(old))
    install_meter(ctx, account)


def close_customer_if_done(ctx: RuleContext, action: str = "close") -> None:
    """The customer is closed with its last open account, never while another stays open."""
    still_open = ctx.session.scalar(select(Account.id).where(Account.customer_id == ctx.customer.id,
                                                             Account.status != AccountStatus.CLOSED))
    if still_open is None:
        ctx.customer.status, ctx.customer.closed_at = CustomerStatus.CLOSED, ctx.now
        ctx.audit("customer", ctx.customer.id, action, ctx.changes_of(ctx.customer))


# --- money ------------------------------------------------------------------------------------
#
# Money moves last, and as the screen showed it: an effect that moves money first plans a Settlement
# (the same function the preview runs), then does exactly that and keeps the plan on the order.

ZERO = Decimal("0.00")


def fee_setting(ctx: RuleContext, code: str = "fee") -> str | None:
    """The fee schedule entry the action's fee field defaults to (FieldDef.default_setting)."""
    for f in ctx.action.fields if ctx.action is not None else ():
        if f.code == code:
            return f.default_setting
    return None


def checked_fee(ctx: RuleContext) -> tuple[Decimal, Decimal | None]:
    """The fee typed at this action, checked against the fee schedule: a different amount needs the
    take-payment right, a reason, and stays within the settings' limit. Returns (fee, schedule)."""
    raw = ctx.values.get("fee")
    setting = fee_setting(ctx)
    schedule = Decimal(str(ctx.setting(setting) or "0")).quantize(Decimal("0.01")) if setting else None
    if raw in (None, ""):
        return (schedule if schedule is not None else ZERO), schedule
    amount = Decimal(str(raw))
    if schedule is None or amount == schedule:
        return amount, schedule
    if not ctx.may("take_payment"):
        raise Refused(f"收费金额应按收费标准 {schedule} 元；改收须由有收费权限的人员办理", field="fee")
    if not str(ctx.values.get("fee_reason") or "").strip():
        raise Refused(f"收费金额与收费标准 {schedule} 元不同，请填写改收原因", field="fee_reason")
    ceiling = Decimal(str(ctx.setting("fees.override_max") or "0"))
    if amount > ceiling:
        raise Refused(f"收费金额不能超过 {ceiling} 元（系统设置的改收上限）", field="fee")
    return amount, schedule


def _preview_reading(ctx: RuleContext, plan: Settlement, field_code: str) -> Meter | None:
    if ctx.value(field_code) in (None, ""):
        return None
    account = ctx.require_account()
    meter = in_service_meter(ctx)
    final = read_final(ctx, meter, field_code)
    priced = ctx.price_reading(account, meter, final)
    plan.reading, plan.previous, plan.volume = final, priced.previous, priced.volume
    if priced.billed:
        plan.lines, plan.bill = list(priced.lines), priced.amount
    return meter


def _preview_settle(plan: Settlement, balance: str | None) -> None:
    after = plan.balance_after_bill
    if balance == "all":
        plan.refund, plan.collect = max(after, ZERO), max(-after, ZERO)
    elif balance == "arrears":
        plan.collect = max(-after, ZERO)


def _preview_fee(ctx: RuleContext, plan: Settlement) -> None:
    plan.fee, plan.fee_schedule = checked_fee(ctx)
    plan.fee_item = f"{ctx.flow.label}费用"


@SHARED.preview("settle_money")
def preview_settle_money(ctx: RuleContext, plan: Settlement, reading: str | None = None, source: str = "",
                         balance: str | None = None, fee: bool = False) -> None:
    if reading:
        _preview_reading(ctx, plan, reading)
    _preview_settle(plan, balance)
    if fee:
        _preview_fee(ctx, plan)


@SHARED.effect("settle_money")
def settle_money(ctx: RuleContext, reading: str | None = None, source: str = "", balance: str | None = None,
                 fee: bool = False) -> None:
    """Bill the reading taken now (`reading` names its field, `source` the reading's source), then
    refund or collect (`balance`: "all" brings the balance to 0, "arrears" collects only a debt), then
    the fee: in that order, in this action's transaction, exactly as the preview showed."""
    account = ctx.require_account()
    plan = Settlement(balance_before=account.balance)
    meter = _preview_reading(ctx, plan, reading) if reading else None
    _preview_settle(plan, balance)
    if fee:
        _preview_fee(ctx, plan)
    if meter is not None:
        assert plan.reading is not None  # _preview_reading sets it with the meter
        billed = ctx.bill_reading(account, meter, plan.reading, source or ctx.flow.kind)
        if billed != plan.bill:  # the preview and the bill are one computation; guard it anyway
            raise Refused("计费结果与预览不一致，请刷新后重新办理")
    # This action's own method first (a visit's fee_method, not the counter's earlier settle_method).
    method = str(ctx.values.get("settle_method") or ctx.values.get("fee_method") or ctx.value("settle_method")
                 or "cash")
    if plan.collect or plan.refund:
        receipt = ctx.settle(account, method)
        plan.receipts.append(receipt)
        if "settled_balance" not in ctx.order.data:
            ctx.remember(settled_balance=plan.balance_after_bill, settlement_receipt=receipt)
    elif "settled_balance" not in ctx.order.data and balance:
        ctx.remember(settled_balance=plan.balance_after_bill, settlement_receipt="")
    if plan.fee > 0:
        receipt = ctx.charge(plan.fee, str(ctx.value("fee_method") or method), plan.fee_item)
        plan.receipts.append(receipt)
        ctx.remember(fee_receipt=receipt)
    if account.balance != plan.balance_after:
        raise Refused("结算后余额与预览不一致，请刷新后重新办理")
    record_settlement(ctx, plan)


def record_settlement(ctx: RuleContext, plan: Settlement) -> None:
    """Keep the breakdown on the order (the receipt prints it) and in the audit trail."""
    entry = {"step": ctx.step_code, "at": ctx.now.isoformat(timespec="seconds"), **plan.as_json()}
    settlements = [*list(ctx.order.data.get("settlements") or []), entry]
    ctx.remember(settlements=settlements)
    if plan.fee_schedule is not None and plan.fee != plan.fee_schedule:
        ctx.audit("service_order", ctx.order.id, "fee_override",
                  {"fee": [str(plan.fee_schedule), str(plan.fee)],
                   "reason": [None, str(ctx.values.get("fee_reason") or "")]})


@SHARED.effect("settle_balance")
def settle_balance(ctx: RuleContext) -> None:
    """Bring the balance to zero at the counter (refund or collect what is known now)."""
    settle_money(ctx, balance="all")


@SHARED.preview("settle_balance")
def preview_settle_balance(ctx: RuleContext, plan: Settlement) -> None:
    _preview_settle(plan, "all")


@SHARED.preview("charge_fee")
def preview_charge_fee(ctx: RuleContext, plan: Settlement) -> None:
    _preview_fee(ctx, plan)


@SHARED.effect("charge_fee")
def charge_fee(ctx: RuleContext) -> None:
    """The step's fee alone, from the fee schedule unless changed with the right and a reason."""
    settle_money(ctx, fee=True)


# --- visits -----------------------------------------------------------------------------------

@SHARED.effect("set_appointment")
def set_appointment(ctx: RuleContext) -> None:
    if ctx.values.get("crew"):
        ctx.order.crew = str(ctx.values["crew"])
    when = ctx.values.get("appointment_at")
    if when:
        at = datetime.fromisoformat(when)
        if at < ctx.now.replace(second=0, microsecond=0):
            raise Refused("预约时间不能早于现在", field="appointment_at")
        ctx.order.appointment_at = at


@SHARED.effect("record_arrival")
def record_arrival(ctx: RuleContext, grace_minutes: int = 30) -> None:
    """Keep whether the crew came at the time agreed with the customer."""
    arrived = datetime.fromisoformat(str(ctx.value("arrived_at")))
    agreed = ctx.order.appointment_at
    on_time = agreed is None or arrived <= agreed + timedelta(minutes=grace_minutes)
    ctx.remember(agreed_time=agreed, arrived_on_time=on_time)

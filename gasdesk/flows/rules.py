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
    def settle(self, account: Account, method: str) -> str: ...
    def charge(self, amount: Decimal, method: str, item: str) -> str: ...
    def bill_reading(self, account: Account, meter: Meter, value: Decimal, source: str) -> None: ...
    def create_customer(self, *, predecessor_id: int | None = None, **fields: Any) -> Customer: ...
    def check_id_number(self, id_type: str, number: str, field: str) -> str: ...
    def check_phone(self, phone: str, field: str) -> str: ...
    def name_initials(self, name: str) -> str: ...
    def next_opening(self, opens: str, closes: str, working_days_only: bool) -> datetime: ...


Rule = Callable[..., None]


class RuleBook:
    """Guards and effects by name; a flow package makes one for its own rules."""

    def __init__(self) -> None:
        self.guards: dict[str, Rule] = {}
        self.effects: dict[str, Rule] = {}

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
    account = ctx.require_account()
    if account.status != AccountStatus.APPLYING:
        raise Refused("账户不是待开通状态")
    install_meter(ctx, account)
    account.status = AccountStatus.ACTIVE
    account.activated_at = ctx.now
    ctx.audit("account", account.id, "activate", ctx.changes_of(account))


def read_final(ctx: RuleContext, meter: Meter, field: str = "final_reading") -> Decimal:
    final = Decimal(str(ctx.value(field)))
    if final < meter.last_reading:
        raise Refused(f"表读数 {final} 小于上次读数 {meter.last_reading}，请核对", field=field)
    return final


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


@SHARED.effect("bill_final_reading")
def bill_final_reading(ctx: RuleContext, source: str) -> None:
    """Read the meter and bill the gas used up to now (a hand-over, a stop)."""
    account = ctx.require_account()
    meter = in_service_meter(ctx)
    ctx.bill_reading(account, meter, read_final(ctx, meter), source)


def close_customer_if_done(ctx: RuleContext, action: str = "close") -> None:
    """The customer is closed with its last open account, never while another stays open."""
    still_open = ctx.session.scalar(select(Account.id).where(Account.customer_id == ctx.customer.id,
                                                             Account.status != AccountStatus.CLOSED))
    if still_open is None:
        ctx.customer.status, ctx.customer.closed_at = CustomerStatus.CLOSED, ctx.now
        ctx.audit("customer", ctx.customer.id, action, ctx.changes_of(ctx.customer))


# --- money ------------------------------------------------------------------------------------

@SHARED.effect("settle_balance")
def settle_balance(ctx: RuleContext) -> None:
    account = ctx.require_account()
    before = account.balance
    receipt = ctx.settle(account, str(ctx.value("settle_method", "cash")))
    ctx.remember(settled_balance=before, settlement_receipt=receipt)


@SHARED.effect("charge_fee")
def charge_fee(ctx: RuleContext) -> None:
    amount = Decimal(str(ctx.value("fee", "0")))
    if amount <= 0:
        return
    receipt = ctx.charge(amount, str(ctx.value("fee_method", "cash")), f"{ctx.flow.label}费用")
    ctx.remember(fee_receipt=receipt)


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

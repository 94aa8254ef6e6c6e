"""What the named guards and effects of the flow definitions do to the database.

The definitions (gasdesk/flows) only name them; the engine decides when they run; these functions
run inside the order's unit of work, so a refusal here rolls everything back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gasdesk.flows.definition import FlowDef
from gasdesk.models import Account, Customer, Department, Meter, ServiceOrder
from gasdesk.services import audit, numbering, payments
from gasdesk.services.context import Actor, App
from gasdesk.services.customers import CUSTOMER_FIELDS, CustomerInput, check_id_number, new_customer
from gasdesk.services.errors import Refused
from gasdesk.validation import ValidationError, check_phone
from gasdesk.vocab import (
    AccountStatus,
    CustomerCategory,
    CustomerStatus,
    GasUseType,
    MeterStatus,
    PaymentKind,
)


@dataclass
class RuleContext:
    session: Session
    app: App
    actor: Actor
    now: datetime
    flow: FlowDef
    order: ServiceOrder
    customer: Customer
    account: Account | None
    values: dict[str, Any]
    step_code: str

    def value(self, key: str, default: Any = None) -> Any:
        """A value recorded by this action, else by an earlier step of the order."""
        if key in self.values and self.values[key] not in (None, ""):
            return self.values[key]
        return self.order.data.get(key, default)

    def remember(self, **items: Any) -> None:
        """Keep derived facts on the order for forms and ledgers (e.g. the old meter's number)."""
        self.order.data = {**self.order.data, **audit.render(items)}

    def audit(self, entity: str, entity_id: Any, action: str, changes: dict[str, Any] | None = None) -> None:
        audit.append(self.session, at=self.now, staff_id=self.actor.staff_id, entity=entity, entity_id=entity_id,
                     action=f"{action} [{self.order.number}]", changes=changes)

    def require_account(self) -> Account:
        if self.account is None:
            raise Refused("该业务没有关联燃气账户")
        return self.account

    def current_meter(self) -> Meter | None:
        account = self.require_account()
        return self.session.scalar(
            select(Meter).where(Meter.account_id == account.id, Meter.status == MeterStatus.IN_SERVICE)
        )


Rule = Callable[[RuleContext], None]
GUARDS: dict[str, Rule] = {}
EFFECTS: dict[str, Rule] = {}


def guard(name: str) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        GUARDS[name] = fn
        return fn
    return register


def effect(name: str) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        EFFECTS[name] = fn
        return fn
    return register


# --- guards -----------------------------------------------------------------------------------

@guard("documents_complete")
def documents_complete(ctx: RuleContext) -> None:
    have = set(ctx.order.documents or [])
    missing = [d.label for d in ctx.flow.documents if d.required and d.code not in have]
    if missing:
        raise Refused("资料不齐全，缺少：" + "、".join(missing))


@guard("is_residential")
def is_residential(ctx: RuleContext) -> None:
    if ctx.customer.category != CustomerCategory.RESIDENTIAL:
        raise Refused("该客户不是居民用户")


@guard("is_non_residential")
def is_non_residential(ctx: RuleContext) -> None:
    if ctx.customer.category != CustomerCategory.NON_RESIDENTIAL:
        raise Refused("该客户不是非居民用户")


DETAIL_FIELDS = {"new_name": "name", "new_id_number": "id_number", "new_contact_person": "contact_person",
                 "new_phone": "phone", "new_phone2": "phone2"}


@guard("has_detail_changes")
def has_detail_changes(ctx: RuleContext) -> None:
    changed = [k for k, attr in DETAIL_FIELDS.items()
               if ctx.values.get(k) not in (None, "") and ctx.values[k] != getattr(ctx.customer, attr)]
    if not changed:
        raise Refused("请至少填写一项与现有信息不同的新值")
    if "new_id_number" in changed:
        try:
            ctx.values["new_id_number"] = check_id_number(ctx.customer.id_type, ctx.values["new_id_number"])
        except ValidationError as exc:
            raise Refused(f"更正后证件号码：{exc.message}", field="new_id_number") from exc


# --- effects ----------------------------------------------------------------------------------

@effect("create_applying_account")
def create_applying_account(ctx: RuleContext) -> None:
    account = Account(number=numbering.account_number(ctx.session), customer_id=ctx.customer.id,
                      status=AccountStatus.APPLYING, balance=Decimal("0.00"), address=ctx.customer.address,
                      opened_at=ctx.now)
    ctx.session.add(account)
    ctx.session.flush()
    ctx.order.account_id = account.id
    ctx.account = account
    ctx.audit("account", account.id, "create", audit.snapshot(account, ["number", "status", "address"]))


def _install_meter(ctx: RuleContext, account: Account, prefix: str = "") -> Meter:
    number = str(ctx.value("meter_number")).strip()
    if ctx.session.scalar(select(Meter.id).where(Meter.number == number)):
        raise Refused(f"表号 {number} 已在系统中登记，请核对", field="meter_number")
    reading = Decimal(str(ctx.value("initial_reading")))
    meter = Meter(number=number, model=str(ctx.value("meter_model")), rating=str(ctx.value("meter_rating")),
                  account_id=account.id, status=MeterStatus.IN_SERVICE, initial_reading=reading,
                  last_reading=reading, last_read_at=ctx.now, installed_at=ctx.now)
    ctx.session.add(meter)
    ctx.session.flush()
    ctx.audit("meter", meter.id, "install", audit.snapshot(meter, ["number", "model", "rating", "account_id",
                                                                    "initial_reading"]))
    return meter


@effect("close_applying_account")
def close_applying_account(ctx: RuleContext) -> None:
    """An opening refused or withdrawn: the account prepared for it is closed, never left applying."""
    account = ctx.account
    if account is not None and account.status == AccountStatus.APPLYING:
        account.status, account.closed_at = AccountStatus.CLOSED, ctx.now
        ctx.audit("account", account.id, "close_unopened", audit.changes_of(account))


@effect("activate_account")
def activate_account(ctx: RuleContext) -> None:
    account = ctx.require_account()
    if account.status != AccountStatus.APPLYING:
        raise Refused("账户不是待开通状态")
    _install_meter(ctx, account)
    account.status = AccountStatus.ACTIVE
    account.activated_at = ctx.now
    ctx.audit("account", account.id, "activate", audit.changes_of(account))


def _read_final(ctx: RuleContext, meter: Meter) -> Decimal:
    final = Decimal(str(ctx.value("final_reading")))
    if final < meter.last_reading:
        raise Refused(f"表读数 {final} 小于上次读数 {meter.last_reading}，请核对", field="final_reading")
    return final


@effect("replace_meter")
def replace_meter(ctx: RuleContext) -> None:
    account = ctx.require_account()
    old = ctx.current_meter()
    if old is None:
        raise Refused("该账户没有在用的燃气表")
    final = _read_final(ctx, old)
    number = str(ctx.value("meter_number")).strip()
    if ctx.session.scalar(select(Meter.id).where(Meter.number == number)):  # refuse before anything is written
        raise Refused(f"表号 {number} 已在系统中登记，请核对", field="meter_number")
    ctx.remember(old_meter_number=old.number, old_meter_model=old.model, old_meter_rating=old.rating,
                 old_last_reading=old.last_reading)
    from gasdesk.services.readings import bill_visit_reading

    bill_visit_reading(ctx, account, old, final, "meter_change")
    old.status, old.removed_at, old.final_reading = MeterStatus.REMOVED, ctx.now, final
    ctx.audit("meter", old.id, "remove", audit.changes_of(old))
    _install_meter(ctx, account)


@effect("change_gas_use_type")
def change_gas_use_type(ctx: RuleContext) -> None:
    customer = ctx.customer
    new_use = ctx.value("new_gas_use_type") or GasUseType.RESIDENTIAL
    use = GasUseType(new_use)
    customer.gas_use_type = use
    customer.category = (CustomerCategory.RESIDENTIAL if use is GasUseType.RESIDENTIAL
                         else CustomerCategory.NON_RESIDENTIAL)
    if ctx.value("household_size"):
        customer.household_size = int(ctx.value("household_size"))
    if ctx.value("business_name"):
        customer.contact_person = customer.contact_person or customer.name
        customer.name = str(ctx.value("business_name"))
    ctx.audit("customer", customer.id, "change_gas_use_type", audit.changes_of(customer))


@effect("change_allowance")
def change_allowance(ctx: RuleContext) -> None:
    customer = ctx.customer
    ctx.remember(old_allowance=customer.yearly_allowance)
    customer.yearly_allowance = Decimal(str(ctx.value("new_allowance")))
    customer.household_size = int(ctx.value("household_size"))
    ctx.audit("customer", customer.id, "change_allowance", audit.changes_of(customer))


@effect("suspend_account")
def suspend_account(ctx: RuleContext) -> None:
    account = ctx.require_account()
    if account.status != AccountStatus.ACTIVE:
        raise Refused("账户不是正常用气状态，不能暂停")
    if ctx.value("final_reading") not in (None, ""):
        meter = ctx.current_meter()
        if meter is not None:
            from gasdesk.services.readings import bill_visit_reading

            bill_visit_reading(ctx, account, meter, _read_final(ctx, meter), "suspension")
    account.status = AccountStatus.SUSPENDED
    account.suspended_at = ctx.now
    ctx.audit("account", account.id, "suspend", audit.changes_of(account))


@effect("settle_balance")
def settle_balance(ctx: RuleContext) -> None:
    account = ctx.require_account()
    before = account.balance
    payment = payments.settle(ctx.session, actor=ctx.actor, at=ctx.now, account=account,
                              method=str(ctx.value("settle_method", "cash")), order_id=ctx.order.id)
    ctx.remember(settled_balance=before, settlement_receipt=payment.receipt_number if payment else "")


@effect("bill_final_reading")
def bill_final_reading(ctx: RuleContext) -> None:
    """The old owner pays for the gas used up to the handover: read the meter and bill it now."""
    from gasdesk.services.readings import bill_visit_reading

    account = ctx.require_account()
    meter = ctx.current_meter()
    if meter is None:
        raise Refused("该账户没有在用的燃气表")
    bill_visit_reading(ctx, account, meter, _read_final(ctx, meter), "transfer")


@effect("transfer_owner")
def transfer_owner(ctx: RuleContext) -> None:
    """Move-out of the old owner and move-in of the new one on the same premises (SAP IS-U style)."""
    old_customer, old_account = ctx.customer, ctx.require_account()
    if old_account.balance != 0:
        raise Refused("原客户费用尚未结清")
    try:
        phone = check_phone(str(ctx.value("new_phone")), field="new_phone")
    except ValidationError as exc:
        raise Refused(exc.message, field=exc.field) from exc
    data = CustomerInput(
        category=old_customer.category, name=str(ctx.value("new_name")), id_type=str(ctx.value("new_id_type")),
        id_number=str(ctx.value("new_id_number")), phone=phone, address=old_customer.address,
        district=old_customer.district, gas_use_type=old_customer.gas_use_type,
        yearly_allowance=None, household_size=None,
    ).check()
    new = new_customer(ctx.session, data, ctx.now, predecessor_id=old_customer.id)
    ctx.audit("customer", new.id, "create_by_transfer", audit.snapshot(new, CUSTOMER_FIELDS))
    new_account = Account(number=numbering.account_number(ctx.session), customer_id=new.id,
                          status=old_account.status, balance=Decimal("0.00"), address=old_account.address,
                          opened_at=ctx.now, activated_at=ctx.now, suspended_at=old_account.suspended_at,
                          predecessor_id=old_account.id)
    ctx.session.add(new_account)
    ctx.session.flush()
    ctx.audit("account", new_account.id, "create_by_transfer",
              audit.snapshot(new_account, ["number", "status", "address", "predecessor_id"]))
    for meter in ctx.session.scalars(select(Meter).where(Meter.account_id == old_account.id,
                                                         Meter.status == MeterStatus.IN_SERVICE)):
        meter.account_id = new_account.id
        ctx.audit("meter", meter.id, "move_to_new_owner", audit.changes_of(meter))
    old_account.status, old_account.closed_at = AccountStatus.CLOSED, ctx.now
    ctx.audit("account", old_account.id, "close_by_transfer", audit.changes_of(old_account))
    old_customer.status, old_customer.closed_at = CustomerStatus.CLOSED, ctx.now
    ctx.audit("customer", old_customer.id, "close_by_transfer", audit.changes_of(old_customer))
    ctx.remember(new_customer_id=new.id, new_customer_number=new.number, new_account_number=new_account.number)


@effect("change_details")
def change_details(ctx: RuleContext) -> None:
    customer = ctx.customer
    old_values: dict[str, Any] = {}
    for key, attr in DETAIL_FIELDS.items():
        new_value = ctx.value(key)
        if new_value not in (None, "") and new_value != getattr(customer, attr):
            old_values[attr] = getattr(customer, attr)
            setattr(customer, attr, new_value)
    if "name" in old_values:
        from gasdesk.services.customers import initials

        customer.name_initials = initials(customer.name)
    ctx.remember(old_values=old_values)
    ctx.audit("customer", customer.id, "change_details", audit.changes_of(customer))


@effect("close_account")
def close_account(ctx: RuleContext) -> None:
    account = ctx.require_account()
    meter = ctx.current_meter()
    final = _read_final(ctx, meter) if meter is not None else None
    # The settle step came before this visit. The gas used since the last reading is billed now, as the
    # account's final bill (末次账单): it stays on the closed account as arrears, payable at the counter.
    if account.balance != 0:
        raise Refused("账户费用尚未结清，不能销户")
    if meter is not None and final is not None:
        from gasdesk.services.readings import bill_visit_reading

        bill_visit_reading(ctx, account, meter, final, "closure")
        meter.final_reading = final
        if ctx.step_code == "removal_visit":
            meter.status, meter.removed_at = MeterStatus.REMOVED, ctx.now
        ctx.audit("meter", meter.id, "close", audit.changes_of(meter))
    account.status, account.closed_at = AccountStatus.CLOSED, ctx.now
    ctx.audit("account", account.id, "close", audit.changes_of(account))
    still_open = ctx.session.scalar(select(Account.id).where(Account.customer_id == ctx.customer.id,
                                                             Account.status != AccountStatus.CLOSED))
    if still_open is None:
        ctx.customer.status, ctx.customer.closed_at = CustomerStatus.CLOSED, ctx.now
        ctx.audit("customer", ctx.customer.id, "close", audit.changes_of(ctx.customer))


@effect("charge_fee")
def charge_fee(ctx: RuleContext) -> None:
    amount = Decimal(str(ctx.value("fee", "0")))
    if amount <= 0:
        return
    payment = payments.record(
        ctx.session, actor=ctx.actor, at=ctx.now, kind=PaymentKind.FEE, amount=amount,
        method=str(ctx.value("fee_method", "cash")), customer_id=ctx.customer.id, account=ctx.account,
        order_id=ctx.order.id, item=f"{ctx.flow.label}费用",
    )
    ctx.remember(fee_receipt=payment.receipt_number)


@effect("count_round")
def count_round(ctx: RuleContext) -> None:
    ctx.order.rounds += 1


@effect("assign_department")
def assign_department(ctx: RuleContext) -> None:
    code = str(ctx.value("department"))
    dept = ctx.session.scalar(select(Department).where(Department.code == code, Department.active.is_(True)))
    if dept is None:
        raise Refused("请选择有效的转办部门", field="department")
    ctx.order.department_id = dept.id
    ctx.remember(department_name=dept.name)


@effect("set_appointment")
def set_appointment(ctx: RuleContext) -> None:
    if ctx.values.get("crew"):
        ctx.order.crew = str(ctx.values["crew"])
    when = ctx.values.get("appointment_at")
    if when:
        at = datetime.fromisoformat(when)
        if at < ctx.now.replace(second=0, microsecond=0):
            raise Refused("预约时间不能早于现在", field="appointment_at")
        ctx.order.appointment_at = at


@effect("record_arrival")
def record_arrival(ctx: RuleContext) -> None:
    """Keep whether the crew came at the time agreed with the customer (30 minutes' grace)."""
    arrived = datetime.fromisoformat(str(ctx.value("arrived_at")))
    agreed = ctx.order.appointment_at
    on_time = agreed is None or arrived <= agreed + timedelta(minutes=30)
    ctx.remember(agreed_time=agreed, arrived_on_time=on_time)


@effect("resume_account")
def resume_account(ctx: RuleContext) -> None:
    account = ctx.require_account()
    if account.status != AccountStatus.SUSPENDED:
        raise Refused("账户不是暂停用气状态")
    meter = ctx.current_meter()
    if meter is not None and ctx.value("resume_reading") not in (None, ""):
        reading = Decimal(str(ctx.value("resume_reading")))
        if reading < meter.last_reading:
            raise Refused(f"表读数 {reading} 小于上次读数 {meter.last_reading}，请核对", field="resume_reading")
        from gasdesk.services.readings import bill_visit_reading

        # Recorded while still suspended: kept as the meter's new start, not billed.
        bill_visit_reading(ctx, account, meter, reading, "resumption")
    account.status = AccountStatus.ACTIVE
    ctx.audit("account", account.id, "resume", audit.changes_of(account))


@effect("note_service_hours")
def note_service_hours(ctx: RuleContext) -> None:
    """A request taken outside its service's hours records when it will be handled."""
    from gasdesk import hours
    from gasdesk.services import settings as settings_store

    def setting(key: str) -> str:
        return str(settings_store.get(ctx.session, key))

    if ctx.order.channel == "phone":
        opens, closes, calendar = setting("hours.complaint_open"), setting("hours.complaint_close"), ctx.app.calendar()
        line = "投诉电话"
    else:
        opens, closes, calendar, line = setting("hours.hall_open"), setting("hours.hall_close"), None, "营业厅"
    start = hours.next_opening(ctx.now, opens, closes, calendar)
    if start != ctx.now:
        ctx.remember(handle_from=start, out_of_hours=f"非{line}受理时间，将于 {start:%Y-%m-%d %H:%M} 起处理")

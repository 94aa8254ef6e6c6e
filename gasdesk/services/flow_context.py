"""The order service's side of the flow rules: `OrderContext` implements flows.rules.RuleContext.

The rules themselves live with their flows (gasdesk/flows/<kind>/rules.py, shared ones in
gasdesk/flows/rules.py); they reach money, readings, numbering, customers and the audit trail only
through the methods here, inside the order's unit of work.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gasdesk import hours, sla
from gasdesk.flows.definition import ActionDef, FlowDef, Rule, rules
from gasdesk.flows.rules import PricedGas
from gasdesk.flows.rules import Rule as RuleFn
from gasdesk.models import Account, Customer, Meter, ServiceOrder
from gasdesk.permissions import Permission
from gasdesk.services import audit, billing, deadlines, numbering, payments
from gasdesk.services import settings as settings_store
from gasdesk.services.context import Actor, App, name_of
from gasdesk.services.customers import CUSTOMER_FIELDS, CustomerInput, check_id_number, initials, new_customer
from gasdesk.services.errors import Refused, refusing
from gasdesk.services.readings import bill_visit_reading, last_read_day, visit_bills
from gasdesk.validation import ValidationError, check_phone
from gasdesk.vocab import MeterStatus, PaymentKind, Role


@dataclass
class OrderContext:
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
    action: ActionDef | None = None

    @property
    def staff_id(self) -> int:
        return self.actor.staff_id

    @property
    def role(self) -> Role:
        return Role(self.actor.role)

    def value(self, key: str, default: Any = None) -> Any:
        """A value recorded by this action, else by an earlier step of the order."""
        if key in self.values and self.values[key] not in (None, ""):
            return self.values[key]
        return self.order.data.get(key, default)

    def remember(self, **items: Any) -> None:
        """Keep derived facts on the order for forms and ledgers (e.g. the old meter's number).

        They go with the values of this action too, so the step's log row holds them: a form
        printed for this step later reads the facts as they were here (see `step_facts`)."""
        rendered = audit.render(items)
        self.order.data = {**self.order.data, **rendered}
        self.values.update(rendered)

    def audit(self, entity: str, entity_id: Any, action: str, changes: dict[str, Any] | None = None) -> None:
        audit.append(self.session, at=self.now, staff_id=self.actor.staff_id, entity=entity, entity_id=entity_id,
                     action=f"{action} [{self.order.number}]", changes=changes)

    def snapshot(self, obj: Any, fields: list[str]) -> dict[str, Any]:
        return audit.snapshot(obj, fields)

    def changes_of(self, obj: Any) -> dict[str, Any]:
        return audit.changes_of(obj)

    def require_account(self) -> Account:
        if self.account is None:
            raise Refused("该业务没有关联燃气账户")
        return self.account

    def current_meter(self) -> Meter | None:
        account = self.require_account()
        return self.session.scalar(
            select(Meter).where(Meter.account_id == account.id, Meter.status == MeterStatus.IN_SERVICE)
        )

    def new_account_number(self) -> str:
        return numbering.account_number(self.session)

    def setting(self, key: str) -> Any:
        return settings_store.get(self.session, key)

    def may(self, permission: str) -> bool:
        return self.actor.can(Permission(permission))

    def settle(self, account: Account, method: str) -> str:
        payment = payments.settle(self.session, actor=self.actor, at=self.now, account=account, method=method,
                                  order_id=self.order.id)
        return payment.receipt_number if payment else ""

    def charge(self, amount: Decimal, method: str, item: str) -> str:
        payment = payments.record(self.session, actor=self.actor, at=self.now, kind=PaymentKind.FEE, amount=amount,
                                  method=method, customer_id=self.customer.id, account=self.account,
                                  order_id=self.order.id, item=item)
        return payment.receipt_number

    def bill_reading(self, account: Account, meter: Meter, value: Decimal, source: str) -> Decimal:
        bill = bill_visit_reading(self, account, meter, value, source)
        return bill.amount if bill is not None else Decimal("0.00")

    def price_reading(self, account: Account, meter: Meter, value: Decimal) -> PricedGas:
        """What bill_reading would bill now for this reading; writes nothing."""
        volume = value - meter.last_reading
        billed = visit_bills(account, self.now.date())
        priced = billing.price_reading(self.session, account, volume if billed else Decimal("0.000"),
                                       last_read_day(meter), self.now.date())
        return PricedGas(previous=meter.last_reading, reading=value, volume=volume,
                         lines=tuple(line.as_json() for line in priced.lines), amount=priced.amount, billed=billed)

    def create_customer(self, *, predecessor_id: int | None = None, **fields: Any) -> Customer:
        data = CustomerInput(**{"yearly_allowance": None, "household_size": None, **fields}).check()
        customer = new_customer(self.session, data, self.now, predecessor_id=predecessor_id)
        self.audit("customer", customer.id, "create_by_transfer" if predecessor_id else "create",
                   audit.snapshot(customer, CUSTOMER_FIELDS))
        return customer

    def check_id_number(self, id_type: str, number: str, field: str) -> str:
        try:
            return check_id_number(id_type, number)
        except ValidationError as exc:
            raise Refused(exc.message, field=field) from exc

    def check_phone(self, phone: str, field: str) -> str:
        with refusing():
            return check_phone(phone, field=field)

    def name_initials(self, name: str) -> str:
        return initials(name)

    def next_opening(self, opens: str, closes: str, working_days_only: bool) -> datetime:
        return hours.next_opening(self.now, opens, closes, self.app.calendar() if working_days_only else None)

    def due_in(self, amount: int, unit: str = "working_days") -> datetime:
        """When a limit of `amount` `unit` started now falls due on the office calendar (as a step's
        deadline started now would be due): a hazard's rectification deadline."""
        return sla.due_at(amount, unit, self.now, deadlines.current_calendar(self.session, self.app.calendar()))


# The key of the facts of a step in the values an action records (and so in its log row).
FACTS_KEY = "_facts"
PARTY_FIELDS = ("number", "category", "name", "id_type", "id_number", "contact_person", "phone", "address",
                "district", "gas_use_type", "yearly_allowance", "household_size")


def step_facts(ctx: OrderContext) -> dict[str, Any]:
    """The parties, account and meter as this step leaves them, for the forms printed for it.

    The customer is the order's, or the one a rule named to serve from here on (`party_id`, a
    transfer's new owner, with `party_account_id`); `party_changes` are what the order is about to
    change on the party (a change of use prints the contract for the use it changes to)."""
    data = {**ctx.order.data, **ctx.values}
    customer: Customer | None = ctx.customer
    account = ctx.account
    if data.get("party_id"):
        customer = ctx.session.get(Customer, int(data["party_id"])) or customer
        if data.get("party_account_id"):
            account = ctx.session.get(Account, int(data["party_account_id"])) or account
    assert customer is not None
    party = {f: getattr(customer, f) for f in PARTY_FIELDS}
    changes = data.get("party_changes")
    if isinstance(changes, dict):
        party.update({k: v for k, v in changes.items() if k in PARTY_FIELDS and v not in (None, "")})
    meter = None
    if account is not None:
        meters = list(ctx.session.scalars(select(Meter).where(Meter.account_id == account.id)
                                          .order_by(Meter.id.desc())))
        # The meter in service, else one taken out by this very action (a removal visit).
        meter = next((m for m in meters if m.status == MeterStatus.IN_SERVICE), None) or next(
            (m for m in meters if m.removed_at == ctx.now), None)
    return audit.render({
        "party": party,
        "account": {"number": account.number, "status": account.status, "balance": account.balance,
                    "address": account.address} if account is not None else None,
        "meter": {"number": meter.number, "model": meter.model, "rating": meter.rating,
                  "last_reading": meter.last_reading} if meter is not None else None,
        "actor": name_of(ctx.session, ctx.actor),
        "rounds": ctx.order.rounds,
    })


def run_rules(items: tuple[Rule | str, ...], registry: Mapping[str, RuleFn], ctx: OrderContext) -> None:
    """Run the rules, then keep the facts of the step as they now stand with the action's values."""
    for rule in rules(items):
        registry[rule.name](ctx, **rule.kwargs)
    ctx.values[FACTS_KEY] = step_facts(ctx)

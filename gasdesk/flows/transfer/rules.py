"""Move-out of the old owner and move-in of the new one on the same premises (SAP IS-U style)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from gasdesk.errors import Refused
from gasdesk.flows.rules import RuleBook, RuleContext, close_customer_if_done
from gasdesk.models import Account, Meter
from gasdesk.vocab import AccountStatus, MeterStatus

RULES = RuleBook()
NEW_OWNER_FIELDS = ("new_name", "new_id_type", "new_id_number", "new_phone")


@RULES.guard("new_owner_valid")
def new_owner_valid(ctx: RuleContext) -> None:
    """The new owner's details are checked where they are typed (the application), as the customer
    record will check them two steps later, so nothing is paid out for a transfer that cannot finish."""
    name = str(ctx.value("new_name") or "").strip()
    if not name:
        raise Refused("请填写新户名", field="new_name")
    if len(name) > 100:
        raise Refused("新户名过长（最多100字）", field="new_name")
    ctx.check_id_number(str(ctx.value("new_id_type")), str(ctx.value("new_id_number") or ""), "new_id_number")
    ctx.check_phone(str(ctx.value("new_phone") or ""), "new_phone")


@RULES.effect("transfer_owner")
def transfer_owner(ctx: RuleContext) -> None:
    old_customer, old_account = ctx.customer, ctx.require_account()
    if old_account.balance != 0:
        raise Refused("原客户费用尚未结清")
    new_owner_valid(ctx)
    phone = ctx.check_phone(str(ctx.value("new_phone")), "new_phone")
    new = ctx.create_customer(
        predecessor_id=old_customer.id, category=old_customer.category, name=str(ctx.value("new_name")),
        id_type=str(ctx.value("new_id_type")), id_number=str(ctx.value("new_id_number")), phone=phone,
        address=old_customer.address, district=old_customer.district, gas_use_type=old_customer.gas_use_type,
    )
    new_account = Account(number=ctx.new_account_number(), customer_id=new.id,
                          status=old_account.status, balance=Decimal("0.00"), address=old_account.address,
                          opened_at=ctx.now, activated_at=ctx.now, suspended_at=old_account.suspended_at,
                          predecessor_id=old_account.id)
    ctx.session.add(new_account)
    ctx.session.flush()
    ctx.audit("account", new_account.id, "create_by_transfer",
              ctx.snapshot(new_account, ["number", "status", "address", "predecessor_id"]))
    for meter in ctx.session.scalars(select(Meter).where(Meter.account_id == old_account.id,
                                                         Meter.status == MeterStatus.IN_SERVICE)):
        meter.account_id = new_account.id
        ctx.audit("meter", meter.id, "move_to_new_owner", ctx.changes_of(meter))
    old_account.status, old_account.closed_at = AccountStatus.CLOSED, ctx.now
    ctx.audit("account", old_account.id, "close_by_transfer", ctx.changes_of(old_account))
    # The old owner stays a customer while another account of theirs is open.
    close_customer_if_done(ctx, "close_by_transfer")
    # From here on the order's forms (the new supply contract, the safety notice) name the new owner.
    ctx.remember(new_customer_id=new.id, new_customer_number=new.number, new_account_number=new_account.number,
                 party_id=new.id, party_account_id=new_account.id,
                 _used_fields=[*list(ctx.order.data.get("_used_fields") or []), *NEW_OWNER_FIELDS])

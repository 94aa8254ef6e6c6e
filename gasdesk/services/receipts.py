"""Receipts of counter payments: bills paid, deposits, reversals taken without a service order.

The receipt form (gasdesk.reports.forms, code `receipt`) prints a FormContext; for a counter payment the
receipt number stands where an order's number goes. Every print is logged in `receipt_print`; the
second and later prints of the same payment are copies (副本). A payment made inside an order (a fee, a
transfer's settlement) is printed by gasdesk.services.printing, which logs prints on the order.

A counter payment has no step whose facts it could print, so its receipt reads them back as they were
when it was written: the bills it paid (its allocation rows, never edited), the balance it left (derived
from the account's ledger, gasdesk.services.bills.balance_after) and the customer and clerks as named
then (today's rows with the audited changes made since undone). A reprint reads the same, whatever
happened since, apart from 副本 and the footer.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gasdesk.flows.forms import FORMS
from gasdesk.models import (
    Account,
    Bill,
    BillAllocation,
    Customer,
    Meter,
    Payment,
    ReceiptPrint,
    Staff,
)
from gasdesk.permissions import Permission
from gasdesk.reports.context import AccountInfo, FieldValue, FormContext, MeterInfo
from gasdesk.services import audit, bills
from gasdesk.services import settings as settings_store
from gasdesk.services.as_of import Point, Since
from gasdesk.services.context import Service, must_get, name_of
from gasdesk.services.flow_context import PARTY_FIELDS
from gasdesk.vocab import AccountStatus, MeterStatus, PaymentKind, PaymentMethod

FLOW_LABEL = "柜台收费"


def printed_before(session: Session, payment_id: int) -> bool:
    return session.scalar(select(ReceiptPrint.id).where(ReceiptPrint.payment_id == payment_id).limit(1)) is not None


# What the money did to the account, in the words of the receipt's balance rows (…前/后账户余额).
_MOVE = {PaymentKind.REVERSAL: "冲正", PaymentKind.REFUND: "退款", PaymentKind.WRITE_OFF: "核销"}


# What a receipt states of the account and its meter, as audit.render gives them.
ACCOUNT_FIELDS = ("number", "status", "address")
METER_FIELDS = ("number", "model", "rating", "status", "account_id", "last_reading")


def _meters_of(session: Session, account: Account) -> list[Meter]:
    """The meters that may have been the account's: those on it now, and those a transfer moved on to
    the accounts that followed it (a meter moves with the premises to the new owner's account)."""
    chain = select(Account.id).where(Account.id == account.id).cte("chain", recursive=True)
    chain = chain.union_all(select(Account.id).where(Account.predecessor_id == chain.c.id))
    return list(session.scalars(select(Meter).where(Meter.account_id.in_(select(chain.c.id))).order_by(Meter.id)))


def _meter_then(then: Since, account_id: int, meters: list[Meter], point: Point) -> MeterInfo | None:
    """The account's meter when the payment was taken: the one in service on it then, else the newest it
    had. Meters are installed, moved, read and removed by audited writes (flows/rules.py, readings.py),
    so undoing those made since gives each meter as it stood; one installed since had no number then."""
    was = [(m, then.row("meter", m.id, audit.render({f: getattr(m, f) for f in METER_FIELDS}), point))
           for m in meters if m.installed_at <= point.at]
    was = [(m, v) for m, v in was if v["number"] is not None and str(v["account_id"]) == str(account_id)]
    if not was:
        return None
    _m, v = max(was, key=lambda mv: (mv[1]["status"] == MeterStatus.IN_SERVICE, mv[0].id))
    return MeterInfo(str(v["number"]), str(v["model"]), str(v["rating"]), Decimal(str(v["last_reading"])))


def receipt_context(session: Session, payment: Payment, values: dict[str, Any], *, now: datetime,
                    printed_by: str, copy: bool) -> FormContext:
    """The FormContext of a counter payment's receipt (no service order: the receipt number is the
    form's number). It states the payment as it was written, the same on every reprint: the bills it
    paid (or, a reversal, took back) with the amounts, the account's balance before and right after
    it (gasdesk.services.bills.balance_after), the customer and clerks named as they were then, and the
    company profile as it was then (services/as_of.py)."""
    from gasdesk.services.printing import company_profile, parties_of, payment_info

    customer = must_get(session, Customer, payment.customer_id, "客户不存在")
    account = session.get(Account, payment.account_id) if payment.account_id else None
    point = Point(bills.written_at(session, payment), payment.at)
    meters = _meters_of(session, account) if account is not None else []
    staff_now = dict(session.execute(select(Staff.id, Staff.name)).all())
    original = session.get(Payment, payment.reverses_id) if payment.reverses_id else None
    then = Since(session, [point], {payment.staff_id, *([original.staff_id] if original is not None else [])},
                 rows={"customer": [customer.id], "account": [account.id] if account is not None else [],
                       "meter": [m.id for m in meters]})

    printed = then.settings(values, point)

    def staff_name(staff_id: int) -> str:
        return then.staff_name(staff_now, staff_id, point)

    party = then.row("customer", customer.id, audit.render({f: getattr(customer, f) for f in PARTY_FIELDS}), point)
    held = then.row("account", account.id, audit.render({f: getattr(account, f) for f in ACCOUNT_FIELDS}), point) \
        if account is not None else None
    meter = _meter_then(then, account.id, meters, point) if account is not None else None
    info = payment_info(payment, staff_name(payment.staff_id))
    paid: dict[int, list[Any]] = {}
    for bill, amount in session.execute(
            select(Bill, BillAllocation.amount).join(BillAllocation, BillAllocation.bill_id == Bill.id)
            .where(BillAllocation.payment_id == payment.id).order_by(Bill.period_end, Bill.id, BillAllocation.id)):
        paid.setdefault(bill.id, [bill, Decimal("0.00")])[1] += amount
    paid_bills = [{"number": bill.number, "period_start": bill.period_start.isoformat(),
                   "period_end": bill.period_end.isoformat(), "volume": str(bill.volume), "amount": str(bill.amount),
                   "paid": str(amount)} for bill, amount in paid.values()]
    fields = [FieldValue(f"账单 {b['number']}",
                         f"{b['period_start']} 至 {b['period_end']}，用气 {b['volume']} m³，账单金额 {b['amount']} 元，"
                         f"本次{'冲回' if Decimal(b['paid']) < 0 else '支付'} {abs(Decimal(b['paid']))} 元")
              for b in paid_bills]
    reverses: dict[str, str] = {}
    if original is not None:
        fields.insert(0, FieldValue("冲正原收据", original.receipt_number))
        # A reversal receipt repeats the payment it undoes, beside the reversal itself.
        reverses = {"receipt_number": original.receipt_number, "at": original.at.strftime("%Y-%m-%d %H:%M"),
                    "kind": PaymentKind(original.kind).label, "item": original.item,
                    "amount": f"{original.amount:,.2f} 元", "method": PaymentMethod(original.method).label,
                    "staff": staff_name(original.staff_id),
                    "direction": "退款" if original.cash_effect < 0 else "收款"}
    after = bills.balance_after(session, payment)
    balance: dict[str, str] = {}
    if after is not None:
        move = _MOVE.get(PaymentKind(payment.kind), "收款")
        balance = {"move": move, "after": str(after)}
        if payment.balance_effect:
            balance["before"] = str(after - payment.balance_effect)
            fields.append(FieldValue(f"{move}前账户余额", f"{balance['before']} 元"))
        fields.append(FieldValue(f"{move}后账户余额", f"{after} 元"))
    return FormContext(
        form="receipt", form_title="冲正收据" if reverses else FORMS["receipt"], company=company_profile(printed),
        order_number=payment.receipt_number, flow_kind="counter_payment", flow_label=FLOW_LABEL,
        order_status_label=PaymentKind(payment.kind).label, opened_at=payment.at,
        opened_by=info.staff_name, current_step_label="",
        customer=parties_of({"party": party})[0],
        # The account as the receipt states it: its balance right after the payment, not today's.
        account=AccountInfo(held["number"], AccountStatus(held["status"]).label, after, held["address"])
        if held is not None and after is not None else None,
        meter=meter,
        documents=[], data={"receipt_number": payment.receipt_number, "bills": [b["number"] for b in paid_bills],
                            "paid_bills": paid_bills, **({"receipt_balance": balance} if balance else {}),
                            **({"reverses": reverses} if reverses else {})},
        fields=fields, reason="", crew="", appointment_at=None, history=[], payments=[info], payment=info,
        texts=dict(printed.get("texts") or {}), printed_at=now, printed_by=printed_by, copy=copy,
    )


class ReceiptService(Service):
    def printed_before(self, payment_id: int) -> bool:
        with self.app.reading() as s:
            return printed_before(s, payment_id)

    def render(self, payment_id: int) -> bytes:
        """The receipt of a payment as PDF bytes; the first print is the original, later ones 副本."""
        self.actor.require(Permission.PRINT_FORMS)
        with self.app.reading() as s:
            payment = must_get(s, Payment, payment_id, "收费记录不存在")
            # A reversal's receipt is the counter's own (冲正收据), even of an order's fee.
            order_id = payment.order_id if payment.kind != PaymentKind.REVERSAL else None
        if order_id is not None:
            from gasdesk.services.printing import PrintService

            return PrintService(self.app, self.actor).render(order_id, "receipt", payment_id=payment_id)
        from gasdesk.reports.forms import render_form

        now = self.app.clock.now()
        with self.app.unit_of_work() as s:
            payment = must_get(s, Payment, payment_id, "收费记录不存在")
            values = settings_store.read_all(s)
            copy = printed_before(s, payment_id)
            ctx = receipt_context(s, payment, values, now=now, printed_by=name_of(s, self.actor), copy=copy)
            s.add(ReceiptPrint(payment_id=payment_id, staff_id=self.actor.staff_id, at=now, copy=copy))
            audit.append(s, at=now, staff_id=self.actor.staff_id, entity="payment", entity_id=payment_id,
                         action="reprint_receipt" if copy else "print_receipt",
                         changes={"receipt_number": [None, payment.receipt_number]})
            return render_form(ctx, font_path=values.get("printing.font_path") or None)

"""Receipts of counter payments: bills paid, deposits, reversals taken without a service order.

The receipt form (gasdesk.reports.forms, code `receipt`) prints a FormContext; for a counter payment the
receipt number stands where an order's number goes. Every print is logged in `receipt_print`; the
second and later prints of the same payment are copies (副本). A payment made inside an order (a fee, a
transfer's settlement) is printed by gasdesk.services.printing, which logs prints on the order.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gasdesk.flows.forms import FORMS
from gasdesk.models import Account, Bill, BillAllocation, Customer, Meter, Payment, ReceiptPrint, Staff
from gasdesk.permissions import Permission
from gasdesk.reports.context import AccountInfo, FieldValue, FormContext, MeterInfo, PartyInfo
from gasdesk.services import audit
from gasdesk.services import settings as settings_store
from gasdesk.services.context import Actor, App
from gasdesk.services.errors import NotFound
from gasdesk.vocab import (
    AccountStatus,
    CustomerCategory,
    District,
    GasUseType,
    IdDocType,
    PaymentKind,
    PaymentMethod,
)

FLOW_LABEL = "柜台收费"


def printed_before(session: Session, payment_id: int) -> bool:
    return session.scalar(select(ReceiptPrint.id).where(ReceiptPrint.payment_id == payment_id).limit(1)) is not None


def receipt_context(session: Session, payment: Payment, values: dict[str, Any], *, now: datetime,
                    printed_by: str, copy: bool) -> FormContext:
    """The FormContext of a counter payment's receipt (no service order: the receipt number is the
    form's number, the bills it paid are its fields)."""
    from gasdesk.services.printing import company_profile, payment_info

    customer = session.get(Customer, payment.customer_id)
    if customer is None:
        raise NotFound("客户不存在")
    account = session.get(Account, payment.account_id) if payment.account_id else None
    meter = None
    if account is not None:
        meter = session.scalar(select(Meter).where(Meter.account_id == account.id)
                               .order_by(Meter.status != "in_service", Meter.id.desc()).limit(1))
    staff = dict(session.execute(select(Staff.id, Staff.name)).all())
    info = payment_info(payment, staff.get(payment.staff_id, ""))
    allocated = session.execute(
        select(Bill, BillAllocation.amount).join(BillAllocation, BillAllocation.bill_id == Bill.id)
        .where(BillAllocation.payment_id == payment.id).order_by(Bill.period_end, Bill.id)
    ).all()
    fields = [FieldValue(f"账单 {bill.number}",
                         f"{bill.period_start.isoformat()} 至 {bill.period_end.isoformat()}，用气 {bill.volume} m³，"
                         f"账单金额 {bill.amount} 元，本次{'冲回' if amount < 0 else '支付'} {abs(amount)} 元")
              for bill, amount in allocated]
    reverses: dict[str, str] = {}
    if payment.reverses_id:
        original = session.get(Payment, payment.reverses_id)
        if original is not None:
            fields.insert(0, FieldValue("冲正原收据", original.receipt_number))
            # A reversal receipt repeats the payment it undoes, beside the reversal itself.
            reverses = {"receipt_number": original.receipt_number, "at": original.at.strftime("%Y-%m-%d %H:%M"),
                        "kind": PaymentKind(original.kind).label, "item": original.item,
                        "amount": f"{original.amount:,.2f} 元", "method": PaymentMethod(original.method).label,
                        "staff": staff.get(original.staff_id, ""),
                        "direction": "退款" if original.cash_effect < 0 else "收款"}
    if account is not None:
        fields.append(FieldValue("收款后账户余额", f"{account.balance} 元"))
    return FormContext(
        form="receipt", form_title="冲正收据" if reverses else FORMS["receipt"], company=company_profile(values),
        order_number=payment.receipt_number, flow_kind="counter_payment", flow_label=FLOW_LABEL,
        order_status_label=PaymentKind(payment.kind).label, opened_at=payment.at,
        opened_by=staff.get(payment.staff_id, ""), current_step_label="",
        customer=PartyInfo(
            number=customer.number, category_label=CustomerCategory(customer.category).label, name=customer.name,
            id_type_label=IdDocType(customer.id_type).label, id_number=customer.id_number,
            contact_person=customer.contact_person, phone=customer.phone, address=customer.address,
            district_label=District(customer.district).label,
            gas_use_type_label=GasUseType(customer.gas_use_type).label,
            yearly_allowance=customer.yearly_allowance, household_size=customer.household_size,
        ),
        account=AccountInfo(account.number, AccountStatus(account.status).label, account.balance, account.address)
        if account else None,
        meter=MeterInfo(meter.number, meter.model, meter.rating, meter.last_reading) if meter else None,
        documents=[], data={"receipt_number": payment.receipt_number, "bills": [b.number for b, _ in allocated],
                            **({"reverses": reverses} if reverses else {})},
        fields=fields, reason="", crew="", appointment_at=None, history=[], payments=[info], payment=info,
        texts=dict(values.get("texts") or {}), printed_at=now, printed_by=printed_by, copy=copy,
    )


class ReceiptService:
    def __init__(self, app: App, actor: Actor) -> None:
        self.app, self.actor = app.acting(actor), actor

    def printed_before(self, payment_id: int) -> bool:
        with self.app.reading() as s:
            return printed_before(s, payment_id)

    def render(self, payment_id: int) -> bytes:
        """The receipt of a payment as PDF bytes; the first print is the original, later ones 副本."""
        self.actor.require(Permission.PRINT_FORMS)
        with self.app.reading() as s:
            payment = s.get(Payment, payment_id)
            if payment is None:
                raise NotFound("收费记录不存在")
            # A reversal's receipt is the counter's own (冲正收据), even of an order's fee.
            order_id = payment.order_id if payment.kind != PaymentKind.REVERSAL else None
        if order_id is not None:
            from gasdesk.services.printing import PrintService

            return PrintService(self.app, self.actor).render(order_id, "receipt", payment_id=payment_id)
        from gasdesk.reports.forms import render_form

        now = self.app.clock.now()
        with self.app.unit_of_work() as s:
            payment = s.get(Payment, payment_id)
            assert payment is not None
            values = settings_store.read_all(s)
            copy = printed_before(s, payment_id)
            ctx = receipt_context(s, payment, values, now=now, printed_by=self.actor.name, copy=copy)
            s.add(ReceiptPrint(payment_id=payment_id, staff_id=self.actor.staff_id, at=now, copy=copy))
            audit.append(s, at=now, staff_id=self.actor.staff_id, entity="payment", entity_id=payment_id,
                         action="reprint_receipt" if copy else "print_receipt",
                         changes={"receipt_number": [None, payment.receipt_number]})
            return render_form(ctx, font_path=values.get("printing.font_path") or None)

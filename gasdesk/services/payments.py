"""Money at the counter: fees, arrears collected, prepaid balances refunded, deposits, reversals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gasdesk.models import Account, Payment, Staff
from gasdesk.permissions import Permission
from gasdesk.services import audit, hazard_gate, numbering
from gasdesk.services.context import Actor, Service, must_get, name_of
from gasdesk.services.errors import Refused, refusing
from gasdesk.validation import ValidationError, check_counter_amount, check_text
from gasdesk.vocab import PaymentKind, PaymentMethod

ZERO = Decimal("0.00")
ALREADY_REVERSED = "该笔收费已冲正"
MAX_NOTE = 200

# (cash drawer sign, account balance sign) per kind, for a positive amount.
_SIGNS: dict[PaymentKind, tuple[int, int]] = {
    PaymentKind.FEE: (1, 0),
    PaymentKind.ARREARS: (1, 1),
    PaymentKind.PREPAY: (1, 1),
    PaymentKind.REFUND: (-1, -1),
    PaymentKind.WRITE_OFF: (0, 1),
}


@dataclass(frozen=True)
class PaymentView:
    id: int
    receipt_number: str
    kind: PaymentKind
    amount: Decimal
    cash_effect: Decimal
    balance_effect: Decimal
    method: PaymentMethod
    at: datetime
    staff_name: str
    item: str
    note: str
    order_id: int | None
    account_id: int | None
    reverses_id: int | None


def view(p: Payment, staff_name: str = "") -> PaymentView:
    return PaymentView(
        id=p.id, receipt_number=p.receipt_number, kind=PaymentKind(p.kind), amount=p.amount,
        cash_effect=p.cash_effect, balance_effect=p.balance_effect, method=PaymentMethod(p.method), at=p.at,
        staff_name=staff_name, item=p.item, note=p.note, order_id=p.order_id, account_id=p.account_id,
        reverses_id=p.reverses_id,
    )


def record(session: Session, *, actor: Actor, at: datetime, kind: PaymentKind, amount: Decimal,
           method: PaymentMethod | str, customer_id: int, account: Account | None, order_id: int | None = None,
           item: str = "", note: str = "") -> Payment:
    """Write one payment, move the account balance with it, and audit both. Amount must be > 0."""
    if amount <= 0:
        raise Refused("金额必须大于零")
    cash_sign, balance_sign = _SIGNS[kind]
    payment = Payment(
        receipt_number=numbering.receipt_number(session, at.date()), kind=kind, amount=amount,
        cash_effect=amount * cash_sign, balance_effect=amount * balance_sign, method=PaymentMethod(method),
        customer_id=customer_id, account_id=account.id if account else None, order_id=order_id,
        staff_id=actor.staff_id, at=at, item=item or kind.label, note=note,
    )
    session.add(payment)
    if account is not None and balance_sign:
        old = account.balance
        account.balance = (account.balance + amount * balance_sign).quantize(Decimal("0.01"))
        audit.append(session, at=at, staff_id=actor.staff_id, entity="account", entity_id=account.id,
                     action=f"payment:{kind.value}", changes={"balance": [old, account.balance]})
    session.flush()
    audit.append(session, at=at, staff_id=actor.staff_id, entity="payment", entity_id=payment.id,
                 action="create", changes=audit.snapshot(payment, [
                     "receipt_number", "kind", "amount", "method", "account_id", "order_id"]))
    return payment


def settle(session: Session, *, actor: Actor, at: datetime, account: Account, method: str,
           order_id: int | None) -> Payment | None:
    """Bring the balance to zero: refund a prepaid balance or collect arrears."""
    if account.balance > 0:
        return record(session, actor=actor, at=at, kind=PaymentKind.REFUND, amount=account.balance, method=method,
                      customer_id=account.customer_id, account=account, order_id=order_id, item="退还预存款")
    if account.balance < 0:
        return record(session, actor=actor, at=at, kind=PaymentKind.ARREARS, amount=-account.balance,
                      method=method, customer_id=account.customer_id, account=account, order_id=order_id,
                      item="结清欠费")
    return None


class PaymentService(Service):
    def prepay(self, account_id: int, amount: Decimal | str, method: PaymentMethod | str,
               note: str = "") -> PaymentView:
        """A deposit or an arrears payment at the counter: the balance goes up by the amount."""
        self.actor.require(Permission.TAKE_PAYMENT)
        try:
            value = check_counter_amount(amount)
            note = check_text(note, "备注", MAX_NOTE, field="note", multiline=True)
        except ValidationError as exc:
            raise Refused(exc.message, field=exc.field or "amount") from None
        if value <= 0:
            raise Refused("金额必须大于零", field="amount")
        if method not in {code for code, _ in PaymentMethod.choices()}:
            raise Refused("请选择付款方式", field="method")
        now = self.app.clock.now()
        with self.app.unit_of_work() as s:
            account = must_get(s, Account, account_id, "账户不存在", lock=True)
            # Arrears when it pays no more than is owed (value > 0, so only on a negative balance).
            kind = PaymentKind.ARREARS if value <= -account.balance else PaymentKind.PREPAY
            if account.status == "closed" and kind is not PaymentKind.ARREARS:
                # A closed account takes only what it still owes, never a new deposit.
                if account.balance < 0:
                    raise Refused(f"账户已销户，只能缴清所欠 {-account.balance} 元", field="amount")
                raise Refused("账户已销户，不能缴费")
            p = record(s, actor=self.actor, at=now, kind=kind, amount=value, method=method,
                       customer_id=account.customer_id, account=account, note=note)
            if kind is PaymentKind.PREPAY:
                # Selling gas to an account with an open 一级 safety hazard needs a manager's confirmation.
                hazard_gate.require(s, account_id=account.id, purpose=hazard_gate.SELL_GAS,
                                    staff_id=self.actor.staff_id, at=now, ref=p.receipt_number)
            return view(p, name_of(s, self.actor))

    def reverse(self, payment_id: int, reason: str) -> PaymentView:
        """Undo a payment by a new, opposite entry (managers only); the original stays as it was."""
        self.actor.require(Permission.REVERSE_PAYMENT)
        with refusing():
            reason = check_text(reason, "冲正原因", MAX_NOTE, field="reason", required=True, multiline=True)
        now = self.app.clock.now()
        with self.app.unit_of_work() as s:
            # The payment's row is locked before asking whether it was reversed: a second manager
            # reversing it at the same moment waits here, then finds the first one's reversal.
            original = must_get(s, Payment, payment_id, "收费记录不存在", lock=True)
            if original.kind == PaymentKind.REVERSAL:
                raise Refused("冲正记录不能再冲正")
            if s.scalar(select(Payment.id).where(Payment.reverses_id == original.id)):
                raise Refused(ALREADY_REVERSED)
            account = s.get(Account, original.account_id, with_for_update=True) if original.account_id else None
            reversal = Payment(
                receipt_number=numbering.receipt_number(s, now.date()), kind=PaymentKind.REVERSAL,
                amount=original.amount, cash_effect=-original.cash_effect, balance_effect=-original.balance_effect,
                method=original.method, customer_id=original.customer_id, account_id=original.account_id,
                order_id=original.order_id, staff_id=self.actor.staff_id, at=now,
                item=f"冲正 {original.receipt_number}", note=reason.strip(), reverses_id=original.id,
            )
            s.add(reversal)
            if account is not None and original.balance_effect:
                old = account.balance
                account.balance = account.balance - original.balance_effect
                audit.append(s, at=now, staff_id=self.actor.staff_id, entity="account", entity_id=account.id,
                             action="payment:reversal", changes={"balance": [old, account.balance]})
            try:
                s.flush()
            except IntegrityError as exc:  # the unique reverses_id: reversed by someone else meanwhile
                raise Refused(ALREADY_REVERSED) from exc
            audit.append(s, at=now, staff_id=self.actor.staff_id, entity="payment", entity_id=reversal.id,
                         action="reverse", changes={"reverses": [None, original.receipt_number],
                                                    "reason": [None, reason.strip()]})
            return view(reversal, name_of(s, self.actor))

    def write_off(self, account_id: int, reason: str) -> PaymentView:
        """坏账核销: a manager writes off what an account still owes and cannot be collected (a customer
        gone after the final visit). The balance goes to 0 by a write-off entry that moves no cash; the
        entry is audited, listed in the write-off ledger, and can be reversed like a payment."""
        self.actor.require(Permission.REVERSE_PAYMENT)
        with refusing():
            reason = check_text(reason, "核销原因", 500, field="reason", required=True, multiline=True)
        now = self.app.clock.now()
        with self.app.unit_of_work() as s:
            account = must_get(s, Account, account_id, "账户不存在", lock=True)
            if account.balance >= 0:
                raise Refused("该账户没有欠费，无需核销")
            p = record(s, actor=self.actor, at=now, kind=PaymentKind.WRITE_OFF, amount=-account.balance,
                       method=PaymentMethod.CASH, customer_id=account.customer_id, account=account,
                       item="坏账核销", note=reason)
            audit.append(s, at=now, staff_id=self.actor.staff_id, entity="account", entity_id=account.id,
                         action="write_off", changes={"amount": [None, p.amount], "reason": [None, reason]})
            return view(p, name_of(s, self.actor))

    def for_customer(self, customer_id: int, limit: int = 500, offset: int = 0) -> list[PaymentView]:
        """A customer's payments, the latest first, one page at a time."""
        with self.app.reading() as s:
            rows = s.execute(
                select(Payment, Staff.name).join(Staff, Staff.id == Payment.staff_id)
                .where(Payment.customer_id == customer_id).order_by(Payment.at.desc(), Payment.id.desc())
                .offset(offset).limit(limit)
            ).all()
            return [view(p, name) for p, name in rows]

    def count_for_customer(self, customer_id: int) -> int:
        with self.app.reading() as s:
            return int(s.scalar(select(func.count()).select_from(Payment)
                                .where(Payment.customer_id == customer_id)) or 0)

"""Printing: turn an order into the plain FormContext the forms need, and log every print.

The first print of a form is the original; every later one of the same form (and, for receipts,
the same payment) is a reprint, marked 副本 on the page and written to the order's log.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from gasdesk.flows import ALL_FLOWS
from gasdesk.flows.definition import FieldDef, FieldKind, FlowDef
from gasdesk.flows.forms import ANY_FLOW_FORMS, FLOW_FORMS, FORMS
from gasdesk.models import Account, Customer, Department, Meter, OrderStep, Payment, ServiceOrder, Staff
from gasdesk.permissions import Permission
from gasdesk.reports.context import (
    AccountInfo,
    CompanyProfile,
    FieldValue,
    FormContext,
    MeterInfo,
    PartyInfo,
    PaymentInfo,
    StepRecord,
)
from gasdesk.services import audit
from gasdesk.services import settings as settings_store
from gasdesk.services.context import Actor, App
from gasdesk.services.errors import NotFound, Refused
from gasdesk.services.orders import action_label_of, step_label_of
from gasdesk.vocab import (
    AccountStatus,
    CustomerCategory,
    District,
    GasUseType,
    IdDocType,
    OrderStatus,
    PaymentKind,
    PaymentMethod,
)


@dataclass(frozen=True)
class PrintableForm:
    code: str
    title: str
    payment_id: int | None = None
    printed_before: bool = False

    @property
    def label(self) -> str:
        return self.title + (" （已打印，重印为副本）" if self.printed_before else "")


def company_profile(values: dict[str, Any]) -> CompanyProfile:
    return CompanyProfile(
        name=values["company.name"], hall_address=values["company.hall_address"],
        service_phone=values["company.service_phone"], emergency_phone=values["company.emergency_phone"],
        complaint_phone=values["company.complaint_phone"], hall_hours=values["hours.hall"],
        complaint_hours=values["hours.complaint"],
    )


def all_fields(flow: FlowDef) -> list[FieldDef]:
    """Every field the flow can record, in the order the customer meets them (first wins)."""
    seen: dict[str, FieldDef] = {f.code: f for f in flow.open_fields}
    for step in flow.steps:
        for action in step.actions:
            for f in action.fields:
                seen.setdefault(f.code, f)
    return list(seen.values())


def display(f: FieldDef, value: Any, departments: dict[str, str]) -> str:
    if value is None or value == "":
        return ""
    if f.kind is FieldKind.CHOICE:
        return dict(f.choices).get(str(value), str(value))
    if f.kind is FieldKind.DEPARTMENT:
        return departments.get(str(value), str(value))
    if f.kind is FieldKind.BOOL:
        return "是" if value else "否"
    if f.kind is FieldKind.DATETIME:
        return str(value).replace("T", " ")
    if f.kind is FieldKind.MONEY:
        return f"{Decimal(str(value)):,.2f}"
    return str(value)


def field_choices(fields: list[FieldDef], departments: dict[str, str]) -> dict[str, dict[str, str]]:
    """How each coded field's raw values print: choices by their labels, departments by name."""
    out: dict[str, dict[str, str]] = {}
    for f in fields:
        if f.kind is FieldKind.CHOICE:
            out[f.code] = {str(v): str(label) for v, label in f.choices}
        elif f.kind is FieldKind.DEPARTMENT:
            out[f.code] = dict(departments)
    return out


def payment_info(p: Payment, staff_name: str) -> PaymentInfo:
    return PaymentInfo(
        receipt_number=p.receipt_number, kind_label=PaymentKind(p.kind).label, item=p.item, amount=p.amount,
        method_label=PaymentMethod(p.method).label, at=p.at, staff_name=staff_name,
        direction="out" if p.cash_effect < 0 else "in", note=p.note,
    )


class PrintService:
    def __init__(self, app: App, actor: Actor) -> None:
        self.app, self.actor = app, actor

    # --- what can be printed ------------------------------------------------------------------

    def forms_for(self, order_id: int) -> list[PrintableForm]:
        """The forms of this order so far: opening forms, those of the actions taken, the current step's,
        the rejection notice if refused, and one receipt per payment."""
        with self.app.reading() as s:
            order = self._order(s, order_id)
            flow = ALL_FLOWS[order.kind]
            codes: dict[str, None] = dict.fromkeys(flow.open_forms)
            for entry in order.steps:
                if entry.from_step and flow.has_step(entry.from_step):
                    step = flow.step(entry.from_step)
                    codes.update(dict.fromkeys(step.forms))
                    action = step.action(entry.action)
                    if action:
                        codes.update(dict.fromkeys(action.forms))
            if order.status == OrderStatus.OPEN:
                codes.update(dict.fromkeys(flow.step(order.step).forms))
            if order.status == OrderStatus.REJECTED:
                codes["rejection_notice"] = None
            codes.pop("receipt", None)
            printed = self._printed(order)
            forms = [PrintableForm(c, FORMS[c], None, (c, None) in printed) for c in codes]
            for p in s.scalars(select(Payment).where(Payment.order_id == order.id).order_by(Payment.id)):
                forms.append(PrintableForm("receipt", f"{FORMS['receipt']} {p.receipt_number}", p.id,
                                           ("receipt", p.id) in printed))
            return forms

    # --- rendering ----------------------------------------------------------------------------

    def render(self, order_id: int, form: str, *, payment_id: int | None = None) -> bytes:
        """One form of an order as PDF bytes; logged, and marked 副本 when printed before."""
        return self._render_many([(order_id, form, payment_id)])

    def render_all(self, order_id: int) -> bytes:
        return self._render_many([(order_id, f.code, f.payment_id) for f in self.forms_for(order_id)])

    def render_batch(self, jobs: Iterable[tuple[int, str, int | None]],
                     progress: Callable[[int, int], bool] | None = None) -> bytes:
        """Many forms into one PDF (e.g. today's ignition notices); progress may return False to cancel."""
        return self._render_many(list(jobs), progress)

    def _render_many(self, jobs: list[tuple[int, str, int | None]],
                     progress: Callable[[int, int], bool] | None = None) -> bytes:
        """Read the forms, lay the PDF out, then log the prints.

        The PDF is made outside any write transaction (the write lock is a whole SQLite file), and a
        print is logged only once its PDF exists. Should another counter print the same form in
        between, the 副本 marks are corrected and the PDF made again, under the lock."""
        from gasdesk.reports.fonts import register_cjk_font
        from gasdesk.reports.forms import render_forms

        self.actor.require(Permission.PRINT_FORMS)
        now = self.app.clock.now()
        prints: list[tuple[FormContext, int | None]] = []
        with self.app.reading() as s:
            values = settings_store.read_all(s)
            font = values.get("printing.font_path") or None
            register_cjk_font(font)  # FontNotFoundError says what to install
            for i, (order_id, form, payment_id) in enumerate(jobs):
                if progress is not None and progress(i, len(jobs)) is False:
                    raise Refused("已取消打印")
                prints.append(self._context(s, values, order_id, form, payment_id, now))
        if progress is not None:
            progress(len(jobs), len(jobs))
        pdf = render_forms([ctx for ctx, _ in prints], font_path=font)
        with self.app.unit_of_work() as s:
            # Every order of the batch is locked first, in id order, before any audit entry takes the
            # audit lock: the order OrderService takes them in, so two writers cannot deadlock.
            s.execute(select(ServiceOrder.id).where(ServiceOrder.id.in_({job[0] for job in jobs}))
                      .order_by(ServiceOrder.id).with_for_update())
            logged = [replace(ctx, copy=self._log_print(s, job[0], ctx.form, payment_id, now))
                      for job, (ctx, payment_id) in zip(jobs, prints, strict=True)]
            if any(after.copy != before.copy for after, (before, _) in zip(logged, prints, strict=True)):
                pdf = render_forms(logged, font_path=font)
        return pdf

    def _context(self, s: Session, values: dict[str, Any], order_id: int, form: str, payment_id: int | None,
                 now: datetime) -> tuple[FormContext, int | None]:
        """The form's context and the payment it is for (a receipt without one: the order's last)."""
        if form not in FORMS:
            raise NotFound(f"没有名为“{form}”的表单")
        order = self._order(s, order_id)
        flow = ALL_FLOWS[order.kind]
        if form not in flow.forms and form not in ANY_FLOW_FORMS:
            raise Refused(f"“{flow.label}”业务没有“{FORMS[form]}”")
        customer = s.get(Customer, order.customer_id)
        assert customer is not None
        account = s.get(Account, order.account_id) if order.account_id else None
        meter = None
        if account is not None:
            meter = s.scalar(select(Meter).where(Meter.account_id == account.id)
                             .order_by(Meter.status != "in_service", Meter.id.desc()).limit(1))
        staff = dict(s.execute(select(Staff.id, Staff.name)).all())
        departments = dict(s.execute(select(Department.code, Department.name)).all())
        payments = list(s.scalars(select(Payment).where(Payment.order_id == order.id).order_by(Payment.id)))
        payment = None
        if form == "receipt":
            chosen = [p for p in payments if payment_id is None or p.id == payment_id]
            if not chosen:
                raise Refused("该业务没有收费或退费记录")
            payment = payment_info(chosen[-1], staff.get(chosen[-1].staff_id, ""))
            payment_id = chosen[-1].id
        copy = (form, payment_id) in self._printed(order)
        known = all_fields(flow)
        text = {f.code: display(f, order.data.get(f.code), departments)
                for f in known if order.data.get(f.code) not in (None, "")}
        fields = [FieldValue(f.label, text[f.code]) for f in known if f.code in text]
        ctx = FormContext(
            form=form, form_title=FORMS[form], company=company_profile(values), order_number=order.number,
            flow_kind=flow.kind, flow_label=flow.label, order_status_label=OrderStatus(order.status).label,
            opened_at=order.opened_at, opened_by=staff.get(order.opened_by_id, ""),
            current_step_label=step_label_of(flow, order.step),
            customer=PartyInfo(
                number=customer.number, category_label=CustomerCategory(customer.category).label, name=customer.name,
                id_type_label=IdDocType(customer.id_type).label,
                # A form is the customer's own document, signed at the counter: numbers print in full.
                id_number=customer.id_number, contact_person=customer.contact_person, phone=customer.phone,
                address=customer.address, district_label=District(customer.district).label,
                gas_use_type_label=GasUseType(customer.gas_use_type).label,
                yearly_allowance=customer.yearly_allowance, household_size=customer.household_size,
            ),
            account=AccountInfo(account.number, AccountStatus(account.status).label, account.balance, account.address)
            if account else None,
            meter=MeterInfo(meter.number, meter.model, meter.rating, meter.last_reading) if meter else None,
            documents=[(d.label, d.code in (order.documents or [])) for d in flow.documents],
            data={**(order.data or {}), "rounds": order.rounds}, fields=fields, reason=order.reason, crew=order.crew,
            appointment_at=order.appointment_at,
            history=[StepRecord(e.at, step_label_of(flow, e.to_step), action_label_of(flow, e.from_step, e.action),
                                staff.get(e.actor_id, ""), e.note) for e in order.steps if e.action != "print"],
            payments=[payment_info(p, staff.get(p.staff_id, "")) for p in payments],
            payment=payment, texts=dict(values.get("texts") or {}), printed_at=now, printed_by=self.actor.name,
            copy=copy, commitment=flow.commitment,
            field_labels={f.code: f.label for f in known}, field_text=text,
            field_choices=field_choices(known, departments),
            blocks=FLOW_FORMS[form].blocks if form in FLOW_FORMS else (),
        )
        return ctx, payment_id

    def _order(self, s: Session, order_id: int) -> ServiceOrder:
        order = s.get(ServiceOrder, order_id, options=[selectinload(ServiceOrder.steps)])
        if order is None:
            raise NotFound("业务单不存在")
        return order

    @staticmethod
    def _printed(order: ServiceOrder) -> set[tuple[str | None, int | None]]:
        return {(e.data.get("form"), e.data.get("payment_id")) for e in order.steps if e.action == "print"}

    def _log_print(self, s: Session, order_id: int, form: str, payment_id: int | None, at: datetime) -> bool:
        """Write the print to the order's log; True when it is a reprint (副本).

        Reads only the order's step and its earlier prints, not its whole history."""
        # The caller holds the order's row lock (PostgreSQL; SQLite's BEGIN IMMEDIATE serialises
        # writers), so two counters printing it at once do not take the same step number.
        step = s.scalar(select(ServiceOrder.step).where(ServiceOrder.id == order_id))
        if step is None:
            raise NotFound("业务单不存在")
        seq = s.scalar(select(func.max(OrderStep.seq)).where(OrderStep.order_id == order_id)) or 0
        earlier = s.scalars(select(OrderStep.data).where(OrderStep.order_id == order_id, OrderStep.action == "print"))
        copy = any((d or {}).get("form") == form and (d or {}).get("payment_id") == payment_id for d in earlier)
        s.add(OrderStep(order_id=order_id, seq=seq + 1, from_step=step, to_step=step, action="print",
                        actor_id=self.actor.staff_id, at=at, note="副本" if copy else "",
                        data={"form": form, "payment_id": payment_id, "copy": copy}))
        audit.append(s, at=at, staff_id=self.actor.staff_id, entity="service_order", entity_id=order_id,
                     action="reprint" if copy else "print", changes={"form": [None, form]})
        return copy

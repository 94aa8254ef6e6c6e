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
from gasdesk.flows.definition import FieldDef, FieldKind, FlowDef, Personal
from gasdesk.flows.forms import ANY_FLOW_FORMS, FLOW_FORMS, FORMS, audience_of
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
from gasdesk.reports.forms.titles import contract_family, contract_for
from gasdesk.services import audit, bills, redaction
from gasdesk.services import settings as settings_store
from gasdesk.services.as_of import Point, Since, point_of
from gasdesk.services.context import Service, must_get, name_of
from gasdesk.services.errors import NotFound, Refused
from gasdesk.services.flow_context import FACTS_KEY, PARTY_FIELDS
from gasdesk.services.orders import action_label_of, awaiting_visit, step_label_of
from gasdesk.validation import mask_id
from gasdesk.vocab import (
    AccountStatus,
    Channel,
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
    # Made by the order's latest step (the one just done): what 打印全部 offers first.
    latest: bool = False
    # A form the customer signs, of a request taken by telephone whose customer has not come in yet.
    withheld: bool = False

    @property
    def label(self) -> str:
        if self.withheld:
            return self.title + " （来电受理，待客户到厅签字时打印）"
        return self.title + (" （已打印，重印为副本）" if self.printed_before else "")


def visit_forms(flow: FlowDef) -> set[str]:
    """Forms printed for a site visit: the customer signs them on site, where the crew meets them."""
    out: set[str] = set()
    for step in flow.steps:
        if step.visit:
            out.update(step.forms)
            for action in step.actions:
                out.update(action.forms)
    return out


def withheld(flow: FlowDef, order: ServiceOrder, form: str) -> bool:
    """Whether `form` waits for the customer: the request came by telephone, the customer has not come
    in yet (OrderService.customer_arrived), and the customer's side signs it at the counter. Receipts
    and the forms of site visits are signed where the money changes hands and the work is done."""
    if not awaiting_visit(order.channel, order.data or {}) or form == "receipt" or form in visit_forms(flow):
        return False
    from gasdesk.reports.forms.catalog import FORM_BLOCKS, party_signs  # reportlab: only when printing

    blocks = FLOW_FORMS[form].blocks if form in FLOW_FORMS else FORM_BLOCKS.get(form, ())
    return party_signs(blocks)


def company_profile(values: dict[str, Any]) -> CompanyProfile:
    return CompanyProfile(
        name=values["company.name"], hall_address=values["company.hall_address"],
        service_phone=values["company.service_phone"], emergency_phone=values["company.emergency_phone"],
        complaint_phone=values["company.complaint_phone"], hall_hours=values["hours.hall"],
        complaint_hours=values["hours.complaint"], service_line_hours=values["hours.service_line"],
        short_name=values["company.short_name"], seal_text=values["company.seal_text"],
    )


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


# Where a form's data tells the print log which step row it was built from.
STEP_SEQ = "_step_seq"


def _money(value: Any) -> Decimal:
    return Decimal(str(value)) if value not in (None, "") else Decimal("0")


def channel_text(order: ServiceOrder) -> str:
    """How the request came in, as forms print it: 来访, or 来电 with the caller's number."""
    how = Channel(order.channel)
    caller = str((order.data or {}).get("caller_phone") or "")
    return how.label + (f"（{caller}）" if caller else "")


def parties_of(facts: dict[str, Any]) -> tuple[PartyInfo, AccountInfo | None, MeterInfo | None]:
    """The customer, account and meter as a step kept them (flow_context.step_facts)."""
    c = facts["party"]
    party = PartyInfo(
        number=c["number"], category_label=CustomerCategory(c["category"]).label, name=c["name"],
        id_type_label=IdDocType(c["id_type"]).label,
        # In full here: the customer's own copies print it so; other paper masks it (Audience).
        id_number=c["id_number"], contact_person=c.get("contact_person") or "", phone=c.get("phone") or "",
        address=c["address"], district_label=District(c["district"]).label,
        gas_use_type_label=GasUseType(c["gas_use_type"]).label, yearly_allowance=_money(c.get("yearly_allowance")),
        household_size=int(c["household_size"]) if c.get("household_size") not in (None, "") else None,
        category=str(c["category"]),
    )
    a = facts.get("account")
    account = AccountInfo(a["number"], AccountStatus(a["status"]).label, _money(a["balance"]), a["address"]) if a else None
    m = facts.get("meter")
    meter = MeterInfo(m["number"], m["model"], m["rating"], _money(m["last_reading"])) if m else None
    return party, account, meter


def _log_rows(order: ServiceOrder) -> list[OrderStep]:
    """The order's steps without its prints, in order."""
    return sorted((e for e in order.steps if e.action != "print"), key=lambda e: e.seq)


def _prints_form(flow: FlowDef, row: OrderStep, codes: tuple[str, ...]) -> tuple[bool, bool]:
    """Whether the row made one of the forms, and whether as a new document (an action that prints
    it, or entering a step that does) rather than filling in the same one (booking a visit in the
    step, recording the values of the step as it is left)."""
    if row.action == "open":
        return (any(c in flow.open_forms for c in codes),) * 2
    by_action = False
    if row.from_step and flow.has_step(row.from_step):
        action = flow.step(row.from_step).action(row.action)
        by_action = action is not None and any(c in action.forms for c in codes)
    by_step = flow.has_step(row.to_step) and any(c in flow.step(row.to_step).forms for c in codes)
    # Leaving a step that prints it: the values recorded there fill in the same document.
    by_leaving = bool(row.from_step) and flow.has_step(str(row.from_step)) and any(
        c in flow.step(str(row.from_step)).forms for c in codes)
    return by_action or by_step or by_leaving, by_action or (by_step and row.from_step != row.to_step)


def form_row(flow: FlowDef, order: ServiceOrder, form: str, payment: Payment | None = None) -> OrderStep | None:
    """The log row of the step a form belongs to.

    A receipt: the step that took its payment. Another form: the latest step that printed it (the
    action that prints it, or entering the step that does); a reprint keeps the step its last print
    was built from unless a later action made the form anew (a second complaint referral). A form
    no step has printed yet: the order as it stands."""
    rows = _log_rows(order)
    if not rows:
        return None
    if payment is not None:
        for r in rows:
            if payment.receipt_number in {str(v) for v in (r.data or {}).values() if isinstance(v, str)}:
                return r
        earlier = [r for r in rows if r.at <= payment.at]
        return earlier[-1] if earlier else rows[-1]
    codes = contract_family(form)
    produced = [(r, new) for r in rows for made, new in [_prints_form(flow, r, codes)] if made]
    if not produced:
        return rows[-1]
    last = [int(e.data["step_seq"]) for e in sorted(order.steps, key=lambda e: e.seq)
            if e.action == "print" and e.data.get("form") in codes and e.data.get("step_seq") is not None]
    if last:
        newer = [r for r, new in produced if new and r.seq > last[-1]]
        if newer:
            return newer[-1]
        kept = [r for r in rows if r.seq == last[-1]]
        if kept:
            return kept[0]
    return produced[-1][0]


def form_step(flow: FlowDef, row: OrderStep, form: str) -> str:
    """The step a form printed from this row is about: the step entered when that step prints it,
    else the step whose action printed it (a visit's work sheet after the work, not 归档)."""
    codes = contract_family(form)
    if flow.has_step(row.to_step) and any(c in flow.step(row.to_step).forms for c in codes):
        return row.to_step
    return row.from_step or row.to_step


@dataclass(frozen=True)
class StepState:
    """The order as it stood at one log row: rows so far, recorded values, documents, reason, facts."""

    rows: list[OrderStep]
    data: dict[str, Any]
    documents: list[str]
    reason: str
    facts: dict[str, Any] | None
    rounds: int
    status_label: str


def step_state(order: ServiceOrder, row: OrderStep | None) -> StepState:
    if row is None:
        return StepState([], dict(order.data or {}), list(order.documents or []), order.reason, None, order.rounds,
                         OrderStatus(order.status).label)
    rows = [r for r in _log_rows(order) if r.seq <= row.seq]
    data: dict[str, Any] = {}
    documents: list[str] = []
    reason = ""
    facts: dict[str, Any] | None = None
    for r in rows:
        for key, val in (r.data or {}).items():
            if key == "documents":
                documents = list(val or [])
            elif key == "reason":
                reason = str(val or "") or reason
            elif key == FACTS_KEY:
                facts = val
            elif not key.startswith("_"):
                data[key] = val
    if facts is None:  # an order logged before steps kept their facts: today's records
        return StepState(rows, {**data, **{k: v for k, v in (order.data or {}).items() if k not in data
                                           and not k.startswith("_")}},
                         documents or list(order.documents or []), reason or order.reason, None, order.rounds,
                         OrderStatus(order.status).label)
    status = OrderStatus.OPEN
    flow = ALL_FLOWS[order.kind]
    if flow.has_step(row.to_step) and flow.step(row.to_step).terminal:
        status = OrderStatus(str(flow.step(row.to_step).terminal))
    return StepState(rows, data, documents, reason, facts, int(facts.get("rounds") or 0), status.label)


class PrintService(Service):
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
            codes = dict.fromkeys(self._for_party(s, flow, order, c) for c in codes)
            printed = self._printed(order)
            rows = _log_rows(order)
            last = rows[-1].seq if rows else None

            def latest(code: str, payment: Payment | None = None) -> bool:
                row = form_row(flow, order, code, payment)
                return row is not None and row.seq == last

            forms = [PrintableForm(c, FORMS[c], None, (c, None) in printed, latest(c), withheld(flow, order, c))
                     for c in codes]
            for p in s.scalars(select(Payment).where(Payment.order_id == order.id).order_by(Payment.id)):
                forms.append(PrintableForm("receipt", f"{FORMS['receipt']} {p.receipt_number}", p.id,
                                           ("receipt", p.id) in printed, latest("receipt", p)))
            return forms

    # --- rendering ----------------------------------------------------------------------------

    def render(self, order_id: int, form: str, *, payment_id: int | None = None) -> bytes:
        """One form of an order as PDF bytes; logged, and marked 副本 when printed before."""
        return self._render_many([(order_id, form, payment_id)])

    def render_all(self, order_id: int) -> bytes:
        """Every form of the order that may print now (not those waiting for the customer to come in)."""
        jobs = [(order_id, f.code, f.payment_id) for f in self.forms_for(order_id) if not f.withheld]
        if not jobs:
            raise Refused("该业务单目前没有可打印的单据（来电受理的业务，需客户签字的单据待客户到厅时打印）")
        return self._render_many(jobs)

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
            then: dict[int, OrderThen] = {}  # each order's history read once for all its forms
            for i, (order_id, form, payment_id) in enumerate(jobs):
                if progress is not None and progress(i, len(jobs)) is False:
                    raise Refused("已取消打印")
                prints.append(self._context(s, values, order_id, form, payment_id, now, then))
        if progress is not None:
            progress(len(jobs), len(jobs))
        pdf = render_forms([ctx for ctx, _ in prints], font_path=font)
        with self.app.unit_of_work() as s:
            # Every order of the batch is locked first, in id order, before any audit entry takes the
            # audit lock: the order OrderService takes them in, so two writers cannot deadlock.
            s.execute(select(ServiceOrder.id).where(ServiceOrder.id.in_({job[0] for job in jobs}))
                      .order_by(ServiceOrder.id).with_for_update())
            logged = [replace(ctx, copy=self._log_print(s, job[0], ctx.form, payment_id, now, ctx.data.get(STEP_SEQ),
                                                        title=_print_title(ctx)))
                      for job, (ctx, payment_id) in zip(jobs, prints, strict=True)]
            if any(after.copy != before.copy for after, (before, _) in zip(logged, prints, strict=True)):
                pdf = render_forms(logged, font_path=font)
        return pdf

    def _context(self, s: Session, values: dict[str, Any], order_id: int, form: str, payment_id: int | None,
                 now: datetime, read: dict[int, OrderThen] | None = None) -> tuple[FormContext, int | None]:
        """The form's context and the payment it is for (a receipt without one: the order's last).

        Every fact comes from the step the form belongs to (see `form_row`): its log row's values and
        the parties, account and meter the order service kept with it, the company profile and the
        contract texts as they were when the step was done (a receipt: when its payment was taken),
        and the staff named as they were then (services/as_of.py), so a reprint at any later date
        prints the same text. Orders logged before steps kept their facts print today's records."""
        if form not in FORMS:
            raise NotFound(f"没有名为“{form}”的表单")
        order = self._order(s, order_id)
        flow = ALL_FLOWS[order.kind]
        if not set(contract_family(form)) & set(flow.forms) and form not in ANY_FLOW_FORMS:
            raise Refused(f"“{flow.label}”业务没有“{FORMS[form]}”")
        staff = dict(s.execute(select(Staff.id, Staff.name)).all())
        departments = dict(s.execute(select(Department.code, Department.name)).all())
        payments = list(s.scalars(select(Payment).where(Payment.order_id == order.id).order_by(Payment.id)))
        then = read.get(order.id) if read is not None else None
        if then is None:
            then = OrderThen.read(s, order, payments)
            if read is not None:
                read[order.id] = then

        def named(staff_id: int | None, point: Point) -> str:
            return then.since.staff_name(staff, staff_id, point)

        payment = None
        chosen: Payment | None = None
        if form == "receipt":
            picked = [p for p in payments if payment_id is None or p.id == payment_id]
            if not picked:
                raise Refused("该业务没有收费或退费记录")
            chosen = picked[-1]
            payment = payment_info(chosen, named(chosen.staff_id, then.paid(chosen)))
            payment_id = chosen.id
        row = form_row(flow, order, form, chosen)
        # The profile and texts of the form's step; a receipt's, of its payment.
        point = then.paid(chosen) if chosen is not None else point_of(row.at, row.data) if row is not None \
            else Point(None, order.opened_at)
        printed = then.since.settings(values, point)
        step = step_state(order, row)
        facts = step.facts
        if facts is None:
            party, account, meter = self._live_parties(s, order)
        else:
            party, account, meter = parties_of(facts)
        form = contract_for(form, party.category)
        if withheld(flow, order, form):
            raise Refused(f"来电受理的业务，客户尚未到厅：“{FORMS[form]}”须客户签字，请在客户到厅（来访）"
                          "核对资料后打印")
        copy = (form, payment_id) in self._printed(order)
        known = list(flow.fields())
        recorded = step.data
        if not audience_of(form).full_id:
            # Paper for a field crew or another department: ID numbers masked, whoever prints it.
            party = replace(party, id_number=mask_id(party.id_number))
            recorded = redaction.redact(recorded, redaction.personal_fields(known),
                                        frozenset({Personal.ID_NUMBER}))
        text = {f.code: display(f, recorded.get(f.code), departments)
                for f in known if recorded.get(f.code) not in (None, "")}
        fields = [FieldValue(f.label, text[f.code]) for f in known if f.code in text]
        rows = step.rows
        opened = rows[0] if rows else None

        def actor_of(r: OrderStep | None) -> str:
            if r is None:
                return ""
            kept = (r.data or {}).get(FACTS_KEY) or {}
            return str(kept.get("actor") or named(r.actor_id, point_of(r.at, r.data)))

        appointment = step.data.get("appointment_at") if facts is not None else order.appointment_at
        if isinstance(appointment, str):
            appointment = datetime.fromisoformat(appointment)
        ctx = FormContext(
            form=form, form_title=FORMS[form], company=company_profile(printed), order_number=order.number,
            flow_kind=flow.kind, flow_label=flow.label, order_status_label=step.status_label,
            opened_at=order.opened_at,
            opened_by=actor_of(opened) if opened is not None else named(order.opened_by_id, Point(None, order.opened_at)),
            current_step_label=step_label_of(flow, form_step(flow, row, form) if row else order.step),
            customer=party, account=account, meter=meter,
            documents=[(d.label, d.code in step.documents) for d in flow.documents],
            data={**recorded, "rounds": step.rounds, STEP_SEQ: row.seq if row else None}, fields=fields,
            reason=step.reason, crew=str(step.data.get("crew") or "") if facts is not None else order.crew,
            appointment_at=appointment,
            history=[StepRecord(e.at, step_label_of(flow, e.to_step), action_label_of(flow, e.from_step, e.action),
                                actor_of(e), e.note) for e in rows],
            payments=[payment_info(p, named(p.staff_id, then.paid(p))) for p in payments
                      if row is None or p.at <= row.at or p is chosen],
            payment=payment, texts=dict(printed.get("texts") or {}), printed_at=now, printed_by=name_of(s, self.actor),
            copy=copy, commitment=flow.commitment,
            field_labels={f.code: f.label for f in known}, field_text=text,
            field_choices=field_choices(known, departments),
            blocks=FLOW_FORMS[form].blocks if form in FLOW_FORMS else (),
            step_at=row.at if row is not None else None, step_by=actor_of(row),
            channel_text=channel_text(order),
        )
        return ctx, payment_id

    def _for_party(self, s: Session, flow: FlowDef, order: ServiceOrder, form: str) -> str:
        """The form as the party of its step signs it (the contract of the customer's category)."""
        if len(contract_family(form)) == 1:
            return form
        facts = step_state(order, form_row(flow, order, form)).facts
        party = parties_of(facts)[0] if facts is not None else self._live_parties(s, order)[0]
        return contract_for(form, party.category)

    def _live_parties(self, s: Session, order: ServiceOrder) -> tuple[PartyInfo, AccountInfo | None, MeterInfo | None]:
        """Today's records: for orders logged before their steps kept the facts."""
        customer = s.get(Customer, order.customer_id)
        assert customer is not None
        account = s.get(Account, order.account_id) if order.account_id else None
        meter = None
        if account is not None:
            meter = s.scalar(select(Meter).where(Meter.account_id == account.id)
                             .order_by(Meter.status != "in_service", Meter.id.desc()).limit(1))
        facts = {
            "party": {f: getattr(customer, f) for f in PARTY_FIELDS},
            "account": {"number": account.number, "status": account.status, "balance": account.balance,
                        "address": account.address} if account else None,
            "meter": {"number": meter.number, "model": meter.model, "rating": meter.rating,
                      "last_reading": meter.last_reading} if meter else None,
        }
        return parties_of(facts)

    def _order(self, s: Session, order_id: int) -> ServiceOrder:
        order = must_get(s, ServiceOrder, order_id, "业务单不存在", options=[selectinload(ServiceOrder.steps)])
        return order

    @staticmethod
    def _printed(order: ServiceOrder) -> set[tuple[str | None, int | None]]:
        return {(e.data.get("form"), e.data.get("payment_id")) for e in order.steps if e.action == "print"}

    def _log_print(self, s: Session, order_id: int, form: str, payment_id: int | None, at: datetime,
                   step_seq: int | None = None, title: str = "") -> bool:
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
                        data={"form": form, "payment_id": payment_id, "copy": copy, "step_seq": step_seq,
                              "title": title or FORMS.get(form, form)}))
        audit.append(s, at=at, staff_id=self.actor.staff_id, entity="service_order", entity_id=order_id,
                     action="reprint" if copy else "print", changes={"form": [None, form]})
        return copy


@dataclass(frozen=True)
class OrderThen:
    """What an order's forms need to name things as they were: where each of its payments stands in the
    audit chain, and the audited changes of the printed settings and of its staff since it opened,
    read in two queries for all its forms (services/as_of.py)."""

    since: Since
    places: dict[int, int]

    @classmethod
    def read(cls, s: Session, order: ServiceOrder, payments: list[Payment]) -> OrderThen:
        places = bills.written_places(s, [p.id for p in payments])
        rows = _log_rows(order)
        points = [point_of(r.at, r.data) for r in rows] or [Point(None, order.opened_at)]
        points += [Point(places.get(p.id), p.at) for p in payments]
        staff_ids = {r.actor_id for r in rows} | {p.staff_id for p in payments} | {order.opened_by_id}
        return cls(Since(s, points, staff_ids), places)

    def paid(self, payment: Payment) -> Point:
        return Point(self.places.get(payment.id), payment.at)


def _print_title(ctx: FormContext) -> str:
    """How the order's history names a print: the form's title, a receipt with its number."""
    if ctx.payment is not None:
        return f"{ctx.form_title} {ctx.payment.receipt_number}"
    return ctx.form_title


# Text the forms' fonts print without looking: ASCII, common Chinese (U+4E00..U+9FA5), CJK and
# full-width punctuation. Anything else is looked up in the fonts themselves.
def _surely_printable(ch: str) -> bool:
    n = ord(ch)
    return n < 0x7F or 0x4E00 <= n <= 0x9FA5 or 0x3000 <= n <= 0x303F or 0xFF01 <= n <= 0xFF5E


def unprintable_warning(text: str, font_path: str | None = None) -> str:
    """A warning for the clerk when `text` (a name, an address) holds characters that no print font
    has, which would print as blanks on every form; '' when all of it prints."""
    if all(_surely_printable(ch) for ch in text):
        return ""
    from gasdesk.reports.fonts import FontNotFoundError, unprintable

    try:
        missing = unprintable(text, font_path)
    except FontNotFoundError:
        return ""  # printing itself says what to install
    if not missing:
        return ""
    shown = "、".join(f"“{ch}”（U+{ord(ch):04X}）" for ch in missing[:5])
    return f"注意：{shown}无法打印，单据上将显示为空白。请核对是否输入有误，或改用通用字并在备注中说明。"

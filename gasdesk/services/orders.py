"""Service orders: open one, take an action on it, pause its clocks, read it back.

This is where the pure engine's Transition meets the database: one unit of work per call, with
guards, effects, the step log, the deadlines and the audit trail written together or not at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from gasdesk.flows import engine as flow_engine
from gasdesk.flows.definition import (
    AccountLock,
    ActionDef,
    FieldDef,
    FieldKind,
    FlowDef,
    Personal,
    StepDef,
    rules,
)
from gasdesk.flows.forms import FORMS
from gasdesk.flows.registry import ALL_FLOWS, EFFECTS, GUARDS, PREVIEWS
from gasdesk.flows.rules import Settlement
from gasdesk.models import Account, Customer, Deadline, Department, OrderStep, ServiceOrder, Staff
from gasdesk.permissions import Permission
from gasdesk.services import audit, deadlines, hazard_gate, numbering, redaction
from gasdesk.services.as_of import PLACE_KEY
from gasdesk.services.context import Actor, App, Service, must_get
from gasdesk.services.errors import Conflict, NotFound, Refused, refusing
from gasdesk.services.flow_context import OrderContext, run_rules
from gasdesk.validation import ValidationError, check_phone, check_required, clean_text
from gasdesk.vocab import AccountStatus, Channel, DeadlineScope, DeadlineStatus, OrderStatus, PauseKind


@dataclass(frozen=True)
class DeadlineView:
    id: int
    scope: DeadlineScope
    step: str | None
    step_label: str
    amount: int
    unit: str
    started_at: datetime
    due_at: datetime
    status: DeadlineStatus
    paused_at: datetime | None
    pause_reason: str
    remaining: int | None
    finished_at: datetime | None


@dataclass(frozen=True)
class StepLogView:
    seq: int
    at: datetime
    from_step: str | None
    from_label: str
    to_step: str
    to_label: str
    action: str
    action_label: str
    actor_name: str
    note: str
    data: dict[str, Any]


@dataclass(frozen=True)
class OrderView:
    id: int
    number: str
    kind: str
    kind_label: str
    status: OrderStatus
    step: str
    step_label: str
    customer_id: int
    customer_name: str
    customer_number: str
    account_id: int | None
    account_number: str | None
    opened_at: datetime
    opened_by: str
    closed_at: datetime | None
    documents: list[str]
    data: dict[str, Any]
    reason: str
    crew: str
    appointment_at: datetime | None
    rounds: int
    department_id: int | None
    on_hold: bool
    version: int
    deadlines: list[DeadlineView] = field(default_factory=list)
    history: list[StepLogView] = field(default_factory=list)
    actions: list[ActionDef] = field(default_factory=list)
    # How the request came in (vocab.Channel) and, by telephone, the caller's number.
    channel: Channel = Channel.COUNTER
    caller_phone: str = ""

    @property
    def flow(self) -> FlowDef:
        return ALL_FLOWS[self.kind]

    @property
    def awaiting_visit(self) -> bool:
        """Taken by telephone and the customer has not yet come in: documents unchecked, nothing signed."""
        return awaiting_visit(self.channel, self.data)

    @property
    def channel_text(self) -> str:
        return self.channel.label + (f"（{self.caller_phone}）" if self.caller_phone else "")

    def open_deadline(self, scope: DeadlineScope) -> DeadlineView | None:
        for d in self.deadlines:
            if d.scope == scope and d.status in deadlines.OPEN:
                return d
        return None


# Where an order keeps when the customer of a telephone request came in (OrderService.customer_arrived).
VISITED_KEY = "_visited_at"
# The kind of the hand pause running now (vocab.PauseKind), beside its reason in "_on_hold".
HOLD_KIND_KEY = "_hold_kind"
AWAITING_VISIT = "来电受理，等待客户到厅核对资料、签字"


def awaiting_visit(channel: str, data: Mapping[str, Any]) -> bool:
    return channel == Channel.PHONE and not data.get(VISITED_KEY)


def step_label_of(flow: FlowDef, step: str | None) -> str:
    return flow.step_label(step)


def action_label_of(flow: FlowDef, step: str | None, action: str, data: Mapping[str, Any] | None = None) -> str:
    if action == "print":  # each print names its form (a receipt its number)
        data = data or {}
        title = data.get("title") or FORMS.get(str(data.get("form")), "")
        return f"打印：{title}" if title else "打印表单"
    special = {"open": "受理登记", "cancel": flow_engine.CANCEL.label, "pause_clock": "暂停计时（客户原因）",
               "correct": "更正登记内容",
               "resume_clock": "恢复计时", "documents": "更新资料清单", "visit": "客户到厅（来访），核对资料"}
    if action in special:
        return special[action]
    if step and flow.has_step(step):
        a = flow.step(step).action(action)
        if a:
            return a.label
    return action


def _shown_data(flow: FlowDef, actor: Actor | None) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """How the order's recorded values reach this actor: ID numbers (a transfer's new owner, a corrected
    number, the parties kept for the forms, a correction's old and new value) masked unless the role
    may see them in full. Phones stay: whoever works the order calls the customer (a visit, a
    follow-up call), as the worklists show them."""
    if actor is not None and actor.can(Permission.VIEW_FULL_ID):
        return lambda data: data
    fields = redaction.personal_fields(redaction.flow_fields(flow))
    return lambda data: redaction.redact(data, fields, frozenset({Personal.ID_NUMBER}))


def order_view(session: Session, order: ServiceOrder, actor: Actor | None = None) -> OrderView:
    flow = ALL_FLOWS[order.kind]
    customer = session.get(Customer, order.customer_id)
    account = session.get(Account, order.account_id) if order.account_id else None
    names = dict(session.execute(select(Staff.id, Staff.name).where(
        Staff.id.in_({s.actor_id for s in order.steps} | {order.opened_by_id}))).all())
    shown = _shown_data(flow, actor)
    history = [
        StepLogView(seq=s.seq, at=s.at, from_step=s.from_step, from_label=step_label_of(flow, s.from_step),
                    to_step=s.to_step, to_label=step_label_of(flow, s.to_step), action=s.action,
                    action_label=action_label_of(flow, s.from_step, s.action, s.data), actor_name=names.get(s.actor_id, ""),
                    note=s.note, data=shown(dict(s.data or {})))
        for s in order.steps
    ]
    dl = [
        DeadlineView(id=d.id, scope=DeadlineScope(d.scope), step=d.step,
                     step_label=step_label_of(flow, d.step) if d.step else "全程", amount=d.amount, unit=d.unit,
                     started_at=d.started_at, due_at=d.due_at, status=DeadlineStatus(d.status), paused_at=d.paused_at,
                     pause_reason=d.pause_reason, remaining=d.remaining, finished_at=d.finished_at)
        for d in order.deadlines
    ]
    actions = flow_engine.allowed_actions(flow, order.step, actor.role) if actor else []
    return OrderView(
        id=order.id, number=order.number, kind=order.kind, kind_label=flow.label, status=OrderStatus(order.status),
        step=order.step, step_label=step_label_of(flow, order.step), customer_id=order.customer_id,
        customer_name=customer.name if customer else "", customer_number=customer.number if customer else "",
        account_id=order.account_id, account_number=account.number if account else None,
        opened_at=order.opened_at, opened_by=names.get(order.opened_by_id, ""), closed_at=order.closed_at,
        documents=list(order.documents or []), data=shown(dict(order.data or {})), reason=order.reason, crew=order.crew,
        appointment_at=order.appointment_at, rounds=order.rounds, department_id=order.department_id,
        on_hold=bool((order.data or {}).get("_on_hold")), version=order.version, deadlines=dl,
        history=history, actions=actions, channel=Channel(order.channel),
        caller_phone=str((order.data or {}).get("caller_phone") or ""),
    )


class OrderService(Service):
    def __init__(self, app: App, actor: Actor) -> None:
        super().__init__(app, actor)
        self._departments: dict[str, int] | None = None

    # --- reading ------------------------------------------------------------------------------

    def get(self, order_id: int) -> OrderView:
        with self.app.reading() as s:
            order = s.get(ServiceOrder, order_id, options=[selectinload(ServiceOrder.steps),
                                                           selectinload(ServiceOrder.deadlines)])
            if order is None:
                raise NotFound("业务单不存在")
            return order_view(s, order, self.actor)

    def by_number(self, number: str) -> OrderView:
        with self.app.reading() as s:
            order_id = s.scalar(select(ServiceOrder.id).where(ServiceOrder.number == number.strip().upper()))
        if order_id is None:
            raise NotFound(f"业务单 {number} 不存在")
        return self.get(order_id)

    # --- opening ------------------------------------------------------------------------------

    def open(self, kind: str, customer_id: int, *, account_id: int | None = None,
             documents: Iterable[str] = (), data: Mapping[str, Any] | None = None, note: str = "",
             channel: str = Channel.COUNTER, caller_phone: str = "") -> OrderView:
        """Open an order at its first step. `channel` is how the request came in: 来访 at the counter, or
        来电 (flows with FlowDef.phone_intake) with the caller's number; a call's documents are checked,
        and its forms signed, when the customer comes in (customer_arrived), and until then a flow that
        asks for documents waits on the customer, its clocks paused."""
        self.actor.require(Permission.OPEN_ORDER)
        flow = ALL_FLOWS.get(kind)
        if flow is None:
            raise NotFound(f"没有“{kind}”这种业务")
        how, caller = _intake(flow, channel, caller_phone, documents)
        payload = dict(data or {})
        from_customer = [f for f in flow.open_fields if f.customer_value and not str(payload.get(f.code) or "").strip()]
        if from_customer:  # left empty: the customer's own (e.g. 联系电话), which a clerk may see only masked
            with self.app.reading() as s:
                known = s.get(Customer, customer_id)
                for f in from_customer:
                    payload[f.code] = str(getattr(known, str(f.customer_value), "") or "") if known else ""
        try:
            values = flow_engine.read_fields(flow.open_fields, payload)
        except flow_engine.ActionRefused as exc:
            raise Refused(exc.message, field=exc.field) from exc
        if caller:
            values["caller_phone"] = caller
        docs = self._check_documents(flow, documents)
        now = self.app.clock.now()
        calendar = self.app.calendar()
        with self.app.unit_of_work() as s:
            customer = must_get(s, Customer, customer_id, "客户不存在")
            if customer.status != "active":
                raise Refused("该客户已注销，不能办理新业务")
            if flow.categories and customer.category not in flow.categories:
                raise Refused(f"“{flow.label}”只适用于{'、'.join(_category_labels(flow))}客户")
            account = self._account_for(s, flow, customer, account_id)
            self._refuse_duplicate(s, flow, customer, account)
            first = flow.step(flow.initial)
            order = ServiceOrder(
                number=numbering.order_number(s, flow.number_prefix, now.date()), kind=flow.kind,
                customer_id=customer.id, account_id=account.id if account else None, step=first.code,
                status=OrderStatus.OPEN, step_entered_at=now, opened_by_id=self.actor.staff_id, opened_at=now,
                channel=how, documents=docs, data=values, reason="", crew="", rounds=0,
                summary=clean_text(note),
            )
            s.add(order)
            s.flush()
            if account is not None and flow.kind not in hazard_gate.exempt_kinds():
                # An open 一级 safety hazard: new business needs a manager's confirmation, used here.
                hazard_gate.require(s, account_id=account.id, purpose=hazard_gate.NEW_BUSINESS,
                                    staff_id=self.actor.staff_id, at=now, ref=order.number)
            ctx = OrderContext(session=s, app=self.app, actor=self.actor, now=now, flow=flow, order=order,
                               customer=customer, account=account, values=values, step_code=first.code)
            run_rules(flow.open_effects, EFFECTS, ctx)
            s.add(OrderStep(order=order, seq=1, from_step=None, to_step=first.code, action="open",
                            actor_id=self.actor.staff_id, at=now, note=clean_text(note),
                            data={"documents": docs, **values, PLACE_KEY: audit.place(s)}))
            if first.limit:
                deadlines.start(s, order, scope=DeadlineScope.STEP, step=first, limit=first.limit, at=now,
                                calendar=calendar, department_id=self._department_id(s, order, first))
            if flow.total_limit:
                total = deadlines.start(s, order, scope=DeadlineScope.ORDER, step=None, limit=flow.total_limit,
                                        at=now, calendar=calendar, department_id=None)
                if first.customer_wait or not first.counted:
                    s.flush()
                    deadlines.pause(s, total, now, f"等待客户：{first.label}", calendar)
            if how == Channel.PHONE and any(d.required for d in flow.documents):
                s.flush()
                self._hold(s, order, PauseKind.CUSTOMER, AWAITING_VISIT, now, calendar)
            s.flush()
            audit.append(s, at=now, staff_id=self.actor.staff_id, entity="service_order", entity_id=order.id,
                         action="open", changes=audit.snapshot(order, ["number", "kind", "customer_id",
                                                                       "account_id", "step", "documents"]))
            s.flush()
            return order_view(s, order, self.actor)

    def _check_documents(self, flow: FlowDef, documents: Iterable[str]) -> list[str]:
        known = {d.code for d in flow.documents}
        docs = list(dict.fromkeys(documents))
        unknown = [d for d in docs if d not in known]
        if unknown:
            raise Refused(f"未知的资料项：{'、'.join(unknown)}")
        return docs

    def _account_for(self, s: Session, flow: FlowDef, customer: Customer, account_id: int | None) -> Account | None:
        if flow.account_statuses is None:
            return None
        if account_id is None:
            account_id = s.scalar(select(Account.id).where(
                Account.customer_id == customer.id, Account.status.in_(flow.account_statuses)).order_by(Account.id))
            if account_id is None:
                wanted = "、".join(AccountStatus(st).label for st in flow.account_statuses)
                raise Refused(f"该客户没有{wanted}的燃气账户，不能办理“{flow.label}”")
        account = s.get(Account, account_id)
        if account is None or account.customer_id != customer.id:
            raise NotFound("该客户没有这个燃气账户")
        if account.status not in flow.account_statuses:
            raise Refused(f"账户当前为“{AccountStatus(account.status).label}”，不能办理“{flow.label}”")
        return account

    def _refuse_duplicate(self, s: Session, flow: FlowDef, customer: Customer, account: Account | None) -> None:
        """One open order per clash of the account (FlowDef.account_lock). Two counters open at once on
        PostgreSQL: the customer's row is locked first, so the second waits and then sees the first."""
        if flow.account_lock is AccountLock.NONE:
            return
        s.refresh(customer, with_for_update=True)
        clash = s.scalar(select(ServiceOrder.number).where(
            ServiceOrder.customer_id == customer.id, ServiceOrder.status == OrderStatus.OPEN,
            ServiceOrder.kind.in_(_exclusive_kinds(flow)),
        ).limit(1))
        if clash:
            raise Refused(f"该客户已有办理中的业务 {clash}，请先办结或撤销")

    # --- acting -------------------------------------------------------------------------------

    def perform(self, order_id: int, action: str, payload: Mapping[str, Any] | None = None, *,
                reason: str = "", note: str = "", expected_version: int | None = None,
                expected_due: Decimal | None = None) -> OrderView:
        """Take one action of the current step; everything it changes is written together or not at all.

        `expected_due` is the amount the screen showed (Settlement.due of preview()): when the money the
        action moves is different now (a reading came in meanwhile), nothing is written."""
        now = self.app.clock.now()
        calendar = self.app.calendar()
        with self.app.unit_of_work() as s:
            order = self._lock(s, order_id, expected_version)
            flow = ALL_FLOWS[order.kind]
            try:
                transition = flow_engine.plan(flow, order.step, action, self.actor.role, payload, reason)
            except flow_engine.ActionRefused as exc:
                raise Refused(exc.message, field=exc.field) from exc
            customer = s.get(Customer, order.customer_id)
            assert customer is not None
            account = s.get(Account, order.account_id, with_for_update=True) if order.account_id else None
            ctx = OrderContext(session=s, app=self.app, actor=self.actor, now=now, flow=flow, order=order,
                               customer=customer, account=account, values=dict(transition.values),
                               step_code=order.step, action=transition.action)
            run_rules(transition.action.guards, GUARDS, ctx)
            settled_before = len(order.data.get("settlements") or [])
            run_rules(transition.action.effects, EFFECTS, ctx)
            if expected_due is not None:
                moved = (order.data.get("settlements") or [])[settled_before:]
                due = sum((Decimal(str(m["due"])) for m in moved), Decimal("0.00"))
                if due != expected_due:
                    raise Refused(f"应收/应退金额已变为 {_due_text(due)}，与所示不符，请重新核对后办理")
            if transition.target.terminal in (OrderStatus.REJECTED, OrderStatus.CANCELLED):
                run_rules(flow.abandon_effects, EFFECTS, ctx)
            before = {"step": order.step, "status": order.status}
            order.data = {**order.data, **ctx.values}
            if transition.reason:
                order.reason = transition.reason
            self._log(s, order, transition.source.code, transition.target.code, action, now, note,
                      {**ctx.values, **({"reason": transition.reason} if transition.reason else {})})
            if not transition.stays:
                self._move(s, order, flow, transition.target, now, calendar, transition.clocks)
            s.flush()
            audit.append(s, at=now, staff_id=self.actor.staff_id, entity="service_order", entity_id=order.id,
                         action=action, changes={k: [before[k], getattr(order, k)] for k in before
                                                 if before[k] != getattr(order, k)}
                         | ({"reason": [None, transition.reason]} if transition.reason else {}))
            s.flush()
            return order_view(s, order, self.actor)

    def check(self, order_id: int, action: str, payload: Mapping[str, Any] | None = None,
              *, reason: str = "") -> list[str]:
        """Why the action would be refused now (empty when it would pass its checks); writes nothing.

        Lets a window explain a greyed-out button before the clerk presses it.
        """
        now = self.app.clock.now()
        with self.app.reading() as session:
            order = session.get(ServiceOrder, order_id)
            if order is None:
                return ["业务单不存在"]
            flow = ALL_FLOWS[order.kind]
            try:
                transition = flow_engine.plan(flow, order.step, action, self.actor.role, payload, reason)
            except flow_engine.ActionRefused as exc:
                return [exc.message]
            customer = session.get(Customer, order.customer_id)
            assert customer is not None
            account = session.get(Account, order.account_id) if order.account_id else None
            ctx = OrderContext(session=session, app=self.app, actor=self.actor, now=now, flow=flow, order=order,
                               customer=customer, account=account, values=dict(transition.values),
                               step_code=order.step, action=transition.action)
            problems = []
            for rule in rules(transition.action.guards):  # guards only read
                try:
                    GUARDS[rule.name](ctx, **rule.kwargs)
                except Refused as exc:
                    problems.append(exc.message)
            return problems

    def preview(self, order_id: int, action: str, payload: Mapping[str, Any] | None = None) -> Settlement | None:
        """The money the action would move now: balance before, the reading's volume and tier lines, the
        fee, the refund or charge. Writes nothing; None when the action moves no money. The same rules
        compute it that perform() runs, so what the screen shows is what perform() pays."""
        now = self.app.clock.now()
        with self.app.reading() as session:
            order = must_get(session, ServiceOrder, order_id, "业务单不存在")
            flow = ALL_FLOWS[order.kind]
            step = flow.step(order.step)
            action_def = next((a for a in flow_engine.actions_for(flow, step) if a.code == action), None)
            if action_def is None:
                return None
            wanted = [r for r in rules(action_def.effects) if r.name in PREVIEWS]
            if not wanted:
                return None
            # Priced with what is typed so far: a field not yet filled is left out (no reading yet: no gas
            # billed yet), a field filled wrongly is refused as perform() would refuse it.
            given = {k: v for k, v in (payload or {}).items() if v not in (None, "")}
            try:
                values = flow_engine.read_fields(tuple(f for f in action_def.fields if f.code in given), given)
            except flow_engine.ActionRefused as exc:
                raise Refused(exc.message, field=exc.field) from exc
            customer = session.get(Customer, order.customer_id)
            assert customer is not None
            account = session.get(Account, order.account_id) if order.account_id else None
            ctx = OrderContext(session=session, app=self.app, actor=self.actor, now=now, flow=flow, order=order,
                               customer=customer, account=account, values=values, step_code=order.step,
                               action=action_def)
            plan = Settlement(balance_before=account.balance if account is not None else Decimal("0.00"))
            with session.no_autoflush:
                for rule in wanted:
                    PREVIEWS[rule.name](ctx, plan, **rule.kwargs)
            return plan

    def correct_field(self, order_id: int, code: str, value: Any, reason: str, *,
                      expected_version: int | None = None) -> OrderView:
        """Correct a value recorded earlier on an open order, before a later step uses it: checked as when
        it was typed (its kind and its action's guards), kept in the history (who, when, old -> new, why)
        and audited. Money and readings are never corrected (they moved money: reverse instead)."""
        self.actor.require(Permission.OPEN_ORDER)
        with refusing():
            reason = check_required(reason, "更正原因", field="reason")
        now = self.app.clock.now()
        with self.app.unit_of_work() as s:
            order = self._lock(s, order_id, expected_version)
            if order.status != OrderStatus.OPEN:
                raise Refused("业务已办结，不能更正")
            flow = ALL_FLOWS[order.kind]
            found = _recorded_field(flow, code)
            if found is None or code not in (order.data or {}):
                raise Refused("该业务单没有可更正的这一项")
            fdef, action_def = found
            if fdef.kind in (FieldKind.MONEY, FieldKind.READING):
                raise Refused(f"{fdef.label}已用于计费或收费，不能更正；如有错误请冲正后重新办理", field=code)
            if code in (order.data.get("_used_fields") or []):
                raise Refused(f"{fdef.label}已在后续环节使用，不能再更正", field=code)
            try:
                new = flow_engine.read_fields((fdef,), {code: value})[code] if value not in (None, "") else None
            except flow_engine.ActionRefused as exc:
                raise Refused(exc.message, field=code) from exc
            if new is None and fdef.required:
                raise Refused(f"请填写{fdef.label}", field=code)
            old = order.data.get(code)
            if old == new:
                raise Refused("新值与原值相同，无需更正", field=code)
            if action_def is not None:
                recorded = {f.code: order.data.get(f.code) for f in action_def.fields}
                customer = s.get(Customer, order.customer_id)
                assert customer is not None
                account = s.get(Account, order.account_id) if order.account_id else None
                ctx = OrderContext(session=s, app=self.app, actor=self.actor, now=now, flow=flow, order=order,
                                   customer=customer, account=account, values={**recorded, code: new},
                                   step_code=order.step, action=action_def)
                run_rules(action_def.guards, GUARDS, ctx)
            order.data = {**order.data, code: new}
            self._log(s, order, order.step, order.step, "correct", now, reason,
                      {"field": code, "old": old, "new": new})
            audit.append(s, at=now, staff_id=self.actor.staff_id, entity="service_order", entity_id=order.id,
                         action="correct_field", changes={code: [old, new], "reason": [None, reason]})
            s.flush()
            return order_view(s, order, self.actor)

    def set_documents(self, order_id: int, documents: Iterable[str], *, expected_version: int | None = None) -> OrderView:
        """The clerk ticks the documents the customer brought (again, after a 资料不符)."""
        self.actor.require(Permission.OPEN_ORDER)
        now = self.app.clock.now()
        with self.app.unit_of_work() as s:
            order = self._lock(s, order_id, expected_version)
            if order.status != OrderStatus.OPEN:
                raise Refused("业务已办结，不能修改资料清单")
            if awaiting_visit(order.channel, order.data or {}):
                raise Refused("来电受理的业务：请在客户到厅时用“客户到厅”核对原件并勾选资料")
            docs = self._check_documents(ALL_FLOWS[order.kind], documents)
            old = list(order.documents or [])
            order.documents = docs
            self._log(s, order, order.step, order.step, "documents", now, "", {"documents": docs})
            audit.append(s, at=now, staff_id=self.actor.staff_id, entity="service_order", entity_id=order.id,
                         action="documents", changes={"documents": [old, docs]})
            s.flush()
            return order_view(s, order, self.actor)

    def customer_arrived(self, order_id: int, documents: Iterable[str], *,
                         expected_version: int | None = None) -> OrderView:
        """The customer of a telephone request comes in (来访): the clerk checks the originals and ticks
        the documents brought, the clocks paused while the order waited for them run again, and from now
        on the forms the customer signs print."""
        self.actor.require(Permission.OPEN_ORDER)
        now = self.app.clock.now()
        calendar = self.app.calendar()
        with self.app.unit_of_work() as s:
            order = self._lock(s, order_id, expected_version)
            if order.status != OrderStatus.OPEN:
                raise Refused("业务已办结")
            if not awaiting_visit(order.channel, order.data or {}):
                raise Refused("该业务单不是来电受理，或客户已到厅办理过")
            docs = self._check_documents(ALL_FLOWS[order.kind], documents)
            old = list(order.documents or [])
            order.documents = docs
            if order.data.get("_on_hold") == AWAITING_VISIT:
                self._release(s, order, now, calendar)
            order.data = {**order.data, VISITED_KEY: now.isoformat(timespec="minutes")}
            self._log(s, order, order.step, order.step, "visit", now, "", {"documents": docs})
            audit.append(s, at=now, staff_id=self.actor.staff_id, entity="service_order", entity_id=order.id,
                         action="visit", changes={"documents": [old, docs]})
            s.flush()
            return order_view(s, order, self.actor)

    def pause_clock(self, order_id: int, reason: str, kind: str = PauseKind.CUSTOMER) -> OrderView:
        """Stop every running clock of the order for a delay the commitment does not count: the
        customer's, or (flows whose FlowDef.pause_kinds allow it) an approval such as a road-excavation
        permit. The reason is kept starting with the kind's label (vocab.PauseKind.of_reason)."""
        self.actor.require(Permission.PAUSE_CLOCK)
        with refusing():
            reason = check_required(reason, "暂停原因", field="reason")
        if len(reason) > 200:
            raise Refused("暂停原因过长（最多200字）", field="reason")
        now = self.app.clock.now()
        calendar = self.app.calendar()
        with self.app.unit_of_work() as s:
            order = self._lock(s, order_id, None)
            flow = ALL_FLOWS[order.kind]
            if kind not in flow.pause_kinds:
                raise Refused(f"“{flow.label}”不能按“{_pause_label(kind)}”暂停计时", field="kind")
            if order.status != OrderStatus.OPEN:
                raise Refused("业务已办结")
            if order.data.get("_on_hold"):
                raise Refused("计时已暂停")
            self._hold(s, order, PauseKind(kind), reason, now, calendar)
            self._log(s, order, order.step, order.step, "pause_clock", now, reason, {"kind": str(kind)})
            audit.append(s, at=now, staff_id=self.actor.staff_id, entity="service_order", entity_id=order.id,
                         action="pause_clock", changes={"reason": [None, reason], "kind": [None, str(kind)]})
            s.flush()
            return order_view(s, order, self.actor)

    def resume_clock(self, order_id: int) -> OrderView:
        self.actor.require(Permission.PAUSE_CLOCK)
        now = self.app.clock.now()
        calendar = self.app.calendar()
        with self.app.unit_of_work() as s:
            order = self._lock(s, order_id, None)
            if not order.data.get("_on_hold"):
                raise Refused("计时未暂停")
            self._release(s, order, now, calendar)
            self._log(s, order, order.step, order.step, "resume_clock", now, "", {})
            audit.append(s, at=now, staff_id=self.actor.staff_id, entity="service_order", entity_id=order.id,
                         action="resume_clock")
            s.flush()
            return order_view(s, order, self.actor)

    # --- internals ----------------------------------------------------------------------------

    def _hold(self, s: Session, order: ServiceOrder, kind: PauseKind, reason: str, now: datetime,
              calendar: Any) -> None:
        """Pause every open clock of the order by hand, for `reason` of `kind`."""
        for d in deadlines.open_deadlines(order):
            deadlines.pause(s, d, now, f"{kind.label}：{reason}", calendar)
        order.data = {**order.data, "_on_hold": reason, HOLD_KIND_KEY: str(kind)}

    def _release(self, s: Session, order: ServiceOrder, now: datetime, calendar: Any) -> None:
        """End the hand pause: the clocks run again, except the order clock in a step it does not count."""
        step = ALL_FLOWS[order.kind].step(order.step)
        for d in deadlines.open_deadlines(order):
            if d.scope == DeadlineScope.ORDER and (step.customer_wait or not step.counted):
                continue
            deadlines.resume(s, d, now, calendar)
        order.data = {k: v for k, v in order.data.items() if k not in ("_on_hold", HOLD_KIND_KEY)}

    def _lock(self, s: Session, order_id: int, expected_version: int | None) -> ServiceOrder:
        order = s.scalar(
            select(ServiceOrder).where(ServiceOrder.id == order_id).with_for_update()
            .options(selectinload(ServiceOrder.steps), selectinload(ServiceOrder.deadlines)
                     .selectinload(Deadline.pauses))
        )
        if order is None:
            raise NotFound("业务单不存在")
        if expected_version is not None and order.version != expected_version:
            raise Conflict("该业务单已被其他人办理，请刷新后查看当前环节")
        return order

    def _log(self, s: Session, order: ServiceOrder, source: str | None, target: str, action: str, at: datetime,
             note: str, data: dict[str, Any]) -> None:
        seq = (max((st.seq for st in order.steps), default=0)) + 1
        s.add(OrderStep(order=order, seq=seq, from_step=source, to_step=target, action=action,
                        actor_id=self.actor.staff_id, at=at, note=clean_text(note),
                        data=audit.render({**data, PLACE_KEY: audit.place(s)})))

    def _move(self, s: Session, order: ServiceOrder, flow: FlowDef, target: StepDef, now: datetime,
              calendar: Any, clocks: flow_engine.ClockPlan) -> None:
        on_hold = bool(order.data.get("_on_hold"))
        for d in deadlines.open_deadlines(order, DeadlineScope.STEP):
            deadlines.finish(d, now, cancelled=target.terminal == "cancelled")
        order.step = target.code
        order.step_entered_at = now
        if target.terminal:
            order.status = target.terminal
            order.closed_at = now
            order.data = {k: v for k, v in order.data.items() if k not in ("_on_hold", HOLD_KIND_KEY)}
        if clocks.start_step is not None:
            new = deadlines.start(s, order, scope=DeadlineScope.STEP, step=target, limit=clocks.start_step, at=now,
                                  calendar=calendar, department_id=self._department_id(s, order, target))
            if on_hold:
                s.flush()
                kind = PauseKind(order.data.get(HOLD_KIND_KEY) or PauseKind.CUSTOMER)
                deadlines.pause(s, new, now, f"{kind.label}：{order.data['_on_hold']}", calendar)
        for d in deadlines.open_deadlines(order, DeadlineScope.ORDER):
            if clocks.order_clock == "close":
                deadlines.finish(d, now, cancelled=target.terminal == "cancelled")
            elif clocks.order_clock == "pause":
                deadlines.pause(s, d, now, clocks.pause_reason, calendar)
            elif clocks.order_clock == "run" and not on_hold:
                deadlines.resume(s, d, now, calendar)

    def _department_id(self, s: Session, order: ServiceOrder, step: StepDef) -> int | None:
        if not step.department:
            return order.department_id
        if self._departments is None:
            self._departments = dict(s.execute(select(Department.code, Department.id)).all())
        return self._departments.get(step.department)


def _pause_label(kind: str) -> str:
    try:
        return PauseKind(kind).label
    except ValueError:
        return str(kind)[:20]


def _intake(flow: FlowDef, channel: str, caller_phone: str, documents: Iterable[str]) -> tuple[Channel, str]:
    """How a request came in, checked: a call only for flows that take calls, with the caller's number
    (validated) and without documents (their originals are checked when the customer comes in)."""
    try:
        how = Channel(channel)
    except ValueError:
        raise Refused("受理方式不正确", field="channel") from None
    caller = str(caller_phone or "").strip()
    if how is Channel.ONLINE:
        raise Refused("暂不支持网上受理", field="channel")
    if how is Channel.COUNTER or how.internal:
        if caller:
            raise Refused("来访受理不填写来电号码", field="caller_phone")
        return how, ""
    if not flow.phone_intake:
        raise Refused(f"“{flow.label}”须由客户到营业厅办理，不能电话受理", field="channel")
    if not caller:
        raise Refused("请填写来电号码", field="caller_phone")
    try:
        caller = check_phone(caller, field="caller_phone")
    except ValidationError as exc:
        raise Refused(f"来电号码：{exc.message}", field="caller_phone") from exc
    if list(documents):
        raise Refused("来电受理时不核对资料：请在客户到厅时核对原件后勾选", field="documents")
    return how, caller


def _due_text(due: Decimal) -> str:
    if due > 0:
        return f"应收 {due} 元"
    if due < 0:
        return f"应退 {-due} 元"
    return "无需收退费"


def correctable_fields(view: OrderView) -> list[FieldDef]:
    """The recorded values of an open order that a clerk may still correct (OrderService.correct_field)."""
    if view.status is not OrderStatus.OPEN:
        return []
    used = set(view.data.get("_used_fields") or [])
    seen: dict[str, FieldDef] = {}
    for code in view.data:
        found = _recorded_field(view.flow, code)
        if found is None or code in used or found[0].kind in (FieldKind.MONEY, FieldKind.READING, FieldKind.BOOL):
            continue
        seen.setdefault(code, found[0])
    return list(seen.values())


def _recorded_field(flow: FlowDef, code: str) -> tuple[FieldDef, ActionDef | None] | None:
    """The field definition that records `code`, with the action that records it (None: at opening)."""
    for f in flow.open_fields:
        if f.code == code:
            return f, None
    for step in flow.steps:
        for action in step.actions:
            for f in action.fields:
                if f.code == code:
                    return f, action
    return None


def _category_labels(flow: FlowDef) -> list[str]:
    from gasdesk.vocab import CustomerCategory

    return [CustomerCategory(c).label for c in flow.categories]


def _exclusive_kinds(flow: FlowDef) -> set[str]:
    """The flows whose open orders keep one of `flow` from opening (FlowDef.account_lock): a flow that
    ends the account clashes with everything that changes or ends it; one that changes it with itself
    and the ending ones; the others only with themselves."""
    locks = {kind: f.account_lock for kind, f in ALL_FLOWS.items()}
    ending = {k for k, lock in locks.items() if lock is AccountLock.ENDS}
    if flow.account_lock is AccountLock.ENDS:
        return {k for k, lock in locks.items() if lock in (AccountLock.CHANGES, AccountLock.ENDS)}
    if flow.account_lock is AccountLock.CHANGES:
        return {flow.kind} | ending
    return {flow.kind}

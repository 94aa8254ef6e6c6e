"""The vocabulary of a flow definition: steps, actions, fields, time limits. Data only.

A flow is a small graph. The order waits in a step; an action moves it to a next step (or keeps it
where it is, for things like booking a visit). Decisions of the company's charts (是/否) are
actions with different targets. Names of guards, effects and forms are resolved by the layers that
can act on them (services, reports); this module only names them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from gasdesk.vocab import PauseKind, Role, SiteWork, TimeUnit


class FieldKind(StrEnum):
    TEXT = "text"
    LONG_TEXT = "long_text"
    INT = "int"
    MONEY = "money"
    READING = "reading"
    DATE = "date"
    DATETIME = "datetime"
    CHOICE = "choice"
    BOOL = "bool"
    MOBILE = "mobile"
    PHONE = "phone"
    ID_NUMBER = "id_number"
    # A department code; the service checks it exists.
    DEPARTMENT = "department"


class Personal(StrEnum):
    """Personal data a field holds, shown masked to a role without the right to see it in full and on
    forms that are not the customer's own copy."""

    ID_NUMBER = "id_number"
    PHONE = "phone"


@dataclass(frozen=True)
class FieldDef:
    """A value the actor records with an action (and that forms and effects read back)."""

    code: str
    label: str
    kind: FieldKind = FieldKind.TEXT
    required: bool = True
    choices: tuple[tuple[str, str], ...] = ()
    # Name of a setting holding the default (e.g. a fee from the fee schedule).
    default_setting: str | None = None
    help: str = ""
    # A choice suggested by what another field of the same form says: the choice whose number appears
    # in that field's text (表型号 "JBD2.5膜式燃气表" suggests 规格 G2.5).
    default_from: str | None = None
    # The customer's own value that fills the field when the order is opened (e.g. "phone").
    customer_value: str | None = None
    # Personal data the value is, when its kind does not say so (an ID number of any document type
    # is typed as text and checked by a guard that knows the type).
    personal: Personal | None = None

    @property
    def personal_data(self) -> Personal | None:
        """What personal data the value is: declared, or by its kind (ID numbers, phones)."""
        if self.personal is not None:
            return self.personal
        if self.kind is FieldKind.ID_NUMBER:
            return Personal.ID_NUMBER
        if self.kind in (FieldKind.PHONE, FieldKind.MOBILE):
            return Personal.PHONE
        return None


@dataclass(frozen=True)
class TimeLimit:
    amount: int
    unit: TimeUnit = TimeUnit.WORKING_DAYS
    # When set, the office's settings may override the amount (e.g. complaint round days).
    setting: str | None = None

    @property
    def label(self) -> str:
        return f"{self.amount}{self.unit.label}"


@dataclass(frozen=True)
class Rule:
    """A named guard or effect with its parameters, e.g. Effect("charge_fee", item="封堵费").

    The flow's own package implements the name (or flows/rules.py for the shared ones); the
    service runs it with `rule.kwargs` inside the order's unit of work.
    """

    name: str
    params: tuple[tuple[str, Any], ...] = ()

    @property
    def kwargs(self) -> dict[str, Any]:
        return dict(self.params)


def Effect(name: str, **params: Any) -> Rule:  # noqa: N802 - reads as a declaration in the definitions
    return Rule(name, tuple(sorted(params.items())))


Guard = Effect


def rules(items: tuple[Rule | str, ...]) -> tuple[Rule, ...]:
    return tuple(item if isinstance(item, Rule) else Rule(item) for item in items)


def names(items: tuple[Rule | str, ...]) -> tuple[str, ...]:
    return tuple(r.name for r in rules(items))


class AccountLock(StrEnum):
    """Which other open orders of the same account an order of this flow excludes."""

    # Never clashes (a complaint or an enquiry can be taken any time).
    NONE = "none"
    # Only a second open order of the same flow.
    OWN_KIND = "own_kind"
    # Changes the account or its meter: the same flow and every flow that ends the account.
    CHANGES = "changes"
    # Ends the account (transfer, closure): every flow that changes or ends it.
    ENDS = "ends"


@dataclass(frozen=True)
class ActionDef:
    code: str
    label: str
    target: str
    roles: frozenset[Role]
    fields: tuple[FieldDef, ...] = ()
    # Named domain checks that must pass before anything is written (str or Guard(name, **params)).
    guards: tuple[Rule | str, ...] = ()
    # Named master-data changes applied in the same transaction as the step log (a name alone is
    # a rule without parameters; every entry is a Rule once the definition is made).
    effects: tuple[Rule | str, ...] = ()
    # A reason the customer is told (rejections, conditions not met, re-work).
    needs_reason: bool = False
    # Forms printed when this action completes.
    forms: tuple[str, ...] = ()
    # Draw as a 是/否 decision on the chart (the step's question is StepDef.question).
    decision: str | None = None
    # The counter's first suggestion only when the order's opening values match, e.g.
    # (("complaint_type", "enquiry"),); without it any action may be suggested.
    suggested_when: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "guards", rules(self.guards))
        object.__setattr__(self, "effects", rules(self.effects))

    def has_effect(self, name: str) -> bool:
        return name in names(self.effects)

    def has_guard(self, name: str) -> bool:
        return name in names(self.guards)

    def suggested_for(self, data: dict[str, Any]) -> bool:
        return all(str(data.get(code)) == value for code, value in self.suggested_when)


@dataclass(frozen=True)
class StepDef:
    code: str
    label: str
    department: str | None = None
    limit: TimeLimit | None = None
    actions: tuple[ActionDef, ...] = ()
    # The order waits on the customer here: every clock of the order pauses.
    customer_wait: bool = False
    # Time spent here is outside the commitment (design, construction...): the order clock pauses.
    counted: bool = True
    # A site visit: the dispatch queue lists it, with crew and appointment.
    visit: bool = False
    # Chart question drawn as a diamond when actions here are decisions.
    question: str | None = None
    # Forms that belong to this step (printed on entering it, reprintable while here).
    forms: tuple[str, ...] = ()
    note: str = ""
    terminal: str | None = None
    # The site work done at this visit (plugging, removal...), for ledgers that list such work.
    work: SiteWork | None = None
    # How ledgers name an open order waiting here (e.g. 待回访); the repeat wording applies once the
    # order's rounds counter is above one (e.g. 不满意，再次处理中).
    ledger_state: str = ""
    ledger_state_repeat: str = ""

    def action(self, code: str) -> ActionDef | None:
        for a in self.actions:
            if a.code == code:
                return a
        return None


@dataclass(frozen=True)
class DocumentDef:
    code: str
    label: str
    required: bool = True


@dataclass(frozen=True)
class FlowDef:
    kind: str
    label: str
    number_prefix: str
    steps: tuple[StepDef, ...]
    # The step an order starts in (default: the first one).
    initial: str = ""
    documents: tuple[DocumentDef, ...] = ()
    # Whole-order commitment, counted only while the order sits in `counted` steps.
    total_limit: TimeLimit | None = None
    # Which customers may use the flow ('residential' / 'non_residential'); empty means any.
    categories: tuple[str, ...] = ()
    # Account statuses the flow starts from; None means the flow needs no account.
    account_statuses: tuple[str, ...] | None = None
    # Effects applied when the order is opened (its first step is the application itself).
    open_effects: tuple[Rule | str, ...] = ()
    # Fields recorded when the order is opened (e.g. the complaint text).
    open_fields: tuple[FieldDef, ...] = ()
    # Forms printed when the order is opened (every order's acceptance slip, 业务受理单, by default).
    open_forms: tuple[str, ...] = ("acceptance",)
    # Effects applied when the order ends refused or cancelled (undo what opening prepared).
    abandon_effects: tuple[Rule | str, ...] = ()
    commitment: str = ""
    description: str = ""
    # Which other open orders of the account this one excludes (see AccountLock).
    account_lock: AccountLock = AccountLock.OWN_KIND
    # What the order's `rounds` counter counts, as ledgers head it ("" = the flow has no rounds).
    rounds_label: str = ""
    # The short name ledgers use beside another flow's (e.g. 销户 beside 暂停用气).
    short_label: str = ""
    # Meter readings this flow's visits take: (source code, label), e.g. ("closure", "销户止数").
    reading_sources: tuple[tuple[str, str], ...] = ()
    # Shared ledgers (by name) that list this flow's orders.
    ledgers: tuple[str, ...] = ()
    # Ledgers of this flow's orders alone, built from its fields (see OrderLedger).
    own_ledgers: tuple[OrderLedger, ...] = ()
    # One of the ten flows of the process document's charts (False: a further commitment service).
    chart: bool = True
    # The published rate its finished orders make (e.g. 表具校验、更换合格率, 100 % promised): an order
    # archived with no re-work (`rounds` 0, rounds_label 返工次数) passed first time.
    pass_rate: str = ""
    # A request of this flow may be taken by telephone (the seed: 也可电话咨询报装; 客户来电、来访申请开通
    # 点火及拆、迁、移、改). Its documents are then checked, and its forms signed, when the customer comes in.
    phone_intake: bool = False
    # The kinds of hand pause (vocab.PauseKind codes) its clocks allow: the customer's, and for the
    # installation approvals such as road-excavation permits, which the commitment does not count.
    pause_kinds: tuple[str, ...] = (PauseKind.CUSTOMER,)

    def __post_init__(self) -> None:
        object.__setattr__(self, "open_effects", rules(self.open_effects))
        object.__setattr__(self, "abandon_effects", rules(self.abandon_effects))
        if not self.short_label:
            object.__setattr__(self, "short_label", self.label)
        if not self.initial:
            object.__setattr__(self, "initial", self.steps[0].code)

    def steps_doing(self, work: SiteWork) -> tuple[StepDef, ...]:
        return tuple(s for s in self.steps if s.work is work)

    def actions(self) -> tuple[ActionDef, ...]:
        return tuple(a for s in self.steps for a in s.actions)

    def step(self, code: str) -> StepDef:
        for s in self.steps:
            if s.code == code:
                return s
        raise KeyError(f"{self.kind}: no step {code!r}")

    def has_step(self, code: str) -> bool:
        return any(s.code == code for s in self.steps)

    def fields(self) -> tuple[FieldDef, ...]:
        """Every field the flow can record, in the order the customer meets them (the first of a code)."""
        seen: dict[str, FieldDef] = {f.code: f for f in self.open_fields}
        for action in self.actions():
            for f in action.fields:
                seen.setdefault(f.code, f)
        return tuple(seen.values())

    def field(self, code: str) -> FieldDef | None:
        return next((f for f in self.fields() if f.code == code), None)

    def step_label(self, code: str | None) -> str:
        """The Chinese name of a step; an unknown code (from an older definition) as it is."""
        if code is None:
            return ""
        return self.step(code).label if self.has_step(code) else code

    @property
    def forms(self) -> tuple[str, ...]:
        """Every form the flow can print, in the order the customer meets them."""
        seen: dict[str, None] = dict.fromkeys(self.open_forms)
        for s in self.steps:
            seen.update(dict.fromkeys(s.forms))
            for a in s.actions:
                seen.update(dict.fromkeys(a.forms))
        return tuple(seen)


@dataclass(frozen=True)
class OrderLedger:
    """A ledger (台账) of one flow's own orders, built from its definition: each order with its customer,
    then the values named in `fields` (headed by their labels), then its step, state, end and clerk.
    A ledger that needs more than the recorded values is a module of gasdesk/services/ledgers/."""

    name: str
    title: str
    # The recorded values shown, by field code (FieldDef.code of the flow's open fields or actions).
    fields: tuple[str, ...]
    description: str = ""
    # The first row when the period has no orders.
    empty: str = "本期无记录"



# Terminal steps shared by every flow: the order status they stand for.
TERMINALS = {
    "archived": ("归档", "archived"),
    "rejected": ("不予受理（已告知原因）", "rejected"),
    "cancelled": ("已撤销", "cancelled"),
}


def terminal_steps() -> tuple[StepDef, ...]:
    return tuple(StepDef(code=c, label=lbl, terminal=status) for c, (lbl, status) in TERMINALS.items())


ANYONE_AT_COUNTER = frozenset({Role.CLERK, Role.MANAGER, Role.ADMIN})


@dataclass(frozen=True)
class Roles:
    """Role sets used by the definitions; managers and administrators may act at every step."""

    clerk: frozenset[Role] = field(default=ANYONE_AT_COUNTER)
    account_manager: frozenset[Role] = frozenset({Role.ACCOUNT_MANAGER, Role.MANAGER, Role.ADMIN})
    dispatcher: frozenset[Role] = frozenset({Role.DISPATCHER, Role.MANAGER, Role.ADMIN})
    handler: frozenset[Role] = frozenset({Role.HANDLER, Role.MANAGER, Role.ADMIN})
    business: frozenset[Role] = frozenset({Role.ACCOUNT_MANAGER, Role.CLERK, Role.MANAGER, Role.ADMIN})


ROLES = Roles()

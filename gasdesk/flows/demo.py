"""How `gasdesk demo` walks one flow's orders into every state: the plan each flow package gives.

gasdesk/demo.py plans a period of counter history as *stories* (one order each), then replays every
move through the services. All it knows of a flow comes from the flow's `DemoPlan`: the routes an
order takes (each a sequence of action codes), how many orders of each route a hall of 3000
customers sees, which steps keep open orders waiting, what the story needs of its customer, how
long each move takes after the one before, the reasons told to a customer, and three functions
that make the values the clerk would type (`open_data`, `payload`, `after`).

The functions receive a `Driver`: the demo hall, duck-typed, which makes people, phones, meters and
readings and knows the clock and settings. A flow never imports the services or gasdesk.demo.

Moves that are not actions start with '@' and are the hall's own (open the order, pause or resume
its clock, hand in the missing documents, pay, carry arrears over).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

from gasdesk.flows.definition import ActionDef
from gasdesk.flows.shapes import ASSIGN, refuse
from gasdesk.vocab import AccountStatus, Channel, PaymentMethod

# The shapes' action codes the hall treats alike in every flow.
REFUSE = refuse().code
BOOK = ASSIGN.code
REBOOK = "rebook"
NOT_MET = "conditions_not_met"
BOOKINGS = frozenset({BOOK, REBOOK})

# What a story needs of its customer (DemoPlan.needs): 'any' customer; 'active' / 'held' (active or
# suspended) account, optionally followed by '_home' (residential) or '_business' (non-residential).
ANY = "any"
HELD = (AccountStatus.ACTIVE, AccountStatus.SUSPENDED)

# Hours between a move of a shared shape and the one before it (a flow's own gaps come first).
SHARED_GAPS: dict[str, tuple[float, float]] = {
    "documents_ok": (0.05, 0.3), REFUSE: (0.05, 0.5),
    "documents_mismatch": (0.05, 0.3), BOOK: (1, 20), REBOOK: (24, 200),
}
# Hours before the counter takes the application in the flow's first step (the customer is there).
COUNTER_GAP = (0.05, 0.4)
# Reasons told to the customer at a shared shape's move.
SHARED_REASONS: dict[str, tuple[str, ...]] = {
    NOT_MET: ("上门时家中无人，电话联系不上，请客户另约时间",
              "灶具尚未安装，不具备点火条件，客户安装后再约",
              "燃气热水器烟道未伸出室外，存在安全隐患，整改后再约",
              "灶具连接软管超过2米且穿墙，需更换为金属波纹管后再约",
              "厨房正在装修，燃气管道被封入吊顶，需整改后再约"),
}


@dataclass
class DemoCustomer:
    """What the hall remembers of a customer between moves (the database stays the truth)."""

    id: int
    category: str
    name: str
    phone: str
    rate: float  # m3 a day, for meter readings
    account_id: int | None = None
    account_status: str | None = None
    balance: Decimal = Decimal("0.00")
    busy: str = ""  # kind of its open order that locks the account ('' if none)
    closed: bool = False
    household: int = 3
    business: str = ""  # restaurant, hotel, school, clinic, factory
    # The day its meter last took a final reading at the counter (one a day per meter).
    read_on: date | None = None


@dataclass
class DemoStory:
    """One order from its opening to where the demo leaves it."""

    seq: int
    kind: str
    route: str
    moves: list[str]  # '@open' first
    times: list[datetime]
    steps: list[str]  # the step before each move, and last the step after all of them
    need: str = ""
    new: str = ""  # a customer category: the customer arrives with this order
    customer: DemoCustomer | None = None
    order_id: int | None = None
    dead: bool = False
    memo: dict[str, Any] = field(default_factory=dict)


class OrderFacts(Protocol):
    """The order as a service call returned it."""

    @property
    def status(self) -> str: ...
    @property
    def account_id(self) -> int | None: ...
    @property
    def data(self) -> Mapping[str, Any]: ...


class Driver(Protocol):
    """The demo hall as a flow's plan sees it."""

    @property
    def rng(self) -> random.Random: ...
    @property
    def settings(self) -> Mapping[str, Any]: ...
    @property
    def crews(self) -> Sequence[str]: ...  # the crews of the distribution centre
    @property
    def designers(self) -> Sequence[str]: ...

    def now(self) -> datetime: ...
    def person(self) -> tuple[str, bool, date]: ...  # name, male?, birth date
    def mobile(self) -> str: ...
    def resident_id(self, male: bool, birth: date) -> str: ...
    def shop_name(self, customer: DemoCustomer) -> str: ...  # a small business the customer opens
    def meter_rating(self, customer: DemoCustomer) -> str: ...
    def new_meter(self, customer: DemoCustomer, rating: str | None) -> dict[str, Any]: ...
    def final_reading(self, customer: DemoCustomer) -> Decimal: ...
    def method(self) -> str: ...  # how a customer pays
    def serial(self, series: str) -> int: ...  # the next number of a series (contracts...)
    def successor(self, customer: DemoCustomer, customer_id: int, name: str, phone: str) -> DemoCustomer: ...


@dataclass(frozen=True)
class Opening:
    """What the clerk records when opening the order."""

    data: dict[str, Any] = field(default_factory=dict)
    note: str = ""
    channel: str = Channel.COUNTER
    # The caller's number of a request taken by telephone (channel 'phone').
    caller_phone: str = ""
    # Documents the customer did not bring (beyond those a refusal's reason names).
    missing: tuple[str, ...] = ()


Payload = tuple[dict[str, Any], str]  # an action's values and the clerk's note


def no_opening(_drv: Driver, _story: DemoStory, _customer: DemoCustomer) -> Opening:
    return Opening()


def no_payload(_drv: Driver, _story: DemoStory, _i: int, _move: str, _customer: DemoCustomer) -> Payload:
    return {}, ""


def nothing_after(_drv: Driver, _story: DemoStory, _move: str, _view: OrderFacts, _customer: DemoCustomer) -> None:
    return None


@dataclass(frozen=True)
class DemoPlan:
    # Route name -> the moves after opening; the first route is the ordinary one.
    routes: Mapping[str, tuple[str, ...]]
    # Finished orders per 3000 customers by route ('@cancel': cancelled ones) of a later service.
    volume: Mapping[str, int] = field(default_factory=dict)
    # The category of the customers who arrive with this flow's order ('' : existing customers).
    newcomers: str = ""
    # Outcomes of a newcomer's order (shares; the rest takes the first route).
    first_mix: Mapping[str, float] = field(default_factory=dict)
    # Open orders left waiting per step, per 3000 customers (default 3, at least 1 each).
    stalls: Mapping[str, int] = field(default_factory=dict)
    # What the story needs of its customer (see ANY), and per route where that differs.
    needs: str = ANY
    route_needs: Mapping[str, str] = field(default_factory=dict)
    # Hours between a move and the one before it.
    gaps: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    # Reasons for refusing at the counter, each with the document left out (None: all were there).
    refusals: tuple[tuple[str, str | None], ...] = ()
    # Reasons told to the customer at other moves that need one.
    reasons: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # The account manager makes every move the role may make (the business group of an installation).
    account_manager: bool = False
    # The order settles the account: its customer has arrears or a prepayment more often than not.
    settles: bool = False
    # The order reads the meter at the counter: one such order a day per customer.
    reads_at_counter: bool = False
    # The account's status once the order is archived ('' : unchanged; 'closed' ends the customer).
    account_after: str = ""
    open_data: Callable[[Driver, DemoStory, DemoCustomer], Opening] = no_opening
    payload: Callable[[Driver, DemoStory, int, str, DemoCustomer], Payload] = no_payload
    after: Callable[[Driver, DemoStory, str, OrderFacts, DemoCustomer], None] = nothing_after

    def gap(self, move: str, first_at_counter: bool = False) -> tuple[float, float]:
        """Hours before `move`; the counter's taking of the application (`first_at_counter`) is quick."""
        return (self.gaps.get(move) or SHARED_GAPS.get(move)
                or (COUNTER_GAP if first_at_counter else (0.1, 2.0)))

    def reason(self, rng: random.Random, move: str) -> str:
        pool = self.reasons.get(move) or SHARED_REASONS.get(move)
        return rng.choice(pool) if pool else "客户原因"


def move_values(plan: DemoPlan, drv: Driver, story: DemoStory, i: int, action: ActionDef,
                customer: DemoCustomer) -> Payload:
    """What the staff member records with a move: a booking's crew and time, the values every flow
    records alike, then the flow's own."""
    if action.code in BOOKINGS:
        return booking(drv, story, i, action.code)
    values = common_values(drv, customer, action)
    own, note = plan.payload(drv, story, i, action.code, customer)
    return {**values, **own}, note


def booking(drv: Driver, story: DemoStory, i: int, move: str) -> Payload:
    """Book a site visit (or re-book it at the customer's call) for the time the crew then comes."""
    if move == BOOK:
        return ({"crew": drv.rng.choice(drv.crews), "appointment_at": story.memo[f"appointment{i}"]},
                "已电话联系客户确认上门时间")
    payload: dict[str, Any] = {}
    if story.memo.get(f"appointment{i}"):
        payload["appointment_at"] = story.memo[f"appointment{i}"]
    return payload, "客户来电重新预约"


def common_values(drv: Driver, customer: DemoCustomer, action: ActionDef) -> dict[str, Any]:
    """Values every flow records alike, by field: a final reading, a fee from the fee schedule and
    how it is paid, how the account is settled. The flow's own payload comes on top."""
    values: dict[str, Any] = {}
    for f in action.fields:
        if f.code == "final_reading":
            values[f.code] = drv.final_reading(customer)
        elif f.code == "fee" and f.default_setting:
            values[f.code] = drv.settings[f.default_setting]
        elif f.code == "fee_method":
            values[f.code] = drv.method()
        elif f.code == "settle_method":
            # Arrears are paid in cash or by phone; a prepayment comes back in cash or to a bank account.
            values[f.code] = drv.rng.choice((PaymentMethod.CASH, PaymentMethod.MOBILE) if customer.balance < 0
                                            else (PaymentMethod.CASH, PaymentMethod.TRANSFER))
    return values

"""Demo data: a busy service hall of 贵州燃气集团安顺市燃气有限责任公司 in Anshun.

`build_demo` fills an empty database with staff of every role, a few thousand customers and about
four months of counter history: new customers' openings and installations, every other flow in
every state (archived, rejected, cancelled, and open orders waiting in every step of every flow,
some overdue, some due today, some with paused clocks), complaints with several rounds, deposits,
arrears, refunds and fees.

How it works: the customers the hall served before the period are imported in bulk (customer,
account and meter checked as the services check them, each inserted with its audit entry
'demo_import'; balances carried over as 'demo_opening_balance' entries). The period is then
planned as timed *stories* (one order each: a new customer's arrival with the first order, or a
later service on an existing customer), and every move of every story is replayed in time order
with the application's FixedClock set to that move's time. Each move is one ordinary service call by
the staff member who would make it, so every order, payment and visit is validated, numbered,
audited and clock-checked exactly as at the counter.

What the demo knows of a flow comes from the flow's package (`gasdesk/flows/<kind>/demo.py`, a
`DemoPlan`): this module iterates the registry and names no flow and no step.

Besides the import, the one write that bypasses the services is `post_opening_balance`: the demo
does not simulate a billing cycle, so arrears carried over from before the period are put on some
new accounts as documented opening balances (one unit of work that lowers the balance and appends
an audit entry 'demo_opening_balance'). Every balance therefore reconciles as: the payments'
balance effects, minus the bills (site visits that take a final reading may bill the gas used),
plus these entries.
"""

from __future__ import annotations

import random
import time as timer
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_UP, Decimal
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gasdesk import sla
from gasdesk.clock import FixedClock
from gasdesk.demo_bank import build_bank_demo
from gasdesk.flows.definition import AccountLock, ActionDef, StepDef
from gasdesk.flows.demo import (
    ANY,
    BOOK,
    BOOKINGS,
    HELD,
    REFUSE,
    DemoCustomer,
    DemoPlan,
    DemoStory,
    move_values,
)
from gasdesk.flows.engine import CANCEL
from gasdesk.flows.registry import ALL_FLOWS, BUNDLES
from gasdesk.models import Account, Customer, Department, Meter, Payment, ServiceOrder, Staff
from gasdesk.services import audit, hazard_gate, numbering
from gasdesk.services import settings as settings_store
from gasdesk.services.context import Actor, App
from gasdesk.services.customers import CUSTOMER_FIELDS, CustomerInput, CustomerService, initials
from gasdesk.services.errors import Refused, ServiceError
from gasdesk.services.inspection import PLAN_PREFIX as INSPECTION_PLAN_PREFIX
from gasdesk.services.inspection import InspectionService, PlanSpec
from gasdesk.services.orders import OrderService
from gasdesk.services.payments import PaymentService
from gasdesk.services.settings import SettingsService
from gasdesk.services.staff import StaffService, actor_of, create_first_admin
from gasdesk.services.worklists import WorklistService
from gasdesk.validation import make_credit_code, make_resident_id
from gasdesk.vocab import (
    AccountStatus,
    CustomerCategory,
    CustomerStatus,
    District,
    MeterStatus,
    OrderStatus,
    PaymentMethod,
    Role,
)

SIMULATED_DAYS = 120
STAFF_PASSWORD = "demo1234"
DEFAULT_ADMIN_PASSWORD = "admin123"
OPENING_BALANCE_ACTION = "demo_opening_balance"
# Customers, accounts and meters the hall served before the period, migrated in bulk.
IMPORT_ACTION = "demo_import"
IMPORT_CHUNK = 1000
# New customers arriving during the period, as a share of the hall's customers, by category.
NEWCOMERS: dict[str, float] = {CustomerCategory.RESIDENTIAL: 0.03, CustomerCategory.NON_RESIDENTIAL: 0.012}
# Share of the customers served before the period who come to prepay during it.
PAYERS = 0.04
# Share of businesses among the customers served before the period.
BUSINESS_SHARE = 0.1
# Random draws for a story's customer before the hall looks through them all (see _draw).
DRAWS = 24
# Share of the homes served before the period whose supply was suspended then (left empty for a while).
SUSPENDED_SHARE = 0.04

# (login prefix, role, department of each person)
STAFF_PLAN: tuple[tuple[str, Role, tuple[str, ...]], ...] = (
    ("clerk", Role.CLERK, ("customer_service",) * 6),
    ("am", Role.ACCOUNT_MANAGER, ("market", "market")),
    ("dispatch", Role.DISPATCHER, ("distribution",) * 3),
    ("handler", Role.HANDLER, ("distribution", "metering", "customer_service")),
    ("manager", Role.MANAGER, ("customer_service", "management")),
)


class DemoError(RuntimeError):
    """A service refused a move the plan thought valid: a bug of the demo (or a changed rule)."""


@dataclass(frozen=True)
class DemoLogin:
    login: str
    name: str
    role: str
    department: str
    # None: the account existed before the demo ran, its password is whatever it was.
    password: str | None


@dataclass(frozen=True)
class DemoSummary:
    customers: int
    orders_by_status: dict[str, int]
    open_overdue: int
    logins: list[DemoLogin]
    due_today: int = 0
    orders_by_kind: dict[str, int] = field(default_factory=dict)
    payments: int = 0
    opening_balances: int = 0
    period_start: datetime | None = None
    period_end: datetime | None = None
    seconds: float = 0.0
    # Stories dropped because no customer fitted when they were due (0 in a full-size demo).
    skipped: int = 0
    # Service calls made (each one unit of work), for timing.
    service_calls: int = 0
    # The bank channel (gasdesk.demo_bank), one line.
    bank: str = ""

    def lines(self) -> list[str]:
        """A short printable report (for the command line)."""
        status = "，".join(f"{OrderStatus(k).label} {v}" for k, v in sorted(self.orders_by_status.items()))
        kinds = "，".join(f"{ALL_FLOWS[k].label} {v}" for k, v in self.orders_by_kind.items() if k in ALL_FLOWS)
        out = [
            f"演示数据：{self.period_start:%Y-%m-%d %H:%M} 至 {self.period_end:%Y-%m-%d %H:%M}，"
            f"用时 {self.seconds:.1f} 秒（{self.service_calls} 次业务操作）",
            f"客户 {self.customers} 户；收费记录 {self.payments} 笔；期初余额（欠费或预存）{self.opening_balances} 户",
            f"业务单：{status}",
            f"按业务：{kinds}",
            f"办理中已超期 {self.open_overdue} 件，今日到期 {self.due_today} 件",
            *([self.bank] if self.bank else []),
            "登录账号：",
        ]
        for x in self.logins:
            out.append(f"  {x.login:<10} {x.password or '（原密码）':<10} {x.role} {x.name}（{x.department}）")
        return out


# --------------------------------------------------------------------------- public API


def build_demo(app: App, customers: int = 3000, seed: int = 1, *, admin_password: str | None = None,
               progress: Callable[[int, int], None] | None = None) -> DemoSummary:
    """Fill an empty database with a realistic hall; the simulated period starts at app.clock.now().

    The period lasts SIMULATED_DAYS days; app.clock (a FixedClock) is left at its end. Refused when
    the database already has customers. Deterministic for a given seed.
    """
    if not isinstance(app.clock, FixedClock):
        raise TypeError("build_demo needs an App whose clock is a gasdesk.clock.FixedClock")
    if customers < 1:
        raise ValueError("customers must be at least 1")
    with app.reading() as s:
        if s.scalar(select(func.count()).select_from(Customer)):
            raise Refused("数据库中已有客户数据，演示数据只能写入空数据库（请新建一个数据库）")
    return _Hall(app, customers, seed, admin_password, progress).build()


def main_demo(url: str, customers: int = 3000, seed: int = 1, *, admin_password: str | None = None,
              progress: Callable[[int, int], None] | None = None) -> DemoSummary:
    """Open the database at `url` and build the demo so the simulated period ends now."""
    end = datetime.now().replace(second=0, microsecond=0)
    app = App(url, FixedClock(end - timedelta(days=SIMULATED_DAYS)))
    try:
        settings_store.claim_for_demo(app)  # refused for a real database: it never gets the demo's logins
        return build_demo(app, customers, seed, admin_password=admin_password, progress=progress)
    finally:
        app.dispose()


def post_opening_balance(app: App, actor: Actor, account_id: int, arrears: Decimal) -> Decimal:
    """Put arrears carried over from an earlier billing system on an account; returns the new balance.

    The only demo write outside the services: one unit of work lowers the balance by `arrears` and
    appends an audit entry (entity 'account', action 'demo_opening_balance', changes
    {'balance': [old, new]}), so the audit chain stays whole and a reconciliation can add these
    entries to the payments (and bills): balance = payments + bills' effect + opening entries.
    """
    amount = Decimal(arrears).quantize(Decimal("0.01"))
    if amount <= 0:
        raise ValueError("opening arrears must be a positive amount")
    now = app.clock.now()
    with app.unit_of_work() as s:
        account = s.get(Account, account_id)
        if account is None:
            raise Refused("账户不存在")
        old = account.balance
        account.balance = (old - amount).quantize(Decimal("0.01"))
        s.flush()
        audit.append(s, at=now, staff_id=actor.staff_id, entity="account", entity_id=account.id,
                     action=OPENING_BALANCE_ACTION, changes={"balance": [old, account.balance]})
        return account.balance


# --------------------------------------------------------------------------- the city

CITY = "安顺市"
COMPANY = "贵州燃气集团安顺市燃气有限责任公司"
# name, region code (resident IDs, credit codes), weight, urban? (市区: the 30-minute emergency limit;
# 郊区 and the counties: 60 minutes), estates, roads. {L} becomes a zone letter, {N} a Chinese numeral.
DISTRICTS: tuple[tuple[str, str, int, bool, tuple[str, ...], tuple[str, ...]], ...] = (
    ("西秀区", "520402", 46, True,
     ("虹山湖畔{L}区", "塔山花园", "南华苑", "中华名苑", "若飞小区", "东关小区", "龙泉小区", "贯城河畔{L}区",
      "凤凰城{N}期", "黄果树家园", "双阳小区", "西水关小区", "金钟山小区", "碧桂园{L}区", "华西小区", "钟鼓楼小区"),
     ("塔山东路", "塔山西路", "中华东路", "中华南路", "中华北路", "中华西路", "若飞南路", "若飞北路", "南华路",
      "黄果树大街", "虹山湖路", "北街", "东关路", "贯城河路", "顺城路", "儒林路", "西航路", "龙青路")),
    ("平坝区", "520403", 14, False,
     ("天龙花园", "平坝城关小区", "安平花园", "夏云小区", "鼓楼小区"),
     ("安平大道", "平坝大道", "东门路", "西门路", "顺城街", "塘约路")),
    ("普定县", "520422", 12, False,
     ("普定新城{L}区", "梭筛小区", "城关花园", "定南小区"), ("定南大道", "夜郎大道", "穿洞路", "城南路", "北门路")),
    ("镇宁布依族苗族自治县", "520423", 11, False,
     ("环翠花园", "双龙小区", "城关小区", "白马湖小区"), ("环翠路", "黄果树大道", "南关路", "北门街", "宁西路")),
    ("关岭布依族苗族自治县", "520424", 9, False,
     ("关索花园", "花江小区", "永宁小区"), ("关索大道", "永宁路", "顶云路", "花江路")),
    ("紫云苗族布依族自治县", "520425", 8, False,
     ("松山小区", "格凸河花园", "云岭小区"), ("松山大道", "格凸河路", "五峰路", "城北路")),
)
INDUSTRIAL_PARKS = {"西秀区": "西秀工业园区", "平坝区": "夏云工业园区", "普定县": "普定经济开发区",
                    "镇宁布依族苗族自治县": "镇宁工业园区", "关岭布依族苗族自治县": "关岭工业园区",
                    "紫云苗族布依族自治县": "紫云工业园区"}
# Where residents' ID cards were issued: mostly Anshun (its codes before 2000 were 5225xx: 522501 the
# county-level city, 522526-522530 the counties), some elsewhere in Guizhou.
ID_REGIONS = (("520402",) * 10 + ("520403",) * 3 + ("520422",) * 3 + ("520423",) * 2 + ("520424", "520425"))
OLD_ID_REGIONS = ("522501",) * 6 + ("522526", "522527", "522528", "522529", "522530")
ELSEWHERE = ("520102", "520103", "520203", "520302", "522601", "522701", "522301", "520201")
SURNAMES = ("王", "李", "张", "刘", "陈", "杨", "黄", "吴", "罗", "周", "赵", "龙", "胡", "徐", "何", "韦",
            "田", "蒋", "陆", "谢", "唐", "潘", "卢", "伍", "宋", "邓", "付", "冯", "袁", "孙", "石", "朱",
            "曾", "彭", "熊", "雷", "肖", "郭", "高", "班", "岑", "梁", "林", "汪", "安", "金", "余", "郑")
SURNAME_WEIGHTS = (9, 8, 7, 6, 7, 7, 5, 6, 5, 4, 4, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
                   2, 2, 2, 1, 2, 2, 2, 1, 1, 2, 2, 2, 1, 1, 1, 1)
MOBILE_PREFIXES = ("139", "138", "135", "136", "137", "150", "151", "158", "182", "183", "187", "188",
                   "198", "130", "131", "155", "156", "185", "186", "166", "133", "153", "180",
                   "181", "189", "173", "177", "199")
# Given names: two characters by sex and era, one character by sex.
GIVEN_TWO = {
    ("m", "old"): tuple("建国 国庆 德明 志刚 建华 永福 光荣 国华 振华 学文 德胜 树林 长顺 文华 家富 正清 世昌 启明 万全 绍华".split()),
    ("f", "old"): tuple("秀英 桂兰 淑珍 玉梅 凤英 秀兰 玉兰 素芬 春兰 桂芳 翠萍 玉珍 德芬 秀珍 淑华 惠芳 月娥 兰英 素珍 慧琴".split()),
    ("m", "mid"): tuple("志强 海峰 建军 晓东 文杰 俊峰 宏伟 永刚 小平 红军 国平 剑锋 云飞 立新 卫东 朝阳 家林 德华 正文 兴国".split()),
    ("f", "mid"): tuple("丽华 海燕 晓燕 春梅 红梅 小红 丽娟 雪梅 艳萍 晓玲 丽萍 春燕 小琴 玉洁 晓红 红艳 美玲 丽君 秋菊 文静".split()),
    ("m", "young"): tuple("浩然 宇轩 俊杰 子豪 一鸣 梓轩 博文 天宇 思远 嘉豪 子墨 明轩 宇航 浩宇 家乐 志豪 俊熙 睿哲 鹏飞 锦程".split()),
    ("f", "young"): tuple("子涵 雨欣 欣怡 梓涵 思雨 佳怡 雨萱 诗涵 可馨 语嫣 梦琪 雨彤 紫萱 欣妍 婉清 静怡 若曦 佳琪 晓彤 一诺".split()),
}
GIVEN_ONE = {"m": tuple("伟强勇军斌刚杰涛明磊超波辉华平林鹏飞洪兵松江峰亮"), "f": tuple("芳敏静丽燕霞娟艳玲萍红梅琴兰英雪婷莉慧洁琼丹倩颖")}
BRANDS = ("黔中", "安顺", "西秀", "黄果树", "龙宫", "虹山", "屯堡", "格凸", "夜郎", "蜡染", "天龙", "旧州",
          "关索", "花江", "紫云", "鑫源", "恒泰", "宏达", "德隆", "瑞丰", "兴黔", "布依", "苗岭", "云峰")
DISHES = ("裹卷", "荞凉粉", "油炸粑稀饭", "夺夺粉", "破酥包", "牛肉粉", "羊肉粉", "豆腐圆子", "冲冲糕", "烙锅")
PRODUCTS = ("食品", "酒业", "蜡染工艺品", "建材", "服装", "机械制造", "新材料", "制药", "茶业")
# kind, weight, gas use type, credit-code prefixes, meter ratings, monthly m3 range
BUSINESS_KINDS = (
    ("restaurant", 45, "commercial", ("91", "92", "92"), ("G10", "G16", "G25"), (600, 3000)),
    ("hotel", 15, "commercial", ("91",), ("G25", "G40"), (2000, 9000)),
    ("school", 14, "public", ("12",), ("G16", "G25"), (1500, 6000)),
    ("clinic", 6, "public", ("12",), ("G10", "G16"), (500, 2000)),
    ("factory", 20, "industrial", ("91",), ("G40", "G65", "G100"), (5000, 40000)),
)
METHODS = ((PaymentMethod.CASH, 30), (PaymentMethod.MOBILE, 45), (PaymentMethod.CARD, 20), (PaymentMethod.TRANSFER, 5))

CANCELS = ("客户来电撤回申请", "客户房屋已出售，申请撤销", "客户决定暂缓办理，撤回申请",
           "重复受理，撤销本单", "客户到厅要求撤销，已签字确认")
PAUSES = ("客户外出务工，要求回来后再上门", "客户家中装修，约定完工后再上门", "客户住院，家属要求延后办理",
          "客户需补交物业证明，等待客户送来", "客户要求节后再办理")
# Hours between the hall's own moves (and a cancellation) and the move before them.
GAPS: dict[str, tuple[float, float]] = {"@docs": (24, 150), "@pause": (1, 24), "@resume": (48, 240),
                                        CANCEL.code: (2, 150)}
BOOKED_VISIT_GAP = (16.0, 72.0)
UNBOOKED_VISIT_GAP = (2.0, 30.0)
COUNTER_HOURS = (time(9, 0), time(21, 0))
# The demo hall's own hours as its profile prints them (customers arrive from 9:00 to 21:00).
HALL_HOURS = "每日 9:00-21:00"
OFFICE_HOURS = (time(8, 30), time(17, 30))
# Customers arriving at the counter per hour from 9:00 to 20:00 (relative).
COUNTER_RHYTHM = (3, 5, 5, 2, 2, 4, 5, 4, 3, 2, 2, 1)
CLOCKED_FLAVOURS = ("overdue", "recent", "due_today", "paused")


PLANS: dict[str, DemoPlan] = {b.kind: b.demo for b in BUNDLES if b.demo is not None}


def walk(kind: str, moves: Sequence[str]) -> list[str]:
    """The step before each move and, last, the step after all of them (pseudo moves stay)."""
    flow = ALL_FLOWS[kind]
    step = flow.initial
    steps = [step]
    for move in moves:
        if not move.startswith("@"):
            here = flow.step(step)
            action = CANCEL if move == CANCEL.code else here.action(move)
            if action is None or here.terminal:
                raise ValueError(f"{kind}: no action {move!r} at step {step!r}")
            step = action.target
        steps.append(step)
    return steps


def action_def(kind: str, step: str, move: str) -> ActionDef:
    if move == CANCEL.code:
        return CANCEL
    action = ALL_FLOWS[kind].step(step).action(move)
    assert action is not None, (kind, step, move)
    return action


def who_acts(kind: str, step: str, move: str) -> str:
    """Which staff pool makes a move: clerk, am (account manager), dispatch or handler."""
    if move.startswith("@") or move == CANCEL.code:
        return "clerk"
    roles = action_def(kind, step, move).roles
    if Role.HANDLER in roles:
        return "handler"
    if Role.DISPATCHER in roles:
        return "dispatch"
    if Role.CLERK not in roles or (PLANS[kind].account_manager and Role.ACCOUNT_MANAGER in roles):
        return "am"
    return "clerk"


def finishes_visit(kind: str, step: str, move: str) -> bool:
    """The move is the crew's at the customer's premises (done, or conditions not met)."""
    return not move.startswith("@") and move not in BOOKINGS and ALL_FLOWS[kind].step(step).visit


def clock_limit(kind: str, step: StepDef, settings: dict[str, Any]) -> int | None:
    """Working days of the shortest clock running while an order waits in `step` (None: no clock)."""
    flow = ALL_FLOWS[kind]
    amounts = []
    if step.limit is not None:
        value = settings.get(step.limit.setting) if step.limit.setting else None
        amounts.append(int(value) if value not in (None, "") else step.limit.amount)
    if flow.total_limit is not None and step.counted and not step.customer_wait:
        amounts.append(flow.total_limit.amount)
    return min(amounts) if amounts else None


# --------------------------------------------------------------------------- the simulation


@dataclass
class _Spec:
    kind: str
    route: str
    cut: int | None = None  # an open order: stop after this many moves
    flavour: str = ""
    cancel: bool = False
    # Ends within the period (the hall shows at least one order of each route in its last state).
    finish: bool = False


class _Hall:
    def __init__(self, app: App, customers: int, seed: int, admin_password: str | None,
                 progress: Callable[[int, int], None] | None) -> None:
        assert isinstance(app.clock, FixedClock)
        self.app, self.clock, self.n, self.progress = app, app.clock, customers, progress
        self.admin_password = admin_password or DEFAULT_ADMIN_PASSWORD
        self.rng = random.Random(seed)
        self.seed = seed
        self.bank_line = ""
        self.start = self.clock.now().replace(second=0, microsecond=0)
        self.end = self.start + timedelta(days=SIMULATED_DAYS)
        self.calendar = app.calendar()
        self.scale = customers / 3000
        self.stories: list[DemoStory] = []
        self.customers: list[DemoCustomer] = []
        self.staff: dict[str, list[Actor]] = {}
        self.handlers: dict[str, Actor] = {}
        self.logins: list[DemoLogin] = []
        self.services: dict[int, OrderService] = {}
        self.used: set[str] = set()
        self.flavour_turn = 0
        self.assign_turn = 0
        self.meter_seq = self.rng.randint(100_000, 300_000)
        self.serials: dict[str, int] = {}
        self.skipped = 0
        self.calls = 0
        self.opening_balances = 0
        self.base = 0
        self.work = 0
        with app.reading() as s:
            self.settings = settings_store.read_all(s)

    # --- building -----------------------------------------------------------------------------

    def build(self) -> DemoSummary:
        began = timer.perf_counter()
        self.clock.set(self.start)
        self._make_staff()
        self._name_the_company()
        self.crews = [f"安装{n}班（{self.person()[0]}）" for n in "一二三四五六"]
        self.designers = [f"{self.person()[0]}" for _ in range(4)]
        self.base = self._plan()
        events = sorted((t, st.seq, i) for st in self.stories for i, t in enumerate(st.times)
                        if self.start < t <= self.end)
        self.work = self.base + len(events)
        self.calls += self._import_base(self.base, round(self.base * BUSINESS_SHARE))
        for done, (at, seq, i) in enumerate(events):
            story = self.stories[seq]
            if self.progress and done % 200 == 0:
                self.progress(self.base + done, self.work)
            if story.dead:
                continue
            self.clock.set(at)
            try:
                self.calls += self._execute(story, i)
            except ServiceError as exc:
                raise DemoError(f"{story.kind}/{story.route} move {story.moves[i]!r} at {at}: {exc.message}") from exc
        self._bank()
        self.clock.set(self.end)
        # Records from before the period that flows bring (imported in bulk), then what is under way now.
        for plan in PLANS.values():
            if plan.history is not None:
                self.calls += plan.history(self)
        self.calls += self._inspection_plan()
        if self.progress:
            self.progress(self.work, self.work)
        return self._summary(timer.perf_counter() - began)

    def _summary(self, seconds: float) -> DemoSummary:
        lists = WorklistService(self.app, self.admin)
        with self.app.reading() as s:
            n_customers = int(s.scalar(select(func.count()).select_from(Customer)) or 0)
            kinds = dict(s.execute(select(ServiceOrder.kind, func.count()).group_by(ServiceOrder.kind)).all())
            n_payments = int(s.scalar(select(func.count()).select_from(Payment)) or 0)
        return DemoSummary(
            customers=n_customers, orders_by_status=lists.counts_by_status(), open_overdue=lists.count_overdue(),
            logins=self.logins, due_today=len(lists.due_today(limit=100_000)),
            orders_by_kind={k: kinds[k] for k in ALL_FLOWS if k in kinds}, payments=n_payments,
            opening_balances=self.opening_balances, period_start=self.start, period_end=self.end,
            seconds=round(seconds, 1), skipped=self.skipped, service_calls=self.calls, bank=self.bank_line,
        )

    def _bank(self) -> None:
        """The bank channel, on households no story touched (gasdesk.demo_bank)."""
        try:
            made = build_bank_demo(self.app, clerks=self.staff["clerk"], managers=self.staff["manager"],
                                   admin=self.admin, start=self.start, end=self.end, seed=self.seed, scale=self.scale)
        except ServiceError as exc:
            raise DemoError(f"bank channel at {self.clock.now()}: {exc.message}") from exc
        self.calls += made.service_calls
        self.bank_line = made.line()

    # --- staff --------------------------------------------------------------------------------

    def _make_staff(self) -> None:
        """An administrator (only in a database without staff) and the demo staff of every role."""
        with self.app.reading() as s:
            existing = {x.login: x for x in s.scalars(select(Staff))}
            admin = next((x for x in existing.values() if x.role == Role.ADMIN and x.active), None)
            admin_actor = actor_of(admin) if admin is not None else None
        admin_password: str | None = None
        if not existing:
            admin_password = self.admin_password
            self.admin = create_first_admin(self.app, "admin", self.person()[0], admin_password)
        elif admin_actor is None:
            raise Refused("数据库中已有员工但没有可用的系统管理员，无法创建演示员工")
        else:
            self.admin = admin_actor
        service = StaffService(self.app, self.admin)
        names = dict(service.departments())
        self.logins.append(DemoLogin(self.admin.login, self.admin.name, Role.ADMIN.label,
                                     names.get("management", ""), admin_password))
        wanted = [(prefix, f"{prefix}{k}", role, dept) for prefix, role, departments in STAFF_PLAN
                  for k, dept in enumerate(departments, start=1)]
        made = self._import_staff([(login, role, dept) for _p, login, role, dept in wanted if login not in existing])
        for prefix, login, role, dept in wanted:
            actor = actor_of(existing[login]) if login in existing else made[login]
            self.staff.setdefault(prefix, []).append(actor)
            if role is Role.HANDLER:
                self.handlers.setdefault(dept, actor)
            self.logins.append(DemoLogin(login, actor.name, role.label, names.get(dept, dept),
                                         None if login in existing else STAFF_PASSWORD))

    def _import_staff(self, wanted: list[tuple[str, Role, str]]) -> dict[str, Actor]:
        """The demo staff in one unit of work, audited as StaffService.create audits them.

        They share one password hash (hashing is deliberately slow: fifty of them took seconds) and
        need no forced change: the printed password is the one they use.
        """
        if not wanted:
            return {}
        now = self.clock.now()
        digest = PasswordHasher().hash(STAFF_PASSWORD)
        with self.app.unit_of_work() as s:
            departments: dict[str, int] = {code: id_ for code, id_ in s.execute(select(Department.code, Department.id))}
            rows = [Staff(login=login, name=self.person()[0], role=role, department_id=departments.get(dept),
                          password_hash=digest, must_change_password=False, created_at=now)
                    for login, role, dept in wanted]
            s.add_all(rows)
            s.flush()
            for row in rows:
                audit.append(s, at=now, staff_id=self.admin.staff_id, entity="staff", entity_id=row.id,
                             action="create", changes=audit.snapshot(row, ["login", "name", "role", "department_id"]))
            return {row.login: Actor(row.id, row.login, row.name, Role(row.role), row.department_id) for row in rows}

    def _name_the_company(self) -> None:
        """The hall is the seed's company in Anshun: its name goes on every form the demo prints, and
        its profile is confirmed with the hours the demo's counter keeps (the seed gives the hall none),
        so the first-run profile dialog does not stand between a newcomer and the demo hall."""
        if self.settings.get("company.name") == COMPANY and self.settings.get("company.confirmed"):
            return
        SettingsService(self.app, self.admin).confirm_profile({"company.name": COMPANY, "hours.hall": HALL_HOURS})
        with self.app.reading() as s:
            self.settings = settings_store.read_all(s)

    def _actor(self, story: DemoStory, who: str) -> Actor:
        if who == "handler":
            dept = story.memo.get("department", "")
            return self.handlers.get(dept) or self.rng.choice(self.staff["manager"])
        if who == "clerk":
            # The same clerk serves the customer through one visit to the counter.
            last = story.memo.get("clerk_at")
            if last is None or self.clock.now() - last > timedelta(hours=2):
                story.memo["clerk"] = self.rng.choice(self.staff["clerk"])
            story.memo["clerk_at"] = self.clock.now()
            return story.memo["clerk"]
        return self.rng.choice(self.staff[who])

    def _orders(self, actor: Actor) -> OrderService:
        service = self.services.get(actor.staff_id)
        if service is None:
            service = self.services[actor.staff_id] = OrderService(self.app, actor)
        return service

    # --- people, companies, places ------------------------------------------------------------

    def _unique(self, make: Callable[[], str], *, numbered: bool = False) -> str:
        for _ in range(50):
            value = make()
            if value not in self.used:
                self.used.add(value)
                return value
        if numbered:  # a very large demo: number the n-th shop of the same name
            k = 2
            while f"{value}（{k}）" in self.used:
                k += 1
            self.used.add(f"{value}（{k}）")
            return f"{value}（{k}）"
        raise DemoError("could not make a unique value")

    def person(self) -> tuple[str, bool, date]:
        """A plausible name (about half of them two characters), sex and birth date."""
        male = self.rng.random() < 0.5
        birth = date(1940, 1, 1) + timedelta(days=int(self.rng.triangular(0, 23740, 12000)))
        surname = self.rng.choices(SURNAMES, weights=SURNAME_WEIGHTS)[0]
        if self.rng.random() < 0.48:
            given = self.rng.choice(GIVEN_ONE["m" if male else "f"])
        else:
            era = "old" if birth.year < 1962 else "mid" if birth.year < 1985 else "young"
            given = self.rng.choice(GIVEN_TWO[("m" if male else "f", era)])
        return surname + given, male, birth

    def resident_id(self, male: bool, birth: date) -> str:
        """An ID number carries the region where it was first issued: before 2000 Anshun's codes were 5225xx."""
        regions: tuple[str, ...] = ID_REGIONS
        if self.rng.random() < 0.08:
            regions = ELSEWHERE
        elif birth.year < 1984:
            regions = OLD_ID_REGIONS

        def make() -> str:
            seq = self.rng.randrange(0, 500) * 2 + (1 if male else 0)
            return make_resident_id(self.rng.choice(regions), birth, seq)
        return self._unique(make)

    def mobile(self) -> str:
        return self._unique(lambda: self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}")

    def _landline(self) -> str:
        # Anshun's landlines have had eight digits beginning with 3 since the 0853 area joined 0851.
        return self._unique(lambda: f"0851-3{self.rng.choice('2345678')}{self.rng.randrange(10**6):06d}")

    def _district(self, urban_only: bool = False) -> tuple[str, str, bool, tuple[str, ...], tuple[str, ...]]:
        rows = [d for d in DISTRICTS if d[3] or not urban_only]
        name, code, _w, urban, estates, roads = self.rng.choices(rows, weights=[d[2] for d in rows])[0]
        return name, code, urban, estates, roads

    def _estate(self, template: str) -> str:
        return template.replace("{L}", self.rng.choice("ABCDEFG")).replace("{N}", self.rng.choice("一二三四五"))

    def _home_address(self) -> tuple[str, bool]:
        district, _code, urban, estates, roads = self._district()

        def make() -> str:
            if self.rng.random() < 0.75:
                floor = self.rng.randint(1, 33)
                return (f"{CITY}{district}{self._estate(self.rng.choice(estates))}{self.rng.randint(1, 30)}栋"
                        f"{self.rng.randint(1, 4)}单元{floor}{self.rng.randint(1, 4):02d}")
            return (f"{CITY}{district}{self.rng.choice(roads)}{self.rng.randint(1, 300)}号"
                    f"{self.rng.randint(1, 4)}单元{self.rng.randint(1, 7)}楼{self.rng.randint(1, 3)}号")
        return self._unique(make), urban

    def _credit_code(self, prefix: str, region: str) -> str:
        chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"

        def make() -> str:
            if prefix == "12":
                body = "".join(self.rng.choice("0123456789") for _ in range(8))
            else:
                body = "MA" + "".join(self.rng.choice(chars) for _ in range(6))
            # The nine-character organisation code carries its own GB 11714 check character.
            total = sum((int(c) if c.isdigit() else ord(c) - 55) * w
                        for c, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
            check = 11 - total % 11
            org = body + ("X" if check == 10 else "0" if check == 11 else str(check))
            return make_credit_code(prefix + region + org)
        return self._unique(make)

    def _business(self) -> tuple[CustomerInput, str, tuple[str, ...], tuple[int, int]]:
        kind, _w, use, prefixes, ratings, volume = self.rng.choices(
            BUSINESS_KINDS, weights=[b[1] for b in BUSINESS_KINDS])[0]
        district, code, urban, estates, roads = self._district()
        if kind == "factory":
            district = self.rng.choice(tuple(INDUSTRIAL_PARKS))
            row = next(d for d in DISTRICTS if d[0] == district)
            code, urban, roads = row[1], row[3], row[5]
        prefix = self.rng.choice(prefixes)
        surname = self.person()[0][0]

        def name() -> str:
            brand = self.rng.choice(BRANDS)
            # Small shops name their county by its short name (镇宁县), institutions by the full one.
            short = district if district.endswith("区") else f"{district[:2]}县"
            if kind == "restaurant":
                if prefix == "92":
                    return f"{short}{surname}记{self.rng.choice(DISHES)}店"
                return f"安顺{brand}{self.rng.choice(('餐饮管理', '餐饮服务', '饮食文化'))}有限公司"
            if kind == "hotel":
                place = self.rng.choice(("贵州", "安顺", f"安顺{district[:2]}"))
                return f"{place}{brand}{self.rng.choice(('酒店管理', '大酒店', '宾馆', '酒店'))}有限公司"
            local = f"{CITY}{district}" if district.endswith("区") else district
            if kind == "school":
                if self.rng.random() < 0.5:
                    return f"{local}{brand}{self.rng.choice(('小学', '中学', '实验学校'))}"
                return f"{CITY}第{_chinese_number(self.rng.randint(1, 16))}中学"
            if kind == "clinic":
                return f"{local}{brand}社区卫生服务中心"
            return f"贵州{brand}{self.rng.choice(PRODUCTS)}有限公司"

        def address() -> str:
            if kind == "factory":
                return f"{CITY}{district}{INDUSTRIAL_PARKS[district]}{self.rng.choice(roads)}{self.rng.randint(1, 200)}号"
            tail = self.rng.choice(("", "1-2层", f"附{self.rng.randint(1, 12)}号", "临街门面"))
            return f"{CITY}{district}{self.rng.choice(roads)}{self.rng.randint(1, 400)}号{tail}"

        contact = self.person()[0]
        data = CustomerInput(
            category="non_residential", name=self._unique(name, numbered=True), id_type="credit_code",
            id_number=self._credit_code(prefix, code), phone=self._landline(), address=self._unique(address),
            district="urban" if urban else "suburban", gas_use_type=use, contact_person=contact,
            phone2=self.mobile(),
        )
        return data, kind, ratings, volume

    def _household(self) -> tuple[CustomerInput, int]:
        name, male, birth = self.person()
        address, urban = self._home_address()
        household = self.rng.choices((1, 2, 3, 4, 5, 6), weights=(10, 25, 30, 20, 10, 5))[0]
        data = CustomerInput(
            category=CustomerCategory.RESIDENTIAL, name=name, id_type="resident_id",
            id_number=self.resident_id(male, birth), phone=self.mobile(), address=address,
            district="urban" if urban else "suburban", phone2=self.mobile() if self.rng.random() < 0.15 else "",
            household_size=household,
        )
        return data, household

    def _customer(self, category: str) -> tuple[CustomerInput, DemoCustomer, str, int]:
        """A new customer's details (not yet saved), what the hall remembers, its meter rating and m3 a month."""
        if category == CustomerCategory.RESIDENTIAL:
            data, household = self._household()
            rate = 0.35 + 0.1 * household
            cust = DemoCustomer(0, category, data.name, data.phone, rate=rate, household=household)
            return data, cust, self.rng.choices(("G2.5", "G4"), weights=(85, 15))[0], round(rate * 30)
        data, business, ratings, volume = self._business()
        monthly = self.rng.randrange(volume[0], volume[1], 50)
        cust = DemoCustomer(0, category, data.name, data.phone, rate=monthly / 30, business=business)
        return data, cust, self.rng.choice(ratings), monthly

    def _new_customer(self, category: str, story: DemoStory) -> DemoCustomer:
        data, cust, rating, monthly = self._customer(category)
        cust.id = CustomerService(self.app, self._actor(story, "clerk")).create(data).id
        if category != CustomerCategory.RESIDENTIAL:
            story.memo.update(rating=rating, monthly=monthly)
        self.customers.append(cust)
        return cust

    # --- the customers the hall already serves ------------------------------------------------

    def _import_base(self, count: int, businesses: int) -> int:
        """The customers served before the period, migrated from the earlier system in bulk.

        Every customer, account and meter is checked as the services check them and inserted with an
        audit entry (action 'demo_import', the snapshot the services would log); the balances carried
        over are 'demo_opening_balance' entries. Returns the number of units of work.
        """
        rows = []
        for k in range(count):
            category = CustomerCategory.NON_RESIDENTIAL if k < businesses else CustomerCategory.RESIDENTIAL
            data, cust, rating, _monthly = self._customer(category)
            # Opened between two months and twenty years before the period, most a few years before.
            since = self.start - timedelta(days=int(self.rng.triangular(60, 7300, 900)),
                                           minutes=self.rng.randrange(9 * 60, 17 * 60))
            rows.append((since, data.check(), cust, rating))
        rows.sort(key=lambda r: r[0])
        units = 0
        for first in range(0, len(rows), IMPORT_CHUNK):
            self._import_chunk(rows[first:first + IMPORT_CHUNK])
            units += 1
            if self.progress:
                self.progress(min(first + IMPORT_CHUNK, len(rows)), self.work)
        return units

    def _import_chunk(self, rows: list[tuple[datetime, CustomerInput, DemoCustomer, str]]) -> None:
        at, staff_id = self.clock.now(), self.admin.staff_id
        with self.app.unit_of_work() as s:
            allowance = {c: Decimal(str(settings_store.get(s, f"defaults.yearly_allowance.{c}") or "0"))
                         for c in CustomerCategory}
            numbers = numbering.customer_numbers(s, len(rows))
            customers = [
                Customer(number=number, category=str(d.category), status=CustomerStatus.ACTIVE,
                         name=d.name, name_initials=initials(d.name), id_type=str(d.id_type), id_number=d.id_number,
                         contact_person=d.contact_person, phone=d.phone, phone2=d.phone2, address=d.address,
                         district=str(d.district), gas_use_type=str(d.gas_use_type),
                         yearly_allowance=allowance[CustomerCategory(d.category)],
                         household_size=d.household_size, created_at=since)
                for number, (since, d, _c, _r) in zip(numbers, rows, strict=True)]
            s.add_all(customers)
            s.flush()
            # The balance the earlier system left is on the row from the start (audited below as an
            # opening entry from zero), so no unit of work moves it afterwards.
            carried = [self._carried_balance(cust) for _s, _d, cust, _r in rows]
            suspended = [self._suspended_since(since, cust) for since, _d, cust, _r in rows]
            accounts = [Account(number=number, customer_id=c.id, balance=balance, address=c.address,
                                opened_at=c.created_at, activated_at=c.created_at, suspended_at=paused,
                                status=AccountStatus.SUSPENDED if paused else AccountStatus.ACTIVE)
                        for number, c, balance, paused in zip(numbering.account_numbers(s, len(rows)), customers,
                                                              carried, suspended, strict=True)]
            s.add_all(accounts)
            s.flush()
            meters = []
            for (since, _d, cust, rating), account in zip(rows, accounts, strict=True):
                read_at = self._align(self.start - self._days(1, 30), "office", forward=False)
                used = Decimal(str(round((read_at - since).days * cust.rate * self.rng.uniform(0.7, 1.2), 1)))
                new = self.new_meter(cust, rating, at=since)
                meters.append(Meter(number=new["meter_number"], model=new["meter_model"], rating=rating,
                                    account_id=account.id, status=MeterStatus.IN_SERVICE,
                                    initial_reading=Decimal(new["initial_reading"]),
                                    last_reading=Decimal(new["initial_reading"]) + used, last_read_at=read_at,
                                    installed_at=since))
            s.add_all(meters)
            s.flush()
            for (_since, _d, cust, _r), customer, account, meter, balance in zip(rows, customers, accounts, meters,
                                                                                 carried, strict=True):
                audit.append(s, at=at, staff_id=staff_id, entity="customer", entity_id=customer.id,
                             action=IMPORT_ACTION, changes=audit.snapshot(customer, CUSTOMER_FIELDS))
                audit.append(s, at=at, staff_id=staff_id, entity="account", entity_id=account.id,
                             action=IMPORT_ACTION, changes=audit.snapshot(account, ["number", "status", "address"]))
                audit.append(s, at=at, staff_id=staff_id, entity="meter", entity_id=meter.id, action=IMPORT_ACTION,
                             changes=audit.snapshot(meter, ["number", "model", "rating", "account_id",
                                                            "initial_reading", "last_reading"]))
                if balance:
                    audit.append(s, at=at, staff_id=staff_id, entity="account", entity_id=account.id,
                                 action=OPENING_BALANCE_ACTION, changes={"balance": [Decimal("0.00"), balance]})
                    self.opening_balances += 1
                cust.id, cust.account_id, cust.account_status = customer.id, account.id, str(account.status)
                cust.balance = balance
                self.customers.append(cust)

    def _suspended_since(self, since: datetime, cust: DemoCustomer) -> datetime | None:
        """When the supply of a home left empty was suspended before the period (None: it is in use)."""
        if cust.category != CustomerCategory.RESIDENTIAL or self.rng.random() >= SUSPENDED_SHARE:
            return None
        return max(since, self.start - self._days(40, 400))

    def _carried_balance(self, cust: DemoCustomer) -> Decimal:
        """What the earlier system left on the account: arrears on some, a prepayment on more."""
        pick = self.rng.random()
        home = cust.category == CustomerCategory.RESIDENTIAL
        if pick < 0.12:
            low, high = (3000, 40000) if home else (80000, 600000)
            return -Decimal(self.rng.randrange(low, high)) / 100
        if pick < 0.45:
            return Decimal(self.rng.choice((50, 100, 100, 200, 300, 500)) if home else self.rng.randrange(2000, 20000, 500))
        return Decimal("0.00")

    # --- planning -----------------------------------------------------------------------------

    def _plan(self) -> int:
        """Plan every story of the period; returns how many customers the hall already serves."""
        arriving = [(kind, plan) for kind, plan in PLANS.items() if plan.newcomers]
        for kind, plan in arriving:
            alike = sum(p.newcomers == plan.newcomers for _k, p in arriving)
            target = round(self.n * NEWCOMERS.get(plan.newcomers, 0.0) / alike)
            for spec in self._first_specs(kind, target):
                self._add_story(spec, new=plan.newcomers)
        for kind, plan in PLANS.items():
            if not plan.volume:
                continue
            specs = self._stall_specs(kind)
            for route, per_3000 in plan.volume.items():
                for _ in range(max(1, round(per_3000 * self.scale))):
                    if route == "@cancel":
                        specs.append(_Spec(kind, next(iter(plan.routes)), cancel=True))
                    else:
                        specs.append(_Spec(kind, route))
            for spec in specs:
                self._add_story(spec, need=plan.route_needs.get(spec.route, plan.needs))
        base = max(0, self.n - sum(1 for st in self.stories if st.new))
        # Customers of the base who come to prepay during the period (some twice).
        for _ in range(round(base * PAYERS)):
            day = self.start.date() + timedelta(days=self.rng.randrange(1, SIMULATED_DAYS))
            at = self._align(self._counter_time(day), "counter", forward=True)
            if self.start < at < self.end:
                self.stories.append(DemoStory(seq=len(self.stories), kind="", route="", moves=["@pay"],
                                              times=[at], steps=["", ""]))
        return base

    def _first_specs(self, kind: str, count: int) -> list[_Spec]:
        routes = PLANS[kind].routes
        main = next(iter(routes))
        forced = ([_Spec(kind, main, finish=True)] + [_Spec(kind, r, finish=True) for r in routes if r != main]
                  + [_Spec(kind, main, cancel=True, finish=True)])
        specs = forced[:2] + self._stall_specs(kind) + forced[2:]
        mix = PLANS[kind].first_mix
        while len(specs) < count:
            pick, acc = self.rng.random(), 0.0
            route = main
            for name, share in mix.items():
                acc += share
                if pick < acc:
                    route = name
                    break
            specs.append(_Spec(kind, main, cancel=True) if route == "@cancel" else _Spec(kind, route))
        return specs

    def _stall_specs(self, kind: str) -> list[_Spec]:
        """Open orders left waiting in every step of the flow, in a mix of situations."""
        flow = ALL_FLOWS[kind]
        candidates: dict[str, list[tuple[str, int]]] = {}
        seen: set[tuple[str, ...]] = set()
        for route, moves in PLANS[kind].routes.items():
            steps = walk(kind, moves)
            for cut in range(len(moves) + 1):
                prefix = tuple(moves[:cut])
                if ALL_FLOWS[kind].step(steps[cut]).terminal or prefix in seen or (cut and moves[cut - 1][0] == "@"):
                    continue
                seen.add(prefix)
                candidates.setdefault(steps[cut], []).append((route, cut))
        specs = []
        for step in flow.steps:
            if step.terminal:
                continue
            cands = candidates.get(step.code)
            if not cands:
                raise DemoError(f"no route of the demo reaches {kind}/{step.code}")
            limit = clock_limit(kind, step, self.settings)
            for _ in range(max(1, round(PLANS[kind].stalls.get(step.code, 3) * self.scale))):
                if limit is not None:
                    flavour = CLOCKED_FLAVOURS[self.flavour_turn % len(CLOCKED_FLAVOURS)]
                    self.flavour_turn += 1
                else:
                    flavour = self.rng.choice(("recent", "stale"))
                pool = cands
                if flavour in ("due_today", "overdue"):
                    quick = [c for c in cands if self._compressible(kind, c)]
                    if quick:
                        pool = quick
                    elif flavour == "due_today":
                        flavour = "recent"
                elif step.visit:
                    booked = [c for c in cands if c[1] and PLANS[kind].routes[c[0]][c[1] - 1] in BOOKINGS]
                    unbooked = [c for c in cands if c not in booked]
                    self.assign_turn += 1
                    pool = (booked if self.assign_turn % 2 else unbooked) or cands
                route, cut = self.rng.choice(pool)
                specs.append(_Spec(kind, route, cut=cut, flavour=flavour))
        return specs

    def _compressible(self, kind: str, cand: tuple[str, int]) -> bool:
        """Every move of the prefix is made at the counter: the whole order fits in one visit."""
        route, cut = cand
        moves = PLANS[kind].routes[route][:cut]
        steps = walk(kind, moves)
        return all(who_acts(kind, steps[i], m) == "clerk" for i, m in enumerate(moves))

    def _add_story(self, spec: _Spec, *, new: str = "", need: str = "") -> None:
        route = PLANS[spec.kind].routes[spec.route]
        if spec.cancel:
            steps = walk(spec.kind, route)
            cuts = [c for c in range(len(route)) if not ALL_FLOWS[spec.kind].step(steps[c]).terminal
                    and (c == 0 or route[c - 1][0] != "@")]
            moves = [*route[:self.rng.choice(cuts)], CANCEL.code]
        elif spec.cut is not None:
            moves = list(route[:spec.cut])
            if spec.flavour == "paused":
                moves.append("@pause")
        else:
            moves = list(route)
        moves = ["@open", *moves]
        steps = walk(spec.kind, moves)
        story = DemoStory(seq=len(self.stories), kind=spec.kind, route=spec.route, moves=moves, times=[],
                       steps=steps, need=need, new=new)
        story.times = self._timing(story, spec)
        self._appointments(story)
        if ALL_FLOWS[spec.kind].step(steps[-1]).terminal == OrderStatus.ARCHIVED and new:
            self._add_payments(story)
        self.stories.append(story)

    # --- time ---------------------------------------------------------------------------------

    def _timing(self, story: DemoStory, spec: _Spec) -> list[datetime]:
        end, day = self.end, timedelta(days=1)
        if spec.cut is not None:
            flavour = spec.flavour
            core = story.moves[:-1] if flavour == "paused" else story.moves
            if flavour in ("due_today", "overdue") and self._compressible(spec.kind, (spec.route, spec.cut)):
                target = self._due_day()
                limit = clock_limit(spec.kind, ALL_FLOWS[spec.kind].step(story.steps[len(core)]), self.settings)
                assert limit is not None
                extra = 0 if flavour == "due_today" else self.rng.randint(1, 6)
                times = self._one_visit(self._back_working_days(target, limit + extra), len(core))
            elif flavour == "overdue":
                times = self._backward(story, core, end - self._days(8, 25))
            elif flavour == "paused":
                times = self._backward(story, core, end - self._days(1.5, 10))
            elif flavour == "stale":
                times = self._backward(story, core, end - self._days(3, 30))
            else:
                times = self._backward(story, core, end - self._days(0.05, 3))
            if times[0] <= self.start:
                times = self._forward(story, core, self.start + self._days(0.1, 2))
            if flavour == "paused":
                pause = self._align(times[-1] + self._hours(1, 24), "counter", forward=True)
                times.append(pause if pause < end else times[-1] + timedelta(minutes=5))
            return times
        if story.new:
            # A new customer walks in; late arrivals are still being served when the period ends.
            power = 1.5 if story.new == "residential" else 2.5
            arrive = self._counter_time(self.start.date() + timedelta(days=int(SIMULATED_DAYS * self.rng.random() ** power)))
            arrive = max(arrive, self.start + timedelta(minutes=30))
            times = self._forward(story, story.moves, min(arrive, end - timedelta(hours=1)))
            if times[0] > end:  # the hall was closed: the customer came in the last opening hours
                times[0] = self._align(end - timedelta(minutes=1), "counter", forward=False)
            if spec.finish and times[-1] > end:
                times = self._backward(story, story.moves, end - self._days(0.1, 3))
                if times[0] <= self.start:
                    times = self._forward(story, story.moves, self.start + self._days(0.1, 2))
            return times
        # A later service: finished within the period, opened once enough customers have accounts.
        earliest = self.start + 25 * day
        trial = self._forward(story, story.moves, earliest)
        duration = trial[-1] - trial[0]
        latest = end - timedelta(minutes=30)
        finish = earliest + duration + (latest - earliest - duration) * self.rng.random()
        times = self._backward(story, story.moves, min(max(finish, earliest + duration), latest))
        if times[0] <= self.start:
            times = self._forward(story, story.moves, self.start + self._days(0.5, 3))
        return times

    def _counter_time(self, day: date) -> datetime:
        """A time the hall is busy on `day`: mornings and mid-afternoons most."""
        hour = self.rng.choices(range(9, 21), weights=COUNTER_RHYTHM)[0]
        return datetime.combine(day, time(hour, self.rng.randrange(60)))

    def _due_day(self) -> date:
        """The working day whose deadlines the worklist shows as due today (or next, on a rest day)."""
        return self.calendar.next_working_day(self.end.date())

    def _back_working_days(self, d: date, n: int) -> date:
        while n > 0:
            d -= timedelta(days=1)
            if self.calendar.is_working_day(d):
                n -= 1
        return d

    def _one_visit(self, day: date, count: int) -> list[datetime]:
        t = datetime.combine(day, time(9, 0)) + timedelta(minutes=self.rng.randint(0, 6 * 60))
        times = [t]
        for _ in range(count - 1):
            t += timedelta(minutes=self.rng.randint(3, 12))
            times.append(t)
        return times

    def _days(self, low: float, high: float) -> timedelta:
        return timedelta(minutes=round(self.rng.uniform(low, high) * 1440))

    def _hours(self, low: float, high: float) -> timedelta:
        return timedelta(minutes=max(2, round(self.rng.uniform(low, high) * 60)))

    def _where(self, story: DemoStory, i: int) -> str:
        move = story.moves[i]
        if move == "@arrears":
            return "office"
        return "counter" if who_acts(story.kind, story.steps[i], move) == "clerk" else "office"

    def _gap(self, story: DemoStory, i: int) -> timedelta:
        move = story.moves[i]
        if finishes_visit(story.kind, story.steps[i], move):
            booked = story.moves[i - 1] in BOOKINGS
            return self._hours(*(BOOKED_VISIT_GAP if booked else UNBOOKED_VISIT_GAP))
        flow = ALL_FLOWS[story.kind]
        first = story.steps[i] == flow.initial and flow.step(flow.initial).action(move) is not None
        low, high = GAPS.get(move) or PLANS[story.kind].gap(move, first_at_counter=first)
        return self._hours(low, high)

    def _forward(self, story: DemoStory, moves: Sequence[str], at: datetime) -> list[datetime]:
        t = self._align(at.replace(second=0, microsecond=0), self._where(story, 0), forward=True)
        times = [t]
        for i in range(1, len(moves)):
            t = self._align(t + self._gap(story, i), self._where(story, i), forward=True)
            times.append(t)
        return times

    def _backward(self, story: DemoStory, moves: Sequence[str], at: datetime) -> list[datetime]:
        last = len(moves) - 1
        t = self._align(at.replace(second=0, microsecond=0), self._where(story, last), forward=False)
        times = [t]
        for i in range(last, 0, -1):
            t = self._align(t - self._gap(story, i), self._where(story, i - 1), forward=False)
            times.append(t)
        return times[::-1]

    def _align(self, t: datetime, where: str, *, forward: bool) -> datetime:
        """Move a time into counter hours (every day) or office hours (working days)."""
        opening, closing = COUNTER_HOURS if where == "counter" else OFFICE_HOURS
        office = where == "office"

        def fits(x: datetime) -> bool:
            return opening <= x.time() < closing and (not office or self.calendar.is_working_day(x.date()))

        if fits(t):
            return t
        # Work pushed out of hours is picked up during the next morning (or done in the afternoon before).
        jitter = timedelta(minutes=self.rng.randint(1, 210))
        if forward:
            d = t.date() if t.time() < opening else t.date() + timedelta(days=1)
            while office and not self.calendar.is_working_day(d):
                d += timedelta(days=1)
            return datetime.combine(d, opening) + jitter
        d = t.date() if t.time() >= closing else t.date() - timedelta(days=1)
        while office and not self.calendar.is_working_day(d):
            d -= timedelta(days=1)
        return datetime.combine(d, closing) - jitter

    def _appointments(self, story: DemoStory) -> None:
        """A booking's appointment is the time the crew then comes (or a slot after the period)."""
        for i, move in enumerate(story.moves):
            if move not in BOOKINGS:
                continue
            nxt = story.moves[i + 1] if i + 1 < len(story.moves) else None
            if nxt is not None and finishes_visit(story.kind, story.steps[i + 1], nxt):
                visit = story.times[i + 1]
                slot = visit.replace(minute=0 if visit.minute < 30 else 30)
                story.memo[f"appointment{i}"] = slot if slot > story.times[i] else visit
            elif move == BOOK:
                # Booked, and the crew has not been yet when the period ends (or the story stops).
                visit = self._align(story.times[i] + self._hours(16, 72), "office", forward=True)
                story.memo[f"appointment{i}"] = visit.replace(minute=0 if visit.minute < 30 else 30)

    def _add_payments(self, story: DemoStory) -> None:
        """Deposits (and arrears from the billing system) of a customer whose account was opened."""
        active_at = story.times[-1]
        residential = story.new == "residential"
        if self.rng.random() < (0.45 if residential else 0.6):
            t = active_at + self._hours(0.1, 2)
            while t < self.end:
                story.moves.append("@prepay")
                story.times.append(self._align(t, "counter", forward=True))
                t = story.times[-1] + self._days(25, 60)
        elif self.rng.random() < (0.12 if residential else 0.25):
            t = self._align(active_at + self._days(15, 50), "office", forward=True)
            story.moves.append("@arrears")
            story.times.append(t)
            if self.rng.random() < 0.5:
                story.moves.append("@prepay")
                story.times.append(self._align(t + self._days(3, 20), "counter", forward=True))
        story.steps.extend([story.steps[-1]] * (len(story.moves) - len(story.steps) + 1))

    # --- replay -------------------------------------------------------------------------------

    def _execute(self, story: DemoStory, i: int) -> int:
        """Make one move; returns the number of service calls it took."""
        move = story.moves[i]
        if move == "@open":
            return self._open(story)
        if move == "@pay":
            base = self.customers[:self.base]
            payer = self._draw(base, self._can_pay)
            if payer is None:
                payers = [c for c in base if self._can_pay(c)]
                if not payers:
                    return 0
                payer = self.rng.choice(payers)
            story.customer = payer
        cust = story.customer
        assert cust is not None
        if move in ("@prepay", "@pay"):
            return self._prepay(story, cust)
        if move == "@arrears":
            return self._arrears(cust)
        if move == "@pause":
            actor = self._actor(story, "clerk")
            self._orders(actor).pause_clock(self._order_id(story), self.rng.choice(PAUSES))
        elif move == "@resume":
            self._orders(self._actor(story, "clerk")).resume_clock(self._order_id(story))
        elif move == "@docs":
            docs = [d.code for d in ALL_FLOWS[story.kind].documents if d.required]
            self._orders(self._actor(story, "clerk")).set_documents(self._order_id(story), docs)
        else:
            self._perform(story, i, move)
        return 1

    @staticmethod
    def _order_id(story: DemoStory) -> int:
        assert story.order_id is not None
        return story.order_id

    def _pick(self, story: DemoStory) -> DemoCustomer | None:
        need = story.need
        prefer = story.memo.get("prefer")
        today = self.clock.now().date()
        once_a_day = PLANS[story.kind].reads_at_counter

        def fits(c: DemoCustomer) -> bool:
            if c.closed:
                return False
            if need == ANY:
                return True
            if c.busy or c.account_id is None:
                return False
            if once_a_day and c.read_on == today:
                return False
            if need.startswith("active") and c.account_status != AccountStatus.ACTIVE:
                return False
            if need.startswith("held") and c.account_status not in HELD:
                return False
            if need.startswith("suspended") and c.account_status != AccountStatus.SUSPENDED:
                return False
            if need.endswith("_home") and c.category != CustomerCategory.RESIDENTIAL:
                return False
            return not (need.endswith("_business") and c.category != CustomerCategory.NON_RESIDENTIAL)

        def preferred(c: DemoCustomer) -> bool:
            return fits(c) and (c.balance < 0 if prefer == "arrears" else c.balance > 0 if prefer == "prepaid"
                                else True)

        drawn = self._draw(self.customers, preferred)
        if drawn is not None:
            return drawn
        pool = [c for c in self.customers if fits(c)]
        if prefer == "arrears":
            pool = [c for c in pool if c.balance < 0] or pool
        elif prefer == "prepaid":
            pool = [c for c in pool if c.balance > 0] or pool
        return self.rng.choice(pool) if pool else None

    def _draw(self, people: Sequence[DemoCustomer], wanted: Callable[[DemoCustomer], bool]) -> DemoCustomer | None:
        """One of `people` that is `wanted`, drawn at random (each equally likely), or None when a few
        draws find none: most stories fit most customers, so the caller scans all only when they are rare."""
        if people:
            for _ in range(DRAWS):
                c = self.rng.choice(people)
                if wanted(c):
                    return c
        return None

    def _open(self, story: DemoStory) -> int:
        kind, plan = story.kind, PLANS[story.kind]
        calls = 1
        if story.new:
            cust = self._new_customer(story.new, story)
            calls += 1
        else:
            if plan.settles and story.moves[-1] != CANCEL.code:
                story.memo["prefer"] = self.rng.choices(("arrears", "prepaid", ""), weights=(35, 35, 30))[0]
            picked = self._pick(story)
            if picked is None:
                story.dead = True
                self.skipped += 1
                return 0
            cust = picked
        story.customer = cust
        flow = ALL_FLOWS[kind]
        docs = [d.code for d in flow.documents if d.required or self.rng.random() < 0.5]
        if REFUSE in story.moves:
            reason, missing = self.rng.choice(plan.refusals)
            story.memo["refusal"] = reason
            if missing:
                docs.remove(missing)
        opening = plan.open_data(self, story, cust)
        docs = [d for d in docs if d not in opening.missing]
        actor = self._actor(story, "clerk")
        account = cust.account_id if flow.account_statuses is not None else None
        view = self._orders(actor).open(kind, cust.id, account_id=account, documents=docs, data=opening.data,
                                        note=opening.note, channel=opening.channel, caller_phone=opening.caller_phone)
        story.order_id = view.id
        if flow.account_lock is not AccountLock.NONE:
            cust.busy = kind
        if view.account_id and cust.account_id is None:
            cust.account_id, cust.account_status = view.account_id, AccountStatus.APPLYING
        return calls

    def _perform(self, story: DemoStory, i: int, move: str) -> None:
        cust = story.customer
        assert cust is not None
        plan = PLANS[story.kind]
        action = action_def(story.kind, story.steps[i], move)
        actor = self._actor(story, who_acts(story.kind, story.steps[i], move))
        payload, note = move_values(plan, self, story, i, action, cust) if action is not CANCEL else ({}, "")
        reason = self._reason(story, move) if action.needs_reason else ""
        view = self._orders(actor).perform(self._order_id(story), move, payload, reason=reason, note=note)
        plan.after(self, story, move, view, cust)
        if action.effects and cust.account_id is not None and not cust.closed:
            self._balance(cust)  # its effects may charge a fee, bill the gas used or settle the account
        if view.status == OrderStatus.OPEN:
            return
        if ALL_FLOWS[story.kind].account_lock is not AccountLock.NONE:
            cust.busy = ""
        if view.status != OrderStatus.ARCHIVED:
            return
        if view.account_id is not None and cust.account_status == AccountStatus.APPLYING:
            cust.account_id = view.account_id
        if plan.account_after:
            cust.account_status = plan.account_after
            cust.closed = cust.closed or plan.account_after == AccountStatus.CLOSED

    def _reason(self, story: DemoStory, move: str) -> str:
        if move == REFUSE:
            return str(story.memo["refusal"])
        if move == CANCEL.code:
            return self.rng.choice(CANCELS)
        return PLANS[story.kind].reason(self.rng, move)

    # --- meters and money ---------------------------------------------------------------------

    # --- the Driver a flow's demo plan sees (flows/demo.py) ------------------------------------

    def now(self) -> datetime:
        return self.clock.now()

    def serial(self, series: str) -> int:
        self.serials[series] = self.serials.get(series, self.rng.randint(100, 300)) + 1
        return self.serials[series]

    def meter_rating(self, customer: DemoCustomer) -> str:
        return self._meter(customer)[2]

    def shop_name(self, customer: DemoCustomer) -> str:
        return f"{customer.name[0]}记{self.rng.choice(DISHES)}店"

    def successor(self, customer: DemoCustomer, customer_id: int, name: str, phone: str) -> DemoCustomer:
        account = CustomerService(self.app, self.admin).accounts(customer_id)[0]
        new = DemoCustomer(customer_id, customer.category, name, phone, rate=customer.rate, account_id=account.id,
                           account_status=str(account.status), read_on=customer.read_on)
        self.customers.append(new)
        return new

    def _meter(self, cust: DemoCustomer) -> tuple[Decimal, datetime | None, str]:
        with self.app.reading() as s:
            meter = s.scalar(select(Meter).where(Meter.account_id == cust.account_id, Meter.status == "in_service"))
            if meter is None:
                raise DemoError(f"customer {cust.id} has no meter")
            return meter.last_reading, meter.last_read_at, meter.rating

    def final_reading(self, cust: DemoCustomer) -> Decimal:
        last, read_at, _rating = self._meter(cust)
        days = max(0.0, (self.clock.now() - (read_at or self.clock.now())).total_seconds() / 86400)
        # A suspended supply is shut at the meter: at most a trace since the last reading.
        rate = cust.rate if cust.account_status != AccountStatus.SUSPENDED else 0.002
        used = Decimal(str(round(days * rate * self.rng.uniform(0.6, 1.4), 1)))
        return (last + used).quantize(Decimal("0.1"), rounding=ROUND_UP)

    def new_meter(self, cust: DemoCustomer, rating: str | None, *, at: datetime | None = None) -> dict[str, Any]:
        self.meter_seq += self.rng.randint(1, 9)
        year = f"{at or self.clock.now():%y}"
        if cust.category == CustomerCategory.RESIDENTIAL:
            rating = rating or self.rng.choices(("G2.5", "G4"), weights=(85, 15))[0]
            model = self.rng.choice((f"JBD{rating[1:]}膜式燃气表", f"IC卡智能燃气表{rating}"))
            number = f"JB{year}{self.meter_seq:07d}"
        else:
            rating = rating or "G16"
            model = f"{rating}膜式燃气表" if float(rating[1:]) <= 25 else f"{rating}罗茨流量计"
            number = f"LL{year}{self.meter_seq:07d}"
        return {"meter_number": number, "meter_model": model, "meter_rating": rating,
                "initial_reading": str(Decimal(self.rng.randint(0, 9)) / 1000)}

    def method(self) -> str:
        return self.rng.choices([m for m, _ in METHODS], weights=[w for _, w in METHODS])[0]

    def _can_pay(self, cust: DemoCustomer) -> bool:
        ending = bool(cust.busy) and ALL_FLOWS[cust.busy].account_lock is AccountLock.ENDS
        return not cust.closed and cust.account_id is not None and cust.account_status in HELD and not ending

    def _prepay(self, story: DemoStory, cust: DemoCustomer) -> int:
        if not self._can_pay(cust):
            return 0
        assert cust.account_id is not None
        if self._balance(cust) < 0:
            amount = -cust.balance + (0 if self.rng.random() < 0.6 else self.rng.choice((50, 100)))
        elif cust.category == "residential":
            amount = Decimal(self.rng.choice((50, 100, 100, 200, 200, 300, 500)))
        else:
            amount = Decimal(self.rng.randrange(2000, 20000, 500))
        try:
            view = PaymentService(self.app, self._actor(story, "clerk")).prepay(
                cust.account_id, amount, self.method(), note="")
        except hazard_gate.NeedsClearance:
            return 1  # an open 一级 safety hazard: the clerk sends the customer to have it put right first
        cust.balance += view.balance_effect
        return 1

    # --- history imported in bulk (flows.demo.HistoryPort) and the inspection plan under way ---------

    def unit_of_work(self) -> AbstractContextManager[Session]:
        return self.app.unit_of_work()

    def audit(self, session: Session, entity: str, entity_id: Any, changes: dict[str, Any]) -> None:
        audit.append(session, at=self.clock.now(), staff_id=self.admin.staff_id, entity=entity, entity_id=entity_id,
                     action=IMPORT_ACTION, changes=changes)

    def reserve(self, session: Session, series: str, count: int) -> int:
        return numbering.reserve(session, series, count)

    def plan_number(self, session: Session, day: date) -> str:
        return numbering.order_number(session, INSPECTION_PLAN_PREFIX, day)

    def due_at(self, amount: int, unit: str, start: datetime) -> datetime:
        return sla.due_at(amount, unit, start, self.calendar)

    def is_working_day(self, day: date) -> bool:
        return self.calendar.is_working_day(day)

    def staff_id(self, who: str) -> int:
        return self.rng.choice(self.staff[who]).staff_id

    def _inspection_plan(self) -> int:
        """This month's plan of the city district's households due for inspection, opened today
        through the service as the plan page opens it: its orders wait for the inspectors."""
        svc = InspectionService(self.app, self.rng.choice(self.staff["dispatch"]))
        today = self.end.date()
        plan = svc.create_plan(PlanSpec(
            title=f"{today.year}年{today.month}月市区到期户入户安全检查", inspector="安检一班 周明", starts_on=today,
            ends_on=today + timedelta(days=30), district=District.URBAN.value, due_only=True,
            note="居民12个月、非居民6个月内未入户检查的用户"))
        if svc.preview_plan(plan.id).to_open:
            svc.open_plan(plan.id)
        return 2

    def _balance(self, cust: DemoCustomer) -> Decimal:
        with self.app.reading() as s:
            cust.balance = s.scalar(select(Account.balance).where(Account.id == cust.account_id)) or Decimal(0)
        return cust.balance

    def _arrears(self, cust: DemoCustomer) -> int:
        if not self._can_pay(cust) or self._balance(cust) > 0:
            return 0
        assert cust.account_id is not None
        if cust.category == "residential":
            amount = Decimal(self.rng.randrange(3000, 40000)) / 100
        else:
            amount = Decimal(self.rng.randrange(80000, 600000)) / 100
        cust.balance = post_opening_balance(self.app, self.admin, cust.account_id, amount)
        self.opening_balances += 1
        return 1


def _chinese_number(n: int) -> str:
    digits = "零一二三四五六七八九"
    tens, ones = divmod(n, 10)
    if tens == 0:
        return digits[ones]
    return f"{'' if tens == 1 else digits[tens]}十{digits[ones] if ones else ''}"

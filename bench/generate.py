"""Build a realistic gasdesk database of N customers fast, for the benchmarks (bench/run.py).

    python bench/generate.py --customers 100000 [--db URL] [--orders-per-customer 3] [--seed 1]
                             [--open-orders 50000] [--indexes drop|keep] [--force]

What it makes (a Guiyang service hall, ten years of history up to the generation's "now"):
- staff through the services (create_first_admin + StaffService), so signing in works;
- N customers: Chinese names (mostly surname + 1 or 2 characters, a few compound surnames),
  addresses in one city (district / street / number / estate / building / unit / room), unique
  mobiles, valid resident IDs (GB 11643); ~8% businesses with valid credit codes (GB 32100);
- one account per customer (mostly active) with its meter;
- about 3 orders per customer over all 13 flows, walked through their real steps (the step log,
  2-6 rows for most, and the commitment clocks of the flow definitions); --open-orders of them
  still open with running (some overdue) or paused clocks; one customer with ~200 orders;
- about one payment per customer; number_sequence rows so the application numbers on from here;
- the customer search index (customer_fts / customer_search) filled in bulk.

Everything after the staff is written with bulk SQL (SQLite executemany in ~20k batches, WAL and
synchronous=OFF; PostgreSQL COPY), not through the services: it is a benchmark fixture, not data
entry. Sample search targets and ids for run.py are saved as JSON beside the database
(`<file>.bench.json`; for PostgreSQL `bench/data/<host>_<port>_<db>.bench.json`).
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import json
import math
import os
import random
import sqlite3
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy.engine import make_url  # noqa: E402

from gasdesk.config import normalise_url  # noqa: E402

NOW = datetime(2026, 11, 27, 9, 30)
HISTORY_START = datetime(2016, 1, 4, 8, 30)
BATCH = 20_000
CHUNK_CUSTOMERS = 20_000
STAFF_PASSWORD = "bench-pass-1"
ADMIN_PASSWORD = "admin-pass-1"
HEAVY_ORDERS = 200

# ---------------------------------------------------------------------------------------- vocabulary

# Surnames by rough frequency (weights in per mille of the population, the long tail folded in).
SURNAMES = (
    ("王", 72), ("李", 72), ("张", 68), ("刘", 54), ("陈", 45), ("杨", 31), ("黄", 23), ("赵", 22),
    ("吴", 20), ("周", 20), ("徐", 16), ("孙", 15), ("马", 15), ("朱", 14), ("胡", 13), ("郭", 12),
    ("何", 12), ("高", 11), ("林", 11), ("罗", 11), ("郑", 10), ("梁", 10), ("谢", 8), ("宋", 8),
    ("唐", 8), ("许", 7), ("韩", 7), ("冯", 7), ("邓", 7), ("曹", 6), ("彭", 6), ("曾", 6), ("肖", 6),
    ("田", 6), ("董", 5), ("袁", 5), ("潘", 5), ("蒋", 5), ("蔡", 5), ("余", 5), ("杜", 4), ("叶", 4),
    ("程", 4), ("苏", 4), ("魏", 4), ("吕", 4), ("丁", 4), ("任", 4), ("沈", 3), ("姚", 3), ("卢", 3),
    ("姜", 3), ("崔", 3), ("钟", 3), ("谭", 3), ("陆", 3), ("汪", 3), ("范", 3), ("金", 3), ("石", 3),
    ("廖", 3), ("贾", 3), ("夏", 3), ("韦", 3), ("付", 3), ("方", 3), ("白", 3), ("邹", 3), ("孟", 3),
    ("熊", 3), ("秦", 3), ("邱", 3), ("江", 3), ("尹", 2), ("薛", 2), ("闫", 2), ("段", 2), ("雷", 2),
    ("侯", 2), ("龙", 2), ("史", 2), ("陶", 2), ("黎", 2), ("贺", 2), ("顾", 2), ("毛", 2), ("郝", 2),
    ("龚", 2), ("邵", 2), ("万", 2), ("钱", 2), ("严", 2), ("覃", 2), ("武", 2), ("戴", 2), ("莫", 2),
    ("孔", 2), ("向", 2), ("汤", 2), ("欧阳", 1), ("司马", 1), ("上官", 1), ("诸葛", 1),
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建文斌宇浩凯健俊帆帅旭宁"
    "波斌欣琳晶颖佳慧雪琴云莉婷倩蕾璐露瑶梅燕丹霖鑫博涵轩然晨阳昊睿泽铭梓子思雨欣怡可馨"
    "志国庆春海林峰光荣成德福贵祥顺利永安东新亮义兵飞龙彬松山江河川泉石金银铁钢锋力刚毅"
    "立群兴盛昌隆发达富宝珍珠翠凤鸿雁鹤莲荷菊梅竹青清晓月星辰霞虹彩丽娇媛婉静淑贤惠"
)
CITY = "贵阳市"
DISTRICTS = (  # (name, urban?, streets)
    ("云岩区", True, ("中华北路", "中华中路", "延安东路", "延安中路", "北京路", "宝山北路", "黔灵西路",
                      "头桥路", "三桥北路", "枣山路", "环城北路", "威清路", "普陀路", "盐务街")),
    ("南明区", True, ("中华南路", "解放路", "遵义路", "花果园大街", "新华路", "都司路", "富水南路",
                      "油榨街", "沙冲路", "市南路", "湘雅路", "箭道街", "青云路", "机场路")),
    ("观山湖区", True, ("长岭北路", "林城西路", "金阳南路", "观山西路", "诚信路", "兴筑路", "北京西路",
                        "石林西路", "金朱东路", "会展西路")),
    ("花溪区", False, ("花溪大道", "明珠大道", "孔学堂路", "清溪路", "溪北路", "甲秀南路", "田园南路")),
    ("乌当区", False, ("新添大道", "顺新路", "航天路", "北衙路", "高新路", "新创路")),
    ("白云区", False, ("白云大道", "云峰大道", "艳山红路", "白金大道", "同心路", "麦架路")),
)
ESTATE_HEADS = ("金桂", "翠湖", "阳光", "碧水", "世纪", "锦绣", "美丽", "万科", "中天", "保利", "恒大",
                "富力", "华润", "龙湾", "温泉", "山水", "兴隆", "盛世", "林城", "紫金", "宏福", "嘉信",
                "南湖", "北湖", "东山", "西城", "未来", "会展", "荣和", "蓝天", "银海", "枫丹", "金阳",
                "华联", "中铁", "城投", "远大", "鸿基", "泉城", "云上")
ESTATE_TAILS = ("小区", "花园", "家园", "苑", "公寓", "新村", "华府", "名城", "雅居", "国际", "府邸", "佳园")
BRANDS = ("好味道", "老凯俚", "丝恋", "雅园", "山城", "黔味", "老街", "金筑", "甲秀", "南国", "湘满楼",
          "蜀香", "福来", "鑫源", "顺发", "永和", "悦来", "喜乐", "花溪", "夜郎")
TRADES = (("餐饮管理有限公司", "commercial"), ("火锅店", "commercial"), ("酒店有限公司", "commercial"),
          ("食品有限公司", "industrial"), ("洗涤服务有限公司", "industrial"), ("烘焙坊", "commercial"),
          ("牛肉粉馆", "commercial"), ("宾馆", "commercial"), ("学校食堂", "public"), ("医院", "public"),
          ("供暖站", "heating"), ("农家乐", "commercial"))
MOBILE_PREFIXES = ("130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151",
                   "152", "153", "155", "156", "157", "158", "159", "166", "173", "175", "176", "177",
                   "178", "180", "181", "182", "183", "185", "186", "187", "188", "189", "198", "199")
REGIONS = ("520102", "520103", "520111", "520112", "520113", "520115", "520121", "520122", "520123",
           "520181", "520201", "520302", "520402", "522301", "522601", "522701", "510104", "500103",
           "530102", "430104", "450103", "440106", "330106", "360102")
PAY_METHODS = ("cash", "mobile", "mobile", "mobile", "card", "transfer")
LATER_KINDS_RES = (("complaint", 30), ("meter_service", 12), ("detail_change", 10), ("suspension", 8),
                   ("transfer", 8), ("resume_supply", 6), ("capacity_change", 6), ("allowance_change", 6),
                   ("relocation", 6), ("closure", 3), ("type_change", 2))
LATER_KINDS_BIZ = tuple((k, w) for k, w in LATER_KINDS_RES if k != "allowance_change")
STAFF_PLAN = (("clerk", "clerk", "customer_service", 8), ("am", "account_manager", "market", 2),
              ("dispatch", "dispatcher", "distribution", 3), ("handler", "handler", "distribution", 3),
              ("manager", "manager", "management", 1))
STAFF_NAMES = ("李娜", "王芳", "张敏", "刘洋", "陈静", "杨帆", "赵磊", "黄丽", "周杰", "吴艳", "徐强",
               "孙涛", "马超", "朱玲", "胡斌", "郭婷", "何军", "高峰")

# Columns of the bulk inserts, and which of them are Money (fen on SQLite) or Quantity (1/1000 m3).
COLUMNS: dict[str, tuple[str, ...]] = {
    "customer": ("id", "number", "category", "status", "name", "name_initials", "id_type", "id_number",
                 "contact_person", "phone", "phone2", "address", "district", "gas_use_type", "yearly_allowance",
                 "household_size", "created_at", "closed_at", "predecessor_id", "version"),
    "account": ("id", "number", "customer_id", "status", "balance", "address", "opened_at", "activated_at",
                "suspended_at", "closed_at", "predecessor_id", "version"),
    "meter": ("id", "number", "model", "rating", "account_id", "status", "initial_reading", "last_reading",
              "last_read_at", "installed_at", "removed_at", "final_reading"),
    "service_order": ("id", "number", "kind", "customer_id", "account_id", "step", "status", "step_entered_at",
                      "opened_by_id", "opened_at", "closed_at", "channel", "summary", "documents", "data",
                      "reason", "department_id", "crew", "appointment_at", "rounds", "version"),
    "order_step": ("id", "order_id", "seq", "from_step", "to_step", "action", "actor_id", "at", "note", "data"),
    "deadline": ("id", "order_id", "scope", "step", "department_id", "amount", "unit", "started_at", "due_at",
                 "status", "paused_at", "pause_reason", "remaining", "finished_at"),
    "deadline_pause": ("id", "deadline_id", "started_at", "ended_at", "reason"),
    "payment": ("id", "receipt_number", "kind", "amount", "cash_effect", "balance_effect", "method",
                "customer_id", "account_id", "order_id", "staff_id", "at", "item", "note", "reverses_id"),
}
DECIMALS: dict[str, dict[str, int]] = {  # column -> decimal places (the stored integer's scale on SQLite)
    "customer": {"yearly_allowance": 3},
    "account": {"balance": 2},
    "meter": {"initial_reading": 3, "last_reading": 3, "final_reading": 3},
    "payment": {"amount": 2, "cash_effect": 2, "balance_effect": 2},
}
TABLE_ORDER = ("customer", "account", "meter", "service_order", "order_step", "deadline", "deadline_pause",
               "payment")


def ts(value: datetime) -> str:
    """The text SQLAlchemy stores for a DateTime on SQLite; PostgreSQL's COPY reads it as well."""
    return value.isoformat(sep=" ", timespec="microseconds")


def log(message: str) -> None:
    print(message, flush=True)


# ------------------------------------------------------------------------------------- people

class People:
    """Names, initials, addresses, phones and ID numbers, fast: pinyin initials per character."""

    def __init__(self, rnd: random.Random) -> None:
        from gasdesk.services.customers import initials

        self.rnd = rnd
        self.surnames = [s for s, _ in SURNAMES]
        self.surname_cum = list(itertools.accumulate(w for _, w in SURNAMES))
        self.given = list(dict.fromkeys(GIVEN))
        chars = set("".join(self.surnames)) | set(self.given) | set("".join(BRANDS)) | set(
            "".join(t for t, _ in TRADES)) | set(CITY)
        # Per character, as the application computes them for a whole name (pypinyin is ~30 us a name).
        self.initial = {c: initials(c) for c in chars}
        self._initials = initials
        self.pairs: dict[str, str] = {}
        self.exact: dict[str, str] = {}
        self.estates = [h + t for h in ESTATE_HEADS for t in ESTATE_TAILS]
        self.phone_mult = 48_271  # coprime with 10**8: i -> (i * mult + off) mod 10**8 is a bijection
        self.phone_off = rnd.randrange(10**8)
        self.used_ids: set[str] = set()

    def surname(self) -> str:
        r = self.rnd.random() * self.surname_cum[-1]
        return self.surnames[bisect.bisect_right(self.surname_cum, r)]

    def person(self) -> str:
        rnd = self.rnd
        given = rnd.choice(self.given)
        if rnd.random() < 0.42:  # most are surname + one character (张伟), many have two (王秀英)
            given += rnd.choice(self.given)
        return self.surname() + given

    def initials_of(self, name: str) -> str:
        """What the application stores (customers.initials), from per-character initials; a pair that
        pypinyin reads as a word (冯河 -> ph) sends the whole name to pypinyin, cached."""
        hit = self.exact.get(name)
        if hit is not None:
            return hit
        try:
            chars = [self.initial[c] for c in name]
        except KeyError:
            chars = None
        if chars is not None and len(name) <= 4:
            for i in range(len(name) - 1):
                pair = name[i:i + 2]
                got = self.pairs.get(pair)
                if got is None:
                    got = self.pairs[pair] = self._initials(pair)
                if got != chars[i] + chars[i + 1]:
                    break
            else:
                return "".join(chars)
        value = self.exact[name] = self._initials(name)
        return value

    def company(self) -> tuple[str, str]:
        trade, use = self.rnd.choice(TRADES)
        return f"{CITY}{self.rnd.choice(BRANDS)}{trade}", use

    def address(self, business: bool) -> tuple[str, bool, str, str]:
        """(address, urban?, street, estate)"""
        rnd = self.rnd
        district, urban, streets = rnd.choice(DISTRICTS)
        street = rnd.choice(streets)
        estate = rnd.choice(self.estates)
        no = rnd.randint(1, 399)
        if business:
            return f"{CITY}{district}{street}{no}号{estate}商铺{rnd.randint(1, 60)}号", urban, street, estate
        floor = rnd.randint(1, 33)
        return (f"{CITY}{district}{street}{no}号{estate}{rnd.randint(1, 30)}栋{rnd.randint(1, 6)}单元"
                f"{floor}{rnd.randint(1, 4):02d}室", urban, street, estate)

    def mobile(self, i: int) -> str:
        return self.rnd.choice(MOBILE_PREFIXES) + f"{(i * self.phone_mult + self.phone_off) % 10**8:08d}"

    def resident_id(self) -> str:
        from gasdesk.validation import make_resident_id

        rnd = self.rnd
        while True:
            birth = date(1940, 1, 1) + timedelta(days=rnd.randrange(23_700))
            value = make_resident_id(rnd.choice(REGIONS), birth, rnd.randrange(1000))
            if value not in self.used_ids:
                self.used_ids.add(value)
                return value

    def credit_code(self, i: int) -> str:
        from gasdesk.validation import make_credit_code

        chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
        tail = "".join(self.rnd.choice(chars) for _ in range(9))
        return make_credit_code(f"915201{i % 100:02d}{tail}")


# ------------------------------------------------------------------------------------- orders

@dataclass
class Clock:
    scope: str
    step: str | None
    department: str | None
    amount: int
    unit: str
    start: int  # index of the move that started it
    end: int | None = None  # index of the move that finished it (None: still open)
    cancelled: bool = False
    paused_at: int | None = None  # open and paused since this move
    resumed: int | None = None  # last move that resumed it (due_at counts from there)


@dataclass
class Template:
    """One way through a flow: the moves (step log), the clocks, what the order row ends with."""

    kind: str
    prefix: str
    status: str
    step: str
    moves: list[tuple[str | None, str, str, str, str]]  # from, to, action, role, data json
    offsets: list[int]  # minutes after opening, per move
    clocks: list[Clock]
    data: str
    documents: str
    department: str | None
    crew: str
    appointment: bool
    rounds: int
    summary: str
    reason: str


def field_value(f: Any, rnd: random.Random) -> Any:
    from gasdesk.flows.definition import FieldKind

    k = f.kind
    if k is FieldKind.CHOICE:
        return f.choices[0][0] if f.choices else ""
    if k in (FieldKind.INT,):
        return rnd.randint(1, 5)
    if k is FieldKind.MONEY:
        return f"{rnd.choice((30, 50, 80, 120, 200))}.00"
    if k is FieldKind.READING:
        return f"{rnd.randint(0, 9000)}.{rnd.randint(0, 999):03d}"
    if k is FieldKind.DATE:
        return "2026-06-15"
    if k is FieldKind.DATETIME:
        return "2026-06-15T14:00"
    if k is FieldKind.BOOL:
        return True
    if k in (FieldKind.MOBILE, FieldKind.PHONE):
        return "13985012345"
    if k is FieldKind.ID_NUMBER:
        return "520102198805061234"
    if k is FieldKind.DEPARTMENT:
        return rnd.choice(("distribution", "metering", "customer_service"))
    texts = {"content": "燃气表走字偏快，要求上门校验", "answer": "已解释阶梯气价计费方式", "summary": "客户反映抄表数据异常",
             "explanation": "已向客户说明停气原因", "result": "已上门处理完毕", "callback_note": "客户表示满意",
             "crew": "输配一班", "meter_model": "JBD2.5", "meter_rating": "G2.5", "designer": "王工",
             "new_name": "李建国"}
    if f.code == "meter_number":
        return f"JB{rnd.randint(10**9, 10**10 - 1)}"
    return texts.get(f.code, f.label)


ACTION_WEIGHT = {"refuse": 0.4, "plan_refused": 0.3, "conditions_not_met": 0.6, "acceptance_failed": 0.3,
                 "documents_mismatch": 0.4, "not_satisfied": 0.5, "enquiry_answered": 4, "explanation_accepted": 3,
                 "transfer": 3, "cancel": 0.25, "with_plugging": 1.5, "without_plugging": 1}


def _role_for(action: Any) -> str:
    from gasdesk.vocab import Role

    for role in (Role.CLERK, Role.DISPATCHER, Role.HANDLER, Role.ACCOUNT_MANAGER, Role.MANAGER):
        if role in action.roles:
            return str(role)
    return "admin"


def make_template(flow: Any, rnd: random.Random, *, open_: bool) -> Template:
    from gasdesk.flows import engine as flow_engine

    for _attempt in range(200):
        cur = flow.initial
        values: dict[str, Any] = {f.code: field_value(f, rnd) for f in flow.open_fields}
        docs = [d.code for d in flow.documents if d.required or rnd.random() < 0.5]
        moves: list[tuple[str | None, str, str, str, str]] = [
            (None, cur, "open", "clerk", json.dumps({"documents": docs, **values}, ensure_ascii=False))]
        assigned: set[str] = set()
        stop_at = rnd.randint(1, 5) if open_ else 99
        department = crew = None
        appointment = False
        rounds = 0
        reason = ""
        while len(moves) < 14:
            step = flow.step(cur)
            if step.terminal or (open_ and len(moves) - 1 >= stop_at):
                break
            actions = list(step.actions) + [flow_engine.CANCEL]
            weights = []
            for i, a in enumerate(actions):
                if a.code == "assign":
                    weights.append(0 if cur in assigned else 4)
                else:
                    weights.append(ACTION_WEIGHT.get(a.code, 10 if i == 0 else 2))
            if open_:  # an open order never reaches a terminal step here
                weights = [0 if flow.step(a.target).terminal else w for a, w in zip(actions, weights, strict=True)]
                if not any(weights):
                    break
            a = rnd.choices(actions, weights)[0]
            fields = {f.code: field_value(f, rnd) for f in a.fields if f.required or rnd.random() < 0.3}
            if a.needs_reason or a.code in ("refuse", "plan_refused", "conditions_not_met", "cancel"):
                reason = rnd.choice(("资料不全", "不具备通气条件", "客户撤回申请", "现场不符合安全规范"))
                fields["reason"] = reason
            if a.code == "assign":
                assigned.add(cur)
                appointment = True
                crew = fields.get("crew", "输配一班")
            if "assign_department" in a.effects:
                department = fields.get("department")
            if "count_round" in a.effects:
                rounds += 1
            values.update({k: v for k, v in fields.items() if k != "reason"})
            moves.append((cur, a.target, a.code, _role_for(a), json.dumps(fields, ensure_ascii=False)))
            cur = a.target
        final = flow.step(cur)
        if bool(final.terminal) != (not open_):
            continue
        break
    else:  # pragma: no cover - the weights make this unreachable
        raise RuntimeError(f"no walk through {flow.kind}")
    if flow.kind == "complaint" and values.get("respondent_department"):
        department = department or values["respondent_department"]
    status = final.terminal or "open"
    # Offsets: counter work takes minutes, site visits and the customer's part take days.
    offsets = [0]
    for _frm, to, action, role, _d in moves[1:]:
        big = role in ("dispatcher", "handler") or flow.step(to).customer_wait or action in ("assign",)
        step_minutes = rnd.randint(600, 4 * 1440) if big else rnd.randint(3, 240)
        if open_:
            step_minutes = max(1, step_minutes // 6)
        offsets.append(offsets[-1] + step_minutes)
    return Template(
        kind=flow.kind, prefix=flow.number_prefix, status=status, step=cur, moves=moves, offsets=offsets,
        clocks=simulate_clocks(flow, moves), data=json.dumps(values, ensure_ascii=False),
        documents=json.dumps(docs), department=department, crew=crew or "", appointment=appointment,
        rounds=rounds, summary="", reason=reason,
    )


def simulate_clocks(flow: Any, moves: Sequence[tuple[str | None, str, str, str, str]]) -> list[Clock]:
    """The commitment clocks a walk starts, pauses and finishes, as the order service would."""
    clocks: list[Clock] = []
    first = flow.step(flow.initial)
    if first.limit:
        clocks.append(Clock("step", first.code, first.department, first.limit.amount, str(first.limit.unit), 0))
    order_clock = None
    if flow.total_limit:
        order_clock = Clock("order", None, None, flow.total_limit.amount, str(flow.total_limit.unit), 0)
        if first.customer_wait or not first.counted:
            order_clock.paused_at = 0
        clocks.append(order_clock)
    for i, (frm, to, _action, _role, _data) in enumerate(moves[1:], start=1):
        if frm == to:
            continue
        target = flow.step(to)
        for c in clocks:
            if c.scope == "step" and c.end is None:
                c.end, c.cancelled = i, to == "cancelled"
        if target.limit:
            clocks.append(Clock("step", target.code, target.department, target.limit.amount,
                                str(target.limit.unit), i))
        if order_clock is not None and order_clock.end is None:
            if target.terminal:
                order_clock.end, order_clock.cancelled = i, to == "cancelled"
                order_clock.paused_at = None
            elif target.customer_wait or not target.counted:
                if order_clock.paused_at is None:
                    order_clock.paused_at = i
            elif order_clock.paused_at is not None:
                order_clock.paused_at, order_clock.resumed = None, i
    return clocks


# ---------------------------------------------------------------------------------------- sinks

class SqliteSink:
    dialect = "sqlite"

    def __init__(self, path: Path, drop_indexes: bool, analyze: bool = False) -> None:
        self.analyze = analyze
        self.con = sqlite3.connect(path, isolation_level=None)
        self.con.execute("PRAGMA journal_mode=WAL")
        self.con.execute("PRAGMA synchronous=OFF")
        self.con.execute("PRAGMA cache_size=-400000")  # 400 MB page cache for the load
        self.con.execute("PRAGMA temp_store=MEMORY")
        self.dropped: list[tuple[str, str]] = []
        if drop_indexes:
            tables = ", ".join(f"'{t}'" for t in TABLE_ORDER)
            self.dropped = self.con.execute(
                f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                f"AND tbl_name IN ({tables})").fetchall()
            for name, _sql in self.dropped:
                self.con.execute(f'DROP INDEX "{name}"')
        self.con.execute("BEGIN")

    def add(self, table: str, rows: list[tuple[Any, ...]]) -> None:
        cols = COLUMNS[table]
        sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
        for i in range(0, len(rows), BATCH):
            self.con.executemany(sql, rows[i:i + BATCH])

    def add_search(self, docs: list[tuple[int, str, str]]) -> None:
        from gasdesk.models.search_index import document

        pairs = [(cid, document(name, address)) for cid, name, address in docs]  # FTS5: the pairs
        for i in range(0, len(pairs), BATCH):
            self.con.executemany("INSERT INTO customer_fts(rowid, doc) VALUES (?, ?)", pairs[i:i + BATCH])

    def commit(self) -> None:
        self.con.execute("COMMIT")
        self.con.execute("BEGIN")

    def finish(self, sequences: dict[str, int]) -> None:
        self.con.executemany(
            "INSERT INTO number_sequence (series, last_value) VALUES (?, ?) ON CONFLICT (series) DO UPDATE "
            "SET last_value = max(last_value, excluded.last_value)", sorted(sequences.items()))
        self.con.execute("COMMIT")
        if self.dropped:
            t = time.perf_counter()
            for _name, sql in self.dropped:
                self.con.execute(sql)
            log(f"  recreated {len(self.dropped)} indexes in {time.perf_counter() - t:.1f} s")
        if self.analyze:
            t = time.perf_counter()
            self.con.execute("ANALYZE")
            log(f"  ANALYZE in {time.perf_counter() - t:.1f} s")
        t = time.perf_counter()
        self.con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        log(f"  checkpoint in {time.perf_counter() - t:.1f} s")
        self.con.close()


class PgSink:
    dialect = "postgresql"

    def __init__(self, conninfo: str, drop_indexes: bool) -> None:
        import psycopg

        self.con = psycopg.connect(conninfo)
        self.cur = self.con.cursor()
        # A superuser's bulk load: no FK triggers while COPYing rows that are consistent by construction.
        self.cur.execute("SET session_replication_role = replica")
        self.cur.execute("SET maintenance_work_mem = '1GB'")
        self.cur.execute("SET synchronous_commit = off")
        self.dropped: list[tuple[str, str]] = []
        if drop_indexes:
            tables = list(TABLE_ORDER) + ["customer_gram"]
            self.cur.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = 'public' "
                "AND i.tablename = ANY(%s) AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
                "WHERE c.conname = i.indexname)", (tables,))
            self.dropped = list(self.cur.fetchall())
            for name, _sql in self.dropped:
                self.cur.execute(f'DROP INDEX "{name}"')
        self.con.commit()

    def _copy(self, table: str, cols: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> None:
        with self.cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def add(self, table: str, rows: list[tuple[Any, ...]]) -> None:
        cols = COLUMNS[table]
        scaled = [(cols.index(c), p) for c, p in DECIMALS.get(table, {}).items()]
        if scaled:
            rows = [_descale(r, scaled) for r in rows]
        self._copy(table, cols, rows)

    def add_search(self, docs: list[tuple[int, str, str]]) -> None:
        from gasdesk.models.search_index import customer_keys

        self._copy("customer_gram", ("gram", "customer_id"),
                   ((key, cid) for cid, name, address in docs for key in sorted(customer_keys(name, address))))

    def commit(self) -> None:
        self.con.commit()

    def finish(self, sequences: dict[str, int]) -> None:
        t = time.perf_counter()
        self.cur.executemany(
            "INSERT INTO number_sequence (series, last_value) VALUES (%s, %s) ON CONFLICT (series) DO UPDATE "
            "SET last_value = greatest(number_sequence.last_value, excluded.last_value)",
            sorted(sequences.items()))
        for table in TABLE_ORDER:
            self.cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                             f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)")
        self.con.commit()
        if self.dropped:
            t = time.perf_counter()
            for _name, sql in self.dropped:
                self.cur.execute(sql)
                self.con.commit()
            log(f"  recreated {len(self.dropped)} indexes in {time.perf_counter() - t:.1f} s")
        t = time.perf_counter()
        self.cur.execute("SET session_replication_role = origin")
        self.con.commit()
        self.con.autocommit = True
        self.cur.execute("VACUUM ANALYZE")
        log(f"  VACUUM ANALYZE in {time.perf_counter() - t:.1f} s")
        self.con.close()


def _descale(row: tuple[Any, ...], scaled: list[tuple[int, int]]) -> tuple[Any, ...]:
    out = list(row)
    for i, places in scaled:
        v = out[i]
        if v is not None:
            sign = "-" if v < 0 else ""
            q, r = divmod(abs(v), 10**places)
            out[i] = f"{sign}{q}.{r:0{places}d}"
    return tuple(out)


# ------------------------------------------------------------------------------------ generator

@dataclass
class Samples:
    names2: list[str] = field(default_factory=list)
    names3: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    accounts: list[str] = field(default_factory=list)
    addr2: list[str] = field(default_factory=list)
    addr4: list[str] = field(default_factory=list)
    initials: list[str] = field(default_factory=list)
    quiet_residents: list[int] = field(default_factory=list)
    print_orders: list[int] = field(default_factory=list)


class Generator:
    def __init__(self, args: argparse.Namespace, staff: dict[str, list[int]], departments: dict[str, int],
                 calendar: Any) -> None:
        from gasdesk.flows import ALL_FLOWS

        self.args = args
        self.rnd = random.Random(args.seed)
        self.people = People(self.rnd)
        self.staff = staff
        self.departments = departments
        self.calendar = calendar
        self.flows = ALL_FLOWS
        self.n = args.customers
        mean = max(1.0, args.orders_per_customer)
        self.expected_orders = int(self.n * mean)
        self.open_target = min(args.open_orders, self.expected_orders // 4)
        self.p_open = self.open_target / max(1, self.expected_orders - HEAVY_ORDERS)
        # Orders per customer: 1 + Poisson(mean - 1).
        lam = mean - 1
        self.k_values = list(range(1, 16))
        self.k_weights = [math.exp(-lam) * lam ** (k - 1) / math.factorial(k - 1) for k in self.k_values]
        self.heavy = max(1, self.n // 3)
        self.templates: dict[tuple[str, bool], list[Template]] = {}
        for kind, flow in ALL_FLOWS.items():
            self.templates[(kind, False)] = [make_template(flow, self.rnd, open_=False) for _ in range(60)]
            self.templates[(kind, True)] = [make_template(flow, self.rnd, open_=True) for _ in range(30)]
        self.counters: dict[str, int] = {}
        self.ids = {t: 0 for t in TABLE_ORDER}
        self.due_cache: dict[tuple[date, int], datetime] = {}
        self.samples = Samples()
        self.span_minutes = int((NOW - HISTORY_START).total_seconds() // 60)
        self.order_total = 0
        self.open_total = 0
        self.overdue_total = 0
        self.rows_total = {t: 0 for t in TABLE_ORDER}

    # --- helpers ------------------------------------------------------------------------------

    def next_id(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    def number(self, series: str) -> int:
        value = self.counters.get(series, 0) + 1
        self.counters[series] = value
        return value

    def due(self, start: datetime, amount: int, unit: str) -> datetime:
        if unit != "working_days":
            per = {"days": 1440, "hours": 60, "minutes": 1}[unit]
            return start + timedelta(minutes=amount * per)
        key = (start.date(), amount)
        hit = self.due_cache.get(key)
        if hit is None:
            hit = self.due_cache[key] = datetime.combine(self.calendar.add_working_days(start.date(), amount),
                                                         datetime.max.time().replace(microsecond=0))
        return hit

    def at(self, minutes: int) -> datetime:
        return HISTORY_START + timedelta(minutes=minutes)

    def worker(self, role: str) -> int:
        pool = self.staff.get(role) or self.staff["clerk"]
        return pool[self.rnd.randrange(len(pool))]

    # --- one chunk of customers ---------------------------------------------------------------

    def chunk(self, first: int, last: int) -> dict[str, list[tuple[Any, ...]]]:
        rnd, people = self.rnd, self.people
        out: dict[str, list[tuple[Any, ...]]] = {t: [] for t in TABLE_ORDER}
        docs: list[tuple[int, str, str]] = []

        for cid in range(first, last + 1):
            business = rnd.random() < 0.08
            if business:
                name, use = people.company()
                id_type, id_number = "credit_code", people.credit_code(cid)
                contact = people.person()
                allowance = 0
                household = None
            else:
                name, use = people.person(), "residential"
                id_type, id_number = "resident_id", people.resident_id()
                contact = ""
                allowance = 350_000
                household = rnd.randint(1, 6) if rnd.random() < 0.7 else None
            address, urban, street, estate = people.address(business)
            phone = people.mobile(cid)
            k = HEAVY_ORDERS if cid == self.heavy else rnd.choices(self.k_values, self.k_weights)[0]
            opens = [rnd.random() < self.p_open for _ in range(k)] if cid != self.heavy else [False] * k
            if cid == self.heavy:
                opens[-1] = opens[-2] = True
            if opens[0]:  # a brand-new customer: the account opening is still under way
                created = NOW - timedelta(minutes=rnd.randint(60, 12 * 1440))
            else:
                created = self.at(rnd.randrange(self.span_minutes - 30 * 1440))
            customer_row = (cid, f"C{cid:09d}", "non_residential" if business else "residential", "active", name,
                            people.initials_of(name), id_type, id_number, contact, phone, "", address,
                            "urban" if urban else "suburban", use, allowance, household, ts(created), None, None, 1)
            out["customer"].append(customer_row)
            docs.append((cid, name, address))
            # Account and meter.
            aid = self.next_id("account")
            account_status = "applying" if opens[0] else rnd.choices(
                ("active", "suspended", "closed"), (93, 5, 2))[0]
            activated = None if opens[0] else created + timedelta(days=rnd.randint(1, 6))
            balance = rnd.choice((0, 0, rnd.randint(1, 50_000), rnd.randint(1, 20_000), -rnd.randint(100, 30_000)))
            out["account"].append((aid, f"A{aid:09d}", cid, account_status, balance, address, ts(created),
                                   ts(activated) if activated else None,
                                   ts(activated + timedelta(days=300)) if account_status == "suspended" and activated
                                   else None,
                                   ts(activated + timedelta(days=600)) if account_status == "closed" and activated
                                   else None, None, 1))
            if activated:
                mid = self.next_id("meter")
                rating = "G2.5" if not business else rnd.choice(("G6", "G10", "G16"))
                out["meter"].append((mid, f"JB{activated.year}{mid:08d}", "JBD2.5" if not business else "JBD" + rating[1:],
                                     rating, aid, "removed" if account_status == "closed" else "in_service", 0,
                                     rnd.randint(0, 3_000_000), ts(NOW - timedelta(days=rnd.randint(1, 60))),
                                     ts(activated), None, None))
            # Orders.
            order_ids = self.orders(out, cid, aid, business, created, opens)
            # Payments: about one per customer.
            for _ in range(rnd.choices((0, 1, 1, 1, 2), k=1)[0]):
                self.payment(out, cid, aid, created, order_ids)
            # Search targets.
            if len(self.samples.quiet_residents) < 400 and not business and not any(opens) and rnd.random() < 0.05:
                self.samples.quiet_residents.append(cid)
            self.sample(name, phone, id_number, aid, street, estate, people.initials_of(name), business)
        self.docs = docs
        return out

    def orders(self, out: dict[str, list[tuple[Any, ...]]], cid: int, aid: int, business: bool,
               created: datetime, opens: list[bool]) -> list[int]:
        rnd = self.rnd
        later = LATER_KINDS_BIZ if business else LATER_KINDS_RES
        kinds = [k for k, _ in later]
        weights = [w for _, w in later]
        made = []
        created_min = int((created - HISTORY_START).total_seconds() // 60)
        for i, open_ in enumerate(opens):
            kind = ("installation" if business else "activation") if i == 0 else rnd.choices(kinds, weights)[0]
            tpl = rnd.choice(self.templates[(kind, open_)])
            if i == 0 and not open_:
                start = created
            elif open_:
                start = NOW - timedelta(minutes=rnd.randint(30, 12 * 1440) + tpl.offsets[-1])
                start = max(start, created + timedelta(minutes=5))
            else:
                lo = created_min + 1440
                hi = max(lo + 1, self.span_minutes - 20 * 1440)
                start = self.at(rnd.randrange(lo, hi))
            made.append(self.order(out, tpl, cid, aid, start))
        return made

    def order(self, out: dict[str, list[tuple[Any, ...]]], tpl: Template, cid: int, aid: int,
              start: datetime) -> int:
        oid = self.next_id("service_order")
        flow = self.flows[tpl.kind]
        times = [start + timedelta(minutes=m) for m in tpl.offsets]
        if tpl.status == "open" and times[-1] >= NOW:
            shift = times[-1] - NOW + timedelta(minutes=5)
            times = [t - shift for t in times]
        stamp = f"{times[0]:%Y%m%d}"
        number = f"{tpl.prefix}-{stamp}-{self.number(f'{tpl.prefix}-{stamp}'):04d}"
        closed = ts(times[-1]) if tpl.status != "open" else None
        account_id = aid if (flow.account_statuses is not None or tpl.kind in ("activation", "installation")) else None
        dept = self.departments.get(tpl.department) if tpl.department else None
        appointment = ts(times[-1] + timedelta(days=2)) if tpl.appointment else None
        opener = self.worker("clerk")
        out["service_order"].append((
            oid, number, tpl.kind, cid, account_id, tpl.step, tpl.status, ts(times[-1]), opener, ts(times[0]),
            closed, "counter", tpl.summary, tpl.documents, tpl.data, tpl.reason, dept, tpl.crew, appointment,
            tpl.rounds, len(tpl.moves)))
        steps = out["order_step"]
        for seq, ((frm, to, action, role, data), at) in enumerate(zip(tpl.moves, times, strict=True), start=1):
            steps.append((self.next_id("order_step"), oid, seq, frm, to, action,
                          opener if seq == 1 else self.worker(role), ts(at), "", data))
        overdue = False
        for c in tpl.clocks:
            started = times[c.resumed if c.resumed is not None else c.start]
            due = self.due(started, c.amount, c.unit)
            dl_dept = self.departments.get(c.department) if c.department else dept if c.scope == "step" else None
            if c.end is not None:
                end = times[c.end]
                status = "cancelled" if c.cancelled else ("met" if end <= due else "missed")
                row = (self.next_id("deadline"), oid, c.scope, c.step, dl_dept, c.amount, c.unit, ts(times[c.start]),
                       ts(due), status, None, "", None, ts(end))
            elif c.paused_at is not None:
                paused = times[c.paused_at]
                did = self.next_id("deadline")
                row = (did, oid, c.scope, c.step, dl_dept, c.amount, c.unit, ts(times[c.start]), ts(due), "paused",
                       ts(paused), "等待客户", max(0, c.amount - 1), None)
                out["deadline_pause"].append((self.next_id("deadline_pause"), did, ts(paused), None, "等待客户"))
            else:
                row = (self.next_id("deadline"), oid, c.scope, c.step, dl_dept, c.amount, c.unit, ts(times[c.start]),
                       ts(due), "running", None, "", None, None)
                overdue = overdue or due < NOW
            out["deadline"].append(row)
        self.order_total += 1
        if tpl.status == "open":
            self.open_total += 1
            self.overdue_total += overdue
        elif tpl.kind == "activation" and len(self.samples.print_orders) < 50 and self.rnd.random() < 0.01:
            self.samples.print_orders.append(oid)
        return oid

    def payment(self, out: dict[str, list[tuple[Any, ...]]], cid: int, aid: int, created: datetime,
                order_ids: list[int]) -> None:
        rnd = self.rnd
        lo = int((created - HISTORY_START).total_seconds() // 60)
        at = self.at(rnd.randrange(lo, max(lo + 1, self.span_minutes - 60)))
        pid = self.next_id("payment")
        stamp = f"{at:%Y%m%d}"
        receipt = f"SJ-{stamp}-{self.number(f'SJ-{stamp}'):05d}"
        kind = rnd.choices(("prepay", "fee", "arrears"), (70, 20, 10))[0]
        amount = rnd.choice((5000, 10000, 20000, 30000, 50000)) if kind == "prepay" else rnd.randint(3000, 30000)
        balance_effect = 0 if kind == "fee" else amount
        order_id = rnd.choice(order_ids) if kind == "fee" else None
        item = {"prepay": "预存", "fee": "业务收费", "arrears": "收取欠费"}[kind]
        out["payment"].append((pid, receipt, kind, amount, amount, balance_effect, rnd.choice(PAY_METHODS), cid, aid,
                               order_id, self.worker("clerk"), ts(at), item, "", None))

    def sample(self, name: str, phone: str, id_number: str, aid: int, street: str, estate: str, initials: str,
               business: bool) -> None:
        s, rnd = self.samples, self.rnd
        if rnd.random() > max(0.002, 400 / self.n):
            return
        if not business:
            (s.names2 if len(name) == 2 else s.names3 if len(name) == 3 else []).append(name)
            s.initials.append(initials)
        s.phones.append(phone[:rnd.randint(5, 8)])
        s.ids.append(id_number)
        s.accounts.append(f"A{aid:09d}")
        s.addr2.append(estate[:2] if rnd.random() < 0.5 else street[:2])
        s.addr4.append(estate if len(estate) == 4 and rnd.random() < 0.5 else street[:4])


def sequences_of(gen: Generator) -> dict[str, int]:
    seq = dict(gen.counters)
    seq["customer"] = gen.n
    seq["account"] = gen.ids["account"]
    return seq


# ---------------------------------------------------------------------------------------- main

def samples_path(url: str) -> Path:
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        return Path(f"{u.database}.bench.json")
    return ROOT / "bench" / "data" / f"{u.host or 'localhost'}_{u.port or 5432}_{u.database}.bench.json"


def prepare_database(url: str, force: bool) -> None:
    """An empty database: SQLite file removed with --force; a PostgreSQL database created when missing,
    its public schema dropped and made anew with --force (only the database named by --db)."""
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        path = Path(u.database or "")
        if path.exists() and force:
            for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                p.unlink(missing_ok=True)
        return
    import psycopg

    admin = u.set(database="postgres", drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as con:
        exists = con.execute("SELECT 1 FROM pg_database WHERE datname = %s", (u.database,)).fetchone()
        if not exists:
            con.execute(f'CREATE DATABASE "{u.database}"')
            return
    if force:
        conninfo = u.set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(conninfo, autocommit=True) as con:
            con.execute("DROP SCHEMA public CASCADE")
            con.execute("CREATE SCHEMA public")


def make_staff(app: Any) -> tuple[dict[str, list[int]], dict[str, int], list[dict[str, str]]]:
    from sqlalchemy import select, update

    from gasdesk.models import Department, Staff
    from gasdesk.services.staff import StaffService, create_first_admin

    admin = create_first_admin(app, "admin", "系统管理员", ADMIN_PASSWORD)
    service = StaffService(app, admin)
    by_role: dict[str, list[int]] = {"admin": [admin.staff_id]}
    logins = [{"login": "admin", "password": ADMIN_PASSWORD, "role": "admin"}]
    names = iter(STAFF_NAMES)
    for prefix, role, dept, count in STAFF_PLAN:
        for i in range(1, count + 1):
            v = service.create(f"{prefix}{i}", next(names), role, dept, STAFF_PASSWORD)
            by_role.setdefault(role, []).append(v.id)
            logins.append({"login": v.login, "password": STAFF_PASSWORD, "role": role})
    with app.unit_of_work() as s:
        # The bench acts as these people at once: as if each had signed in and set their password.
        s.execute(update(Staff).values(must_change_password=False))
    with app.reading() as s:
        departments = dict(s.execute(select(Department.code, Department.id)).all())
    return by_role, departments, logins


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--db", help="database URL or SQLite file (default bench/data/bench-<N>.sqlite)")
    parser.add_argument("--orders-per-customer", type=float, default=3.0)
    parser.add_argument("--open-orders", type=int, default=50_000,
                        help="open orders wanted (at most a quarter of all orders)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--indexes", choices=["drop", "keep"], default="drop",
                        help="drop secondary indexes during the load and build them after (default), or keep")
    parser.add_argument("--analyze", action="store_true", help="run ANALYZE on SQLite after the load (the "
                        "application itself never does, so by default the file has no planner statistics; "
                        "PostgreSQL is always analysed, as autovacuum would)")
    parser.add_argument("--force", action="store_true", help="replace an existing database (SQLite file, or "
                        "the PostgreSQL database's public schema)")
    args = parser.parse_args(argv)

    url = normalise_url(args.db) if args.db else default_url(args.customers)
    total = time.perf_counter()
    prepare_database(url, args.force)

    from gasdesk.clock import FixedClock
    from gasdesk.services.context import App

    t = time.perf_counter()
    app = App(url, FixedClock(NOW))
    with app.reading() as s:
        from sqlalchemy import func, select

        from gasdesk.models import Customer, Staff

        if s.scalar(select(func.count()).select_from(Staff)) or s.scalar(select(func.count()).select_from(Customer)):
            app.dispose()
            print(f"{url}: database is not empty; use --force to replace it", file=sys.stderr)
            return 2
    staff, departments, logins = make_staff(app)
    calendar = app.calendar()
    app.dispose()
    log(f"schema and {sum(len(v) for v in staff.values())} staff in {time.perf_counter() - t:.1f} s")

    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        sink: SqliteSink | PgSink = SqliteSink(Path(u.database or ""), args.indexes == "drop", args.analyze)
    else:
        sink = PgSink(u.set(drivername="postgresql").render_as_string(hide_password=False), args.indexes == "drop")

    gen = Generator(args, staff, departments, calendar)
    t_gen = t_ins = 0.0
    load = time.perf_counter()
    for first in range(1, args.customers + 1, CHUNK_CUSTOMERS):
        last = min(args.customers, first + CHUNK_CUSTOMERS - 1)
        t0 = time.perf_counter()
        rows = gen.chunk(first, last)
        t1 = time.perf_counter()
        for table in TABLE_ORDER:
            sink.add(table, rows[table])
            gen.rows_total[table] += len(rows[table])
        sink.add_search(gen.docs)
        sink.commit()
        t2 = time.perf_counter()
        t_gen += t1 - t0
        t_ins += t2 - t1
        log(f"  customers {last:>9,}/{args.customers:,}  orders {gen.order_total:>10,}  "
            f"steps {gen.rows_total['order_step']:>11,}  ({time.perf_counter() - load:6.1f} s; "
            f"python {t_gen:.1f} s, database {t_ins:.1f} s)")
    log("finishing (number sequences, indexes)")
    t = time.perf_counter()
    sink.finish(sequences_of(gen))
    seal_rows(url)
    t_fin = time.perf_counter() - t
    elapsed = time.perf_counter() - total
    samples = asdict_samples(gen, url, logins)
    samples["generation"] = {
        "customers": args.customers, "seconds": round(elapsed, 1), "python_seconds": round(t_gen, 1),
        "insert_seconds": round(t_ins, 1), "finish_seconds": round(t_fin, 1), "indexes": args.indexes,
        "analyze": args.analyze or sink.dialect == "postgresql", "rows": gen.rows_total, "open_orders": gen.open_total, "open_overdue_orders": gen.overdue_total,
        "dialect": sink.dialect,
    }
    path = samples_path(url)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(samples, ensure_ascii=False, indent=1))
    log(json.dumps(samples["generation"]))
    log(f"done: {args.customers:,} customers, {gen.order_total:,} orders ({gen.open_total:,} open, "
        f"{gen.overdue_total:,} overdue) in {elapsed:.1f} s; samples in {path}")
    return 0


def seal_rows(url: str) -> None:
    """Give the bulk-written money and identity rows their digests and seals, as the application
    would have, so `gasdesk audit verify` checks a benchmark database like a real one."""
    from sqlalchemy import text

    from gasdesk import db
    from gasdesk.models.audit import seal_unsealed_rows

    engine = db.make_engine(url)
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(7230001)"))
        sealed = seal_unsealed_rows(connection, NOW, chunk=5000)
    engine.dispose()
    log(f"sealed {sealed:,} rows in the audit chain")


def asdict_samples(gen: Generator, url: str, logins: list[dict[str, str]]) -> dict[str, Any]:
    from dataclasses import asdict

    s = asdict(gen.samples)
    for key, values in list(s.items()):
        s[key] = list(dict.fromkeys(values))[:60]
    return {"url": make_url(url).render_as_string(hide_password=True), "now": NOW.isoformat(),
            "heavy_customer_id": gen.heavy, "logins": logins, **s}


def default_url(customers: int) -> str:
    return f"sqlite:///{ROOT / 'bench' / 'data' / f'bench-{customers}.sqlite'}"


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    raise SystemExit(main())

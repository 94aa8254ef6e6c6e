"""Demo data: a busy service hall of a Guiyang pipeline-gas company, built only through the services.

`build_demo` fills an empty database with staff of every role, a few thousand customers and about
four months of counter history: account openings and installations, every other flow in every
state (archived, rejected, cancelled, and open orders waiting in every step of every flow, some
overdue, some due today, some with paused clocks), complaints with several rounds, deposits,
arrears, refunds and fees.

How it works: the whole period is planned first as timed *stories* (one order each: a customer's
arrival with the first order, or a later service on an existing customer), then every move of
every story is replayed in time order with the application's FixedClock set to that move's time.
Each move is one ordinary service call by the staff member who would make it, so every row is
validated, numbered, audited and clock-checked exactly as at the counter.

The one write that bypasses the services is `post_opening_balance`: the demo does not simulate a
meter-reading and billing cycle, so arrears carried over from before the period are put on some
accounts as documented opening balances (one unit of work that lowers the balance and appends an
audit entry 'demo_opening_balance'). Every balance therefore reconciles as: the payments' balance
effects, minus the bills (site visits that take a final reading may bill the gas used), plus these
entries.
"""

from __future__ import annotations

import random
import time as timer
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_UP, Decimal
from typing import Any

from faker import Faker
from sqlalchemy import func, select

from gasdesk.clock import FixedClock
from gasdesk.flows import FLOWS
from gasdesk.flows.definition import ActionDef, StepDef
from gasdesk.flows.engine import CANCEL
from gasdesk.models import Account, Customer, Department, Meter, Payment, ServiceOrder, Staff
from gasdesk.services import audit
from gasdesk.services import settings as settings_store
from gasdesk.services.context import Actor, App
from gasdesk.services.customers import CustomerInput, CustomerService
from gasdesk.services.errors import Refused, ServiceError
from gasdesk.services.orders import OrderService, OrderView
from gasdesk.services.payments import PaymentService
from gasdesk.services.staff import StaffService, actor_of, create_first_admin
from gasdesk.services.worklists import WorklistService
from gasdesk.validation import make_credit_code, make_resident_id
from gasdesk.vocab import OrderStatus, Role

SIMULATED_DAYS = 120
STAFF_PASSWORD = "demo1234"
DEFAULT_ADMIN_PASSWORD = "admin123"
OPENING_BALANCE_ACTION = "demo_opening_balance"
# Staff are created with this password and then change it to STAFF_PASSWORD themselves, which
# clears must_change_password through the ordinary service.
_FIRST_PASSWORD = "demo-first-1"

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

    def lines(self) -> list[str]:
        """A short printable report (for the command line)."""
        status = "，".join(f"{OrderStatus(k).label} {v}" for k, v in sorted(self.orders_by_status.items()))
        kinds = "，".join(f"{FLOWS[k].label} {v}" for k, v in self.orders_by_kind.items() if k in FLOWS)
        out = [
            f"演示数据：{self.period_start:%Y-%m-%d %H:%M} 至 {self.period_end:%Y-%m-%d %H:%M}，"
            f"用时 {self.seconds:.1f} 秒（{self.service_calls} 次业务操作）",
            f"客户 {self.customers} 户；收费记录 {self.payments} 笔；期初欠费 {self.opening_balances} 户",
            f"业务单：{status}",
            f"按业务：{kinds}",
            f"办理中已超期 {self.open_overdue} 件，今日到期 {self.due_today} 件",
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

CITY = "贵阳市"
# name, region code (resident IDs, credit codes), weight, urban?, estates, roads.
# {L} becomes a zone letter, {N} a Chinese numeral.
DISTRICTS: tuple[tuple[str, str, int, bool, tuple[str, ...], tuple[str, ...]], ...] = (
    ("南明区", "520102", 28, True,
     ("花果园{L}区", "万科玲珑湾", "中天会展城", "保利春天大道", "亨特国际", "兴关小区", "太慈桥小区"),
     ("沙冲路", "兴关路", "新华路", "都司路", "市南路", "遵义路", "花果园大街")),
    ("云岩区", "520103", 25, True,
     ("中天未来方舟{L}组团", "中天花园", "渔安新城", "黔春小区", "金鸭小区", "宝山小区"),
     ("宝山北路", "中华北路", "黔灵西路", "北京路", "延安东路", "瑞金北路")),
    ("观山湖区", "520115", 18, True,
     ("世纪城{L}组团", "中天托斯卡纳", "碧海花园", "林城时代", "万科大都会", "会展城{L}区"),
     ("林城西路", "长岭北路", "金阳南路", "观山东路")),
    ("白云区", "520113", 9, True,
     ("万科城{L}区", "龙湾花园", "白云锦绣园"), ("白云南路", "白云北路", "云峰大道")),
    ("花溪区", "520111", 8, False,
     ("碧桂园{L}区", "清溪小区", "溪北小区"), ("花溪大道", "贵筑路", "清溪路", "明珠大道")),
    ("乌当区", "520112", 6, False, ("保利温泉新城{N}期", "新添小区"), ("新添大道", "北衙路")),
    ("清镇市", "520181", 4, False, ("时光小区", "红枫湖畔小区"), ("云岭西路", "百花路")),
    ("修文县", "520123", 2, False, ("阳明花园",), ("阳明大道", "龙场大道")),
)
INDUSTRIAL_PARKS = {"白云区": "沙文工业园", "花溪区": "小孟工业园", "乌当区": "医药工业园",
                    "清镇市": "清镇经济开发区", "修文县": "扎佐工业园"}
# Where residents' ID cards were issued: mostly Guiyang, some elsewhere in Guizhou.
ID_REGIONS = ("520102",) * 5 + ("520103",) * 5 + ("520111", "520112", "520113", "520115", "520121",
                                                  "520122", "520123", "520181", "520302", "520402",
                                                  "522601", "522701", "520201", "522301")
MOBILE_PREFIXES = ("139", "138", "135", "136", "137", "150", "151", "158", "182", "183", "187", "188",
                   "198", "130", "131", "155", "156", "185", "186", "166", "133", "153", "180",
                   "181", "189", "173", "177", "199")
GIVEN_TWO = {
    ("m", "old"): ("建国", "国庆", "德明", "志刚", "建华", "永福", "光荣", "国华", "振华", "学文", "德胜", "树林",
                   "长顺", "文华", "家富", "正清", "世昌", "启明", "万全", "绍华"),
    ("f", "old"): ("秀英", "桂兰", "淑珍", "玉梅", "凤英", "秀兰", "玉兰", "素芬", "春兰", "桂芳", "翠萍", "玉珍",
                   "德芬", "秀珍", "淑华", "惠芳", "月娥", "兰英", "素珍", "慧琴"),
    ("m", "mid"): ("志强", "海峰", "建军", "晓东", "文杰", "俊峰", "宏伟", "永刚", "小平", "红军", "国平", "剑锋",
                   "云飞", "立新", "卫东", "朝阳", "家林", "德华", "正文", "兴国"),
    ("f", "mid"): ("丽华", "海燕", "晓燕", "春梅", "红梅", "小红", "丽娟", "雪梅", "艳萍", "晓玲", "丽萍", "春燕",
                   "小琴", "玉洁", "晓红", "红艳", "美玲", "丽君", "秋菊", "文静"),
    ("m", "young"): ("浩然", "宇轩", "俊杰", "子豪", "一鸣", "梓轩", "博文", "天宇", "思远", "嘉豪", "子墨", "明轩",
                     "宇航", "浩宇", "家乐", "志豪", "俊熙", "睿哲", "鹏飞", "锦程"),
    ("f", "young"): ("子涵", "雨欣", "欣怡", "梓涵", "思雨", "佳怡", "雨萱", "诗涵", "可馨", "语嫣", "梦琪", "雨彤",
                     "紫萱", "欣妍", "婉清", "静怡", "若曦", "佳琪", "晓彤", "一诺"),
}
BRANDS = ("黔味", "山城", "筑城", "林城", "甲秀", "黔灵", "红枫", "云上", "苗岭", "乌江", "百花", "青岩",
          "阳明", "金筑", "多彩", "鑫源", "恒泰", "宏达", "德隆", "瑞丰", "兴黔", "南明", "观山", "花溪")
DISHES = ("酸汤鱼", "肠旺面", "丝娃娃", "豆花面", "羊肉粉", "牛肉粉", "烙锅", "火锅", "辣子鸡", "卤味")
PRODUCTS = ("食品", "酒业", "饮料", "陶瓷", "玻璃制品", "机械制造", "新材料", "制药", "茶业")
# kind, weight, gas use type, credit-code prefixes, meter ratings, monthly m3 range
BUSINESS_KINDS = (
    ("restaurant", 45, "commercial", ("91", "92", "92"), ("G10", "G16", "G25"), (600, 3000)),
    ("hotel", 15, "commercial", ("91",), ("G25", "G40"), (2000, 9000)),
    ("school", 14, "public", ("12",), ("G16", "G25"), (1500, 6000)),
    ("clinic", 6, "public", ("12",), ("G10", "G16"), (500, 2000)),
    ("factory", 20, "industrial", ("91",), ("G40", "G65", "G100"), (5000, 40000)),
)
DESIGN_UNITS = ("贵州黔能燃气工程设计有限公司", "贵阳筑安市政工程设计院有限公司", "贵州城建燃气设计研究所")
BUILDERS = ("贵州筑城燃气工程安装有限公司", "贵阳安泰管道工程有限公司", "贵州黔通燃气设备安装有限公司")
SUPERVISORS = ("贵州建信工程监理有限公司", "贵阳诚达建设监理有限公司")
METHODS = (("cash", 30), ("mobile", 45), ("card", 20), ("transfer", 5))

REFUSALS: dict[str, tuple[tuple[str, str | None], ...]] = {
    # reason, document left out when the customer came (None: documents were complete)
    "activation": (
        ("未提供房产证明材料，请携带不动产权证书或购房合同原件后再来办理", "property_proof"),
        ("来办理人非户主本人，且未带户主身份证及委托书", "owner_id"),
        ("房屋尚未交付，户内燃气管道未经验收，暂不具备通气条件", None),
        ("厨房已改作卧室使用，燃气表及灶具位置不符合安全用气要求", None),
    ),
    "installation": (
        ("营业执照经营范围与用气场所用途不符，请补充相关证照后再申请", None),
        ("未提供用气场所产权或租赁证明，资料不齐", "site_proof"),
        ("用气场所位于地下室，不符合燃气设计规范要求，不予受理", None),
    ),
    "capacity_change": (
        ("申请的表具规格与户内管道管径不匹配，需先办理户内管道改造", None),
        ("用气设备清单与申请规格不符，请核实用气设备后重新申请", None),
    ),
    "type_change": (
        ("房屋规划用途为住宅，不能改为经营性用气", None),
        ("未提供营业执照，无法办理居民转非居民", None),
    ),
    "suspension": (
        ("户主本人未到场，且未提供委托书", None),
        ("该户燃气安全隐患整改尚未完成，整改后方可办理暂停", None),
    ),
    "transfer": (
        ("未提供物业管理证明，资料不齐", "property_mgmt"),
        ("不动产权证尚未办理过户，请提供网签购房合同", None),
        ("买卖双方均未到场，且无公证委托书", None),
    ),
    "detail_change": (
        ("更正后的姓名与身份证不一致，不予更改", None),
        ("非户主本人申请且无委托书，不予更改", None),
    ),
    "closure": (
        ("申请人非房屋所有权人，需产权人本人办理销户", None),
        ("房屋仍有租户在用气，需租户搬离后再办理", None),
    ),
}
PLAN_REFUSED = ("该区域中压管网尚未敷设到位，暂不具备供气条件，待管网建成后另行通知",
                "用气场所与相邻建筑安全间距不足，无法设置调压设施，暂不能供气")
ACCEPTANCE_FAILED = ("调压箱安装位置与设计图纸不符，需整改后重新报验",
                     "部分管道焊口无损检测不合格，返工后重新报验",
                     "燃气泄漏报警器未与紧急切断阀联动，整改后重新验收")
NOT_MET = ("上门时家中无人，电话联系不上，请客户另约时间",
           "灶具尚未安装，不具备点火条件，客户安装后再约",
           "燃气热水器烟道未伸出室外，存在安全隐患，整改后再约",
           "灶具连接软管超过2米且穿墙，需更换为金属波纹管后再约",
           "厨房正在装修，燃气管道被封入吊顶，需整改后再约")
CAPACITY_NOT_MET = ("燃气管道被封入橱柜无法检修，不具备换表条件，请客户整改后重新申请",
                    "表位空间不足，无法安装申请规格的燃气表，不予换表")
MISMATCH = ("household_register", "未带户口簿复印件，家庭人口无法核实，请补充后再核对")
CANCELS = ("客户来电撤回申请", "客户房屋已出售，申请撤销", "客户决定暂缓办理，撤回申请",
           "重复受理，撤销本单", "客户到厅要求撤销，已签字确认")
PAUSES = ("客户外出务工，要求回来后再上门", "客户家中装修，约定完工后再上门", "客户住院，家属要求延后办理",
          "客户需补交物业证明，等待客户送来", "客户要求节后再办理")
NOT_SATISFIED = ("回访时客户表示问题仍未解决，要求再次处理", "客户对处理结果不认可，要求部门负责人答复",
                 "客户认为赔偿方案不合理，要求重新协商")
# content, department, explanation, handling result, callback note
COMPLAINTS = (
    ("预约上午上门点火，安装人员下午才到，客户请假等了半天", "distribution",
     "已向客户致歉，说明当天抢修任务较多导致延误", "已对班组提出批评，今后预约时间变更须提前电话告知客户",
     "客户对处理结果表示满意"),
    ("本月气费比上月多出一倍，怀疑抄表员估抄", "metering",
     "已调取抄表记录向客户说明，上月为估抄，本月为实抄补计", "已安排抄表员上门复核读数，读数无误，向客户解释估抄补计原因",
     "客户表示理解"),
    ("燃气表走字偏快，怀疑表计不准，要求检定", "metering",
     "已告知客户表具检定流程及费用规定", "已拆回表具送计量检定机构检定，结果合格，已向客户出示检定报告",
     "客户认可检定结果"),
    ("施工人员安装后未清理现场，墙面打孔处未修补", "distribution",
     "已向客户致歉并承诺安排人员上门处理", "已安排施工班组上门清理现场并修补墙面", "客户满意"),
    ("营业厅排队时间过长，只开了两个窗口", "customer_service",
     "已向客户解释当日为缴费高峰，现已增开窗口", "已调整高峰时段排班，增开临时窗口并设置取号提醒", "客户表示认可"),
    ("小区停气检修未提前通知，影响做饭", "distribution",
     "已说明系管网抢修临时停气", "已核实为第三方施工挖断管道，今后计划停气须提前24小时在小区张贴通知",
     "客户表示理解"),
    ("缴费后账户余额未及时更新", "customer_service",
     "已核实缴费记录，说明代收款到账时间", "已核实为代收数据延迟，现已入账，并向客户致歉", "客户满意"),
)
ENQUIRIES = (
    ("咨询居民阶梯气价标准", "已告知阶梯气量基数及各档价格，并提供价格公示资料"),
    ("咨询过户需要带哪些资料", "已告知需双方身份证复印件、房产证明及物业管理证明"),
    ("查询本月燃气费及缴费方式", "已查询并告知应缴金额，介绍营业厅、银行代收及手机缴费方式"),
    ("咨询燃气热水器安装要求", "已告知须由有资质单位安装，烟道必须伸出室外"),
    ("咨询暂停用气的办理条件", "已告知办理资料、是否需要封堵及收费标准"),
)

# --------------------------------------------------------------------------- the flows as routes

# The moves of an order after it is opened, by flow and route. Pseudo moves start with '@'.
ROUTES: dict[str, dict[str, tuple[str, ...]]] = {
    "installation": {
        "done": ("register", "survey_done", "materials_received", "plan_approved", "design_done", "budget_done",
                 "contract_signed", "construction_done", "acceptance_passed", "assign", "ignited"),
        "rework": ("register", "survey_done", "materials_received", "plan_approved", "design_done",
                   "budget_done", "contract_signed", "construction_done", "acceptance_failed",
                   "construction_done", "acceptance_passed", "assign", "conditions_not_met", "rebook", "assign",
                   "ignited"),
        "refused": ("refuse",),
        "no_supply": ("register", "survey_done", "materials_received", "plan_refused"),
    },
    "activation": {
        "done": ("accept", "assign", "work_done"),
        "walk_in": ("accept", "work_done"),
        "rebooked": ("accept", "assign", "conditions_not_met", "rebook", "assign", "work_done"),
        "delayed": ("accept", "@pause", "@resume", "assign", "work_done"),
        "refused": ("refuse",),
    },
    "capacity_change": {
        "done": ("accept", "assign", "meter_changed"),
        "refused": ("refuse",),
        "not_met": ("accept", "assign", "conditions_not_met"),
    },
    "type_change": {
        "to_business": ("to_non_residential", "data_completed", "type_changed"),
        "to_home": ("to_residential", "contract_signed", "assign", "work_done", "type_changed"),
        "to_home_rebooked": ("to_residential", "contract_signed", "assign", "conditions_not_met", "rebook", "assign",
                             "work_done", "type_changed"),
        "refused": ("refuse",),
    },
    "allowance_change": {
        "done": ("documents_ok", "application_signed", "allowance_changed"),
        "more_documents": ("documents_mismatch", "@docs", "documents_resubmitted", "documents_ok",
                           "application_signed", "allowance_changed"),
    },
    "suspension": {
        "no_plug": ("accept", "without_plugging", "reader_notified"),
        "plugged": ("accept", "with_plugging", "assign", "plugged"),
        "rebooked": ("accept", "with_plugging", "assign", "conditions_not_met", "rebook", "assign", "plugged"),
        "refused": ("refuse",),
    },
    "transfer": {
        "done": ("documents_ok", "application_signed", "settled", "owner_switched", "agreement_signed"),
        "refused": ("refuse",),
    },
    "detail_change": {
        "done": ("approve", "details_changed", "agreement_signed"),
        "refused": ("refuse",),
    },
    "closure": {
        "plugged": ("documents_ok", "application_signed", "settled", "plugging", "assign", "work_done"),
        "removed": ("documents_ok", "application_signed", "settled", "removal", "assign", "work_done"),
        "plug_rebooked": ("documents_ok", "application_signed", "settled", "plugging", "assign",
                          "conditions_not_met", "rebook", "assign", "work_done"),
        "remove_rebooked": ("documents_ok", "application_signed", "settled", "removal", "assign",
                            "conditions_not_met", "rebook", "work_done"),
        "refused": ("refuse",),
    },
    "complaint": {
        "enquiry": ("enquiry_answered",),
        "explained": ("explanation_accepted",),
        "one_round": ("refer", "handled", "satisfied"),
        "two_rounds": ("refer", "handled", "not_satisfied", "handled", "satisfied"),
        "three_rounds": ("refer", "handled", "not_satisfied", "handled", "not_satisfied", "handled",
                         "satisfied"),
    },
}

# Finished orders of the later services per 3000 customers, by route ('@cancel': cancelled ones).
SERVICE_VOLUME: dict[str, dict[str, int]] = {
    "capacity_change": {"done": 30, "refused": 2, "not_met": 2, "@cancel": 3},
    "type_change": {"to_business": 6, "to_home": 2, "refused": 2, "@cancel": 2},
    "allowance_change": {"done": 35, "more_documents": 15, "@cancel": 3},
    "suspension": {"no_plug": 25, "plugged": 15, "rebooked": 5, "refused": 4, "@cancel": 3},
    "transfer": {"done": 60, "refused": 6, "@cancel": 4},
    "detail_change": {"done": 70, "refused": 5, "@cancel": 3},
    "closure": {"plugged": 15, "removed": 10, "plug_rebooked": 3, "remove_rebooked": 2, "refused": 3,
                "@cancel": 3},
    "complaint": {"enquiry": 60, "explained": 40, "one_round": 30, "two_rounds": 10, "three_rounds": 4,
                  "@cancel": 2},
}
# Outcomes of the first order of a new customer (shares; the rest takes the first route).
FIRST_MIX: dict[str, dict[str, float]] = {
    "activation": {"walk_in": 0.15, "rebooked": 0.12, "delayed": 0.08, "refused": 0.03, "@cancel": 0.02},
    "installation": {"rework": 0.15, "refused": 0.05, "no_supply": 0.04, "@cancel": 0.05},
}
# Open orders left waiting per step, per 3000 customers (default 3, at least 1 each).
STALLS: dict[tuple[str, str], int] = {
    ("activation", "site_visit"): 40, ("activation", "site_visit_wait"): 10,
    ("complaint", "handling"): 12, ("complaint", "follow_up"): 6,
}
# What a later service needs of its customer: held = an active or suspended account.
NEEDS: dict[str, str] = {
    "capacity_change": "active", "suspension": "active", "allowance_change": "held_home",
    "transfer": "held_home", "detail_change": "held", "closure": "held", "complaint": "any",
    "type_change/to_business": "active_home", "type_change/refused": "active_home",
    "type_change/to_home": "active_business", "type_change/to_home_rebooked": "active_business",
}

# Hours between a move and the one before it.
GAPS: dict[str, tuple[float, float]] = {
    "accept": (0.05, 0.4), "documents_ok": (0.05, 0.3), "approve": (0.05, 0.4), "refuse": (0.05, 0.5),
    "documents_mismatch": (0.05, 0.3), "application_signed": (0.05, 0.4), "settled": (0.05, 0.3),
    "owner_switched": (0.05, 0.3), "agreement_signed": (0.05, 0.4), "details_changed": (0.1, 3.0),
    "plugging": (0.05, 0.3), "removal": (0.05, 0.3), "with_plugging": (0.05, 0.3),
    "without_plugging": (0.05, 0.3), "to_non_residential": (0.1, 0.5), "to_residential": (0.1, 0.5),
    "enquiry_answered": (0.05, 0.3), "explanation_accepted": (0.1, 0.6), "refer": (0.1, 1.0),
    "contract_signed": (0.2, 1.0), "documents_resubmitted": (0.05, 0.3),
    "reader_notified": (2, 30), "type_changed": (2, 48), "allowance_changed": (4, 72),
    "data_completed": (20, 96), "register": (1, 8), "survey_done": (20, 72), "materials_received": (72, 300),
    "plan_approved": (8, 40), "plan_refused": (8, 40), "design_done": (100, 300), "budget_done": (40, 120),
    "installation.contract_signed": (40, 200), "construction_done": (150, 500), "acceptance_passed": (8, 30),
    "acceptance_failed": (8, 30), "assign": (1, 20), "rebook": (24, 200), "handled": (18, 90),
    "satisfied": (6, 48), "not_satisfied": (6, 48), "@docs": (24, 150), "@pause": (1, 24),
    "@resume": (48, 240), "cancel": (2, 150),
}
VISIT_DONE = frozenset({"work_done", "ignited", "meter_changed", "plugged", "conditions_not_met"})
BOOKED_VISIT_GAP = (16.0, 72.0)
UNBOOKED_VISIT_GAP = (2.0, 30.0)
COUNTER_HOURS = (time(9, 0), time(21, 0))
OFFICE_HOURS = (time(8, 30), time(17, 30))
# Customers arriving at the counter per hour from 9:00 to 20:00 (relative).
COUNTER_RHYTHM = (3, 5, 5, 2, 2, 4, 5, 4, 3, 2, 2, 1)
CLOCKED_FLAVOURS = ("overdue", "recent", "due_today", "paused")


def walk(kind: str, moves: Sequence[str]) -> list[str]:
    """The step before each move and, last, the step after all of them (pseudo moves stay)."""
    flow = FLOWS[kind]
    step = flow.initial
    steps = [step]
    for move in moves:
        if not move.startswith("@"):
            here = flow.step(step)
            action = CANCEL if move == "cancel" else here.action(move)
            if action is None or here.terminal:
                raise ValueError(f"{kind}: no action {move!r} at step {step!r}")
            step = action.target
        steps.append(step)
    return steps


def action_def(kind: str, step: str, move: str) -> ActionDef:
    if move == "cancel":
        return CANCEL
    action = FLOWS[kind].step(step).action(move)
    assert action is not None, (kind, step, move)
    return action


def who_acts(kind: str, step: str, move: str) -> str:
    """Which staff pool makes a move: clerk, am (account manager), dispatch or handler."""
    if move.startswith("@") or move == "cancel":
        return "clerk"
    roles = action_def(kind, step, move).roles
    if Role.HANDLER in roles:
        return "handler"
    if Role.DISPATCHER in roles:
        return "dispatch"
    if Role.CLERK not in roles or (kind == "installation" and Role.ACCOUNT_MANAGER in roles):
        return "am"
    return "clerk"


def clock_limit(kind: str, step: StepDef, settings: dict[str, Any]) -> int | None:
    """Working days of the shortest clock running while an order waits in `step` (None: no clock)."""
    flow = FLOWS[kind]
    amounts = []
    if step.limit is not None:
        value = settings.get(step.limit.setting) if step.limit.setting else None
        amounts.append(int(value) if value not in (None, "") else step.limit.amount)
    if flow.total_limit is not None and step.counted and not step.customer_wait:
        amounts.append(flow.total_limit.amount)
    return min(amounts) if amounts else None


# --------------------------------------------------------------------------- the simulation


@dataclass
class _Cust:
    id: int
    category: str
    name: str
    phone: str
    rate: float  # m3 a day, for meter readings
    account_id: int | None = None
    account_status: str | None = None
    balance: Decimal = Decimal("0.00")
    busy: str = ""  # kind of its open order (complaints aside)
    closed: bool = False
    household: int = 3
    business: str = ""
    # The day its meter last took a transfer's final reading (one a day per meter).
    transfer_read_on: date | None = None


@dataclass
class _Story:
    seq: int
    kind: str
    route: str
    moves: list[str]  # '@open' first
    times: list[datetime]
    steps: list[str]
    need: str = ""
    new: str = ""  # 'residential' / 'non_residential': the customer arrives with this order
    customer: _Cust | None = None
    order_id: int | None = None
    dead: bool = False
    memo: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Spec:
    kind: str
    route: str
    cut: int | None = None  # an open order: stop after this many moves
    flavour: str = ""
    cancel: bool = False


class _Hall:
    def __init__(self, app: App, customers: int, seed: int, admin_password: str | None,
                 progress: Callable[[int, int], None] | None) -> None:
        assert isinstance(app.clock, FixedClock)
        self.app, self.clock, self.n, self.progress = app, app.clock, customers, progress
        self.admin_password = admin_password or DEFAULT_ADMIN_PASSWORD
        self.rng = random.Random(seed)
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(seed)
        self.start = self.clock.now().replace(second=0, microsecond=0)
        self.end = self.start + timedelta(days=SIMULATED_DAYS)
        self.calendar = app.calendar()
        self.scale = customers / 3000
        self.stories: list[_Story] = []
        self.customers: list[_Cust] = []
        self.staff: dict[str, list[Actor]] = {}
        self.handlers: dict[str, Actor] = {}
        self.logins: list[DemoLogin] = []
        self.services: dict[int, OrderService] = {}
        self.used: set[str] = set()
        self.flavour_turn = 0
        self.assign_turn = 0
        self.meter_seq = self.rng.randint(100_000, 300_000)
        self.contract_seq = self.rng.randint(100, 300)
        self.skipped = 0
        self.calls = 0
        self.opening_balances = 0
        with app.reading() as s:
            self.settings = settings_store.read_all(s)

    # --- building -----------------------------------------------------------------------------

    def build(self) -> DemoSummary:
        began = timer.perf_counter()
        self.clock.set(self.start)
        self._make_staff()
        self.crews = [f"安装{n}班（{self._person()[0]}）" for n in "一二三四五六"]
        self.designers = [f"{self._person()[0]}" for _ in range(4)]
        self._plan()
        events = sorted((t, st.seq, i) for st in self.stories for i, t in enumerate(st.times)
                        if self.start < t <= self.end)
        total = len(events)
        for done, (at, seq, i) in enumerate(events):
            story = self.stories[seq]
            if self.progress and done % 200 == 0:
                self.progress(done, total)
            if story.dead:
                continue
            self.clock.set(at)
            try:
                self.calls += self._execute(story, i)
            except ServiceError as exc:
                raise DemoError(f"{story.kind}/{story.route} move {story.moves[i]!r} at {at}: {exc.message}") from exc
        self.clock.set(self.end)
        if self.progress:
            self.progress(total, total)
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
            orders_by_kind={k: kinds[k] for k in FLOWS if k in kinds}, payments=n_payments,
            opening_balances=self.opening_balances, period_start=self.start, period_end=self.end,
            seconds=round(seconds, 1), skipped=self.skipped, service_calls=self.calls,
        )

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
            self.admin = create_first_admin(self.app, "admin", self._person()[0], admin_password)
        elif admin_actor is None:
            raise Refused("数据库中已有员工但没有可用的系统管理员，无法创建演示员工")
        else:
            self.admin = admin_actor
        service = StaffService(self.app, self.admin)
        names = dict(service.departments())
        self.logins.append(DemoLogin(self.admin.login, self.admin.name, Role.ADMIN.label,
                                     names.get("management", ""), admin_password))
        for prefix, role, departments in STAFF_PLAN:
            pool = self.staff.setdefault(prefix, [])
            for k, dept in enumerate(departments, start=1):
                login = f"{prefix}{k}"
                password: str | None = None
                if login in existing:
                    actor = actor_of(existing[login])
                else:
                    # Created with a first password, then changed by the person: no forced change left.
                    view = service.create(login, self._person()[0], role, dept, _FIRST_PASSWORD)
                    actor = Actor(view.id, view.login, view.name, view.role, self._department_id(dept))
                    StaffService(self.app, actor).change_own_password(_FIRST_PASSWORD, STAFF_PASSWORD)
                    password = STAFF_PASSWORD
                pool.append(actor)
                if role is Role.HANDLER:
                    self.handlers.setdefault(dept, actor)
                self.logins.append(DemoLogin(login, actor.name, role.label, names.get(dept, dept), password))

    def _department_id(self, code: str) -> int | None:
        with self.app.reading() as s:
            return s.scalar(select(Department.id).where(Department.code == code))

    def _actor(self, story: _Story, who: str) -> Actor:
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

    def _person(self) -> tuple[str, bool, date]:
        """A plausible name (about half of them two characters), sex and birth date."""
        male = self.rng.random() < 0.5
        birth = date(1940, 1, 1) + timedelta(days=int(self.rng.triangular(0, 23740, 12000)))
        surname = self.fake.last_name()
        if self.rng.random() < 0.48:
            given = ""
            for _ in range(6):
                given = self.fake.first_name_male() if male else self.fake.first_name_female()
                if len(given) == 1:
                    break
            given = given[:1]
        else:
            era = "old" if birth.year < 1962 else "mid" if birth.year < 1985 else "young"
            given = self.rng.choice(GIVEN_TWO[("m" if male else "f", era)])
        return surname + given, male, birth

    def _resident_id(self, male: bool, birth: date) -> str:
        def make() -> str:
            seq = self.rng.randrange(0, 500) * 2 + (1 if male else 0)
            return make_resident_id(self.rng.choice(ID_REGIONS), birth, seq)
        return self._unique(make)

    def _mobile(self) -> str:
        return self._unique(lambda: self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}")

    def _landline(self) -> str:
        return self._unique(lambda: f"0851-8{self.rng.choice('1345678')}{self.rng.randrange(10**6):06d}")

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
        surname = self._person()[0][0]

        def name() -> str:
            brand = self.rng.choice(BRANDS)
            if kind == "restaurant":
                if prefix == "92":
                    return f"{district}{surname}记{self.rng.choice(DISHES)}店"
                return f"贵阳{brand}{self.rng.choice(('餐饮管理', '餐饮服务', '饮食文化'))}有限公司"
            if kind == "hotel":
                place = self.rng.choice(("贵州", "贵阳", f"贵阳{district[:2]}"))
                return f"{place}{brand}{self.rng.choice(('酒店管理', '大酒店', '宾馆', '酒店'))}有限公司"
            # County-level cities and counties of Guiyang name their schools without the city.
            local = f"贵阳市{district}" if district.endswith("区") else district
            if kind == "school":
                if self.rng.random() < 0.5:
                    return f"{local}{brand}{self.rng.choice(('小学', '中学', '实验学校'))}"
                return f"贵阳市第{_chinese_number(self.rng.randint(2, 60))}中学"
            if kind == "clinic":
                return f"{local}{brand}社区卫生服务中心"
            return f"贵州{brand}{self.rng.choice(PRODUCTS)}有限公司"

        def address() -> str:
            if kind == "factory":
                return f"{CITY}{district}{INDUSTRIAL_PARKS[district]}{self.rng.choice(roads)}{self.rng.randint(1, 200)}号"
            tail = self.rng.choice(("", "1-2层", f"附{self.rng.randint(1, 12)}号", "临街门面"))
            return f"{CITY}{district}{self.rng.choice(roads)}{self.rng.randint(1, 400)}号{tail}"

        contact = self._person()[0]
        data = CustomerInput(
            category="non_residential", name=self._unique(name, numbered=True), id_type="credit_code",
            id_number=self._credit_code(prefix, code), phone=self._landline(), address=self._unique(address),
            district="urban" if urban else "suburban", gas_use_type=use, contact_person=contact,
            phone2=self._mobile(),
        )
        return data, kind, ratings, volume

    def _new_customer(self, category: str, story: _Story) -> _Cust:
        clerk = self._actor(story, "clerk")
        if category == "residential":
            name, male, birth = self._person()
            address, urban = self._home_address()
            household = self.rng.choices((1, 2, 3, 4, 5, 6), weights=(10, 25, 30, 20, 10, 5))[0]
            data = CustomerInput(
                category="residential", name=name, id_type="resident_id", id_number=self._resident_id(male, birth),
                phone=self._mobile(), address=address, district="urban" if urban else "suburban",
                phone2=self._mobile() if self.rng.random() < 0.15 else "", household_size=household,
            )
            view = CustomerService(self.app, clerk).create(data)
            cust = _Cust(view.id, "residential", name, data.phone, rate=0.35 + 0.1 * household,
                         household=household)
        else:
            data, business, ratings, volume = self._business()
            view = CustomerService(self.app, clerk).create(data)
            cust = _Cust(view.id, "non_residential", data.name, data.phone, rate=0.0, business=business)
            monthly = self.rng.randrange(volume[0], volume[1], 50)
            cust.rate = monthly / 30
            story.memo.update(rating=self.rng.choice(ratings), monthly=monthly)
        self.customers.append(cust)
        return cust

    # --- planning -----------------------------------------------------------------------------

    def _plan(self) -> None:
        n_business = min(self.n // 3, max(round(self.n * 0.1), min(32, self.n // 4))) if self.n >= 4 else 0
        for category, kind, count in (("residential", "activation", self.n - n_business),
                                      ("non_residential", "installation", n_business)):
            for spec in self._first_specs(kind, count):
                self._add_story(spec, new=category)
        for kind, volume in SERVICE_VOLUME.items():
            specs = self._stall_specs(kind)
            for route, per_3000 in volume.items():
                for _ in range(max(1, round(per_3000 * self.scale))):
                    if route == "@cancel":
                        specs.append(_Spec(kind, next(iter(ROUTES[kind])), cancel=True))
                    else:
                        specs.append(_Spec(kind, route))
            for spec in specs:
                need = NEEDS.get(f"{kind}/{spec.route}") or NEEDS[kind]
                self._add_story(spec, need=need)

    def _first_specs(self, kind: str, count: int) -> list[_Spec]:
        routes = ROUTES[kind]
        main = next(iter(routes))
        forced = [_Spec(kind, main)] + [_Spec(kind, r) for r in routes if r != main] + [_Spec(kind, main, cancel=True)]
        specs = forced[:2] + self._stall_specs(kind) + forced[2:]
        mix = FIRST_MIX[kind]
        while len(specs) < count:
            pick, acc = self.rng.random(), 0.0
            route = main
            for name, share in mix.items():
                acc += share
                if pick < acc:
                    route = name
                    break
            specs.append(_Spec(kind, main, cancel=True) if route == "@cancel" else _Spec(kind, route))
        return specs[:count]

    def _stall_specs(self, kind: str) -> list[_Spec]:
        """Open orders left waiting in every step of the flow, in a mix of situations."""
        flow = FLOWS[kind]
        candidates: dict[str, list[tuple[str, int]]] = {}
        seen: set[tuple[str, ...]] = set()
        for route, moves in ROUTES[kind].items():
            steps = walk(kind, moves)
            for cut in range(len(moves) + 1):
                prefix = tuple(moves[:cut])
                if FLOWS[kind].step(steps[cut]).terminal or prefix in seen or (cut and moves[cut - 1][0] == "@"):
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
            for _ in range(max(1, round(STALLS.get((kind, step.code), 3) * self.scale))):
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
                    booked = [c for c in cands if c[1] and ROUTES[kind][c[0]][c[1] - 1] == "assign"]
                    unbooked = [c for c in cands if c not in booked]
                    self.assign_turn += 1
                    pool = (booked if self.assign_turn % 2 else unbooked) or cands
                route, cut = self.rng.choice(pool)
                specs.append(_Spec(kind, route, cut=cut, flavour=flavour))
        return specs

    def _compressible(self, kind: str, cand: tuple[str, int]) -> bool:
        """Every move of the prefix is made at the counter: the whole order fits in one visit."""
        route, cut = cand
        moves = ROUTES[kind][route][:cut]
        steps = walk(kind, moves)
        return all(who_acts(kind, steps[i], m) == "clerk" for i, m in enumerate(moves))

    def _add_story(self, spec: _Spec, *, new: str = "", need: str = "") -> None:
        route = ROUTES[spec.kind][spec.route]
        if spec.cancel:
            steps = walk(spec.kind, route)
            cuts = [c for c in range(len(route)) if not FLOWS[spec.kind].step(steps[c]).terminal
                    and (c == 0 or route[c - 1][0] != "@")]
            moves = [*route[:self.rng.choice(cuts)], "cancel"]
        elif spec.cut is not None:
            moves = list(route[:spec.cut])
            if spec.flavour == "paused":
                moves.append("@pause")
        else:
            moves = list(route)
        moves = ["@open", *moves]
        steps = walk(spec.kind, moves)
        story = _Story(seq=len(self.stories), kind=spec.kind, route=spec.route, moves=moves, times=[],
                       steps=steps, need=need, new=new)
        story.times = self._timing(story, spec)
        self._appointments(story)
        if FLOWS[spec.kind].step(steps[-1]).terminal == "archived" and new:
            self._add_payments(story)
        self.stories.append(story)

    # --- time ---------------------------------------------------------------------------------

    def _timing(self, story: _Story, spec: _Spec) -> list[datetime]:
        end, day = self.end, timedelta(days=1)
        if spec.cut is not None:
            flavour = spec.flavour
            core = story.moves[:-1] if flavour == "paused" else story.moves
            if flavour in ("due_today", "overdue") and self._compressible(spec.kind, (spec.route, spec.cut)):
                target = self._due_day()
                limit = clock_limit(spec.kind, FLOWS[spec.kind].step(story.steps[len(core)]), self.settings)
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

    def _where(self, story: _Story, i: int) -> str:
        move = story.moves[i]
        if move == "@arrears":
            return "office"
        return "counter" if who_acts(story.kind, story.steps[i], move) == "clerk" else "office"

    def _gap(self, story: _Story, i: int) -> timedelta:
        move = story.moves[i]
        if move in VISIT_DONE:
            booked = story.moves[i - 1] in ("assign", "rebook")
            return self._hours(*(BOOKED_VISIT_GAP if booked else UNBOOKED_VISIT_GAP))
        low, high = GAPS.get(f"{story.kind}.{move}") or GAPS.get(move) or (0.1, 2.0)
        return self._hours(low, high)

    def _forward(self, story: _Story, moves: Sequence[str], at: datetime) -> list[datetime]:
        t = self._align(at.replace(second=0, microsecond=0), self._where(story, 0), forward=True)
        times = [t]
        for i in range(1, len(moves)):
            t = self._align(t + self._gap(story, i), self._where(story, i), forward=True)
            times.append(t)
        return times

    def _backward(self, story: _Story, moves: Sequence[str], at: datetime) -> list[datetime]:
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

    def _appointments(self, story: _Story) -> None:
        """A booking's appointment is the time the crew then comes (or a slot after the period)."""
        for i, move in enumerate(story.moves):
            if move not in ("assign", "rebook"):
                continue
            nxt = story.moves[i + 1] if i + 1 < len(story.moves) else None
            if nxt in VISIT_DONE:
                visit = story.times[i + 1]
                slot = visit.replace(minute=0 if visit.minute < 30 else 30)
                story.memo[f"appointment{i}"] = slot if slot > story.times[i] else visit
            elif move == "assign":
                # Booked, and the crew has not been yet when the period ends (or the story stops).
                visit = self._align(story.times[i] + self._hours(16, 72), "office", forward=True)
                story.memo[f"appointment{i}"] = visit.replace(minute=0 if visit.minute < 30 else 30)

    def _add_payments(self, story: _Story) -> None:
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

    def _execute(self, story: _Story, i: int) -> int:
        """Make one move; returns the number of service calls it took."""
        move = story.moves[i]
        if move == "@open":
            return self._open(story)
        cust = story.customer
        assert cust is not None
        if move == "@prepay":
            return self._prepay(story, cust)
        if move == "@arrears":
            return self._arrears(cust)
        if move == "@pause":
            actor = self._actor(story, "clerk")
            self._orders(actor).pause_clock(self._order_id(story), self.rng.choice(PAUSES))
        elif move == "@resume":
            self._orders(self._actor(story, "clerk")).resume_clock(self._order_id(story))
        elif move == "@docs":
            docs = [d.code for d in FLOWS[story.kind].documents if d.required]
            self._orders(self._actor(story, "clerk")).set_documents(self._order_id(story), docs)
        else:
            self._perform(story, i, move)
        return 1

    @staticmethod
    def _order_id(story: _Story) -> int:
        assert story.order_id is not None
        return story.order_id

    def _pick(self, story: _Story) -> _Cust | None:
        need = story.need
        prefer = story.memo.get("prefer")

        def fits(c: _Cust) -> bool:
            if c.closed:
                return False
            if need == "any":
                return True
            if c.busy or c.account_id is None:
                return False
            if story.kind == "transfer" and c.transfer_read_on == self.clock.now().date():
                return False
            if need.startswith("active") and c.account_status != "active":
                return False
            if need.startswith("held") and c.account_status not in ("active", "suspended"):
                return False
            if need.endswith("_home") and c.category != "residential":
                return False
            return not (need.endswith("_business") and c.category != "non_residential")

        pool = [c for c in self.customers if fits(c)]
        if prefer == "arrears":
            pool = [c for c in pool if c.balance < 0] or pool
        elif prefer == "prepaid":
            pool = [c for c in pool if c.balance > 0] or pool
        return self.rng.choice(pool) if pool else None

    def _open(self, story: _Story) -> int:
        kind = story.kind
        calls = 1
        if story.new:
            cust = self._new_customer(story.new, story)
            calls += 1
        else:
            if kind in ("transfer", "closure") and story.moves[-1] != "cancel":
                story.memo["prefer"] = self.rng.choices(("arrears", "prepaid", ""), weights=(35, 35, 30))[0]
            picked = self._pick(story)
            if picked is None:
                story.dead = True
                self.skipped += 1
                return 0
            cust = picked
        story.customer = cust
        flow = FLOWS[kind]
        docs = [d.code for d in flow.documents if d.required or self.rng.random() < 0.5]
        data: dict[str, Any] = {}
        note, channel = "", "counter"
        if "refuse" in story.moves:
            reason, missing = self.rng.choice(REFUSALS[kind])
            story.memo["refusal"] = reason
            if missing:
                docs.remove(missing)
        if story.route == "more_documents":
            docs.remove(MISMATCH[0])
        if kind == "installation":
            data = {"project_name": f"{cust.name}用气工程", "expected_monthly_volume": story.memo["monthly"],
                    "equipment": self._equipment(cust)}
        elif kind == "capacity_change":
            rating = self._meter(cust)[2]
            ladder = [r for r, _ in FLOWS["capacity_change"].open_fields[1].choices]
            k = ladder.index(rating) if rating in ladder else 1
            up = k == 0 or (k < len(ladder) - 1 and self.rng.random() < 0.75)
            story.memo["rating"] = ladder[k + 1] if up else ladder[k - 1]
            data = {"direction": "increase" if up else "decrease", "requested_rating": story.memo["rating"]}
            note = "新增燃气热水器，需增大表具规格" if up else "用气设备减少，申请换小规格表具"
        elif kind == "suspension":
            data = {"suspend_from": (self.clock.now() + timedelta(days=self.rng.randint(0, 7))).date()}
            note = self.rng.choice(("房屋长期空置", "客户外出务工半年以上", "店面装修停业"))
        elif kind == "complaint":
            channel = "phone" if self.rng.random() < 0.5 else "counter"
            if story.route == "enquiry":
                content, answer = self.rng.choice(ENQUIRIES)
                story.memo["answer"] = answer
                data = {"complaint_type": "enquiry", "content": content, "contact_phone": cust.phone}
            else:
                complaint = self.rng.choice(COMPLAINTS)
                story.memo.update(complaint=complaint, department=complaint[1])
                data = {"complaint_type": "complaint", "content": complaint[0], "contact_phone": cust.phone}
                if self.rng.random() < 0.5:
                    data["respondent_department"] = complaint[1]
        actor = self._actor(story, "clerk")
        account = cust.account_id if flow.account_statuses is not None else None
        view = self._orders(actor).open(kind, cust.id, account_id=account, documents=docs, data=data,
                                        note=note, channel=channel)
        story.order_id = view.id
        if kind != "complaint":
            cust.busy = kind
        if view.account_id and cust.account_id is None:
            cust.account_id, cust.account_status = view.account_id, "applying"
        return calls

    def _perform(self, story: _Story, i: int, move: str) -> None:
        cust = story.customer
        assert cust is not None
        step = story.steps[i]
        action = action_def(story.kind, step, move)
        actor = self._actor(story, who_acts(story.kind, step, move))
        payload, note = self._payload(story, i, move, cust)
        reason = self._reason(story, move) if action.needs_reason else ""
        view = self._orders(actor).perform(self._order_id(story), move, payload, reason=reason, note=note)
        self._after(story, move, view, cust)
        if move in VISIT_DONE and cust.account_id is not None:
            self._balance(cust)  # a visit may charge a fee or bill the gas used

    def _reason(self, story: _Story, move: str) -> str:
        kind = story.kind
        if move == "refuse":
            return str(story.memo["refusal"])
        if move == "cancel":
            return self.rng.choice(CANCELS)
        if move == "plan_refused":
            return self.rng.choice(PLAN_REFUSED)
        if move == "acceptance_failed":
            return self.rng.choice(ACCEPTANCE_FAILED)
        if move == "documents_mismatch":
            return MISMATCH[1]
        if move == "not_satisfied":
            return self.rng.choice(NOT_SATISFIED)
        if move == "conditions_not_met":
            return self.rng.choice(CAPACITY_NOT_MET if kind == "capacity_change" else NOT_MET)
        return "客户原因"

    def _payload(self, story: _Story, i: int, move: str, cust: _Cust) -> tuple[dict[str, Any], str]:
        kind, now, rng = story.kind, self.clock.now(), self.rng
        p: dict[str, Any] = {}
        note = ""
        if move == "assign":
            p = {"crew": rng.choice(self.crews), "appointment_at": story.memo[f"appointment{i}"]}
            note = "已电话联系客户确认上门时间"
        elif move == "rebook":
            if story.memo.get(f"appointment{i}"):
                p["appointment_at"] = story.memo[f"appointment{i}"]
            note = "客户来电重新预约"
        elif move in ("work_done", "ignited") and kind in ("activation", "installation"):
            p = self._new_meter(cust, story.memo.get("rating"))
        elif move == "meter_changed":
            p = {"final_reading": self._final_reading(cust), **self._new_meter(cust, story.memo["rating"]),
                 "fee": self.settings["fees.capacity_change"], "fee_method": self._method()}
        elif move == "work_done" and kind == "type_change":
            p = {"work_record": "安全检查合格，通气点火正常"}
        elif move in ("plugged", "work_done"):
            fee = "fees.removal" if story.steps[i] == "removal_visit" else "fees.plugging"
            p = {"final_reading": self._final_reading(cust), "fee": self.settings[fee], "fee_method": self._method()}
        elif move == "register":
            p = {"business_group": rng.choice(("业务一组", "业务二组"))}
        elif move == "survey_done":
            p = {"survey_date": now.date(), "designer": rng.choice(self.designers),
                 "survey_notes": f"用气点位于一层厨房，拟新建DN{rng.choice((32, 50, 80))}引入管约"
                                 f"{rng.randint(15, 120)}米，表具设于室外表箱"}
        elif move == "plan_approved":
            p = {"supply_plan": f"由市政中压管网接入，设调压箱一台，计量表具{story.memo.get('rating', 'G25')}，"
                                f"预计月用气量约{story.memo.get('monthly', 1000)}立方米"}
        elif move == "design_done":
            p = {"design_unit": rng.choice(DESIGN_UNITS)}
        elif move == "budget_done":
            story.memo["budget"] = Decimal(rng.randrange(18_000, 260_000, 500))
            p = {"budget_amount": story.memo["budget"]}
        elif move == "contract_signed" and kind == "installation":
            self.contract_seq += 1
            amount = story.memo.get("budget", Decimal(50_000)) * Decimal(rng.choice(("0.95", "0.97", "1")))
            p = {"contract_number": f"AZ{now:%Y}-{self.contract_seq:04d}", "contract_date": now.date(),
                 "contract_amount": amount.quantize(Decimal("1"))}
        elif move == "construction_done":
            p = {"construction_unit": rng.choice(BUILDERS), "supervision_unit": rng.choice(SUPERVISORS)}
        elif move == "acceptance_passed":
            p = {"acceptance_date": now.date()}
        elif move == "contract_signed":  # type change to residential
            p = {"household_size": rng.randint(1, 5)}
        elif move == "data_completed":
            story.memo["business_name"] = f"{cust.name[0]}记{rng.choice(DISHES)}店"
            p = {"new_gas_use_type": "commercial", "business_name": story.memo["business_name"]}
        elif move == "application_signed" and kind == "allowance_change":
            size = rng.randint(5, 8)
            p = {"household_size": size, "new_allowance": 350 + 80 * (size - 4)}
        elif move == "application_signed" and kind == "transfer":
            name, male, birth = self._person()
            story.memo["new_owner"] = (name, self._mobile())
            p = {"new_name": name, "new_id_type": "resident_id", "new_id_number": self._resident_id(male, birth),
                 "new_phone": story.memo["new_owner"][1]}
        elif move == "settled":
            p = {"settle_method": rng.choice(("cash", "mobile")) if cust.balance < 0 else rng.choice(("cash", "transfer"))}
            if kind == "transfer":
                p["final_reading"] = self._final_reading(cust)
        elif move == "reader_notified":
            p = {"reader_name": self._person()[0]}
        elif move == "approve":
            if cust.category == "non_residential":
                story.memo["change"] = {"contact_person": self._person()[0], "phone2": self._mobile()}
                p = {"new_contact_person": story.memo["change"]["contact_person"],
                     "new_phone2": story.memo["change"]["phone2"]}
            elif rng.random() < 0.85:
                story.memo["change"] = {"phone": self._mobile()}
                p = {"new_phone": story.memo["change"]["phone"]}
            else:
                # A mistyped given name corrected from the ID card.
                fixed = cust.name[0] + self._person()[0][1:]
                story.memo["change"] = {"name": fixed if fixed != cust.name else cust.name + "林"}
                p = {"new_name": story.memo["change"]["name"]}
        elif move == "refer":
            complaint = story.memo["complaint"]
            p = {"department": complaint[1], "summary": f"客户反映：{complaint[0]}，请核实处理并答复"}
        elif move == "handled":
            p = {"result": story.memo["complaint"][3]}
        elif move == "satisfied":
            p = {"callback_note": f"电话回访，{story.memo['complaint'][4]}"}
        elif move == "explanation_accepted":
            p = {"explanation": story.memo["complaint"][2]}
        elif move == "enquiry_answered":
            p = {"answer": story.memo["answer"]}
        return p, note

    def _after(self, story: _Story, move: str, view: OrderView, cust: _Cust) -> None:
        kind = story.kind
        if move == "settled":
            cust.balance = Decimal("0.00")
            if kind == "transfer":
                cust.transfer_read_on = self.clock.now().date()
        elif move == "owner_switched":
            new_id = int(view.data["new_customer_id"])
            name, phone = story.memo["new_owner"]
            account = CustomerService(self.app, self.admin).accounts(new_id)[0]
            self.customers.append(_Cust(new_id, cust.category, name, phone, rate=cust.rate,
                                        account_id=account.id, account_status=str(account.status),
                                        transfer_read_on=cust.transfer_read_on))
            cust.closed, cust.account_status = True, "closed"
        elif move == "details_changed":
            change = story.memo["change"]
            cust.phone = change.get("phone", cust.phone)
            cust.name = change.get("name", cust.name)
        if view.status == OrderStatus.OPEN:
            return
        if kind != "complaint":
            cust.busy = ""
        if view.status != OrderStatus.ARCHIVED:
            return
        if kind in ("activation", "installation"):
            cust.account_id, cust.account_status = view.account_id, "active"
        elif kind == "suspension":
            cust.account_status = "suspended"
        elif kind == "closure":
            cust.account_status, cust.closed = "closed", True
        elif kind == "type_change":
            cust.category = "residential" if story.route == "to_home" else "non_residential"
            cust.name = story.memo.get("business_name", cust.name)

    # --- meters and money ---------------------------------------------------------------------

    def _meter(self, cust: _Cust) -> tuple[Decimal, datetime | None, str]:
        with self.app.reading() as s:
            meter = s.scalar(select(Meter).where(Meter.account_id == cust.account_id, Meter.status == "in_service"))
            if meter is None:
                raise DemoError(f"customer {cust.id} has no meter")
            return meter.last_reading, meter.last_read_at, meter.rating

    def _final_reading(self, cust: _Cust) -> Decimal:
        last, read_at, _rating = self._meter(cust)
        days = max(0.0, (self.clock.now() - (read_at or self.clock.now())).total_seconds() / 86400)
        used = Decimal(str(round(days * cust.rate * self.rng.uniform(0.6, 1.4), 1)))
        return (last + used).quantize(Decimal("0.1"), rounding=ROUND_UP)

    def _new_meter(self, cust: _Cust, rating: str | None) -> dict[str, Any]:
        self.meter_seq += self.rng.randint(1, 9)
        if cust.category == "residential":
            rating = rating or self.rng.choices(("G2.5", "G4"), weights=(85, 15))[0]
            model = self.rng.choice((f"JBD{rating[1:]}膜式燃气表", f"IC卡智能燃气表{rating}"))
            number = f"JB{self.clock.now():%y}{self.meter_seq:07d}"
        else:
            rating = rating or "G16"
            model = f"{rating}膜式燃气表" if float(rating[1:]) <= 25 else f"{rating}罗茨流量计"
            number = f"LL{self.clock.now():%y}{self.meter_seq:07d}"
        return {"meter_number": number, "meter_model": model, "meter_rating": rating,
                "initial_reading": str(Decimal(self.rng.randint(0, 9)) / 1000)}

    def _equipment(self, cust: _Cust) -> str:
        n = self.rng.randint(2, 6)
        return {
            "restaurant": f"中餐燃气炒灶{n}台、蒸饭柜1台、大锅灶1台",
            "hotel": f"燃气热水锅炉1台、厨房炒灶{n}台",
            "school": f"食堂大锅灶{n}台、蒸饭柜{max(1, n // 2)}台",
            "clinic": "食堂炒灶2台、开水器1台",
            "factory": f"燃气蒸汽锅炉{max(1, n // 2)}台（{self.rng.choice((1, 2, 4))}吨/小时）",
        }.get(cust.business, f"燃气灶具{n}台")

    def _method(self) -> str:
        return self.rng.choices([m for m, _ in METHODS], weights=[w for _, w in METHODS])[0]

    def _can_pay(self, cust: _Cust) -> bool:
        return (not cust.closed and cust.account_id is not None and cust.account_status in ("active", "suspended")
                and cust.busy not in ("transfer", "closure"))

    def _prepay(self, story: _Story, cust: _Cust) -> int:
        if not self._can_pay(cust):
            return 0
        assert cust.account_id is not None
        if self._balance(cust) < 0:
            amount = -cust.balance + (0 if self.rng.random() < 0.6 else self.rng.choice((50, 100)))
        elif cust.category == "residential":
            amount = Decimal(self.rng.choice((50, 100, 100, 200, 200, 300, 500)))
        else:
            amount = Decimal(self.rng.randrange(2000, 20000, 500))
        view = PaymentService(self.app, self._actor(story, "clerk")).prepay(
            cust.account_id, amount, self._method(), note="")
        cust.balance += view.balance_effect
        return 1

    def _balance(self, cust: _Cust) -> Decimal:
        with self.app.reading() as s:
            cust.balance = s.scalar(select(Account.balance).where(Account.id == cust.account_id)) or Decimal(0)
        return cust.balance

    def _arrears(self, cust: _Cust) -> int:
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

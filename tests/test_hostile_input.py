"""Property-based tests over the service entry points: anything typed is refused cleanly or accepted.

No uncaught exception, a Chinese message for every refusal, and nothing written when refused.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gasdesk.flows import FLOWS
from gasdesk.services.customers import CustomerInput, CustomerService
from gasdesk.services.errors import NotFound, Refused, SignInFailed
from gasdesk.services.orders import OrderService
from gasdesk.services.payments import PaymentService
from gasdesk.services.staff import sign_in
from tests.helpers import active_resident, make_team, snapshot

HAN = re.compile(r"[\u4e00-\u9fff]")
SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

texty = st.one_of(st.text(max_size=40), st.sampled_from(["", " ", "0", "-1", "1e9", "NaN", "１２３", "'; DROP TABLE x;--",
                                                          "13900000000", "\x00", "张" * 300]))


def refused_cleanly(exc: Refused) -> None:
    assert exc.message and HAN.search(exc.message), exc.message


@pytest.fixture
def world(app):
    team = make_team(app)
    customer, order = active_resident(app, team, meter="M-HOSTILE")
    return app, team, customer, order


@SETTINGS
@given(name=texty, id_number=texty, phone=texty, address=texty, id_type=st.sampled_from(
    ["resident_id", "credit_code", "passport", "other", "bogus"]), category=st.sampled_from(
    ["residential", "non_residential", "x"]), allowance=st.one_of(st.none(), texty))
def test_customer_creation(world, name, id_number, phone, address, id_type, category, allowance):
    app, team, _, _ = world
    before = snapshot(app)
    data = CustomerInput(category=category, name=name, id_type=id_type, id_number=id_number, phone=phone,
                         address=address, yearly_allowance=allowance)
    try:
        CustomerService(app, team.clerk).create(data)
    except Refused as exc:
        refused_cleanly(exc)
        assert snapshot(app) == before


ALL_ACTIONS = sorted({a.code for f in FLOWS.values() for s in f.steps for a in s.actions} | {"cancel", "nope"})
ALL_FIELDS = sorted({fd.code for f in FLOWS.values() for s in f.steps for a in s.actions for fd in a.fields})


@SETTINGS
@given(action=st.sampled_from(ALL_ACTIONS), payload=st.dictionaries(st.sampled_from(ALL_FIELDS), texty, max_size=6),
       reason=texty)
def test_any_action_with_any_payload(world, action, payload, reason):
    app, team, customer, _ = world
    orders = OrderService(app, team.clerk)
    o = orders.open("detail_change", customer.id, documents=["id_copy"])
    before = snapshot(app)
    try:
        orders.perform(o.id, action, payload, reason=reason)
    except Refused as exc:
        refused_cleanly(exc)
        assert snapshot(app) == before
    finally:
        current = orders.get(o.id)
        if current.status == "open":
            orders.perform(o.id, "cancel", reason="测试结束")


@SETTINGS
@given(amount=texty, method=st.sampled_from(["cash", "card", "mobile", "bitcoin"]))
def test_payments_with_any_amount(world, amount, method):
    app, team, _, order = world
    before = snapshot(app)
    try:
        p = PaymentService(app, team.clerk).prepay(order.account_id, amount, method)
        assert p.amount > Decimal("0") and p.amount == p.amount.quantize(Decimal("0.01"))
    except Refused as exc:
        refused_cleanly(exc)
        assert snapshot(app) == before


@SETTINGS
@given(login=texty, password=texty)
def test_sign_in_with_anything(world, login, password):
    app, _, _, _ = world
    try:
        sign_in(app, login, password)
    except SignInFailed as exc:
        refused_cleanly(exc)


@SETTINGS
@given(query=texty)
def test_search_with_anything(world, query):
    app, team, _, _ = world
    page = CustomerService(app, team.clerk).search(query)
    assert len(page.hits) <= 50


@SETTINGS
@given(kind=st.sampled_from([*FLOWS, "bogus"]), data=st.dictionaries(st.text(max_size=20), texty, max_size=4),
       docs=st.lists(texty, max_size=3))
def test_open_any_order(world, kind, data, docs):
    app, team, customer, _ = world
    before = snapshot(app)
    try:
        o = OrderService(app, team.clerk).open(kind, customer.id, documents=docs, data=data)
    except (Refused, NotFound) as exc:
        refused_cleanly(exc)
        assert snapshot(app) == before
    else:
        OrderService(app, team.clerk).perform(o.id, "cancel", reason="测试结束")


@SETTINGS
@given(kind=st.sampled_from(["leak", "other", "bogus"]), district=st.sampled_from(["urban", "suburban", "moon"]),
       name=texty, phone=texty, address=texty)
def test_emergency_register_with_anything(world, kind, district, name, phone, address):
    from gasdesk.services.emergency import EmergencyService

    app, team, _, _ = world
    before = snapshot(app)
    try:
        EmergencyService(app, team.dispatcher).register(kind=kind, caller_name=name, caller_phone=phone,
                                                        address=address, district=district)
    except Refused as exc:
        refused_cleanly(exc)
        assert snapshot(app) == before


@SETTINGS
@given(title=texty, terms=st.lists(texty, max_size=3), hours_ahead=st.integers(-48, 200),
       length=st.integers(-5, 30), kind=st.sampled_from(["maintenance", "live_gas", "x"]))
def test_planned_work_with_anything(world, title, terms, hours_ahead, length, kind):
    from datetime import timedelta

    from gasdesk.services.planned_work import PlannedWorkService

    app, team, _, _ = world
    start = app.clock.now() + timedelta(hours=hours_ahead)
    before = snapshot(app)
    try:
        PlannedWorkService(app, team.dispatcher).create(kind=kind, title=title, area="片区", address_terms=terms,
                                                        starts_at=start, ends_at=start + timedelta(hours=length))
    except Refused as exc:
        refused_cleanly(exc)
        assert snapshot(app) == before


@SETTINGS
@given(meter=st.one_of(texty, st.just("M-HOSTILE")), read_on=st.one_of(texty, st.just("2026-11-27")), reading=texty)
def test_meter_readings_with_anything(world, meter, read_on, reading):
    from gasdesk.services.readings import ReadingService

    app, team, _, _ = world
    before = snapshot(app)
    try:
        ReadingService(app, team.clerk).record(meter, read_on, reading)
    except (Refused, NotFound) as exc:
        refused_cleanly(exc)
        assert snapshot(app) == before


@SETTINGS
@given(login=texty, name=texty, password=texty, role=st.sampled_from(["clerk", "manager", "root"]))
def test_staff_creation_with_anything(world, login, name, password, role):
    from gasdesk.services.staff import StaffService

    app, team, _, _ = world
    before = snapshot(app)
    try:
        StaffService(app, team.admin).create(login, name, role, "customer_service", password)
    except (Refused, NotFound) as exc:
        refused_cleanly(exc)
        assert snapshot(app) == before


@SETTINGS
@given(fee=texty, name=texty)
def test_settings_with_anything(world, fee, name):
    from gasdesk.services.settings import SettingsService

    app, team, _, _ = world
    before = snapshot(app)
    try:
        SettingsService(app, team.admin).update({"fees.plugging": fee, "company.name": name})
    except Refused as exc:
        refused_cleanly(exc)
        assert snapshot(app) == before


hostile_text = st.one_of(texty, st.text(min_size=190, max_size=260), st.sampled_from(
    ["a\x00b", "行一\n行二", "\x1b[31m", "名\u2028字", "\ud7ff" * 41, "x" * 4001]))
numbers = st.one_of(texty, st.integers(-10**15, 10**15).map(str), st.sampled_from(
    ["9999999.99", "10000000", "99999999.999", "100000000", "1e5", "Infinity", "-0", "0.001"]))


@SETTINGS
@given(key=st.sampled_from(["hours.service_line", "hours.complaint", "hours.hall", "hours.peak",
                            "security.idle_lock_minutes", "backup.keep_days", "limits.complaint_round_days",
                            "fees.relocation", "defaults.yearly_allowance.residential", "company.hall_address",
                            "defaults.meter_model", "calendar.confirmed_years", "texts", "unknown.key"]),
       value=st.one_of(hostile_text, numbers, st.integers(-10**6, 10**6), st.booleans(), st.none(),
                       st.lists(st.integers(1990, 2200), max_size=3),
                       st.dictionaries(st.text(max_size=8), hostile_text, max_size=2)))
def test_every_setting_with_anything(world, key, value):
    from gasdesk.services.settings import SettingsService

    app, team, _, _ = world
    before = snapshot(app)
    service = SettingsService(app, team.admin)
    try:
        service.update({key: value})
    except Refused as exc:
        refused_cleanly(exc)
        assert snapshot(app) == before
        return
    stored = service.all()[key]
    if key in ("hours.service_line", "hours.complaint"):
        from gasdesk.hours import parse_hours

        line = parse_hours(stored)  # a line's stored hours always read back
        assert "00:00" <= line.opens < line.closes <= "24:00"
    if key == "security.idle_lock_minutes":
        assert isinstance(stored, int) and 0 <= stored <= 240


@pytest.mark.parametrize(("values", "words"), [
    ({"hours.service_line": "每日 25:99-26:00"}, "客服电话受理时间"),
    ({"hours.complaint": "工作日 17:00-9:00"}, "晚于开始时间"),
    ({"security.idle_lock_minutes": "十五"}, "整数"),
    ({"security.idle_lock_minutes": 100000}, "0至240"),
    ({"hours.peak": "08:30-06:30"}, "晚于开始时间"),
    ({"fees.relocation": "99999999"}, "不能超过"),
    ({"fees.relocation": True}, "格式不正确"),
    ({"security.idle_lock_minutes": True}, "整数"),
    ({"company.name": "某公司", "backup.keep_days": "0"}, "备份保留天数"),  # one bad value: nothing saved
])
def test_bad_settings_are_refused_in_chinese_and_nothing_is_saved(world, values, words):
    from gasdesk.services.settings import SettingsService

    app, team, _, _ = world
    before = snapshot(app)
    with pytest.raises(Refused, match=words) as caught:
        SettingsService(app, team.admin).update(values)
    refused_cleanly(caught.value)
    assert snapshot(app) == before


@SETTINGS
@given(name=hostile_text, contact=hostile_text, reason=hostile_text, note=hostile_text, amount=numbers)
def test_texts_and_amounts_everywhere_are_bounded(world, name, contact, reason, note, amount):
    from gasdesk.services.staff import StaffService

    app, team, customer, order = world
    before = snapshot(app)
    calls = [
        lambda: StaffService(app, team.admin).update(team.handler.staff_id, name=name),
        lambda: CustomerService(app, team.clerk).update_contact(customer.id, CustomerService(app, team.manager)
                                                                .get(customer.id).version, contact_person=contact),
        lambda: PaymentService(app, team.clerk).prepay(order.account_id, amount, "cash", note=note),
        lambda: PaymentService(app, team.manager).reverse(10**12, reason),
    ]
    for call in calls:
        try:
            call()
        except (Refused, NotFound) as exc:
            refused_cleanly(exc)
        else:
            before = snapshot(app)  # accepted: what follows is compared with it
            continue
        assert snapshot(app) == before


def test_an_amount_or_reading_beyond_the_maxima_is_refused(world):
    from gasdesk.services.readings import ReadingService
    from gasdesk.validation import MAX_AMOUNT

    app, team, customer, order = world
    before = snapshot(app)
    with pytest.raises(Refused, match="不能超过"):
        PaymentService(app, team.clerk).prepay(order.account_id, str(MAX_AMOUNT + Decimal("0.01")), "cash")
    with pytest.raises(Refused, match="不能超过"):
        ReadingService(app, team.clerk).record("M-HOSTILE", "2026-11-27", "100000000")
    assert snapshot(app) == before

"""The emergency repair register: calls, dispatch, arrival against the commitment, and the live board.

On site within 30 minutes in the city and 60 in the suburbs for leaks, fires, poisoning and explosions
only (服务承诺); low pressure and network faults are "prompt handling" (及时处理恢复正常) with their own
target (setting limits.prompt_handling_hours, 0 = the same day) and their own line in the compliance
figures; other repairs the same day. A late arrival with an excused cause (traffic jam,
closed road, natural disaster) counts as excused, not late.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import case, func, select

from gasdesk.models import EmergencyCall
from gasdesk.permissions import Permission
from gasdesk.services import audit, numbering
from gasdesk.services import settings as settings_store
from gasdesk.services.context import Service, must_get
from gasdesk.services.errors import Refused, refusing
from gasdesk.validation import check_phone, check_required, clean_text
from gasdesk.vocab import District, Labelled


class CallKind(Labelled):
    LEAK = ("leak", "燃气泄漏")
    FIRE = ("fire", "着火")
    POISONING = ("poisoning", "中毒")
    EXPLOSION = ("explosion", "爆炸")
    LOW_PRESSURE = ("low_pressure", "低压/管网故障")
    OTHER = ("other", "其他故障报修")


class Excuse(Labelled):
    NONE = ("", "无")
    TRAFFIC = ("traffic", "交通拥堵")
    ROAD_CLOSED = ("road_closed", "道路封闭")
    DISASTER = ("disaster", "自然灾害")


class CallStatus(Labelled):
    OPEN = ("open", "待派遣")
    DISPATCHED = ("dispatched", "已派遣")
    ON_SITE = ("on_site", "已到场")
    CLOSED = ("closed", "已处理")


class Outcome(Labelled):
    ON_TIME = ("on_time", "按时到场")
    LATE = ("late", "超时到场")
    EXCUSED = ("excused", "超时（可免责）")


URGENT = {CallKind.LEAK, CallKind.FIRE, CallKind.POISONING, CallKind.EXPLOSION}
# 及时处理: held to their own target, never to the 30/60 minutes.
PROMPT = {CallKind.LOW_PRESSURE}
MINUTES = {District.URBAN: 30, District.SUBURBAN: 60}


def limit_for(kind: CallKind, district: District) -> int | None:
    return MINUTES[district] if kind in URGENT else None


def due_for(kind: CallKind, district: District, called_at: datetime, prompt_hours: int = 0) -> datetime:
    """When the crew is due: 30/60 minutes for the urgent kinds; prompt handling within its setting's
    hours (0: the same day); other repairs the same day."""
    minutes = limit_for(kind, district)
    if minutes is None:
        if kind in PROMPT and prompt_hours:
            return called_at + timedelta(hours=prompt_hours)
        return datetime.combine(called_at.date(), time(23, 59, 59))
    return called_at + timedelta(minutes=minutes)


def _count(condition):  # type: ignore[no-untyped-def]
    return func.sum(case((condition, 1), else_=0))


def outcome_of(arrived_at: datetime, due_at: datetime, excuse: str) -> Outcome:
    if arrived_at <= due_at:
        return Outcome.ON_TIME
    return Outcome.EXCUSED if excuse else Outcome.LATE


@dataclass(frozen=True)
class CallView:
    id: int
    number: str
    called_at: datetime
    kind: CallKind
    caller_name: str
    caller_phone: str
    address: str
    district: District
    description: str
    limit_minutes: int | None
    due_at: datetime
    status: CallStatus
    crew: str
    dispatched_at: datetime | None
    arrived_at: datetime | None
    excuse: Excuse
    excuse_note: str
    outcome: Outcome | None
    result: str
    resolved_first_visit: bool | None

    def minutes_left(self, now: datetime) -> int:
        return int((self.due_at - now).total_seconds() // 60)


def _view(c: EmergencyCall) -> CallView:
    return CallView(
        id=c.id, number=c.number, called_at=c.called_at, kind=CallKind(c.kind), caller_name=c.caller_name,
        caller_phone=c.caller_phone, address=c.address, district=District(c.district), description=c.description,
        limit_minutes=c.limit_minutes, due_at=c.due_at, status=CallStatus(c.status), crew=c.crew,
        dispatched_at=c.dispatched_at, arrived_at=c.arrived_at, excuse=Excuse(c.excuse), excuse_note=c.excuse_note,
        outcome=Outcome(c.arrival_outcome) if c.arrival_outcome else None, result=c.result,
        resolved_first_visit=c.resolved_first_visit,
    )


@dataclass(frozen=True)
class EmergencyCompliance:
    kind: CallKind
    district: District
    calls: int
    on_time: int
    excused: int
    late: int
    first_visit_resolved: int
    closed: int

    @property
    def rate(self) -> float | None:
        counted = self.on_time + self.late
        return None if not counted else self.on_time / counted


class EmergencyService(Service):
    def register(self, *, kind: str, caller_name: str, caller_phone: str, address: str, district: str,
                 description: str = "", customer_id: int | None = None,
                 called_at: datetime | None = None) -> CallView:
        """Write the call down the moment it comes in; the clock starts at the call time."""
        self.actor.require(Permission.DISPATCH, Permission.OPEN_ORDER)
        try:
            kind_, district_ = CallKind(kind), District(district)
        except ValueError as exc:
            raise Refused("请选择报修类别和区域") from exc
        with refusing():
            name = check_required(caller_name, "来电人", field="caller_name")
            phone = check_phone(caller_phone, field="caller_phone")
            where = check_required(address, "地址", field="address")
        now = self.app.clock.now()
        called = called_at or now
        if called > now:
            raise Refused("来电时间不能晚于现在", field="called_at")
        with self.app.unit_of_work() as s:
            call = EmergencyCall(
                number=f"QX-{called:%Y%m%d}-{numbering.next_value(s, f'QX-{called:%Y%m%d}'):04d}",
                called_at=called, kind=kind_, caller_name=name, caller_phone=phone, address=where,
                district=district_, customer_id=customer_id, description=clean_text(description),
                taken_by_id=self.actor.staff_id, limit_minutes=limit_for(kind_, district_),
                due_at=due_for(kind_, district_, called, int(settings_store.get(s, "limits.prompt_handling_hours") or 0)),
                status=CallStatus.OPEN,
            )
            s.add(call)
            s.flush()
            audit.append(s, at=now, staff_id=self.actor.staff_id, entity="emergency_call", entity_id=call.id,
                         action="register", changes=audit.snapshot(call, ["number", "kind", "address", "due_at"]))
            return _view(call)

    def dispatch(self, call_id: int, crew: str, at: datetime | None = None) -> CallView:
        self.actor.require(Permission.DISPATCH)
        return self._change(call_id, "dispatch", lambda c, now: self._dispatch(c, crew, at or now))

    def arrive(self, call_id: int, arrived_at: datetime | None = None, *, excuse: str = "",
               excuse_note: str = "") -> CallView:
        self.actor.require(Permission.DISPATCH)
        return self._change(call_id, "arrive", lambda c, now: self._arrive(c, arrived_at or now, excuse, excuse_note))

    def close(self, call_id: int, result: str, resolved_first_visit: bool) -> CallView:
        self.actor.require(Permission.DISPATCH)

        def apply(c: EmergencyCall, now: datetime) -> None:
            if c.status != CallStatus.ON_SITE:
                raise Refused("抢修人员到场后才能结案")
            c.result = check_required(result, "处理结果", field="result") if result else ""
            if not c.result:
                raise Refused("请填写处理结果", field="result")
            c.resolved_first_visit = bool(resolved_first_visit)
            c.status, c.closed_at, c.closed_by_id = CallStatus.CLOSED, now, self.actor.staff_id

        return self._change(call_id, "close", apply)

    def _dispatch(self, c: EmergencyCall, crew: str, at: datetime) -> None:
        if c.status not in (CallStatus.OPEN, CallStatus.DISPATCHED):
            raise Refused("该报修已有人员到场")
        with refusing():
            crew = check_required(crew, "出发的抢修班组", field="crew")
        c.crew, c.dispatched_at, c.status = crew, at, CallStatus.DISPATCHED

    def _arrive(self, c: EmergencyCall, at: datetime, excuse: str, note: str) -> None:
        if c.status != CallStatus.DISPATCHED:
            raise Refused("请先派遣抢修人员")
        if at < c.called_at:
            raise Refused("到场时间不能早于来电时间", field="arrived_at")
        try:
            reason = Excuse(excuse)
        except ValueError as exc:
            raise Refused("请选择免责原因") from exc
        note = clean_text(note)
        if reason is not Excuse.NONE and not note:
            raise Refused("免责须写明具体情况（如封闭路段、拥堵位置）", field="excuse_note")
        outcome = outcome_of(at, c.due_at, reason.value)
        c.arrived_at, c.status = at, CallStatus.ON_SITE
        c.excuse = reason.value if outcome is not Outcome.ON_TIME else ""
        c.excuse_note = note if outcome is not Outcome.ON_TIME else ""
        c.arrival_outcome = outcome

    def _change(self, call_id: int, action: str, apply) -> CallView:  # type: ignore[no-untyped-def]
        now = self.app.clock.now()
        with self.app.unit_of_work() as s:
            call = must_get(s, EmergencyCall, call_id, "报修记录不存在", lock=True)
            apply(call, now)
            audit.append(s, at=now, staff_id=self.actor.staff_id, entity="emergency_call", entity_id=call.id,
                         action=action, changes=audit.changes_of(call))
            return _view(call)

    def get(self, call_id: int) -> CallView:
        with self.app.reading() as s:
            call = must_get(s, EmergencyCall, call_id, "报修记录不存在")
            return _view(call)

    def open_calls(self) -> list[CallView]:
        """The live board: calls not yet closed, the most urgent first."""
        with self.app.reading() as s:
            rows = s.scalars(select(EmergencyCall).where(EmergencyCall.status != CallStatus.CLOSED)
                             .order_by(EmergencyCall.due_at))
            return [_view(c) for c in rows]

    def compliance(self, date_from: date, date_to: date) -> list[EmergencyCompliance]:
        start = datetime.combine(date_from, time.min)
        end = datetime.combine(date_to + timedelta(days=1), time.min)
        outcome = EmergencyCall.arrival_outcome
        with self.app.reading() as s:
            rows = s.execute(
                select(EmergencyCall.kind, EmergencyCall.district, func.count(),
                       _count(outcome == "on_time"), _count(outcome == "excused"), _count(outcome == "late"),
                       _count(EmergencyCall.resolved_first_visit.is_(True)),
                       _count(EmergencyCall.status == "closed"))
                .where(EmergencyCall.called_at >= start, EmergencyCall.called_at < end)
                .group_by(EmergencyCall.kind, EmergencyCall.district)
                .order_by(EmergencyCall.kind, EmergencyCall.district)
            ).all()
        return [EmergencyCompliance(CallKind(k), District(d), n, int(a or 0), int(b or 0), int(c or 0),
                                    int(f or 0), int(x or 0)) for k, d, n, a, b, c, f, x in rows]

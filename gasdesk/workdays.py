"""Working-day arithmetic for service deadlines (工作日计算).

Which days are rest days, from the strongest word to the weakest:

1. the office's own overrides (a local closure, a counter open on a holiday);
2. the State Council's yearly notice (国务院办公厅关于YYYY年部分节假日安排的通知) as pasted in by an
   administrator (`gasdesk.holiday_notice` reads it): its 放假 ranges and 上班 days;
3. the published schedule in the ``chinesecalendar`` package (every year it knows);
4. for any other year, the law itself (全国年节及纪念日放假办法, as revised in 2024 and in force from
   2025): 元旦, 农历除夕 and 正月初一至初三, 清明节, 劳动节 (5月1日、2日), 端午节, 中秋节, 国庆节 (10月1日至3日),
   computed from the lunar calendar by the ``holidays`` package, and its article 6: a holiday falling
   on a Saturday or Sunday is given back on the following working day (补假). Such a year is "not
   confirmed": the notice will move days about (调休), so deadlines computed across it are provisional.

Years the ``holidays`` package cannot compute (after 2100) keep only weekends and the fixed-date
holidays.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache, lru_cache
from types import MappingProxyType

import chinese_calendar

__all__ = ["PROVISIONAL_MARK", "WorkCalendar", "YearNotice", "holiday_name", "statutory_days"]

# What a clerk reads next to a deadline computed across a year whose notice is not yet published.
PROVISIONAL_MARK = "按法定节日推算，待国务院通知确认"

_ONE_DAY = timedelta(days=1)
_OBSERVED = "（补假）"

# Fixed-date statutory holidays, for years the lunar calendar of `holidays` does not reach.
_FALLBACK_HOLIDAYS: dict[tuple[int, int], str] = {
    (1, 1): "元旦",
    (5, 1): "劳动节",
    (5, 2): "劳动节",
    (10, 1): "国庆节",
    (10, 2): "国庆节",
    (10, 3): "国庆节",
}

# The holidays of the law, by the names the `holidays` package gives them in Chinese; anything else it
# lists (days moved by a past notice, half-day holidays) is not the law's and is left out.
_LAW_NAMES: dict[str, str] = {
    "元旦": "元旦",
    "农历除夕": "除夕",
    "春节": "春节",
    "清明节": "清明节",
    "劳动节": "劳动节",
    "端午节": "端午节",
    "中秋节": "中秋节",
    "国庆节": "国庆节",
}

# Chinese names for the holiday labels returned by chinese_calendar.get_holiday_detail.
_HOLIDAY_NAMES_ZH: dict[str, str] = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


def _as_date(d: date) -> date:
    """Accept a ``datetime`` as well, but always work with plain dates (cache keys)."""
    if isinstance(d, _dt.datetime):
        return d.date()
    return d


@lru_cache(maxsize=65536)
def _official_is_workday(d: date) -> bool | None:
    """Official answer for ``d``, or None when the schedule for that year is unknown."""
    try:
        return bool(chinese_calendar.is_workday(d))
    except NotImplementedError:
        return None


@cache
def _schedule_known(year: int) -> bool:
    """True when chinese_calendar has the official schedule for ``year``."""
    if not date.min.year <= year <= date.max.year:
        return False
    return _official_is_workday(date(year, 1, 1)) is not None


def _law_name(names: list[str]) -> str | None:
    """The Chinese name of a law day from the package's names of that date, or None."""
    found: list[str] = []
    for raw in names:
        observed = raw.endswith(_OBSERVED)
        base = raw.removesuffix(_OBSERVED)
        name = _LAW_NAMES.get(base)
        if name is not None:
            found.append(name + (_OBSERVED if observed else ""))
    if not found:
        return None
    plain = [n for n in found if not n.endswith(_OBSERVED)]
    return "、".join(dict.fromkeys(plain or found))


@cache
def statutory_days(year: int) -> Mapping[date, str]:
    """The law's rest days of ``year`` (holidays and 补假 days) with their Chinese names.

    Computed from the lunar calendar; no notice is consulted. Empty outside the years the lunar
    calendar reaches (see `_FALLBACK_HOLIDAYS`).
    """
    if not 1950 <= year <= 9999:
        return MappingProxyType({})
    import holidays  # ~0.4 s to import: only when a year beyond the published schedule is first asked about

    china = holidays.country_holidays("CN", years=year, language="zh_CN", observed=True)
    days: dict[date, str] = {}
    for day in sorted(china):
        if day.year != year:
            continue
        name = _law_name(china.get_list(day))
        if name is not None:
            days[day] = name
    return MappingProxyType(days)


def _provisional_rest(d: date) -> str | None:
    """Name of the law's holiday on ``d`` for a year without a published schedule."""
    days = statutory_days(d.year)
    if days:
        return days.get(d)
    return _FALLBACK_HOLIDAYS.get((d.month, d.day))


def _provisional_is_workday(d: date) -> bool:
    return d.weekday() < 5 and _provisional_rest(d) is None


def holiday_name(d: date) -> str | None:
    """Chinese name of the statutory holiday that makes ``d`` a rest day, else None.

    For a year in chinesecalendar the published schedule decides (a make-up working day gives None);
    for any other year the law's days (see `statutory_days`). Pasted notices are consulted by
    `WorkCalendar.holiday_name`.
    """
    d = _as_date(d)
    if _schedule_known(d.year):
        try:
            is_holiday, label = chinese_calendar.get_holiday_detail(d)
        except NotImplementedError:  # pragma: no cover - guarded by _schedule_known
            return _provisional_rest(d)
        if not is_holiday or not label:
            return None
        return _HOLIDAY_NAMES_ZH.get(str(label), str(label))
    return _provisional_rest(d)


@dataclass(frozen=True)
class YearNotice:
    """A year's schedule as the State Council's notice states it: rest days (with the holiday's name)
    and working days (调休上班). Any other day of the year follows the weekday rule."""

    year: int
    rest: Mapping[date, str] = field(default_factory=dict)
    work: frozenset[date] = frozenset()

    def is_working_day(self, d: date) -> bool | None:
        """The notice's answer for ``d``: None when ``d`` lies in another year and is not named."""
        if d in self.rest:
            return False
        if d in self.work:
            return True
        if d.year == self.year:
            return d.weekday() < 5
        return None


class WorkCalendar:
    """Working-day calendar: office overrides over pasted notices over the published and the law's days.

    ``overrides`` maps a date to True (working day) or False (rest day) and beats everything else.
    ``notices`` are the years whose State Council notice the office has pasted and confirmed.
    ``confirmed_years`` lists years the office has declared complete without a notice (overrides
    entered by hand); all three count as confirmed in :meth:`is_confirmed`.
    """

    def __init__(
        self,
        overrides: Mapping[date, bool] | None = None,
        confirmed_years: Iterable[int] = (),
        notices: Iterable[YearNotice] = (),
        revision: int = 0,
    ) -> None:
        items = overrides.items() if overrides is not None else ()
        self._overrides: dict[date, bool] = {_as_date(k): bool(v) for k, v in items}
        self._notices: dict[int, YearNotice] = {n.year: n for n in notices}
        self._confirmed_years: frozenset[int] = frozenset(int(y) for y in confirmed_years) | frozenset(self._notices)
        self._cache: dict[date, bool] = {}
        # Which state of the office's calendar this is (bumped on every change; see services.calendar).
        self.revision = revision

    @property
    def overrides(self) -> Mapping[date, bool]:
        """Read-only view of the overrides."""
        return MappingProxyType(self._overrides)

    @property
    def confirmed_years(self) -> frozenset[int]:
        return self._confirmed_years

    @property
    def notices(self) -> Mapping[int, YearNotice]:
        return MappingProxyType(self._notices)

    def changed(self, *, day: date | None = None, working: bool | None = None,
                notice: YearNotice | None = None) -> WorkCalendar:
        """A copy with one override set (``working`` None removes it) or one year's notice added."""
        overrides = dict(self._overrides)
        if day is not None:
            if working is None:
                overrides.pop(_as_date(day), None)
            else:
                overrides[_as_date(day)] = working
        notices = {**self._notices, **({notice.year: notice} if notice is not None else {})}
        return WorkCalendar(overrides, self._confirmed_years - frozenset(self._notices), notices.values(),
                            self.revision)

    def is_working_day(self, d: date) -> bool:
        d = _as_date(d)
        cached = self._cache.get(d)
        if cached is not None:
            return cached
        result = self._overrides.get(d)
        if result is None:
            result = self.base_is_working_day(d)
        self._cache[d] = result
        return result

    def base_is_working_day(self, d: date) -> bool:
        """What the notices, the published schedule or the law say, without the office's overrides."""
        d = _as_date(d)
        notices = self._notices_for(d)
        for notice in notices:  # a day a notice names, whichever year's notice names it
            if d in notice.rest:
                return False
            if d in notice.work:
                return True
        if any(n.year == d.year for n in notices):
            return d.weekday() < 5
        official = _official_is_workday(d)
        return official if official is not None else _provisional_is_workday(d)

    def _notices_for(self, d: date) -> list[YearNotice]:
        # A notice names days of its own year, and sometimes the last days of December before it.
        return [n for y in (d.year, d.year + 1) if (n := self._notices.get(y)) is not None]

    def holiday_name(self, d: date) -> str | None:
        """Chinese name of the holiday that makes ``d`` a rest day (without overrides), else None."""
        d = _as_date(d)
        notices = self._notices_for(d)
        for notice in notices:
            if d in notice.rest:
                return notice.rest[d]
        if any(d in n.work or n.year == d.year for n in notices):
            return None
        return holiday_name(d)

    def is_confirmed(self, year: int) -> bool:
        """True when the rest-day schedule of ``year`` is published, pasted in, or entered by the office."""
        return year in self._confirmed_years or _schedule_known(year)

    def is_provisional(self, start: date, end: date) -> bool:
        """True when counting working days after ``start`` up to ``end`` crosses a year not confirmed:
        a due date so computed follows the law's days and may move when the notice is published."""
        first = _as_date(start) + _ONE_DAY
        last = _as_date(end)
        return any(not self.is_confirmed(y) for y in range(first.year, last.year + 1))

    def add_working_days(self, start: date, n: int) -> date:
        """Date of the n-th working day after ``start`` (``start`` itself never counts)."""
        if n < 0:
            raise ValueError(f"n must be >= 0, got {n}")
        d = _as_date(start)
        remaining = n
        while remaining:
            d += _ONE_DAY
            if self.is_working_day(d):
                remaining -= 1
        return d

    def count_working_days(self, start: date, end: date) -> int:
        """Number of working days d with start < d <= end (0 when end <= start)."""
        d = _as_date(start)
        end = _as_date(end)
        count = 0
        while d < end:
            d += _ONE_DAY
            if self.is_working_day(d):
                count += 1
        return count

    def next_working_day(self, d: date) -> date:
        """The first working day on or after ``d``."""
        d = _as_date(d)
        while not self.is_working_day(d):
            d += _ONE_DAY
        return d

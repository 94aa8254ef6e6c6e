"""Working-day arithmetic for service deadlines (工作日计算).

Known years follow the official State Council schedule as published in the
``chinesecalendar`` package, including make-up working days (调休).  For a year
the package does not know yet, a conservative fallback is used: weekends and
the fixed-date statutory holidays (元旦 1 Jan, 劳动节 1-2 May, 国庆节 1-3 Oct)
are rest days, everything else is a working day.  Such a year is reported as
"not confirmed" so the UI can warn that deadlines may shift once the official
schedule is published.  An office can enter a year's schedule itself as
overrides and mark the year as confirmed.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from functools import cache, lru_cache
from types import MappingProxyType

import chinese_calendar

__all__ = ["WorkCalendar", "holiday_name"]

_ONE_DAY = timedelta(days=1)

# Fixed-date statutory holidays used when the official schedule of a year is unknown.
_FALLBACK_HOLIDAYS: dict[tuple[int, int], str] = {
    (1, 1): "元旦",
    (5, 1): "劳动节",
    (5, 2): "劳动节",
    (10, 1): "国庆节",
    (10, 2): "国庆节",
    (10, 3): "国庆节",
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


def _fallback_is_workday(d: date) -> bool:
    return d.weekday() < 5 and (d.month, d.day) not in _FALLBACK_HOLIDAYS


def holiday_name(d: date) -> str | None:
    """Chinese name of the statutory holiday that makes ``d`` a rest day, else None.

    For a known year the official schedule decides (a make-up working day gives None);
    for an unknown year only the fixed-date holidays 元旦/劳动节/国庆节 are named.
    """
    d = _as_date(d)
    if _schedule_known(d.year):
        try:
            is_holiday, label = chinese_calendar.get_holiday_detail(d)
        except NotImplementedError:  # pragma: no cover - guarded by _schedule_known
            return _FALLBACK_HOLIDAYS.get((d.month, d.day))
        if not is_holiday or not label:
            return None
        return _HOLIDAY_NAMES_ZH.get(str(label), str(label))
    return _FALLBACK_HOLIDAYS.get((d.month, d.day))


class WorkCalendar:
    """Working-day calendar with office overrides.

    ``overrides`` maps a date to True (working day) or False (rest day) and beats
    everything else.  ``confirmed_years`` lists years whose schedule the office has
    entered itself; they are reported as confirmed by :meth:`is_confirmed`.
    """

    def __init__(
        self,
        overrides: Mapping[date, bool] | None = None,
        confirmed_years: Iterable[int] = (),
    ) -> None:
        items = overrides.items() if overrides is not None else ()
        self._overrides: dict[date, bool] = {_as_date(k): bool(v) for k, v in items}
        self._confirmed_years: frozenset[int] = frozenset(int(y) for y in confirmed_years)
        self._cache: dict[date, bool] = {}

    @property
    def overrides(self) -> Mapping[date, bool]:
        """Read-only view of the overrides."""
        return MappingProxyType(self._overrides)

    @property
    def confirmed_years(self) -> frozenset[int]:
        return self._confirmed_years

    def is_working_day(self, d: date) -> bool:
        d = _as_date(d)
        cached = self._cache.get(d)
        if cached is not None:
            return cached
        result = self._overrides.get(d)
        if result is None:
            official = _official_is_workday(d)
            result = official if official is not None else _fallback_is_workday(d)
        self._cache[d] = result
        return result

    def is_confirmed(self, year: int) -> bool:
        """True when the rest-day schedule of ``year`` is official or entered by the office."""
        return year in self._confirmed_years or _schedule_known(year)

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

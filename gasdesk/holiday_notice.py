"""Reading the State Council General Office's yearly notice (国务院办公厅关于YYYY年部分节假日安排的通知).

The notice has had one form for years: numbered items, one per holiday,

    一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。
    二、春节：1月28日（农历除夕、周二）至2月4日（农历正月初七、周二）放假调休，共8天。1月26日（周日）、2月8日（周六）上班。

Every sentence of an item is either a rest range (…放假…, …补休) or a list of working days (…上班).
Each date is checked against the weekday the notice writes beside it and each range against its
"共N天"; a sentence that names a date but fits neither form, or fails a check, is reported as not
understood — it is never guessed. Paragraphs outside the numbered items (the preamble, the closing
words) are not read.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta

from gasdesk.workdays import YearNotice, statutory_days

__all__ = ["NoticeItem", "ParsedNotice", "parse_notice"]

_NUMERALS = "一二三四五六七八九十"
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_DATE = r"(?:(?P<{p}y>\d{{4}})年)?(?:(?P<{p}m>\d{{1,2}})月)?(?P<{p}d>\d{{1,2}})日(?:\((?P<{p}note>[^)]*)\))?"
_RANGE = re.compile("^" + _DATE.format(p="a") + "(?:至" + _DATE.format(p="b") + ")?"
                    r"(?P<verb>放假调休|调休放假|放假|补休|休息)(?P<rest>.*)$")
_ONE_DATE = re.compile("^" + _DATE.format(p="a") + "$")
_ITEM = re.compile(rf"^\s*[{_NUMERALS}]{{1,3}}、\s*(?P<name>[^:]{{1,20}}):(?P<body>.*)$")
_YEAR = re.compile(r"(?:关于|现将)(\d{4})年")
_TOTAL = re.compile(r"共(\d+)天")
_ONE_DAY = re.compile(r"放假(\d+)天")
_HAS_DATE = re.compile(r"\d{1,2}日")


@dataclass(frozen=True)
class NoticeItem:
    """One numbered item: the holiday's name, its rest days and its working days."""

    name: str
    rest: tuple[date, ...]
    work: tuple[date, ...]


@dataclass(frozen=True)
class ParsedNotice:
    year: int | None
    items: tuple[NoticeItem, ...] = ()
    # Sentences of the items that name a date but could not be read, with why: shown, never guessed.
    problems: tuple[str, ...] = ()
    rest: dict[date, str] = field(default_factory=dict)
    work: frozenset[date] = frozenset()

    @property
    def ok(self) -> bool:
        return self.year is not None and bool(self.items) and not self.problems

    def schedule(self) -> YearNotice:
        if self.year is None:
            raise ValueError("the notice names no year")
        return YearNotice(self.year, dict(self.rest), self.work)


def _normalize(text: str) -> str:
    # Full-width brackets, colons, commas and digits as typed in the published text → ASCII forms.
    text = unicodedata.normalize("NFKC", text)
    return text.replace("\u3000", " ").replace("\r\n", "\n").replace("\r", "\n")


class _Unreadable(Exception):
    pass


def _date(m: re.Match[str], p: str, year: int, month: int | None) -> tuple[date, int]:
    y = int(m.group(f"{p}y")) if m.group(f"{p}y") else year
    mo = int(m.group(f"{p}m")) if m.group(f"{p}m") else month
    if mo is None:
        raise _Unreadable("日期缺少月份")
    try:
        d = date(y, mo, int(m.group(f"{p}d")))
    except ValueError as exc:
        raise _Unreadable(f"{y}年{mo}月{m.group(f'{p}d')}日不是有效日期") from exc
    note = m.group(f"{p}note") or ""
    wd = re.search(r"(?:周|星期)([一二三四五六日天])", note)
    if wd and _WEEKDAYS[wd.group(1)] != d.weekday():
        raise _Unreadable(f"{d.month}月{d.day}日不是{wd.group(0)}（请核对年份或日期）")
    return d, mo


def _span(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _rest_sentence(m: re.Match[str], year: int) -> list[date]:
    first, month = _date(m, "a", year, None)
    last = first
    if m.group("bd"):
        last, _ = _date(m, "b", first.year if not m.group("by") else year, month)
        if last < first and not m.group("ay") and first.month == 12:
            first = first.replace(year=first.year - 1)  # "12月31日至1月2日": the range starts the year before
        if last < first:
            raise _Unreadable("放假起止日期颠倒")
    days = _span(first, last)
    if len(days) > 31:
        raise _Unreadable("放假超过31天，请核对")
    rest = m.group("rest")
    for pattern in (_TOTAL, _ONE_DAY):
        total = pattern.search(rest)
        if total and int(total.group(1)) != len(days):
            raise _Unreadable(f"写明共{total.group(1)}天，但{first.month}月{first.day}日至"
                              f"{last.month}月{last.day}日是{len(days)}天")
    return days


def _work_sentence(sentence: str, year: int) -> list[date]:
    body = sentence.removesuffix("上班").strip()
    parts = re.split(r"、(?![^(]*\))", body)  # a 、 inside （农历…、周日） does not split
    days: list[date] = []
    month: int | None = None
    for part in parts:
        m = _ONE_DATE.match(part.strip())
        if m is None:
            raise _Unreadable("上班日期的写法无法识别")
        d, month = _date(m, "a", year, month)
        days.append(d)
    return days


def parse_notice(text: str, year: int | None = None) -> ParsedNotice:
    """Read the notice. ``year`` is taken from the text (关于YYYY年…, 现将YYYY年…) when it names one;
    a notice naming a different year than ``year`` is reported as a problem."""
    original = text.replace("\r\n", "\n").replace("\r", "\n")
    named = _YEAR.search(_normalize(text))
    problems: list[str] = []
    if named:
        if year is not None and int(named.group(1)) != year:
            problems.append(f"通知是{named.group(1)}年的安排，不是{year}年的")
        year = int(named.group(1))
    if year is None:
        return ParsedNotice(None, problems=("通知中没有写明年份（“关于YYYY年部分节假日安排的通知”）",))
    items: list[NoticeItem] = []
    rest: dict[date, str] = {}
    work: set[date] = set()
    for line in original.split("\n"):
        m = _ITEM.match(_normalize(line).strip())
        if m is None:
            continue
        # The sentences as pasted, to show a problem in the words the administrator sees.
        shown = re.split("[:：]", line, maxsplit=1)[1].split("。")
        name = m.group("name").strip()
        item_rest: list[date] = []
        item_work: list[date] = []
        before = len(problems)
        for i, raw in enumerate(m.group("body").split("。")):
            sentence = raw.strip().rstrip(",;")
            if not sentence:
                continue
            compact = sentence.replace(" ", "")
            try:
                if compact.endswith("上班"):
                    item_work += _work_sentence(compact, year)
                elif (r := _RANGE.match(compact)) is not None:
                    item_rest += _rest_sentence(r, year)
                elif _HAS_DATE.search(compact):
                    raise _Unreadable("既不是放假安排也不是上班安排")
                else:
                    continue  # words without a date ("不调休" on its own, …)
            except _Unreadable as why:
                words = shown[i].strip() if i < len(shown) else raw.strip()
                problems.append(f"{name}：“{words}”——{why}")
        if not item_rest and not item_work:
            if len(problems) == before:
                problems.append(f"{name}：没有读到任何放假或上班日期")
            continue
        for d in item_rest:
            if d in work:
                problems.append(f"{name}：{d.month}月{d.day}日既写为放假又写为上班")
            rest.setdefault(d, name)
        for d in item_work:
            if d in rest:
                problems.append(f"{name}：{d.month}月{d.day}日既写为放假又写为上班")
            work.add(d)
        items.append(NoticeItem(name, tuple(item_rest), tuple(item_work)))
    if not items and not problems:
        problems.append("没有找到编号的放假安排条目（如“一、元旦：1月1日……放假”）")
    elif items and not problems:
        # Every holiday of the law must lie in some rest range: a notice pasted only in part is caught here.
        for d, law_name in statutory_days(year).items():
            if not law_name.endswith("（补假）") and d not in rest and d not in work:
                problems.append(f"通知中没有{law_name}（{d.month}月{d.day}日）的放假安排，请检查是否复制完整")
    return ParsedNotice(year, tuple(items), tuple(problems), rest, frozenset(work))

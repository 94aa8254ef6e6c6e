"""What a ledger is: `LedgerDef` (title, filters, sheets), `SheetDef` (a query and its columns) and `Column`.

A sheet's query labels every column it reads (`Account.number.label("account")`); its rows reach the
columns as named tuples (`r.account`, `r.data`). A column is its header, its cell and how it prints:

    column("燃气账户", "account", width=12)                    # the query's column of that label
    column("办理状态", lambda q, r: status_label(r.status))      # worked out from the row
    recorded(KINDS, "summary", width=24)                        # a value the flow records

`recorded` builds the column from the flow's own field definition: the field's label heads it, and
its cells are read from the order's data by the field's kind (a choice by its label, a reading in
m³, money in yuan). A column named by `key` (a label names its own) can be found by rates, charts,
subtotal groups and tests. Rows leave the sheet as plain tuples in column order, for the writer.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from operator import attrgetter
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from gasdesk.flows.definition import FieldDef, FieldKind
from gasdesk.flows.registry import ALL_FLOWS
from gasdesk.reports.ledgers import ChartSpec, ColumnType, LedgerColumn
from gasdesk.services.ledgers.query import ORDER_FILTERS, Query, as_date, as_datetime, as_int, money, qty

T = ColumnType
BATCH = 2000

Cell = Callable[[Query, Any], Any]
# A rate's totals: sum(numerator columns) / sum(denominator columns), by key.
Ratio = tuple[str | tuple[str, ...], str | tuple[str, ...]]


@dataclass(frozen=True)
class Column:
    header: str
    cell: Cell
    type: ColumnType = T.TEXT
    width: float | None = None
    # Sum this column into the totals row (money and volumes; never counts like rounds or days).
    total: bool = False
    key: str = ""
    ratio_of: Ratio | None = None
    # The label of the query's column the cell shows as it is ("" where the cell works it out).
    source: str = ""

    def but(self, **changes: Any) -> Column:
        """The same column with another header, width or cell (e.g. a wider customer name)."""
        if "cell" in changes:
            changes.setdefault("source", "")
        return replace(self, **changes)


def _reader(label: str) -> Cell:
    get = attrgetter(label)
    return lambda q, r: get(r)


def column(header: str, cell: str | Cell, type_: ColumnType = T.TEXT, width: float | None = None, *,
           total: bool = False, key: str = "", ratio_of: Ratio | None = None) -> Column:
    """A column; `cell` is the label of the query's column it shows, or a function of (query, row)."""
    if isinstance(cell, str):
        return Column(header, _reader(cell), type_, width, total, key or cell, ratio_of, source=cell)
    return Column(header, cell, type_, width, total, key, ratio_of)


# A flow field's kind -> the column type its cells have (text for the rest).
_FIELD_TYPES = {
    FieldKind.INT: T.INT, FieldKind.MONEY: T.MONEY, FieldKind.READING: T.QUANTITY, FieldKind.DATE: T.DATE,
    FieldKind.DATETIME: T.DATETIME, FieldKind.MOBILE: T.PHONE, FieldKind.PHONE: T.PHONE,
    FieldKind.ID_NUMBER: T.ID,
}
_FIELD_READERS: dict[FieldKind, Callable[[Any], Any]] = {
    FieldKind.MONEY: money, FieldKind.READING: qty, FieldKind.INT: as_int, FieldKind.DATETIME: as_datetime,
    FieldKind.DATE: lambda value: as_date(value) if value not in (None, "") else None,
}


def field_reader(f: FieldDef) -> Callable[[Mapping[str, Any] | None], Any]:
    """How a recorded value reads in a ledger cell, from an order's data."""
    code = f.code
    convert = _FIELD_READERS.get(f.kind)
    if convert is not None:
        return lambda data: convert((data or {}).get(code))
    labels = dict(f.choices)
    if f.kind is FieldKind.BOOL:
        labels = {"True": "是", "False": "否"}

    def text(data: Mapping[str, Any] | None) -> Any:
        value = (data or {}).get(code)
        if value in (None, ""):
            return ""
        return labels.get(str(value), str(value)) if labels else value

    return text


def field_of(kinds: Sequence[str], code: str) -> FieldDef:
    """The field `code` as the first of `kinds` that records it defines it."""
    for kind in kinds:
        found = ALL_FLOWS[kind].field(code)
        if found is not None:
            return found
    raise KeyError(f"no flow of {', '.join(kinds)} records {code!r}")


def recorded(kinds: Sequence[str] | FieldDef, code: str = "", header: str = "", type_: ColumnType | None = None,
             width: float | None = None, *, total: bool = False) -> Column:
    """The column of a value the flow records (the field `code` of `kinds`, or a FieldDef itself):
    header and type from the field, unless the ledger words its own. Its cell reads the order's data."""
    f = kinds if isinstance(kinds, FieldDef) else field_of(kinds, code)
    read = field_reader(f)
    return Column(header or f.label, lambda q, r: read(r.data), type_ or _FIELD_TYPES.get(f.kind, T.TEXT), width,
                  total, key=f.code)


def positions(columns: Sequence[Column], *keys: str) -> tuple[int, ...]:
    """Where the columns of these keys stand (for a chart's series)."""
    at = [c.key for c in columns]
    return tuple(at.index(k) for k in keys)


@dataclass(frozen=True)
class SheetDef:
    title: str
    columns: tuple[Column, ...]
    select: Callable[[Query], Select[*tuple[Any, ...]]]
    totals: bool = False
    chart: ChartSpec | None = None
    # Aggregated sheets (few rows) are read whole and sorted in Python by this key of (query, row).
    sort_key: Callable[[Query, Any], Any] | None = None
    note: str = ""
    # The first row of the sheet when it has no rows: why it is empty.
    empty: str = "本期无记录"
    # Who signs the printed ledger (SIGNED: 制表, 审核); the overdue list, a snapshot, carries none.
    signatures: tuple[str, ...] = ()
    # Rows sorted into runs by a column's cell get a subtotal each: (its key, the run's name from the cell).
    group: tuple[str, Callable[[Any], str]] | None = None
    unit: str = "条"
    # Work out what several cells of a row share once, before its cells: (query, row) -> what they read.
    prepare: Callable[[Query, Any], Any] | None = None

    def index(self, key: str) -> int:
        return positions(self.columns, key)[0]

    @property
    def ledger_columns(self) -> tuple[LedgerColumn, ...]:
        """The columns as the writer takes them (a rate's totals by position)."""
        def at(keys: str | tuple[str, ...]) -> int | tuple[int, ...]:
            return self.index(keys) if isinstance(keys, str) else positions(self.columns, *keys)

        return tuple(LedgerColumn(c.header, c.type, c.width, c.total,
                                  (at(c.ratio_of[0]), at(c.ratio_of[1])) if c.ratio_of else None)
                     for c in self.columns)

    def grouping(self) -> Callable[[Sequence[Any]], str] | None:
        """The writer's group: a row's run name."""
        if self.group is None:
            return None
        i, name = self.index(self.group[0]), self.group[1]
        return lambda row: name(row[i])

    def converter(self, q: Query) -> Callable[[Any], tuple[Any, ...]]:
        """A named source row -> its cells, in column order."""
        # A shown column is read straight from the row; the others are worked out with the query.
        cells = [attrgetter(c.source) if c.source else partial(c.cell, q) for c in self.columns]
        prepare = self.prepare
        if prepare is None:
            return lambda r: tuple([cell(r) for cell in cells])

        def convert(r: Any) -> tuple[Any, ...]:
            row = prepare(q, r)
            return tuple([cell(row) for cell in cells])

        return convert


@dataclass(frozen=True)
class LedgerDef:
    name: str
    title: str
    description: str
    # What the date range applies to, as shown in the title block.
    date_basis: str
    sheets: tuple[SheetDef, ...]
    filters: frozenset[str] = ORDER_FILTERS
    # The flows this ledger covers (None: every flow, or not about orders).
    kinds: tuple[str, ...] | None = None
    # The title block's period starts with the moment of the export (a snapshot such as the overdue list).
    snapshot: bool = False
    # How the clerk filter is worded (收费员 where the ledger lists payments).
    clerk_label: str = "受理人"

    @property
    def columns(self) -> tuple[Column, ...]:
        return self.sheets[0].columns

    def count(self, s: Session, q: Query) -> int:
        """Rows of every sheet together (the progress bar's 100%)."""
        total = 0
        for sheet in self.sheets:
            stmt = sheet.select(q).order_by(None)
            total += int(s.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
        return total

    def batches(self, s: Session, q: Query, sheet: int = 0) -> Iterator[list[tuple[Any, ...]]]:
        """The rows of one sheet in batches, streamed from the database (server-side on PostgreSQL)."""
        spec = self.sheets[sheet]
        result = s.execute(spec.select(q).execution_options(stream_results=True, yield_per=BATCH))
        # The query's rows as named tuples: reading a field by name is as quick as by position.
        named = namedtuple("Source", list(result.keys()), rename=True)._make  # type: ignore[misc, attr-defined]
        convert = spec.converter(q)
        if spec.sort_key is not None:
            rows = sorted(map(named, result), key=partial(spec.sort_key, q))
            for i in range(0, len(rows), BATCH):
                yield [convert(r) for r in rows[i:i + BATCH]]
            return
        for part in result.partitions():
            yield [convert(named(r)) for r in part]

    def rows(self, s: Session, q: Query, sheet: int = 0) -> Iterator[tuple[Any, ...]]:
        for batch in self.batches(s, q, sheet):
            yield from batch

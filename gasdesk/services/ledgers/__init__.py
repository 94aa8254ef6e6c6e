"""Ledgers (台账) for managers, and the figures of the manager dashboard.

One module a ledger, listed once in `registry.MODULES`:

    business.py          业务受理台账        cash_daily.py       收费退费日结
    plugging.py          封堵业务受理台账    compliance.py       时限达标统计
    allowance.py         气量变更台账        overdue.py          超期工单
    complaints.py        投诉台账            bills.py            账单台账
    meter_change.py      换表台账            arrears_age.py      欠费账龄
    transfer_closure.py  过户/销户台账       write_offs.py       坏账核销台账
                                             bank_reconciliation.py  银行代收代扣对账
    inspection_visits.py    安检台账         inspection_hazards.py   隐患整改台账
    inspection_coverage.py  安检覆盖率统计（and the dashboard's coverage figure）

and what they share: `query.py` (the filter, lookups, labels and values, SQL pieces), `orders.py`
(the query every order ledger reads, its columns, `order_ledger`), `sheet.py` (LedgerDef, SheetDef
and Column: a header, a cell read by name from the query's labelled row, a type; `recorded` builds
one from a flow's field definition), `export.py` (LedgerService: workbook or PDF, masking, audit),
`dashboard.py` (the manager dashboard, over the ledgers' own queries), `rates.py` (the rates the service
commitment publishes: 一次处结率, 表具校验/更换合格率, for 时限达标统计 and the dashboard), and
`flow_ledgers.py`.

Adding a ledger:
- of one flow's orders, showing what the flow records: declare it in the flow's definition,
  `own_ledgers=(OrderLedger("inspection", "安全检查台账", fields=("result", "hazards")),)`; nothing
  here changes (flow_ledgers.py builds it);
- anything else: a module here defining `LEDGER` (copy the nearest one: `select_rows(q)` with
  labelled columns, then `orders.order_ledger(...)` or a `LedgerDef` of `column(...)`s), plus its one
  line in `registry.MODULES`. A shared ledger that lists several flows' orders takes them from the
  flows' `FlowDef.ledgers` (`kinds_in_ledger("plugging")`), never from kind names.
"""

from .complaints import satisfaction
from .dashboard import OPEN_STATES, DashboardData, DashboardOrder, DashboardSnapshot, Selection
from .export import ExportResult, FilterChoices, LedgerService, Progress
from .query import PLAN_FILTER, LedgerFilter, Lookups, Query
from .registry import LEDGERS, get_ledger, list_ledgers
from .sheet import LedgerDef, SheetDef

# The dashboard's figures (FlowStates, MonthRate, DepartmentLoad, ClerkLoad) are in .dashboard.
__all__ = [
    "LEDGERS", "OPEN_STATES", "PLAN_FILTER", "DashboardData", "DashboardOrder", "DashboardSnapshot",
    "ExportResult", "FilterChoices", "LedgerDef", "LedgerFilter", "LedgerService", "Lookups", "Progress", "Query", "Selection",
    "SheetDef", "get_ledger", "list_ledgers", "satisfaction",
]

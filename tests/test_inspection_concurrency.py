"""Bulk inspection work from two processes at once (on PostgreSQL they truly overlap): the same plan
opened from two counters, the same route sheet imported from two counters. Each account gets one
order, each visit is written once, each counter's report says what it did, the audit chain holds."""

from __future__ import annotations

import json
import multiprocessing as mp
from datetime import date, datetime
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import func, select

from gasdesk.clock import FixedClock
from gasdesk.flows.inspection import flow as spec
from gasdesk.models import AuditEntry, InspectionHazard, InspectionOrder, InspectionVisit, ServiceOrder
from gasdesk.services import audit
from gasdesk.services.context import App
from gasdesk.services.errors import ServiceError
from gasdesk.services.inspection import InspectionService, PlanSpec
from gasdesk.services.inspection_sheet import RouteSheetService
from tests.helpers import active_resident, make_team
from tests.test_concurrency import run_at_once
from tests.test_inspection_sheet import fill, rows_by_name

HOUSEHOLDS = 12
EVENING = datetime(2026, 11, 30, 18, 0)


def _audit_ok(app: App) -> None:
    with app.reading() as s:
        report = audit.check(s)
    assert report.ok, report.lines()


def _plan(app: App, team) -> int:  # type: ignore[no-untyped-def]
    return InspectionService(app, team.clerk).create_plan(PlanSpec(
        title="2026年12月市区安检", inspector="安检一班 周明", starts_on=date(2026, 11, 27),
        ends_on=date(2026, 12, 31), district="urban")).id


# --- opening the same plan ------------------------------------------------------------------------------

def _open(url: str, clerk, plan_id: int, start, out: str) -> None:  # type: ignore[no-untyped-def]
    app = App(url, migrate=False)
    try:
        svc = InspectionService(app, clerk)
        start.wait()
        try:
            done = svc.open_plan(plan_id, chunk=3)
            Path(out).write_text(json.dumps({"opened": done.opened, "skipped": done.skipped}))
        except ServiceError as exc:
            Path(out).write_text(json.dumps({"refused": exc.message}, ensure_ascii=False))
    finally:
        app.dispose()


def test_two_counters_opening_the_same_plan_at_once_open_each_account_once(app, tmp_path):
    team = make_team(app)
    accounts = [active_resident(app, team, f"同开户{i}")[1].account_id for i in range(HOUSEHOLDS)]
    plan_id = _plan(app, team)
    start = mp.get_context("spawn").Barrier(2)
    outs = [str(tmp_path / f"open{i}.json") for i in range(2)]
    run_at_once(_open, [(app.url, team.clerk, plan_id, start, out) for out in outs])
    results = [json.loads(Path(o).read_text()) for o in outs]
    assert all("opened" in r for r in results), results
    # Chunk by chunk under the plan's lock: what one counter opened the other finds done and skips.
    assert sum(r["opened"] for r in results) == HOUSEHOLDS, results
    assert all(r["skipped"] == 0 for r in results), results
    with app.reading() as s:
        rows = s.execute(select(InspectionOrder.account_id, ServiceOrder.number)
                         .join(ServiceOrder, ServiceOrder.id == InspectionOrder.order_id)
                         .where(InspectionOrder.plan_id == plan_id)).all()
        assert sorted(a for a, _n in rows) == sorted(accounts)
        assert len({n for _a, n in rows}) == HOUSEHOLDS
    view = InspectionService(app, team.clerk).plan(plan_id)
    assert (view.status, view.opened, view.planned) == ("open", HOUSEHOLDS, HOUSEHOLDS)
    _audit_ok(app)


# --- importing the same route sheet ------------------------------------------------------------------

def _import(url: str, dispatcher, plan_id: int, path: str, start, out: str) -> None:  # type: ignore[no-untyped-def]
    app = App(url, FixedClock(EVENING), migrate=False)
    try:
        sheets = RouteSheetService(app, dispatcher)
        start.wait()
        try:
            result = sheets.import_sheet(plan_id, path)
            Path(out).write_text(json.dumps({
                "recorded": [r.row for r in result.rows if r.status == "recorded"],
                "already": [r.row for r in result.rows if r.status == "already"],
                "refused": [f"{r.row}: {r.message}" for r in result.refused_rows]}, ensure_ascii=False))
        except ServiceError as exc:
            Path(out).write_text(json.dumps({"refused": [exc.message]}, ensure_ascii=False))
    finally:
        app.dispose()


def test_two_counters_importing_the_same_route_sheet_at_once_write_each_visit_once(app, clock, tmp_path):
    team = make_team(app)
    names = [f"路线户{i}" for i in range(HOUSEHOLDS)]
    for name in names:
        active_resident(app, team, name)
    plan_id = _plan(app, team)
    InspectionService(app, team.clerk).open_plan(plan_id)
    path = tmp_path / "route.xlsx"
    RouteSheetService(app, team.dispatcher).export(plan_id, path)
    wb = load_workbook(path)
    ws = wb.active
    rows = rows_by_name(ws)
    # Every outcome a sheet can bring: entered (a third with a hazard), nobody home, refused.
    for i, name in enumerate(names):
        visited = datetime(2026, 11, 30, 8 + i // 2, 10 * (i % 2) + 5)
        if i % 4 == 0:
            fill(ws, rows[name], "到访不遇", visited, 已留到访不遇卡="是")
        elif i % 4 == 1:
            fill(ws, rows[name], "拒绝安检", visited, 拒检原因="家中无人做主")
        else:
            fill(ws, rows[name], "入户检查", visited, grades={"hose_aged": "二级"} if i % 3 == 0 else None,
                 隐患说明="胶管老化" if i % 3 == 0 else None)
    wb.save(path)
    hazards = sum(1 for i in range(HOUSEHOLDS) if i % 4 in (2, 3) and i % 3 == 0)

    start = mp.get_context("spawn").Barrier(2)
    outs = [str(tmp_path / f"import{i}.json") for i in range(2)]
    run_at_once(_import, [(app.url, team.dispatcher, plan_id, str(path), start, out) for out in outs])
    results = [json.loads(Path(o).read_text()) for o in outs]
    # Neither counter is told a row failed: each row is recorded by one and found done by the other.
    assert [r["refused"] for r in results] == [[], []], results
    every = sorted(rows.values())
    assert sorted(results[0]["recorded"] + results[1]["recorded"]) == every, results
    for mine, theirs in (results, results[::-1]):
        assert sorted(mine["already"]) == sorted(theirs["recorded"]), results
    with app.reading() as s:
        visits = s.execute(select(InspectionVisit.order_id, InspectionVisit.attempt)).all()
        assert len(visits) == HOUSEHOLDS and len({o for o, _a in visits}) == HOUSEHOLDS
        assert {a for _o, a in visits} == {1}
        assert s.scalar(select(func.count()).select_from(InspectionHazard)) == hazards
        assert set(s.scalars(select(InspectionOrder.attempts).where(InspectionOrder.plan_id == plan_id))) == {1}
        not_home = s.scalar(select(func.count()).select_from(InspectionOrder).where(
            InspectionOrder.outcome == spec.NOT_HOME))
        assert not_home == HOUSEHOLDS // 4
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "import_sheet")) == 2
    _audit_ok(app)

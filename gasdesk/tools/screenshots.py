"""Render the main screens offscreen to PNG files: `python -m gasdesk.tools.screenshots [--db URL] [--out DIR]`.

Without --db a demo database is built in a temporary folder (gasdesk.demo.build_demo when it exists,
else a few customers and orders made through the services). The window is drawn with Qt's offscreen
platform, so no display is needed; every screen is saved with QWidget.grab().
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from gasdesk.flows.registry import ALL_FLOWS, FLOWS, WIZARD_DEFAULT

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SIZE = (1366, 768)


def _say(text: str) -> None:
    print(text, flush=True)


def build_database(url: str, customers: int, seed: int) -> tuple[Any, dict[str, tuple[str, str]]]:
    """A demo database at `url`; returns (App, {role: (login, password)})."""
    from gasdesk.clock import FixedClock
    from gasdesk.services.context import App

    try:
        from gasdesk import demo
    except ImportError:
        demo = None  # type: ignore[assignment]
    if demo is not None and hasattr(demo, "build_demo"):
        start = datetime.now().replace(second=0, microsecond=0) - timedelta(days=getattr(demo, "SIMULATED_DAYS", 120))
        app = App(url, FixedClock(start))
        _say(f"building demo data ({customers} customers)…")

        def progress(done: int, total: int) -> None:
            if done % 2000 == 0:
                _say(f"  {done}/{total}")

        summary = demo.build_demo(app, customers=customers, seed=seed, progress=progress)
        logins: dict[str, tuple[str, str]] = {}
        for x in summary.logins:
            if x.password and x.role not in logins:
                logins[x.role] = (x.login, x.password)
        return app, logins
    app = App(url, FixedClock(datetime.now().replace(second=0, microsecond=0)))
    return app, _seed_small(app)


def _seed_small(app: Any) -> dict[str, tuple[str, str]]:
    """Without the demo generator: a handful of customers and orders through the services."""
    from gasdesk.services.customers import CustomerInput, CustomerService
    from gasdesk.services.orders import OrderService
    from gasdesk.services.staff import StaffService, create_first_admin
    from gasdesk.validation import make_resident_id
    from gasdesk.vocab import Role

    admin = create_first_admin(app, "admin", "系统管理员", "admin123")
    staff = StaffService(app, admin)
    for login, name, role, dept in [("clerk1", "李娜", Role.CLERK, "customer_service"),
                                    ("dispatch1", "刘洋", Role.DISPATCHER, "distribution")]:
        staff.create(login, name, role, dept, "demo1234")
    from gasdesk.services import staff as staff_service

    clerk, _ = staff_service.sign_in(app, "clerk1", "demo1234")
    customers = CustomerService(app, clerk)
    orders = OrderService(app, clerk)
    names = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆", "赵敏", "黄磊", "周杰", "吴昊", "张卫国", "郑爽"]
    for i, name in enumerate(names):
        c = customers.create(CustomerInput(name=name, id_number=make_resident_id("520102", date(1975 + i, 3, 1 + i), i),
                                           phone=f"1390851{i:04d}", address=f"示例市南明区花果园{i + 1}栋{i + 2}号"))
        flow = ALL_FLOWS[WIZARD_DEFAULT]
        o = orders.open(flow.kind, c.id, documents=[d.code for d in flow.documents])
        if i % 3:
            orders.perform(o.id, flow.step(flow.initial).actions[0].code)
    return {Role.CLERK.label: ("clerk1", "demo1234"), Role.DISPATCHER.label: ("dispatch1", "demo1234"),
            Role.ADMIN.label: ("admin", "admin123")}


def _actor(app: Any, logins: dict[str, tuple[str, str]], role: Any) -> Any:
    from sqlalchemy import select

    from gasdesk.models import Staff
    from gasdesk.services import staff as staff_service

    if role.label in logins:
        login, password = logins[role.label]
        try:
            return staff_service.sign_in(app, login, password)[0]
        except Exception:  # noqa: BLE001 - fall back to the staff list
            pass
    with app.reading() as s:
        match = s.scalars(select(Staff).where(Staff.role == role, Staff.active.is_(True)).order_by(Staff.id)).first()
        return staff_service.actor_of(match)


class Shooter:
    def __init__(self, qt: Any, out: Path) -> None:
        self.qt, self.out = qt, out
        self.files: list[Path] = []

    def settle(self, rounds: int = 6, seconds: float = 0.0) -> None:
        """Let the window draw; `seconds` for what renders on a thread of its own (QtPdf pages)."""
        for _ in range(rounds):
            self.qt.processEvents()
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.qt.processEvents()
            time.sleep(0.01)

    def shot(self, widget: Any, name: str, size: tuple[int, int] | None = SIZE, wait: float = 0.0) -> None:
        if size:
            widget.resize(*size)
        widget.show()
        self.settle(seconds=wait)
        path = self.out / f"{name}.png"
        widget.grab().save(str(path))
        self.files.append(path)
        _say(f"  {path}")


def _busy_customer(session: Any) -> Any | None:
    """An active customer with an active account and the most history (orders and payments)."""
    best, score = None, -1
    for q in ("zw", "wf", "lj", "张", "王", "李"):
        for h in session.customers.search(q, limit=50).hits:
            if not (h.account_status and h.account_status.value == "active"):
                continue
            n = len(session.worklists.orders_of_customer(h.customer.id)) * 2 + \
                len(session.payments.for_customer(h.customer.id))
            if n > score:
                best, score = h, n
    return best


def _pick_order(session: Any, want: Callable[[Any], bool]) -> Any | None:
    for item in session.worklists.my_queue(limit=2000):
        if want(item):
            return item
    return None


def _preview(s: Shooter, session: Any, order_id: int) -> None:
    """The print preview of the order's first form, when the printing service is installed."""
    from gasdesk.ui import printing

    if not printing.available():
        return
    forms = printing.forms_for(session, order_id)
    if not forms:
        return
    f = forms[0]
    svc = printing.service(session)
    assert svc is not None  # printing.available()
    pdf = svc.render(order_id, f.code, payment_id=f.payment_id) if f.payment_id else svc.render(order_id, f.code)
    dialog = printing.PdfPreviewDialog(bytes(pdf), f.title)
    s.shot(dialog, "print-preview", (900, 740), wait=1.0)
    dialog.close()


def render(app: Any, logins: dict[str, tuple[str, str]], out: Path) -> list[Path]:
    from gasdesk.ui.app import qt_application
    from gasdesk.ui.main_window import DASHBOARD, DISPATCH, NEW, SEARCH, SETTINGS, MainWindow
    from gasdesk.ui.session import UiSession
    from gasdesk.ui.signin import SignInDialog
    from gasdesk.ui.wizard import CONFIRM_PAGE, DOCUMENTS_PAGE, FLOW_PAGE
    from gasdesk.vocab import Role

    qt = qt_application()
    out.mkdir(parents=True, exist_ok=True)
    s = Shooter(qt, out)
    company = "贵州燃气集团安顺市燃气有限责任公司"

    clerk = _actor(app, logins, Role.CLERK)
    sign = SignInDialog(app, company=company, login=clerk.login)
    s.shot(sign, "signin", None)

    session = UiSession(app, clerk)
    win = MainWindow(session)
    win.show_page(DASHBOARD)
    s.shot(win, "dashboard")

    win.show_page(SEARCH)
    win.search.edit.setText("张")
    win.search.box.search_now()
    s.shot(win, "customer-search")

    win.show_page(NEW)
    s.shot(win, "new-business")

    hit = _busy_customer(session)
    if hit is not None:
        cp = win.open_customer(hit.customer.id)
        s.shot(cp, "customer")
        cp.close()

        # A flow on an existing account with documents and an application form to show.
        kind = next(f.kind for f in FLOWS.values() if f.account_statuses and f.open_fields and f.documents)
        wizard = win.new_business(kind, hit.customer.id)
        s.settle()
        if wizard.currentId() == FLOW_PAGE:  # the wizard opens on its first page (来访/来电), the flow chosen
            wizard.next()
            s.settle()
        wizard.customer_page.search.view.selectRow(0)
        wizard.next()
        boxes = list(wizard.documents_page.checks.values())
        if boxes:
            boxes[0].setChecked(True)
        s.settle()
        if wizard.currentId() == DOCUMENTS_PAGE:
            s.shot(wizard, "wizard-documents", (960, 660))
            for box in boxes:
                box.setChecked(True)
            wizard.next()
        s.settle()
        wizard.next()  # the application form, defaults kept
        s.settle()
        if wizard.currentId() == CONFIRM_PAGE:
            s.shot(wizard, "wizard-confirm", (960, 660))
        wizard.done(0)  # closed without the "discard typed input?" question (nobody to answer it here)

    def deep_installation(item: Any) -> bool:
        """An order deep in a long flow: waiting in a step outside the commitment (design, construction)."""
        flow = ALL_FLOWS[item.kind]
        return flow.has_step(item.step) and not flow.step(item.step).counted

    item = _pick_order(UiSession(app, _actor(app, logins, Role.ADMIN)), deep_installation) or \
        _pick_order(session, lambda i: True)
    if item is not None:
        page = win.open_order(item.order_id)
        s.shot(page, "order")
        page.close()
        _preview(s, session, item.order_id)
    complaint = _pick_order(UiSession(app, _actor(app, logins, Role.ADMIN)),
                            lambda i: ALL_FLOWS[i.kind].step(i.step).ledger_state == "待回访")
    if complaint is not None:
        page = win.open_order(complaint.order_id)
        s.shot(page, "order-complaint")
        page.close()
    win.close()

    dispatcher = _actor(app, logins, Role.DISPATCHER)
    dwin = MainWindow(UiSession(app, dispatcher))
    dwin.show_page(DISPATCH)
    if dwin.dispatch.queue.rows:
        booked = next((i for i, r in enumerate(dwin.dispatch.queue.rows) if not r.crew), 0)
        dwin.dispatch.queue_view.selectRow(booked)
    s.shot(dwin, "dispatch")
    dwin.close()

    admin = _actor(app, logins, Role.ADMIN)
    awin = MainWindow(UiSession(app, admin))
    awin.show_page(SETTINGS)
    awin.settings_page.tabs.setCurrentWidget(awin.settings_page.calendar)
    s.shot(awin, "calendar")
    _calendar_notice_shots(s, awin)
    awin.settings_page.tabs.setCurrentWidget(awin.settings_page.staff)
    s.shot(awin, "settings-staff")
    awin.show_page(awin.page_titles.index("台账报表"))
    s.shot(awin, "ledgers")
    awin.show_page(awin.page_titles.index("管理驾驶舱"))
    board = awin.manager_dashboard
    assert board is not None  # the admin may see the figures
    deadline = time.monotonic() + 60
    while board.snapshot is None and time.monotonic() < deadline:  # computed off the UI thread
        qt.processEvents()
        time.sleep(0.02)
    s.shot(awin, "manager-dashboard")
    awin.close()

    _seed_field_service(app, dispatcher)
    fwin = MainWindow(UiSession(app, dispatcher))
    fwin.show_page(fwin.page_titles.index("抢险抢修"))
    fwin.emergency.refresh()
    s.shot(fwin, "emergency-board")
    fwin.show_page(fwin.page_titles.index("计划作业"))
    fwin.planned_work.refresh()
    fwin.planned_work.work_table.selectRow(0)
    fwin.planned_work.show_affected()
    s.shot(fwin, "planned-work")
    fwin.close()
    render_bank(app, logins, s)
    render_inspection(app, logins, s)
    return s.files


# A made-up 2027 notice in the published form (the test fixture), for the paste dialog's preview.
SAMPLE_NOTICE = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "notices" / "2027-hypothetical.txt"


def _calendar_notice_shots(s: Shooter, win: Any) -> None:
    """The calendar page on a year not yet confirmed (the law's days, dashed), and the paste dialog."""
    editor = win.settings_page.calendar
    ahead = editor.session.calendar.unconfirmed_years_ahead(editor.session.now().date())
    if not ahead:
        return
    editor.set_year(ahead[-1])
    s.shot(win, "calendar-provisional")
    if ahead[-1] != 2027 or not SAMPLE_NOTICE.exists():
        return
    dialog = editor.open_notice_dialog(2027)
    dialog.text.setPlainText(SAMPLE_NOTICE.read_text(encoding="utf-8"))
    dialog.read()
    s.shot(dialog, "calendar-notice-preview", size=(1320, 700))
    dialog.done(0)  # closed without the "discard typed input?" question
    editor.set_year(editor.session.now().year)


def _seed_bank(app: Any, clerk: Any, manager: Any, accounts: int = 60) -> int | None:
    """Debit agreements for some accounts with unpaid bills of one month, that month's debit run and
    the bank's return (a few lines failed), so the bank page shows real rows. Returns the run's id."""
    from collections import Counter
    from datetime import timedelta as _td
    from decimal import Decimal

    from sqlalchemy import select

    from gasdesk.bankfiles import luhn_complete
    from gasdesk.models import Account, BankRun, Bill, Customer, Meter
    from gasdesk.services.bank import BankService
    from gasdesk.services.billing import BillingService

    with app.reading() as s:  # a demo hall brings its own bank channel (gasdesk.demo_bank)
        returned = s.scalar(select(BankRun.id).where(BankRun.status == "returned").order_by(BankRun.id.desc()))
    if returned is not None:
        return int(returned)
    day = app.clock.now().date() - _td(days=1)
    with app.reading() as s:  # the demo has few bills: read the meters of some active accounts first
        meters = s.execute(select(Meter.number, Meter.last_reading).join(Account, Account.id == Meter.account_id)
                           .where(Account.status == "active", Meter.status == "in_service",
                                  (Meter.last_read_at.is_(None)) | (Meter.last_read_at < day))
                           .order_by(Meter.id).limit(accounts)).all()
    readings = BillingService(app, clerk)
    for i, (number, last) in enumerate(meters):
        try:
            readings.record_reading(number, day, str(last + Decimal(18 + (i * 7) % 40)))
        except Exception:  # noqa: BLE001 - a meter the service will not read today
            continue
    with app.reading() as s:
        rows = s.execute(select(Bill.account_id, Bill.period_end, Customer.name)
                         .join(Account, Account.id == Bill.account_id)
                         .join(Customer, Customer.id == Account.customer_id)
                         .where(Bill.status != "paid", Account.status != "closed")
                         .order_by(Bill.id.desc()).limit(5000)).all()
    if not rows:
        return None
    month = Counter(f"{end:%Y-%m}" for _, end, _ in rows).most_common(1)[0][0]
    clerk_bank, manager_bank = BankService(app, clerk), BankService(app, manager)
    done: set[int] = set()
    for account_id, end, name in rows:
        if len(done) >= accounts or f"{end:%Y-%m}" != month or account_id in done:
            continue
        try:
            clerk_bank.open_agreement(account_id, bank="GH", branch="示例市人民路支行", holder=name,
                                      bank_account=luhn_complete(f"622202{account_id:012d}"))
        except Exception:  # noqa: BLE001 - an account that already has one, or a name the bank cannot take
            continue
        done.add(account_id)
    run, data = manager_bank.create_run("GH", month)
    layout = manager_bank.layout("GH")
    parsed = layout.read("debit", data)
    answer = [dict(d, result="3001" if i % 9 == 4 else "3002" if i % 23 == 7 else "0000",
                   message="") for i, (_, d) in enumerate(parsed.details)]
    header = parsed.header or {}
    back = layout.write("return", answer, batch=header.get("batch", run.number), file_date=app.clock.now().date())
    manager_bank.import_return(run.id, back, layout.name_of("return", run.number))
    return run.id


def render_bank(app: Any, logins: dict[str, tuple[str, str]], s: Shooter) -> None:
    """The bank page: the runs with an imported return, and the reconciliation."""
    from gasdesk.ui.main_window import MainWindow
    from gasdesk.ui.session import UiSession
    from gasdesk.vocab import Role

    manager = _actor(app, logins, Role.MANAGER)
    run_id = _seed_bank(app, _actor(app, logins, Role.CLERK), manager)
    win = MainWindow(UiSession(app, manager))
    win.show_page(win.page_titles.index("银行代收代扣"))
    page = win.bank
    page.refresh_runs()
    page.tabs.setCurrentWidget(page.runs_tab)
    row = next((i for i, x in enumerate(page.runs_model.rows) if x.id == run_id), None)
    if run_id is not None and row is not None:
        page.runs_view.selectRow(row)
        r = page.runs_model.rows[row]
        page.preview_label.setText(f"{r.bank_name} {r.month}：已送盘 {r.count} 笔")
        lines = [x for x in page.service.run_lines(run_id, limit=5000) if x.outcome != "扣款成功"]
        page.report_model.set_rows(lines)
        page.summary.setText(f"{r.bank_name} {r.number}：成功 {r.paid_count} 笔 {r.paid_total:,.2f} 元，"
                             f"失败 {r.failed_count} 笔 {r.failed_total:,.2f} 元，未成功的账单见下表。")
        page.summary.setVisible(True)
    s.shot(win, "bank")
    page.tabs.setCurrentWidget(page.reconcile_tab)
    today = app.clock.now().date()
    from PySide6.QtCore import QDate

    page.recon_from.setDate(QDate(today.year - 1, today.month, 1))
    page.recon_to.setDate(QDate(today.year, today.month, today.day))
    page.reconcile()
    s.shot(win, "bank-reconciliation")
    win.close()


def render_inspection(app: Any, logins: dict[str, tuple[str, str]], s: Shooter) -> None:
    """Safety inspection: the plan page with a plan's orders, an inspection order with hazards waiting for
    rectification, and the manager dashboard's coverage line."""
    from sqlalchemy import select

    from gasdesk.models.inspection import InspectionHazard
    from gasdesk.ui.main_window import MainWindow
    from gasdesk.ui.session import UiSession
    from gasdesk.vocab import Role

    manager = _actor(app, logins, Role.MANAGER)
    win = MainWindow(UiSession(app, manager))
    win.show_page(win.page_titles.index("安全检查"))
    page = win.inspections
    page.refresh()
    s.settle(seconds=0.5)
    if page.plans_model.rowCount() > 0:
        page.plans_view.selectRow(0)
    s.shot(win, "inspection-plans", wait=0.5)
    with app.reading() as session:
        order_id = session.scalar(select(InspectionHazard.order_id).where(InspectionHazard.status == "open")
                                  .order_by(InspectionHazard.id.desc()).limit(1))
    if order_id is not None:
        op = win.open_order(order_id)
        s.shot(op, "inspection-order", wait=0.5)
        op.close()
    if win.manager_dashboard is not None:
        win.show_page(win.page_titles.index("管理驾驶舱"))
        s.shot(win, "inspection-coverage", wait=0.5)
    win.close()


def _seed_field_service(app: Any, dispatcher: Any) -> None:
    """A few live emergency calls and a planned-work notice, so those screens show real rows."""
    from datetime import timedelta

    from gasdesk.services.emergency import EmergencyService
    from gasdesk.services.planned_work import PlannedWorkService

    now = app.clock.now()
    calls = EmergencyService(app, dispatcher)
    for minutes, kind, district, address in [(25, "leak", "urban", "南明区花果园R2区5栋1单元"),
                                             (12, "low_pressure", "suburban", "花溪区大学城明德路8号"),
                                             (3, "other", "urban", "云岩区中华北路108号")]:
        c = calls.register(kind=kind, caller_name="来电用户", caller_phone="13800000000", address=address,
                           district=district, called_at=now - timedelta(minutes=minutes))
        if minutes > 10:
            calls.dispatch(c.id, "抢险一班")
    start = (now + timedelta(days=2)).replace(hour=10, minute=0, second=0)
    PlannedWorkService(app, dispatcher).create(
        kind="maintenance", title="中压管线检修", area="南明区花果园片区", address_terms=["花果园"],
        starts_at=start, ends_at=start + timedelta(hours=5), note="作业结束后逐户恢复供气")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="渲染主要界面截图（离屏）")
    parser.add_argument("--db", help="数据库 URL；省略时在临时目录生成演示数据库")
    parser.add_argument("--out", default="docs/screenshots", help="输出目录")
    parser.add_argument("--customers", type=int, default=1500, help="演示客户数")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", choices=["bank", "safety"],
                        help="只渲染某一组界面（bank：银行代收代扣；safety：安全检查）")
    args = parser.parse_args(argv)
    from gasdesk.config import normalise_url

    out = Path(args.out)
    if args.db:
        from gasdesk.clock import FixedClock
        from gasdesk.services.context import App

        app = App(normalise_url(args.db), FixedClock(datetime.now().replace(second=0, microsecond=0)))
        logins: dict[str, tuple[str, str]] = {}
        from gasdesk.services import staff as staff_service

        if staff_service.needs_first_admin(app):
            app.dispose()
            app, logins = build_database(normalise_url(args.db), args.customers, args.seed)
    else:
        folder = tempfile.mkdtemp(prefix="gasdesk-shots-")
        app, logins = build_database(f"sqlite:///{folder}/demo.sqlite", args.customers, args.seed)
    try:
        if args.only:
            from gasdesk.ui.app import qt_application

            out.mkdir(parents=True, exist_ok=True)
            shooter = Shooter(qt_application(), out)
            (render_bank if args.only == "bank" else render_inspection)(app, logins, shooter)
            files = shooter.files
        else:
            files = render(app, logins, out)
    finally:
        app.dispose()
    _say(f"{len(files)} screenshots in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

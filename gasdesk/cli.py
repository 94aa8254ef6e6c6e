"""The `gasdesk` command: the window by default, and sub-commands for scripts.

    gasdesk [--db URL]                         start the counter application
    gasdesk --demo                             start it on the demo hall (built the first time)
    gasdesk demo [--db URL] [--customers N]    build the demo hall: its own database (demo.sqlite in
                                               the data folder) unless --db/GASDESK_DB_URL names one
    gasdesk print ORDER --out FILE.pdf [--form NAME] | gasdesk print --list-forms
    gasdesk export LEDGER --from DATE --to DATE --out FILE.xlsx [--pdf] | gasdesk export --list
    gasdesk audit verify [--anchor ID:HASH] [--backups DIR]
                                               check the audit chain, its anchors, sealed rows and balances
                                               (exit 1 lists every problem)
    gasdesk migrate                            bring the database schema up to date
    gasdesk backup [--to DIR] | gasdesk restore FILE   SQLite online backup / verified restore
    gasdesk cashreport --day DATE [--clerk LOGIN] --out FILE.pdf   print a cashier's daily cash report
    gasdesk inspection export PLAN --out FILE.xlsx | gasdesk inspection import PLAN FILE.xlsx
                                               a plan's route sheet for the inspectors, and the filled
                                               sheet recorded back row by row (exit 1 when rows were refused)

Command-line work acts as a named staff member (--user, default the first administrator): whoever
can run commands on this machine can already open the database file.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from gasdesk.config import demo_db_url, resolve_db_url

if TYPE_CHECKING:
    from gasdesk.services.context import App


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gasdesk", description="燃气营业厅业务系统 gasdesk")
    parser.add_argument("--db", help="数据库地址（默认：用户数据目录下的 SQLite 文件；也可用 GASDESK_DB_URL）")
    parser.add_argument("--demo", action="store_true",
                        help="打开演示数据库（单独的数据库，第一次打开时先生成演示数据）")
    sub = parser.add_subparsers(dest="command")

    sub.add_parser("run", help="启动柜台程序（默认）")

    demo = sub.add_parser("demo", help="生成演示数据（默认写入单独的演示数据库 demo.sqlite）")
    demo.add_argument("--customers", type=int, default=3000)
    demo.add_argument("--seed", type=int, default=1)
    demo.add_argument("--if-empty", action="store_true", help="演示数据库已生成过时不再生成，直接返回")

    pr = sub.add_parser("print", help="打印业务单表单为 PDF")
    pr.add_argument("order", nargs="?", help="业务单号，如 KT-20261127-0001")
    pr.add_argument("--out", type=Path, help="输出 PDF 文件")
    pr.add_argument("--form", help="表单代码（不填则打印该业务的全部表单）")
    pr.add_argument("--list-forms", action="store_true", help="列出全部表单代码")
    pr.add_argument("--user", help="以哪位员工的名义打印（登录名）")

    ex = sub.add_parser("export", help="导出台账（Excel 或 PDF）")
    ex.add_argument("ledger", nargs="?", help="台账名称（gasdesk export --list 查看）")
    ex.add_argument("--from", dest="date_from", type=date.fromisoformat, help="起始日期，如 2026-11-01")
    ex.add_argument("--to", dest="date_to", type=date.fromisoformat, help="截止日期（含当天）")
    ex.add_argument("--out", type=Path, help="输出文件：.xlsx（Excel），或 .pdf（可直接打印）")
    ex.add_argument("--pdf", action="store_true", help="输出 PDF（--out 可省略扩展名；以 .pdf 结尾时不必加此项）")
    ex.add_argument("--kind", help="业务类型代码，如 activation")
    ex.add_argument("--status", help="状态代码：open/archived/rejected/cancelled")
    ex.add_argument("--department", help="部门代码，如 distribution")
    ex.add_argument("--clerk", help="经办人登录名")
    ex.add_argument("--list", action="store_true", help="列出全部台账")
    ex.add_argument("--user", help="以哪位员工的名义导出（登录名）")

    au = sub.add_parser("audit", help="审计日志")
    au.add_argument("action", choices=["verify"])
    au.add_argument("--anchor", action="append", default=[],
                    help="日结单等处记录的审计链首“记录号:哈希值”（可重复）")
    au.add_argument("--backups", type=Path, help="备份目录（读取其中的备份清单和锚点文件；默认：数据目录下的 backups）")

    sub.add_parser("migrate", help="升级数据库结构")

    bk = sub.add_parser("backup", help="立即备份 SQLite 数据库")
    bk.add_argument("--to", type=Path, help="备份目录（默认：数据目录下的 backups）")
    rs = sub.add_parser("restore", help="从备份恢复 SQLite 数据库（请先关闭所有柜台程序）")
    rs.add_argument("file", type=Path)

    cr = sub.add_parser("cashreport", help="打印收费员的收费日结单（PDF，含审计链锚点）")
    cr.add_argument("--day", type=date.fromisoformat, required=True, help="日期，如 2026-11-27")
    cr.add_argument("--clerk", help="收费员登录名（默认：--user 本人）")
    cr.add_argument("--out", type=Path, required=True, help="输出 PDF 文件")
    cr.add_argument("--user", help="以哪位员工的名义打印（登录名）")
    cr.add_argument("--anchors", type=Path, help="锚点文件所在目录（默认：数据目录下的 backups）")

    ins = sub.add_parser("inspection", help="安检路线单：导出给安检员填写，填好后导入登记")
    ins.add_argument("action", choices=["export", "import"])
    ins.add_argument("plan", help="安检计划编号，如 AJJH-20261127-0001")
    ins.add_argument("file", nargs="?", type=Path, help="导入：填好的路线单（.xlsx）")
    ins.add_argument("--out", type=Path, help="导出：输出文件（.xlsx）")
    ins.add_argument("--report", type=Path, help="导入：把未导入的行及原因另存为 Excel")
    ins.add_argument("--user", help="以哪位员工的名义（登录名）")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if os.name == "posix":
        os.umask(0o077)  # the database, its backups, manifests, logs and exports: owner only
    from gasdesk.services.errors import ServiceError

    try:
        return _dispatch(args)
    except ServiceError as exc:  # e.g. the database is being restored: said in Chinese, exit 1
        print(exc.message, file=sys.stderr)
        return 1


def _dispatch(args: argparse.Namespace) -> int:
    url = resolve_db_url(args.db)
    command = args.command or "run"
    if command == "demo" or args.demo:
        # The demo hall has its own database unless one is named explicitly.
        url = demo_db_url(args.db)
    else:
        url = resolve_db_url(args.db)
    if command == "run":
        if args.demo:
            built = _demo(url, 3000, 1, if_empty=True)
            if built:
                return built
        return _run_gui(url)
    if command == "demo":
        return _demo(url, args.customers, args.seed, if_empty=args.if_empty)
    if command == "print":
        return _print(url, args)
    if command == "export":
        return _export(url, args)
    if command == "audit":
        return _audit_verify(url, args.anchor, args.backups)
    if command == "migrate":
        from gasdesk.services.context import App

        App(url).dispose()
        print("数据库已是最新结构")
        return 0
    if command == "backup":
        return _backup(url, args.to)
    if command == "restore":
        return _restore(url, args.file)
    if command == "cashreport":
        return _cash_report(url, args)
    if command == "inspection":
        return _inspection_sheet(url, args)
    raise AssertionError(command)


def _with_app(url: str, work: Callable[[App], str]) -> int:
    """Do `work` over the database at `url`: print what it reports and exit 0, or print the refusal
    (in Chinese) and exit 1. The application is closed either way."""
    from gasdesk.services.context import App
    from gasdesk.services.errors import ServiceError

    app = App(url)
    try:
        done = work(app)
    except ServiceError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    finally:
        app.dispose()
    print(done)
    return 0


def _backup(url: str, folder: Path | None) -> int:
    from gasdesk.services.backup import take_backup

    def work(app: App) -> str:
        info = take_backup(app, folder)
        return f"已备份到 {info.path}（{info.size // 1024} KB，完整性校验通过）；清单：{info.manifest.name}"

    return _with_app(url, work)


def _restore(url: str, backup: Path) -> int:
    from gasdesk.services.backup import restore
    from gasdesk.services.errors import ServiceError

    try:
        info = restore(backup, url)
    except ServiceError as exc:
        print(f"未恢复：{exc.message}", file=sys.stderr)
        return 1
    kept = f"；原数据库另存为 {info.kept.name}" if info.kept else ""
    print(f"已从 {backup} 恢复到 {info.target}：清单、完整性、数据库结构、审计链（{info.report.entries} 条）、"
          f"封签记录（{info.report.rows_checked} 行）与账户余额（{info.report.accounts_checked} 户）均已核对{kept}")
    return 0


def _run_gui(url: str) -> int:
    from gasdesk.ui.app import run_gui

    return run_gui(url)


def _demo(url: str, customers: int, seed: int, *, if_empty: bool = False) -> int:
    from sqlalchemy import func, select

    from gasdesk.config import describe_url
    from gasdesk.demo import main_demo
    from gasdesk.models import Customer
    from gasdesk.services.context import App
    from gasdesk.services.errors import ServiceError
    from gasdesk.services.settings import is_demo

    app = App(url)
    try:
        with app.reading() as s:
            existing = s.scalar(select(func.count()).select_from(Customer)) or 0
        marked = is_demo(app)
    finally:
        app.dispose()
    if existing and marked:
        print(f"演示数据库 {describe_url(url)} 已有 {existing} 户演示客户，不再生成。")
        return 0 if if_empty else 1
    print(f"正在生成演示数据（{customers} 户）到 {describe_url(url)} ……", flush=True)

    def progress(done: int, total: int) -> None:
        print(f"\r  已完成 {done * 100 // max(total, 1):3d}%（{done}/{total}）", end="\n" if done >= total else "",
              flush=True)

    try:
        summary = main_demo(url, customers, seed, progress=progress)
    except ServiceError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    print("\n".join(summary.lines()))
    return 0


def _actor(app, login: str | None):  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from gasdesk.models import Staff
    from gasdesk.services.staff import actor_of

    with app.reading() as s:
        stmt = select(Staff).where(Staff.active.is_(True))
        stmt = stmt.where(Staff.login == login) if login else stmt.where(Staff.role == "admin").order_by(Staff.id)
        staff = s.scalars(stmt).first()
        if staff is None:
            raise SystemExit(f"没有找到员工 {login or '（管理员）'}；请先启动程序创建管理员")
        return actor_of(staff)


def _print(url: str, args: argparse.Namespace) -> int:
    from gasdesk.flows.forms import FORMS

    if args.list_forms:
        for code, title in FORMS.items():
            print(f"{code}\t{title}")
        return 0
    if not args.order or not args.out:
        print("用法：gasdesk print 业务单号 --out 文件.pdf [--form 表单代码]", file=sys.stderr)
        return 2
    from gasdesk.services.orders import OrderService
    from gasdesk.services.printing import PrintService

    def work(app: App) -> str:
        actor = _actor(app, args.user)
        order = OrderService(app, actor).by_number(args.order)
        printer = PrintService(app, actor)
        pdf = printer.render(order.id, args.form) if args.form else printer.render_all(order.id)
        args.out.write_bytes(pdf)
        return f"已输出 {args.out}（{len(pdf) // 1024} KB）"

    return _with_app(url, work)


def _export(url: str, args: argparse.Namespace) -> int:
    from gasdesk.services.ledgers import list_ledgers

    if args.list:
        for name, title in list_ledgers():
            print(f"{name}\t{title}")
        return 0
    if not args.ledger or not args.out:
        print("用法：gasdesk export 台账名称 --from 日期 --to 日期 --out 文件.xlsx（或 文件.pdf）[--pdf]",
              file=sys.stderr)
        return 2
    out: Path = args.out
    suffix = out.suffix.lower()
    if args.pdf and suffix not in (".pdf", ""):
        print(f"--pdf 输出的是 PDF 文件，但 --out 的扩展名是 {out.suffix}；请改为 .pdf", file=sys.stderr)
        return 2
    pdf = args.pdf or suffix == ".pdf"
    if pdf and suffix != ".pdf":
        out = out.with_name(out.name + ".pdf")
    from gasdesk.services.ledgers import LedgerService

    def work(app: App) -> str:
        service = LedgerService(app, _actor(app, args.user))
        flt = service.filter_from_codes(date_from=args.date_from, date_to=args.date_to, kind=args.kind,
                                        status=args.status, department=args.department, clerk=args.clerk)
        result = service.export(args.ledger, flt, out, pdf=pdf)
        return f"已导出 {result.rows} 行：{result.path}"

    return _with_app(url, work)


def _audit_verify(url: str, typed: list[str], folder: Path | None) -> int:
    from gasdesk.services import anchors, audit
    from gasdesk.services.context import App
    from gasdesk.services.errors import ServiceError

    try:
        given = [anchors.parse(value) for value in typed]
    except ServiceError as exc:
        print(exc.message, file=sys.stderr)
        return 2
    recorded = anchors.load(folder or anchors.default_folder(), url)
    app = App(url)
    try:
        with app.reading() as s:
            report = audit.check(s, recorded + given)
    finally:
        app.dispose()
    print("\n".join(report.lines()))
    return 0 if report.ok else 1


def _cash_report(url: str, args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from gasdesk.models import Staff
    from gasdesk.services.cash_report import CashReportService
    from gasdesk.services.errors import Refused

    def work(app: App) -> str:
        actor = _actor(app, args.user)
        clerk_id = None
        if args.clerk:
            with app.reading() as s:
                clerk_id = s.scalar(select(Staff.id).where(Staff.login == args.clerk))
            if clerk_id is None:
                raise Refused(f"没有登录名为“{args.clerk}”的员工")
        pdf, data = CashReportService(app, actor).print_day(args.day, clerk_id, anchor_folder=args.anchors)
        args.out.write_bytes(pdf)
        return f"已输出 {args.out}；审计链锚点：{data.anchor}"

    return _with_app(url, work)


def _inspection_sheet(url: str, args: argparse.Namespace) -> int:
    from gasdesk.services.context import App
    from gasdesk.services.errors import ServiceError
    from gasdesk.services.inspection_sheet import RouteSheetService

    if args.action == "export" and not args.out:
        print("用法：gasdesk inspection export 计划编号 --out 文件.xlsx", file=sys.stderr)
        return 2
    if args.action == "import" and not args.file:
        print("用法：gasdesk inspection import 计划编号 文件.xlsx [--report 报告.xlsx]", file=sys.stderr)
        return 2
    app = App(url)
    try:
        service = RouteSheetService(app, _actor(app, args.user))
        plan_id = service.plan_id(args.plan)
        if args.action == "export":
            done = service.export(plan_id, args.out)
            print(f"已导出计划 {done.plan_number} 的路线单：{done.rows} 户，{done.path}")
            return 0
        result = service.import_sheet(plan_id, args.file)
        print(result.summary())
        for row in result.refused_rows:
            print(f"  第 {row.row} 行 {row.order_number} {row.customer}：{row.message}")
        if args.report:
            print(f"报告：{result.save_report(args.report)}")
        return 1 if result.refused else 0
    except ServiceError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    finally:
        app.dispose()


if __name__ == "__main__":
    raise SystemExit(main())

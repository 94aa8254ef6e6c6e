"""The `gasdesk` command: the window by default, and sub-commands for scripts.

    gasdesk [--db URL]                         start the counter application
    gasdesk demo [--db URL] [--customers N]    fill a database with a living demo hall
    gasdesk print ORDER --out FILE.pdf [--form NAME] | gasdesk print --list-forms
    gasdesk export LEDGER --from DATE --to DATE --out FILE.xlsx | gasdesk export --list
    gasdesk audit verify                       check the audit chain (exit 1 names the first broken row)
    gasdesk migrate                            bring the database schema up to date
    gasdesk backup [--to DIR] | gasdesk restore FILE   SQLite online backup / verified restore

Command-line work acts as a named staff member (--user, default the first administrator): whoever
can run commands on this machine can already open the database file.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from gasdesk.config import resolve_db_url


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gasdesk", description="燃气营业厅业务系统 gasdesk")
    parser.add_argument("--db", help="数据库地址（默认：用户数据目录下的 SQLite 文件；也可用 GASDESK_DB_URL）")
    sub = parser.add_subparsers(dest="command")

    sub.add_parser("run", help="启动柜台程序（默认）")

    demo = sub.add_parser("demo", help="生成演示数据")
    demo.add_argument("--customers", type=int, default=3000)
    demo.add_argument("--seed", type=int, default=1)
    demo.add_argument("--if-empty", action="store_true", help="数据库已有客户时不生成，直接返回")

    pr = sub.add_parser("print", help="打印业务单表单为 PDF")
    pr.add_argument("order", nargs="?", help="业务单号，如 KT-20261127-0001")
    pr.add_argument("--out", type=Path, help="输出 PDF 文件")
    pr.add_argument("--form", help="表单代码（不填则打印该业务的全部表单）")
    pr.add_argument("--list-forms", action="store_true", help="列出全部表单代码")
    pr.add_argument("--user", help="以哪位员工的名义打印（登录名）")

    ex = sub.add_parser("export", help="导出台账（Excel）")
    ex.add_argument("ledger", nargs="?", help="台账名称（gasdesk export --list 查看）")
    ex.add_argument("--from", dest="date_from", type=date.fromisoformat, help="起始日期，如 2026-11-01")
    ex.add_argument("--to", dest="date_to", type=date.fromisoformat, help="截止日期（含当天）")
    ex.add_argument("--out", type=Path, help="输出 .xlsx 文件")
    ex.add_argument("--kind", help="业务类型代码，如 activation")
    ex.add_argument("--status", help="状态代码：open/archived/rejected/cancelled")
    ex.add_argument("--department", help="部门代码，如 distribution")
    ex.add_argument("--clerk", help="经办人登录名")
    ex.add_argument("--list", action="store_true", help="列出全部台账")
    ex.add_argument("--user", help="以哪位员工的名义导出（登录名）")

    au = sub.add_parser("audit", help="审计日志")
    au.add_argument("action", choices=["verify"])

    sub.add_parser("migrate", help="升级数据库结构")

    bk = sub.add_parser("backup", help="立即备份 SQLite 数据库")
    bk.add_argument("--to", type=Path, help="备份目录（默认：数据目录下的 backups）")
    rs = sub.add_parser("restore", help="从备份恢复 SQLite 数据库（请先关闭所有柜台程序）")
    rs.add_argument("file", type=Path)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    url = resolve_db_url(args.db)
    command = args.command or "run"
    if command == "run":
        return _run_gui(url)
    if command == "demo":
        return _demo(url, args.customers, args.seed, if_empty=args.if_empty)
    if command == "print":
        return _print(url, args)
    if command == "export":
        return _export(url, args)
    if command == "audit":
        return _audit_verify(url)
    if command == "migrate":
        from gasdesk.services.context import App

        App(url).dispose()
        print("数据库已是最新结构")
        return 0
    if command == "backup":
        return _backup(url, args.to)
    if command == "restore":
        return _restore(url, args.file)
    raise AssertionError(command)


def _backup(url: str, folder: Path | None) -> int:
    from gasdesk.services.backup import take_backup
    from gasdesk.services.context import App
    from gasdesk.services.errors import ServiceError

    app = App(url)
    try:
        info = take_backup(app, folder)
    except ServiceError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    finally:
        app.dispose()
    print(f"已备份到 {info.path}（{info.size // 1024} KB，完整性校验通过）")
    return 0


def _restore(url: str, backup: Path) -> int:
    from gasdesk.services import audit
    from gasdesk.services.backup import restore
    from gasdesk.services.context import App
    from gasdesk.services.errors import ServiceError

    try:
        target = restore(backup, url)
    except ServiceError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    app = App(url)
    try:
        with app.reading() as s:
            ok, _, why = audit.verify(s)
    finally:
        app.dispose()
    print(f"已从 {backup} 恢复到 {target}；完整性校验通过；{why}")
    return 0 if ok else 1


def _run_gui(url: str) -> int:
    from gasdesk.ui.app import run_gui

    return run_gui(url)


def _demo(url: str, customers: int, seed: int, *, if_empty: bool = False) -> int:
    from sqlalchemy import func, select

    from gasdesk.demo import main_demo
    from gasdesk.models import Customer
    from gasdesk.services.context import App

    app = App(url)
    with app.reading() as s:
        existing = s.scalar(select(func.count()).select_from(Customer)) or 0
    app.dispose()
    if existing:
        print(f"数据库已有 {existing} 户客户，不再生成演示数据。")
        return 0 if if_empty else 1
    print(f"正在生成演示数据（{customers} 户）……", flush=True)

    def progress(done: int, total: int) -> None:
        print(f"\r  已完成 {done * 100 // max(total, 1):3d}%（{done}/{total}）", end="\n" if done >= total else "",
              flush=True)

    summary = main_demo(url, customers, seed, progress=progress)
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
    from gasdesk.services.context import App
    from gasdesk.services.errors import ServiceError
    from gasdesk.services.orders import OrderService
    from gasdesk.services.printing import PrintService

    app = App(url)
    try:
        actor = _actor(app, args.user)
        order = OrderService(app, actor).by_number(args.order)
        printer = PrintService(app, actor)
        pdf = printer.render(order.id, args.form) if args.form else printer.render_all(order.id)
        args.out.write_bytes(pdf)
        print(f"已输出 {args.out}（{len(pdf) // 1024} KB）")
        return 0
    except ServiceError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    finally:
        app.dispose()


def _export(url: str, args: argparse.Namespace) -> int:
    from gasdesk.services.ledgers import list_ledgers

    if args.list:
        for name, title in list_ledgers():
            print(f"{name}\t{title}")
        return 0
    if not args.ledger or not args.out:
        print("用法：gasdesk export 台账名称 --from 日期 --to 日期 --out 文件.xlsx", file=sys.stderr)
        return 2
    from gasdesk.services.context import App
    from gasdesk.services.errors import ServiceError
    from gasdesk.services.ledgers import LedgerService

    app = App(url)
    try:
        service = LedgerService(app, _actor(app, args.user))
        flt = service.filter_from_codes(date_from=args.date_from, date_to=args.date_to, kind=args.kind,
                                        status=args.status, department=args.department, clerk=args.clerk)
        result = service.export(args.ledger, flt, args.out)
    except ServiceError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    finally:
        app.dispose()
    print(f"已导出 {result.rows} 行：{result.path}")
    return 0


def _audit_verify(url: str) -> int:
    from gasdesk.services import audit
    from gasdesk.services.context import App

    app = App(url)
    try:
        with app.reading() as s:
            ok, row, why = audit.verify(s)
        print(why if ok else f"审计链断裂：{why}（第一处问题：记录 {row}）")
        return 0 if ok else 1
    finally:
        app.dispose()


if __name__ == "__main__":
    raise SystemExit(main())

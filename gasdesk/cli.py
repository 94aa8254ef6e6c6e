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
    gasdesk backup [--to DIR] | gasdesk restore FILE [--accept-missing-files]
                                               SQLite online backup / verified restore, with the
                                               attachments; on PostgreSQL the attachments only (beside
                                               pg_dump / after pg_restore); exit 3: attachments missing
    gasdesk cashreport --day DATE [--clerk LOGIN] --out FILE.pdf   print a cashier's daily cash report
    gasdesk inspection export PLAN --out FILE.xlsx | gasdesk inspection import PLAN FILE.xlsx
                                               a plan's route sheet for the inspectors, and the filled
                                               sheet recorded back row by row (exit 1 when rows were refused)
    gasdesk bank banks|runs|run|import|reconcile|notices   the bank channel (委托银行代收代扣), for the
                                               finance office's scripts: debit files, returns and collection
                                               files, reconciliation (exit 3: the books differ from the
                                               bank), arrears notices; see `gasdesk bank --help`

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
from typing import TYPE_CHECKING, Any

from gasdesk.config import demo_db_url, resolve_db_url
from gasdesk.vocab import Channel

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
    ex.add_argument("--channel", help="受理方式代码：" + "、".join(
        f"{c.value}（{c.label}）" for c in Channel if not c.reserved))
    ex.add_argument("--list", action="store_true", help="列出全部台账")
    ex.add_argument("--user", help="以哪位员工的名义导出（登录名）")

    au = sub.add_parser("audit", help="审计日志")
    au.add_argument("action", choices=["verify"])
    au.add_argument("--anchor", action="append", default=[],
                    help="日结单等处记录的审计链首“记录号:哈希值”（可重复）")
    au.add_argument("--backups", type=Path, help="备份目录（读取其中的备份清单和锚点文件；默认：数据目录下的 backups）")

    sub.add_parser("migrate", help="升级数据库结构")

    bk = sub.add_parser("backup", help="立即备份 SQLite 数据库及其附件（PostgreSQL：只备份附件，数据库请用 pg_dump）")
    bk.add_argument("--to", type=Path, help="备份目录（默认：数据目录下的 backups）")
    rs = sub.add_parser("restore", help="从备份恢复 SQLite 数据库及其附件（请先关闭所有柜台程序）；"
                                        "PostgreSQL：pg_restore 之后恢复附件")
    rs.add_argument("file", type=Path, help="备份文件（.sqlite）；PostgreSQL：附件备份文件夹（.files）")
    rs.add_argument("--accept-missing-files", action="store_true",
                    help="备份中缺少的附件不再恢复，照样恢复数据库（列出缺少的附件，退出码 3）")

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
    _bank_parser(sub)
    return parser


BANK_EPILOG = """退出码：0 完成（对账：银行回盘与账务一致）；1 被拒绝，未写入任何数据（文件有问题时逐行列出）；
2 参数有误或文件不存在；3 对账发现账实不符（银行扣款成功的金额与入账金额不一致）；130 按 Ctrl+C 取消，未写入任何数据。
例：
  gasdesk bank run --bank GH --month 2026-12 --out /data/bank/out/ --transmittal 送盘单.pdf
  gasdesk bank import --bank GH /data/bank/in/RQ0851001_return_DKPC-20261221-0001.txt
  gasdesk bank import --bank NH --collection /data/bank/in/代收20261222.txt
  gasdesk bank reconcile --day 2026-12-27
  gasdesk bank notices --district urban --out 催缴通知单.pdf"""


def _bank_parser(sub: Any) -> None:
    bank = sub.add_parser("bank", help="银行代收代扣：代扣文件、回盘与代收文件导入、对账、欠费催缴通知单",
                          epilog=BANK_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = bank.add_subparsers(dest="bank_action", required=True, metavar="操作")

    def action(name: str, text: str) -> argparse.ArgumentParser:
        p = actions.add_parser(name, help=text, description=text, epilog=BANK_EPILOG,
                               formatter_class=argparse.RawDescriptionHelpFormatter)
        p.add_argument("--user", help="以哪位员工的名义办理（登录名；默认：第一位系统管理员）")
        return p

    action("banks", "列出签约银行及其文件格式")
    runs = action("runs", "列出最近的代扣批次")
    runs.add_argument("--limit", type=int, default=20, help="列出几个批次（默认 20）")
    run = action("run", "生成某银行某账期的代扣文件（送盘）")
    run.add_argument("--bank", required=True, help="银行代码（gasdesk bank banks 查看）")
    run.add_argument("--month", required=True, help="账期（抄表所在月份），如 2026-12")
    run.add_argument("--out", type=Path, help="代扣文件：文件名，或目录（按银行的文件命名规则存入）")
    run.add_argument("--transmittal", type=Path, help="同时输出送盘交接单 PDF")
    run.add_argument("--check", action="store_true", help="只统计将送盘的笔数和金额，不生成批次")
    imp = action("import", "导入银行的回盘文件（默认）或代收文件")
    imp.add_argument("files", type=Path, nargs="+", metavar="文件", help="银行文件（可给多个，逐个导入，各自成败）")
    imp.add_argument("--bank", required=True, help="银行代码")
    imp.add_argument("--run", help="回盘对应的代扣批次号（不填：按文件首行的批次号查找）")
    imp.add_argument("--collection", action="store_true", help="这是银行柜台的代收文件")
    imp.add_argument("--check", action="store_true", help="只核对文件并统计，不写入")
    rec = action("reconcile", "对账：按批次和按日核对送盘、回盘、成功、失败与入账")
    rec.add_argument("--day", type=date.fromisoformat, help="某一天，如 2026-12-27")
    rec.add_argument("--from", dest="date_from", type=date.fromisoformat, help="起始日期")
    rec.add_argument("--to", dest="date_to", type=date.fromisoformat, help="截止日期（含当天）")
    rec.add_argument("--run", help="只核对这个代扣批次")
    no = action("notices", "批量打印缴费期已过仍欠费账户的欠费催缴通知单")
    no.add_argument("--district", choices=["urban", "suburban"], help="片区：urban 市区，suburban 郊区（不填：全部）")
    no.add_argument("--address", default="", help="地址包含的文字，如 小区名或抄表路段")
    no.add_argument("--out", type=Path, help="输出 PDF 文件")
    no.add_argument("--list", action="store_true", help="只列出欠费账户，不打印")


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
        return _restore(url, args.file, args.accept_missing_files)
    if command == "cashreport":
        return _cash_report(url, args)
    if command == "inspection":
        return _inspection_sheet(url, args)
    if command == "bank":
        return _bank(url, args)
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


MISSING_FILES = 3  # done, but attachment files are missing: listed on stderr


def _backup(url: str, folder: Path | None) -> int:
    from gasdesk import db
    from gasdesk.services.backup import BackupInfo, listed, take_backup, take_files_backup

    missing: list[BackupInfo] = []

    def work(app: App) -> str:
        if not db.is_sqlite(url):
            info = take_files_backup(app, folder)
            done = (f"已备份附件 {info.attachments} 个到 {info.path}（均已核对校验值）；清单：{info.manifest.name}。"
                    "数据库本身请用 pg_dump 备份（见 README）")
        else:
            info = take_backup(app, folder)
            done = (f"已备份到 {info.path}（{info.size // 1024} KB，完整性校验通过），附件 {info.attachments} 个"
                    f"（均已核对校验值）；清单：{info.manifest.name}")
        if info.missing:
            missing.append(info)
        return done

    code = _with_app(url, work)
    if code or not missing:
        return code
    gone = missing[0].missing
    print(f"注意：{len(gone)} 个附件在附件文件夹中找不到或已被改动，未能备份：{listed(gone)}", file=sys.stderr)
    return MISSING_FILES


def _restore(url: str, backup: Path, accept_missing: bool) -> int:
    from gasdesk import db
    from gasdesk.services.backup import FilesRestore, listed, restore, restore_files
    from gasdesk.services.errors import ServiceError

    files: FilesRestore
    try:
        if not db.is_sqlite(url):
            files = restore_files(backup, url, accept_missing_files=accept_missing)
            print(f"已从 {backup} 恢复{files.text()}到 {files.folder}，均已核对校验值；"
                  "请再运行 gasdesk audit verify 核对 pg_restore 恢复的数据库")
        else:
            info = restore(backup, url, accept_missing_files=accept_missing)
            files = info.files
            kept = f"；原数据库另存为 {info.kept.name}" if info.kept else ""
            print(f"已从 {backup} 恢复到 {info.target}：清单、完整性、数据库结构、审计链（{info.report.entries} 条）、"
                  f"封签记录（{info.report.rows_checked} 行）、账户余额（{info.report.accounts_checked} 户）与"
                  f"{files.text()}均已核对{kept}")
    except ServiceError as exc:
        print(f"未恢复：{exc.message}", file=sys.stderr)
        return 1
    if files.missing:
        print(f"注意：恢复后仍缺少 {len(files.missing)} 个附件（备份中没有，附件文件夹中也没有）："
              f"{listed(files.missing)}", file=sys.stderr)
        return MISSING_FILES
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
                                        status=args.status, department=args.department, clerk=args.clerk,
                                        channel=args.channel)
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


# --- gasdesk bank: the finance office's nightly scripts ---------------------------------------------

def _bank(url: str, args: argparse.Namespace) -> int:
    from gasdesk.services.bank import BankService, Cancelled, FileRefused
    from gasdesk.services.context import App
    from gasdesk.services.errors import ServiceError

    app = App(url)
    try:
        service = BankService(app, _actor(app, args.user))
        handler = {"banks": _bank_banks, "runs": _bank_runs, "run": _bank_run, "import": _bank_import,
                   "reconcile": _bank_reconcile, "notices": _bank_notices}[args.bank_action]
        return handler(service, args)
    except FileRefused as exc:
        _print_refusal(exc)
        return 1
    except (Cancelled, KeyboardInterrupt):
        print("已取消，未写入任何数据", file=sys.stderr)
        return 130
    except ServiceError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    finally:
        app.dispose()


def _progress() -> Any:
    """Progress on the terminal when there is one (a script's log gets only the result)."""
    if not sys.stderr.isatty():
        return None

    def show(percent: int, text: str) -> None:
        print(f"\r  {percent:3d}% {text}\033[K", end="\n" if percent >= 100 else "", file=sys.stderr, flush=True)

    return show


def _yuan(amount: Any) -> str:
    return f"{amount:,.2f} 元"


def _bank_banks(service: Any, args: argparse.Namespace) -> int:
    for b in service.banks():
        lengths = "、".join(str(n) for n in b.account_lengths)
        print(f"{b.code}\t{b.name}\t{b.format_text}\t账号 {lengths} 位{'，Luhn 校验' if b.luhn else ''}")
    return 0


def _bank_runs(service: Any, args: argparse.Namespace) -> int:
    for r in service.runs(limit=max(1, args.limit)):
        answered = (f"；成功 {r.paid_count} 笔 {_yuan(r.paid_total)}，失败 {r.failed_count} 笔 {_yuan(r.failed_total)}"
                    f"{f'，转预存 {r.credited_count} 笔' if r.credited_count else ''}" if r.status.value == "returned" else "")
        print(f"{r.number}\t{r.bank_name}\t账期 {r.month}\t{r.status.label}\t{r.count} 笔 {_yuan(r.total)}"
              f"\t{r.created_at:%Y-%m-%d %H:%M} {r.created_by}{answered}")
    return 0


def _bank_run(service: Any, args: argparse.Namespace) -> int:
    if args.check:
        preview = service.preview_run(args.bank, args.month)
        print(f"{preview.bank_name} 账期 {preview.month}：可送盘 {preview.count} 笔，合计 {_yuan(preview.total)}（未生成批次）")
        return 0
    if args.out is None:
        print("请用 --out 指定代扣文件（文件名或目录）；只统计请加 --check", file=sys.stderr)
        return 2
    if args.transmittal is not None and args.transmittal.suffix.lower() != ".pdf":
        print("--transmittal 应为 .pdf 文件", file=sys.stderr)
        return 2
    run, data = service.create_run(args.bank, args.month, progress=_progress())
    out: Path = args.out / run.file_name if args.out.is_dir() else args.out
    out.write_bytes(data)
    print(f"已生成代扣文件 {out}：批次 {run.number}，{run.bank_name} 账期 {run.month}，{run.count} 笔，"
          f"合计 {_yuan(run.total)}，{len(data):,} 字节")
    if args.transmittal is not None:
        args.transmittal.write_bytes(service.render_transmittal(run.id))
        print(f"送盘交接单：{args.transmittal}")
    return 0


def _bank_import(service: Any, args: argparse.Namespace) -> int:
    """Each file in its own transaction: a refused file (listed with its problems) leaves the others."""
    from gasdesk.services.bank import Cancelled, FileRefused
    from gasdesk.services.errors import ServiceError

    missing = [p for p in args.files if not p.is_file()]
    if missing:
        print("找不到文件 " + "、".join(str(p) for p in missing), file=sys.stderr)
        return 2
    if args.collection and args.run:
        print("代收文件不属于代扣批次，不要同时给出 --run", file=sys.stderr)
        return 2
    if args.run and len(args.files) > 1:
        print("--run 只能对应一个回盘文件", file=sys.stderr)
        return 2
    refused = 0
    for path in args.files:
        try:
            _import_one(service, args, path)
        except Cancelled:
            raise
        except FileRefused as exc:
            refused += 1
            _print_refusal(exc, f"{path.name}：")
        except ServiceError as exc:
            refused += 1
            print(f"{path.name}：{exc.message}", file=sys.stderr)
    return 1 if refused else 0


def _print_refusal(exc: Any, prefix: str = "") -> None:
    print(prefix + exc.message, file=sys.stderr)
    for number, text in exc.problems:
        print(f"  {'第 ' + str(number) + ' 行' if number else '整个文件'}：{text}", file=sys.stderr)


def _import_one(service: Any, args: argparse.Namespace, path: Path) -> None:
    from gasdesk.services.errors import Refused

    data = path.read_bytes()
    if args.collection:
        result = service.import_collection(args.bank, data, path.name, progress=_progress(), preview=args.check)
        what = f"{result.bank_name}代收文件 {path.name}"
    else:
        run = service.run_by_number(args.run) if args.run else service.run_for_return(args.bank, data)
        if run.bank_code != args.bank.strip():
            raise Refused(f"批次 {run.number} 是{run.bank_name}的，不是 {args.bank} 的")
        result = service.import_return(run.id, data, path.name, progress=_progress(), preview=args.check)
        what = f"批次 {run.number}（{run.bank_name} 账期 {run.month}）的回盘文件 {path.name}"
    counts = (f"成功 {result.paid_count} 笔 {_yuan(result.paid_total)}"
              + (f"，失败 {result.failed_count} 笔 {_yuan(result.failed_total)}" if not args.collection else "")
              + (f"，其中转预存 {result.credited_count} 笔 {_yuan(result.credited_total)}" if result.credited_count else ""))
    if args.check:
        print(f"{what}核对无误，共 {result.lines} 行：{counts}（未写入）")
    else:
        receipts = f"；收据号 {result.first_receipt} 至 {result.last_receipt}" if result.first_receipt else ""
        print(f"已导入{what}，共 {result.lines} 行：{counts}{receipts}")
    for r in result.report:
        print(f"  第 {r.line} 行\t账单 {r.bill_number}\t户号 {r.account_number}\t{_yuan(r.amount)}\t{r.outcome}"
              f"{'：' + r.note if r.note else ''}")


def _bank_reconcile(service: Any, args: argparse.Namespace) -> int:
    if args.run:
        run = service.run_by_number(args.run)
        day = run.created_at.date()
        runs = [r for r in service.reconcile_runs(day, day) if r.run_number == run.number]
        days: list[Any] = []
        diffs = [d for d in service.differences(day, day) if d.run_number == run.number]
    else:
        if args.day and (args.date_from or args.date_to):
            print("--day 与 --from/--to 只用其一", file=sys.stderr)
            return 2
        first = args.day or args.date_from
        last = args.day or args.date_to or first
        if first is None:
            print("请给出 --day 日期、--from/--to 日期范围，或 --run 批次号", file=sys.stderr)
            return 2
        runs = service.reconcile_runs(first, last)
        days = service.reconcile_days(first, last)
        diffs = service.differences(first, last)
        print(f"对账期间 {first:%Y-%m-%d} 至 {last:%Y-%m-%d}")
    print(f"按批次（{len(runs)} 个）：")
    for r in runs:
        print(f"  {r.run_number}\t{r.bank_name}\t账期 {r.month}\t{r.status}\t送盘 {r.sent_count} 笔 {_yuan(r.sent_total)}"
              f"\t回盘 {r.returned_count} 笔 {_yuan(r.returned_total)}\t成功 {r.paid_count} 笔 {_yuan(r.paid_total)}"
              f"\t失败 {r.failed_count} 笔 {_yuan(r.failed_total)}\t转预存 {r.credited_count} 笔 {_yuan(r.credited_total)}"
              f"\t已入账 {_yuan(r.booked_total)}\t差额 {_yuan(r.difference)}"
              f"{f'（{r.unanswered} 笔待回盘）' if r.unanswered and r.status != '已撤回' else ''}")
    if not args.run:
        print(f"按日（{len(days)} 行）：")
        for d in days:
            print(f"  {d.day:%Y-%m-%d}\t{d.channel}\t{d.bank_name}\t{d.count} 笔 {_yuan(d.total)}"
                  f"\t付账单 {_yuan(d.to_bills)}\t转预存 {_yuan(d.to_balance)}")
    print(f"差异明细（{len(diffs)} 笔）：")
    for d in diffs:
        print(f"  {d.run_number}\t账单 {d.bill_number}\t户号 {d.account_number}\t{_yuan(d.amount)}\t{d.what}")
    unequal = [r for r in runs if r.difference != 0]
    if unequal:
        print("账实不符：" + "、".join(f"{r.run_number} 差额 {_yuan(r.difference)}" for r in unequal), file=sys.stderr)
        return 3
    return 0


def _bank_notices(service: Any, args: argparse.Namespace) -> int:
    if args.list:
        found = service.arrears_candidates(args.district or "", args.address)
        print(f"缴费期已过仍欠费的账户 {len(found)} 户，合计 {_yuan(sum((c.owed for c in found), 0))}：")
        for c in found:
            print(f"  {c.account_number}\t{c.customer_name}\t{c.district}\t{c.address}\t{c.bills} 张账单\t{_yuan(c.owed)}")
        return 0
    if args.out is None or args.out.suffix.lower() != ".pdf":
        print("请用 --out 指定输出的 PDF 文件（只列出请加 --list）", file=sys.stderr)
        return 2
    batch, count, pdf = service.print_arrears_notices(args.district or "", args.address, progress=_progress())
    args.out.write_bytes(pdf)
    print(f"已打印欠费催缴通知单 {count} 份（批次 {batch}）：{args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

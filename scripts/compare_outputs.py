"""Dump what a demo hall prints and exports, to compare two versions of the code on one database.

Prints every form of up to four orders of each (kind, status) and exports every ledger, then writes
the forms' text (print time removed) and the ledgers' cells as JSON. Run it once per version, each
on its own copy of the same database, with the version's checkout as the current folder:

    cp demo.sqlite a.sqlite && cp demo.sqlite b.sqlite
    (cd OLD_CHECKOUT && python /path/to/compare_outputs.py a.sqlite old.json)
    (cd NEW_CHECKOUT && python /path/to/compare_outputs.py b.sqlite new.json)
    python scripts/compare_outputs.py --diff old.json new.json

The refactoring of issue 13 (flows into packages) was checked this way: 321 forms and 11 ledgers of
a 600-customer demo hall, identical before and after.
"""

from __future__ import annotations

import difflib
import io
import json
import re
import sys
from datetime import date, datetime
from pathlib import Path


def dump(db_file: str, out: str) -> None:
    sys.path.insert(0, str(Path.cwd()))
    import openpyxl
    from pypdf import PdfReader
    from sqlalchemy import select

    from gasdesk.clock import FixedClock
    from gasdesk.models import ServiceOrder, Staff
    from gasdesk.services.context import App
    from gasdesk.services.ledgers import LedgerService, list_ledgers
    from gasdesk.services.printing import PrintService
    from gasdesk.services.staff import actor_of

    app = App(f"sqlite:///{db_file}", FixedClock(datetime(2027, 3, 1, 10, 0)))
    with app.reading() as s:
        admin = actor_of(s.scalars(select(Staff).where(Staff.role == "admin")).one())
        rows = s.execute(select(ServiceOrder.id, ServiceOrder.kind, ServiceOrder.status).order_by(ServiceOrder.id)).all()
    seen: dict[tuple[str, str], int] = {}
    picked = []
    for order_id, kind, status in rows:
        if seen.get((kind, status), 0) < 4:
            seen[(kind, status)] = seen.get((kind, status), 0) + 1
            picked.append(order_id)
    result: dict[str, dict[str, object]] = {"forms": {}, "ledgers": {}}
    printer = PrintService(app, admin)
    for order_id in picked:
        for form in printer.forms_for(order_id):
            key = f"{order_id}/{form.code}/{form.payment_id}"
            try:
                pdf = printer.render(order_id, form.code, payment_id=form.payment_id)
            except Exception as exc:  # a refusal is part of the output to compare
                result["forms"][key] = f"ERROR {type(exc).__name__}: {exc}"
                continue
            text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
            result["forms"][key] = re.sub(r"打印时间：[^\n　]*", "", text)
    ledgers = LedgerService(app, admin)
    for name, _title in list_ledgers():
        flt = ledgers.filter_from_codes(date_from=date(2020, 1, 1), date_to=date(2099, 12, 31), kind=None,
                                        status=None, department=None, clerk=None)
        path = Path(out).with_suffix(f".{name}.xlsx")
        ledgers.export(name, flt, path)
        book = openpyxl.load_workbook(path, read_only=True)
        result["ledgers"][name] = {sheet.title: [[str(c) for c in row] for row in sheet.iter_rows(values_only=True)]
                                   for sheet in book.worksheets}
    Path(out).write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    print(f"{len(result['forms'])} forms, {len(result['ledgers'])} ledgers -> {out}")


def diff(old_file: str, new_file: str) -> int:
    old, new = (json.loads(Path(f).read_text(encoding="utf-8")) for f in (old_file, new_file))
    problems = 0
    for key in sorted(set(old["forms"]) | set(new["forms"])):
        a, b = old["forms"].get(key, ""), new["forms"].get(key, "")
        if a != b:
            problems += 1
            print(f"form {key}:")
            print("\n".join(list(difflib.unified_diff(a.splitlines(), b.splitlines(), lineterm=""))[:20]))
    for name in sorted(set(old["ledgers"]) | set(new["ledgers"])):
        if old["ledgers"].get(name) != new["ledgers"].get(name):
            problems += 1
            print(f"ledger {name} differs")
    print(f"{len(old['forms'])} forms, {len(old['ledgers'])} ledgers; {problems} differ")
    return 1 if problems else 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--diff"]:
        raise SystemExit(diff(sys.argv[2], sys.argv[3]))
    dump(sys.argv[1], sys.argv[2])

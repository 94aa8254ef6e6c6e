"""The printed daily cash report (收费日结单) of one cashier's day, with the audit chain's head.

Printing it appends an audit entry (who printed which day's totals), and that entry's hash is printed
on the form and added to the anchor file: the signed paper is evidence of the chain as it was, so a
deleted tail or a rebuilt chain is found later by `gasdesk audit verify --anchor ID:HASH`.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from gasdesk.models import AuditEntry, Payment, Staff
from gasdesk.permissions import Permission
from gasdesk.reports.cash_report import CashLine, CashReceipt, CashReportData, render_cash_report
from gasdesk.services import anchors, audit
from gasdesk.services import settings as settings_store
from gasdesk.services.as_of import Point, Since
from gasdesk.services.context import Service, must_get, name_of
from gasdesk.services.printing import company_profile
from gasdesk.vocab import PaymentKind, PaymentMethod

ZERO = Decimal("0.00")


def _closed(s: Session, key: str, day_end: datetime) -> Point:
    """When a cashier's day (`key`: its report's audit key) closed: its report's first print (this
    one, if none came before), unless the day had ended by then."""
    first = s.execute(select(AuditEntry.id, AuditEntry.at).where(
        AuditEntry.entity == "cash_report", AuditEntry.entity_id == key, AuditEntry.action == "print")
        .order_by(AuditEntry.id).limit(1)).one()
    return Point(int(first.id), first.at) if first.at < day_end else Point(None, day_end)


class CashReportService(Service):

    def print_day(self, day: date, clerk_id: int | None = None, *,
                  anchor_folder: Path | None = None) -> tuple[bytes, CashReportData]:
        """The PDF of a cashier's day (default: the signed-in one's). Another cashier's day needs
        the right to export ledgers. The printed head goes to the anchor file in `anchor_folder`
        (default: the backup folder).

        The report's step is the day closed: when its report was first printed, or the day's end if
        that came first (a report first printed the next morning is the day's). The company profile
        and the cashier's name are those of then (services/as_of.py): a reprint after the profile is
        edited or the cashier renamed names them as the first print did; the print's own time,
        printer and audit anchor are this print's."""
        clerk_id = self.actor.staff_id if clerk_id is None else clerk_id
        if clerk_id == self.actor.staff_id:
            self.actor.require(Permission.TAKE_PAYMENT)
        else:
            self.actor.require(Permission.EXPORT_LEDGERS)
        start = datetime.combine(day, time())
        now = self.app.clock.now()
        with self.app.unit_of_work() as s:
            clerk = must_get(s, Staff, clerk_id, "没有这位员工")
            payments = list(s.scalars(select(Payment).where(
                Payment.staff_id == clerk_id, Payment.at >= start, Payment.at < start + timedelta(days=1))
                .order_by(Payment.at, Payment.id)))
            lines = []
            for kind in PaymentKind:
                mine = [p for p in payments if p.kind == kind]
                lines.append(CashLine(kind.label, len(mine), sum((p.amount for p in mine), ZERO),
                                      sum((p.cash_effect for p in mine), ZERO)))
            by_method = [(method.label, sum((p.cash_effect for p in payments if p.method == method), ZERO))
                         for method in PaymentMethod]
            net = sum((p.cash_effect for p in payments), ZERO)
            entry = audit.append(s, at=now, staff_id=self.actor.staff_id, entity="cash_report",
                                 entity_id=f"{day.isoformat()}:{clerk_id}", action="print",
                                 changes={"count": [None, len(payments)], "net": [None, net]})
            s.flush()
            point = _closed(s, entry.entity_id, start + timedelta(days=1))
            then = Since(s, [point], [clerk_id])
            values = then.settings(settings_store.read_all(s), point)
            cashier = then.staff_name({clerk_id: clerk.name}, clerk_id, point)
            data = CashReportData(
                day=day, cashier=cashier, lines=lines, by_method=by_method, net=net,
                receipts=[CashReceipt(p.receipt_number, p.at, PaymentKind(p.kind).label,
                                      PaymentMethod(p.method).label, p.cash_effect) for p in payments],
                audit_entry_id=entry.id, audit_head=entry.hash, printed_at=now,
                printed_by=f"{name_of(s, self.actor)}（{self.actor.role.label}）")
        anchors.record(anchor_folder or anchors.default_folder(), self.app.url, kind="cash_report", entry_id=data.audit_entry_id,
                       head=data.audit_head, source=f"{day:%Y-%m-%d} {cashier} 的收费日结单")
        pdf = render_cash_report(company_profile(values), data, font_path=values.get("printing.font_path") or None)
        return pdf, data

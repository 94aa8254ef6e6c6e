"""Master data as it stood at a point in the audit chain: today's rows with the audited changes made
since undone, the newest first.

A form prints the facts of its step. The customer, account and meter a step saw are kept on its log
row (flow_context.step_facts); the company profile and the contract texts a form prints (settings) and
the names of the staff it names are read here as they were when the step was done, or the payment
taken: every setting and every staff member is changed through a service that audits the change as
{field: [old, new]}, so undoing the changes made after that point gives the values of then. A reprint
in a year reads the same; a step done after an administrator edits the profile prints the new one.

A point is a place in the chain (`place`: the id of the newest audit entry when the step's row or the
payment was written; entries are chained one transaction after another, so ids order every audited
write, even in the same second and whatever the counters' clocks say) or, for rows written before
steps kept their place, a time (changes made in a later second are undone).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from gasdesk.models import AuditEntry
from gasdesk.services.settings import PROFILE_KEYS

# The settings the forms print: the company profile (header, parties, seal) and the contract texts.
PRINTED_SETTINGS = (*PROFILE_KEYS, "texts")
# Where an order's log row keeps its place in the audit chain (services/orders.py writes it).
PLACE_KEY = "_place"


@dataclass(frozen=True)
class Point:
    """When a step was done or a payment written: after audit entry `place`, else at `at`."""

    place: int | None
    at: datetime

    def precedes(self, entry_id: int, entry_at: datetime) -> bool:
        """Whether an audit entry was written after this point."""
        return entry_id > self.place if self.place is not None else entry_at > self.at


def point_of(at: datetime, data: dict[str, Any] | None) -> Point:
    """The point of an order's log row: its place when it kept one."""
    place = (data or {}).get(PLACE_KEY)
    return Point(int(place) if isinstance(place, int) and not isinstance(place, bool) else None, at)


def _undo(values: dict[str, Any], changes: Any) -> None:
    if not isinstance(changes, dict):
        return
    for key, change in changes.items():
        if key in values and isinstance(change, list) and len(change) == 2:
            values[key] = change[0]


class Since:
    """The audited changes of the printed settings and of some staff members made after the earliest of
    some points, read in one query; each point's values are then undone in memory."""

    def __init__(self, session: Session, points: Iterable[Point], staff_ids: Iterable[int] = ()) -> None:
        points = list(points)
        places = [p.place for p in points if p.place is not None]
        times = [p.at for p in points if p.place is None]
        when = [*([AuditEntry.id > min(places)] if places else []), *([AuditEntry.at > min(times)] if times else [])]
        staff = sorted({str(i) for i in staff_ids})
        whose = [and_(AuditEntry.entity == "setting", AuditEntry.entity_id.in_(PRINTED_SETTINGS))]
        if staff:
            whose.append(and_(AuditEntry.entity == "staff", AuditEntry.entity_id.in_(staff)))
        self._entries: list[tuple[int, datetime, str, str, Any]] = [] if not when else [
            (int(r.id), r.at, r.entity, r.entity_id, r.changes) for r in session.execute(
                select(AuditEntry.id, AuditEntry.at, AuditEntry.entity, AuditEntry.entity_id, AuditEntry.changes)
                .where(or_(*whose), or_(*when)).order_by(AuditEntry.id.desc()))]

    def _later(self, entity: str, entity_id: str, point: Point) -> Iterable[Any]:
        return (changes for i, at, e, eid, changes in self._entries
                if e == entity and eid == entity_id and point.precedes(i, at))

    def settings(self, values: dict[str, Any], point: Point) -> dict[str, Any]:
        """The settings (services/settings.read_all) with the printed ones as they were at `point`."""
        out = dict(values)
        for key in PRINTED_SETTINGS:
            for changes in self._later("setting", key, point):
                _undo(out, changes)
        return out

    def staff_name(self, names: dict[int, str], staff_id: int | None, point: Point) -> str:
        """A staff member's name at `point`, from today's `names` (id -> name); '' for nobody."""
        if staff_id is None or staff_id not in names:
            return ""
        name = {"name": names[staff_id]}
        for changes in self._later("staff", str(staff_id), point):
            _undo(name, changes)
        return str(name["name"])


def as_written(session: Session, entity: str, entity_id: int, values: dict[str, Any], place: int | None,
               at: datetime) -> dict[str, Any]:
    """A row's `values` (as the audit trail renders them) as they stood when a payment was written:
    every audited change made after it (after `place` in the audit chain, else after `at`) undone,
    the newest first. The services audit each change of a customer or a staff member as
    {field: [old, new]}, so a receipt reprinted after the customer's name or a clerk's changed
    names them as the original did."""
    point = Point(place, at)
    later = select(AuditEntry.changes).where(AuditEntry.entity == entity, AuditEntry.entity_id == str(entity_id))
    later = later.where(AuditEntry.id > place) if point.place is not None else later.where(AuditEntry.at > at)
    for (changes,) in session.execute(later.order_by(AuditEntry.id.desc())):
        _undo(values, changes)
    return values

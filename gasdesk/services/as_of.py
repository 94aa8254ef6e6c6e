"""Master data as it stood at a point in the audit chain: today's rows with the audited changes made
since undone, the newest first.

A form prints the facts of its step. The customer, account and meter a step saw are kept on its log
row (flow_context.step_facts); the company profile and the contract texts a form prints (settings) and
the names of the staff it names are read here as they were when the step was done, or the payment
taken: every setting and every staff member is changed through a service that audits the change as
{field: [old, new]}, so undoing the changes made after that point gives the values of then. A reprint
in a year reads the same; a step done after an administrator edits the profile prints the new one.

The same undoing gives the rows a form names as they were (`Since.row`): a counter receipt's customer,
account and meter, a bank agreement's status, a planned-work notice's note -- each audited as
{field: [old, new]} by the service or flow rule that changes it.

A point is a place in the chain (`place`: the id of the newest audit entry when the step's row or the
payment was written; entries are chained one transaction after another, so ids order every audited
write, even in the same second and whatever the counters' clocks say) or, for rows written before
steps kept their place, a time (changes made in a later second are undone).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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


def entry_point(session: Session, entity: str, entity_id: Any, actions: Iterable[str],
                at: datetime) -> tuple[Point, int | None]:
    """The point of a document made by an audited write: its newest entry of `entity` with one of
    `actions` (the point, and who wrote it); a row written without one (bulk setup) stands at `at`,
    its own time, with nobody named (None)."""
    row = session.execute(select(AuditEntry.id, AuditEntry.staff_id).where(
        AuditEntry.entity == entity, AuditEntry.entity_id == str(entity_id), AuditEntry.action.in_(list(actions)))
        .order_by(AuditEntry.id.desc()).limit(1)).first()
    if row is None:
        return Point(None, at), None
    return Point(int(row[0]), at), row[1]


class Since:
    """The audited changes of the printed settings, of some staff members and of some other rows
    (`rows`: entity -> ids) made after the earliest of some points, read in one query; each point's
    values are then undone in memory."""

    def __init__(self, session: Session, points: Iterable[Point], staff_ids: Iterable[int] = (),
                 rows: Mapping[str, Iterable[int]] | None = None) -> None:
        points = list(points)
        places = [p.place for p in points if p.place is not None]
        times = [p.at for p in points if p.place is None]
        when = [*([AuditEntry.id > min(places)] if places else []), *([AuditEntry.at > min(times)] if times else [])]
        whose = [and_(AuditEntry.entity == "setting", AuditEntry.entity_id.in_(PRINTED_SETTINGS))]
        wanted = {entity: {str(i) for i in ids} for entity, ids in (rows or {}).items()}
        wanted.setdefault("staff", set()).update(str(i) for i in staff_ids)
        whose += [and_(AuditEntry.entity == entity, AuditEntry.entity_id.in_(sorted(keys)))
                  for entity, keys in wanted.items() if keys]
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

    def row(self, entity: str, entity_id: int, values: dict[str, Any], point: Point) -> dict[str, Any]:
        """A row's `values` (as audit.render gives them: text for amounts and times) as they stood at
        `point`. A row created after it comes back with the fields its creation set as None."""
        out = dict(values)
        for changes in self._later(entity, str(entity_id), point):
            _undo(out, changes)
        return out

    def staff_name(self, names: dict[int, str], staff_id: int | None, point: Point) -> str:
        """A staff member's name at `point`, from today's `names` (id -> name); '' for nobody."""
        if staff_id is None or staff_id not in names:
            return ""
        return str(self.row("staff", staff_id, {"name": names[staff_id]}, point)["name"])


"""Domain events: the models record what happened in a unit of work; the services decide what follows.

As in the message bus of "Architecture Patterns with Python" (cosmicpython): while a session flushes,
the model layer notes facts (`BalanceMoved`: an account's balance changed, and the payments that moved
it) in the session's event queue. Just before the session commits, every queued event is handed to the
handlers subscribed to its type, in the same transaction, so what they write commits or rolls back with
the rest. A rollback forgets the queue.

This layer knows no handler: the services layer subscribes its own at start-up
(`gasdesk.services.handlers`, installed when `gasdesk.services.context` is imported). An event with no
handler is dropped at commit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from gasdesk.models.account import Account
from gasdesk.models.payment import Payment


class Event:
    """Something that happened in a unit of work."""


@dataclass
class BalanceMoved(Event):
    """An account's balance changed in this unit of work; `payments` are the unit's new payments on it
    that move the balance (in the order written). One event per account: later flushes add to it."""

    account_id: int
    payments: list[Payment] = field(default_factory=list)


E = TypeVar("E", bound=Event)
Handler = Callable[[Session, Any], None]

_QUEUE = "gasdesk.events"
# Handlers may write, and what they write may raise further events; they get this many rounds.
ROUNDS = 3
_handlers: dict[type[Event], list[Handler]] = {}


def subscribe(event_type: type[E], handler: Callable[[Session, E], None]) -> None:
    """Run `handler(session, event)` for each event of this type before a unit of work commits."""
    handlers = _handlers.setdefault(event_type, [])
    if handler not in handlers:
        handlers.append(handler)


def record(session: Session, happened: Event) -> None:
    session.info.setdefault(_QUEUE, []).append(happened)


def _balance_moved(session: Session, account_id: int) -> BalanceMoved:
    for earlier in session.info.get(_QUEUE, ()):
        if isinstance(earlier, BalanceMoved) and earlier.account_id == account_id:
            return earlier
    moved = BalanceMoved(account_id)
    record(session, moved)
    return moved


def _record_balance_moves(session: Session, _flush_context: Any, _instances: Any) -> None:
    """before_flush: an account whose balance changed, and each new payment that moves a balance."""
    for obj in session.new:
        if isinstance(obj, Payment) and obj.account_id is not None and obj.balance_effect:
            _balance_moved(session, obj.account_id).payments.append(obj)
    for obj in session.dirty:
        if isinstance(obj, Account) and obj.id is not None and inspect(obj).attrs.balance.history.has_changes():
            _balance_moved(session, obj.id)


def _dispatch(session: Session) -> None:
    """before_commit: hand every queued event to its handlers, until no handler raises a new one."""
    for _ in range(ROUNDS):
        session.flush()
        pending: list[Event] | None = session.info.pop(_QUEUE, None)
        if not pending:
            return
        for happened in pending:
            for handler in _handlers.get(type(happened), ()):
                handler(session, happened)


def _forget(session: Session, _previous_transaction: Any) -> None:
    """after a rollback: nothing recorded survives."""
    session.info.pop(_QUEUE, None)


event.listen(Session, "before_flush", _record_balance_moves)
event.listen(Session, "before_commit", _dispatch)
event.listen(Session, "after_soft_rollback", _forget)

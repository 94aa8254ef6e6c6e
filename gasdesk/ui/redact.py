"""Exceptions as they may be written to the log: a database error's text quotes the values bound to
its statement (ID numbers, names), so it is reduced to its shape."""

from __future__ import annotations

import traceback

_DATABASE_MODULES = ("sqlalchemy", "psycopg", "sqlite3", "_sqlite3")


def safe_text(exc: BaseException) -> str:
    """An exception's message for the log: a database error is reduced to its shape (kind, SQLSTATE,
    constraint, statement cut short), since its text quotes the values bound to the statement."""
    if type(exc).__module__.startswith(_DATABASE_MODULES):
        from gasdesk.db import error_shape

        return error_shape(exc)
    return str(exc)


def safe_traceback(exc: BaseException) -> str:
    """The traceback of `exc` and the exceptions it came from, each message through safe_text."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or (None if current.__suppress_context__ else current.__context__)
    lines: list[str] = []
    for item in reversed(chain):
        lines.append("Traceback (most recent call last):\n")
        lines.extend(traceback.format_tb(item.__traceback__))
        lines.append(f"{type(item).__name__}: {safe_text(item)}\n")
    return "".join(lines).rstrip()

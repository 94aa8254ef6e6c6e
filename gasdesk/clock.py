"""Where the application reads the time: one place, so tests can freeze it.

Times are naive local wall-clock times (the hall and its server live in one time zone); the
deadlines of the service commitment are stated in local working days and local minutes.
"""

from __future__ import annotations

from datetime import datetime, timedelta


class Clock:
    def now(self) -> datetime:
        return datetime.now().replace(microsecond=0)


class FixedClock(Clock):
    """A clock that stands still until moved; used by tests and by the demo-data generator."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> datetime:
        self.at = self.at + timedelta(**delta)
        return self.at

    def set(self, at: datetime) -> None:
        self.at = at

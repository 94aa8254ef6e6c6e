"""Errors a service or a flow rule raises for the person at the counter. Each carries a Chinese message."""

from __future__ import annotations


class ServiceError(Exception):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(ServiceError):
    """The signed-in role may not do this."""


class SessionEnded(NotAllowed):
    """The signed-in member of staff was disabled, moved, or must change the password first."""


class NotFound(ServiceError):
    pass


class Refused(ServiceError):
    """The business rules refuse it now (wrong step, guard failed, bad input); nothing was written."""


class Conflict(ServiceError):
    """Someone else changed the record since it was read; nothing was overwritten."""


class Busy(Conflict):
    """The database stayed locked by another counter or program for longer than the bounded wait;
    nothing was written, trying again later works."""


class SignInFailed(ServiceError):
    pass

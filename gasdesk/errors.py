"""Errors a service or a flow rule raises for the person at the counter. Each carries a Chinese message."""

from __future__ import annotations


class ClerkError(Exception):
    """A refusal told to a person: `message` is a Chinese sentence, `field` the input it is about (None:
    the whole), for the window to show it beside that field. The services', the flow engine's, the input
    checks' and the bank layouts' errors are all of this kind."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ServiceError(ClerkError):
    pass


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

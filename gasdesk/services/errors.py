"""The errors a service raises for the person at the counter (defined below the services, in
gasdesk/errors.py, so flow rules can raise them too)."""

from collections.abc import Iterator
from contextlib import contextmanager

from gasdesk.errors import (
    Busy,
    Conflict,
    NotAllowed,
    NotFound,
    Refused,
    ServiceError,
    SessionEnded,
    SignInFailed,
)
from gasdesk.validation import ValidationError

__all__ = ["Busy", "Conflict", "NotAllowed", "NotFound", "Refused", "ServiceError", "SessionEnded", "SignInFailed",
           "refusing"]


@contextmanager
def refusing() -> Iterator[None]:
    """An input check's ValidationError inside the block is raised as Refused: the same Chinese message,
    beside the same field (the windows show a service's refusals)."""
    try:
        yield
    except ValidationError as exc:
        raise Refused(exc.message, field=exc.field) from None

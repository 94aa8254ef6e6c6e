"""The errors a service raises for the person at the counter (defined below the services, in
gasdesk/errors.py, so flow rules can raise them too)."""

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

__all__ = ["Busy", "Conflict", "NotAllowed", "NotFound", "Refused", "ServiceError", "SessionEnded", "SignInFailed"]

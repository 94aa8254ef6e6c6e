"""The errors a service raises for the person at the counter (defined below the services, in
gasdesk/errors.py, so flow rules can raise them too)."""

from gasdesk.errors import Conflict, NotAllowed, NotFound, Refused, ServiceError, SignInFailed

__all__ = ["Conflict", "NotAllowed", "NotFound", "Refused", "ServiceError", "SignInFailed"]

"""What the services do about the models' domain events (gasdesk.models.events).

Each handler runs just before the unit of work that raised the event commits, in the same transaction.
`install()` subscribes them; gasdesk.services.context calls it when it is imported, so the handlers are
active wherever a service can run.
"""

from __future__ import annotations

from gasdesk.models import events
from gasdesk.services import bills


def install() -> None:
    # Bills follow the balance: money moved by code that knows nothing of bills (a payment, a deposit,
    # a reversal, a transfer's or closure's settlement) pays or unpays the account's bills.
    events.subscribe(events.BalanceMoved, bills.settle_moved)

"""The registry: every ledger module of this package, listed once, in the order the ledger page offers them.

Each module named here defines one `LEDGER` (a LedgerDef). The ledgers flows declare for their own
orders (FlowDef.own_ledgers) follow them, built by flow_ledgers.py.
"""

from __future__ import annotations

import importlib
from typing import cast

from gasdesk.services.errors import NotFound
from gasdesk.services.ledgers.flow_ledgers import flow_ledgers
from gasdesk.services.ledgers.sheet import LedgerDef

# One line per ledger module.
MODULES = (
    "business",
    "plugging",
    "allowance",
    "complaints",
    "meter_change",
    "transfer_closure",
    "cash_daily",
    "compliance",
    "overdue",
    "bills",
    "arrears_age",
    "write_offs",
    "bank_reconciliation",
)


def _load() -> dict[str, LedgerDef]:
    found: dict[str, LedgerDef] = {}
    modules = (cast(LedgerDef, importlib.import_module(f"{__package__}.{name}").LEDGER) for name in MODULES)
    for ledger in (*modules, *flow_ledgers()):
        if ledger.name in found:
            raise RuntimeError(f"two ledgers are named {ledger.name!r}")
        found[ledger.name] = ledger
    return found


LEDGERS: dict[str, LedgerDef] = _load()


def list_ledgers() -> list[tuple[str, str]]:
    """(name, Chinese title) of every ledger, in menu order."""
    return [(d.name, d.title) for d in LEDGERS.values()]


def get_ledger(name: str) -> LedgerDef:
    try:
        return LEDGERS[name]
    except KeyError:
        raise NotFound(f"没有名为“{name}”的台账；可用：{'、'.join(LEDGERS)}") from None

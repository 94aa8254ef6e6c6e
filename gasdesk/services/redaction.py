"""Personal data in what an order recorded, masked for whoever may not see it in full.

An order keeps ID numbers and phones in several places: the fields typed at its actions (a transfer's
new owner, a detail change's corrected number: FieldDef.personal_data), the parties each step kept
for its forms (`_facts`), the old values a detail change replaced (`old_values`), and the log row of
a correction (`field`, `old`, `new`). `redact` walks all of them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from gasdesk.flows.definition import FieldDef, FlowDef, Personal
from gasdesk.validation import mask_id, mask_phone

# Keys that hold a party's personal data wherever they appear (the facts of a step, old values).
PARTY_KEYS: dict[str, Personal] = {"id_number": Personal.ID_NUMBER, "phone": Personal.PHONE,
                                   "phone2": Personal.PHONE}
MASKS: dict[Personal, Callable[[str], str]] = {Personal.ID_NUMBER: mask_id, Personal.PHONE: mask_phone}


def flow_fields(flow: FlowDef) -> list[FieldDef]:
    """Every field the flow can record (the opening's and every action's)."""
    found = list(flow.open_fields)
    for step in flow.steps:
        for action in step.actions:
            found += action.fields
    return found


def personal_fields(fields: Iterable[FieldDef]) -> dict[str, Personal]:
    """Field code -> the personal data it holds, for the fields that hold some."""
    return {f.code: kind for f in fields if (kind := f.personal_data) is not None}


def mask(kind: Personal, value: Any) -> Any:
    """The value as a role without the right sees it (only text is masked; None and '' stay)."""
    return MASKS[kind](value) if isinstance(value, str) and value else value


def redact(data: Any, fields: Mapping[str, Personal], kinds: frozenset[Personal]) -> Any:
    """A copy of `data` (dicts and lists, as an order stores them) with the personal data of `kinds`
    masked: the fields named in `fields`, the party keys (id_number, phone, phone2) at any depth, and
    the old and new values of a correction of such a field."""
    if isinstance(data, list):
        return [redact(item, fields, kinds) for item in data]
    if not isinstance(data, dict):
        return data
    keys = {**PARTY_KEYS, **fields}
    out: dict[str, Any] = {}
    for key, value in data.items():
        kind = keys.get(key)
        out[key] = mask(kind, value) if kind in kinds else redact(value, fields, kinds)
    corrected = fields.get(str(data.get("field"))) if "field" in data else None
    if corrected in kinds:
        assert corrected is not None
        for key in ("old", "new"):
            if key in out:
                out[key] = mask(corrected, out[key])
    return out

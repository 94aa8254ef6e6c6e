"""The titles of the printed forms several flows share (catalog.py has their blocks); a flow's own
forms carry their titles in its package."""

from __future__ import annotations

FORMS: dict[str, str] = {
    "acceptance": "业务受理单",
    "residential_contract": "居民供气合同",
    "non_residential_contract": "非居民供用气合同",
    "reset_agreement": "复置协议",
    "safety_notice": "安全用气须知",
    "site_work": "上门作业单",
    "meter_change": "换表单",
    "plugging_work": "封堵业务单",
    "rejection_notice": "不予受理告知书",
    "receipt": "收费/退费收据",
}

# Forms any order may print whatever its flow: its acceptance slip, a refusal, a receipt.
ANY_FLOW_FORMS = ("acceptance", "rejection_notice", "receipt")

# The supply contract a party signs, by the customer category recorded at the step: a definition
# names either, the printing service prints the one of the party's category.
CONTRACTS: dict[str, str] = {
    "residential": "residential_contract",
    "non_residential": "non_residential_contract",
}


def contract_family(form: str) -> tuple[str, ...]:
    """The codes that stand for the same document as `form` (the contracts of every category)."""
    return tuple(CONTRACTS.values()) if form in CONTRACTS.values() else (form,)


def contract_for(form: str, category: str) -> str:
    """The form to print for a party of `category` where `form` is asked for."""
    if form in CONTRACTS.values() and category in CONTRACTS:
        return CONTRACTS[category]
    return form

"""The titles of the printed forms several flows share (catalog.py has their blocks); a flow's own
forms carry their titles in its package."""

from __future__ import annotations

FORMS: dict[str, str] = {
    "acceptance": "业务受理单",
    "residential_contract": "居民供气合同",
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

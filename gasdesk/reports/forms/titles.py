"""The printed forms by code, with their titles. Flows name them; the blocks of each are in catalog.py."""

from __future__ import annotations

FORMS: dict[str, str] = {
    "acceptance": "业务受理单",
    "installation_application": "报装申请表",
    "supply_plan_reply": "用气方案答复",
    "completion_confirmation": "燃气工程竣工确认单",
    "ignition_notice": "点火通知单",
    "residential_contract": "居民供气合同",
    "reset_agreement": "复置协议",
    "safety_notice": "安全用气须知",
    "site_work": "上门作业单",
    "meter_change": "换表单",
    "suspension_notice": "暂停用气须知",
    "plugging_work": "封堵业务单",
    "removal_work": "拆除业务单",
    "transfer_application": "过户申请表",
    "closure_application": "销户申请表",
    "allowance_application": "气量变更申请表",
    "detail_change_application": "用户信息变更申请表",
    "type_change_application": "用气性质变更申请表",
    "complaint_transfer": "投诉转办单",
    "rejection_notice": "不予受理告知书",
    "receipt": "收费/退费收据",
}

# Forms any order may print whatever its flow: its acceptance slip, a refusal, a receipt.
ANY_FLOW_FORMS = ("acceptance", "rejection_notice", "receipt")

"""The standard wording printed on contracts, notices and declarations (our own text).

Each key is one block of text, kept as data in resources/texts/<key>.txt; the office may replace any
block in the settings (`texts`, key -> text), which `FormContext.texts` carries. Lines are paragraphs; a short line that starts like a
clause number (第一条 / 一、 / （一）) prints as a heading. Placeholders in braces are filled
from the company profile and the order (see PLACEHOLDERS); unknown ones and stray braces are left
as written, so an edited text never breaks printing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from gasdesk import assets
from gasdesk.reports.context import FormContext

# What the settings editor shows for each key.
TEXT_TITLES: dict[str, str] = {
    "acceptance_note": "业务受理单：受理说明",
    "installation_declaration": "报装申请表：申请人声明",
    "supply_plan_approved": "用气方案答复：可以供气的说明",
    "supply_plan_refused": "用气方案答复：不能供气的说明",
    "design_approval_statement": "设计方案确认单：客户确认声明",
    "construction_checklist_statement": "施工技术交底及完工检查记录：确认声明",
    "completion_statement": "燃气工程竣工确认单：确认声明",
    "ignition_statement": "点火通知单：通知内容",
    "residential_contract.preamble": "居民供气合同：前言",
    "residential_contract": "居民供气合同：合同条款",
    "non_residential_contract.preamble": "非居民供用气合同：前言",
    "non_residential_contract": "非居民供用气合同：合同条款",
    "reset_agreement": "复置协议：协议条款",
    "safety_notice": "安全用气须知",
    "site_work_statement": "上门作业单：客户确认",
    "meter_change_statement": "换表单：客户确认",
    "suspension_notice": "暂停用气须知",
    "plugging_statement": "封堵业务单：客户确认",
    "removal_statement": "拆除业务单：客户确认",
    "transfer_declaration": "过户申请表：双方声明",
    "closure_declaration": "销户申请表：申请人声明",
    "allowance_declaration": "气量变更申请表：申请人声明",
    "detail_change_declaration": "用户信息变更申请表：申请人声明",
    "type_change_declaration": "用气性质变更申请表：申请人声明",
    "complaint_transfer_note": "投诉转办单：办理要求",
    "rejection_footer": "不予受理告知书：结尾说明",
    "receipt_note": "收费/退费收据：说明",
    "document_receipt": "须知类单据：客户签收声明",
    "inspection_record_statement": "安检记录单：用户确认",
    "hazard_notice_text": "隐患整改通知书：整改要求",
    "no_one_home_card_text": "到访不遇卡：说明",
}

# Placeholders a text may use, with what they stand for (shown in the settings editor).
PLACEHOLDERS: dict[str, str] = {
    "company": "公司名称",
    "hall_address": "营业厅地址",
    "hall_hours": "营业厅营业时间（未填写时为空）",
    "hall": "营业厅地址及营业时间",
    "service_phone": "客服电话",
    "service_line_hours": "客服电话受理时间",
    "emergency_phone": "抢修电话",
    "complaint_phone": "投诉电话",
    "complaint_hours": "投诉受理时间",
    "customer": "客户名称",
    "address": "用气地址",
    "order_number": "受理单号",
    "flow": "业务类型",
}

class DefaultTexts(Mapping[str, str]):
    """Our own wording of every block, read from resources/texts/<key>.txt when first needed (gasdesk.assets),
    in the order of TEXT_TITLES (the settings editor lists them so)."""

    def __init__(self) -> None:
        self._texts: dict[str, str] | None = None

    def _load(self) -> dict[str, str]:
        if self._texts is None:
            found = assets.texts("texts")
            self._texts = {k: found[k] for k in TEXT_TITLES if k in found} | found
        return self._texts

    def __getitem__(self, key: str) -> str:
        return self._load()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())


DEFAULT_TEXTS: Mapping[str, str] = DefaultTexts()

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def fill(template: str, values: Mapping[str, object]) -> str:
    """Replace {name} placeholders that `values` knows; leave everything else as written."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        return str(values[name]) if name in values else match.group(0)

    return _PLACEHOLDER.sub(replace, template)


def placeholder_values(ctx: FormContext) -> dict[str, str]:
    company = ctx.company
    return {
        "company": company.name,
        "hall_address": company.hall_address,
        "hall_hours": company.hall_hours,
        "hall": company.hall_address + (f"，{company.hall_hours}" if company.hall_hours else ""),
        "service_phone": company.service_phone,
        "service_line_hours": company.service_line_hours,
        "emergency_phone": company.emergency_phone,
        "complaint_phone": company.complaint_phone,
        "complaint_hours": company.complaint_hours,
        "customer": ctx.customer.name,
        "address": ctx.customer.address,
        "order_number": ctx.order_number,
        "flow": ctx.flow_label,
    }


def text_for(ctx: FormContext, key: str) -> str:
    """The text block `key`: the settings' version when it has one, else ours, placeholders filled."""
    override = ctx.texts.get(key) if ctx.texts else None
    template = override if override and override.strip() else DEFAULT_TEXTS.get(key, "")
    return fill(template, placeholder_values(ctx))

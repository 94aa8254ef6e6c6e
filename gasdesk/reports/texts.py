"""The standard wording printed on contracts, notices and declarations (our own text).

Each key is one block of text; the office may replace any block in the settings (`texts`, key ->
text), which `FormContext.texts` carries. Lines are paragraphs; a short line that starts like a
clause number (第一条 / 一、 / （一）) prints as a heading. Placeholders in braces are filled
from the company profile and the order (see PLACEHOLDERS); unknown ones and stray braces are left
as written, so an edited text never breaks printing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from gasdesk.reports.context import FormContext

# What the settings editor shows for each key.
TEXT_TITLES: dict[str, str] = {
    "acceptance_note": "业务受理单：受理说明",
    "installation_declaration": "报装申请表：申请人声明",
    "supply_plan_approved": "用气方案答复：可以供气的说明",
    "supply_plan_refused": "用气方案答复：不能供气的说明",
    "completion_statement": "燃气工程竣工确认单：确认声明",
    "ignition_statement": "点火通知单：通知内容",
    "residential_contract.preamble": "居民供气合同：前言",
    "residential_contract": "居民供气合同：合同条款",
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
}

# Placeholders a text may use, with what they stand for (shown in the settings editor).
PLACEHOLDERS: dict[str, str] = {
    "company": "公司名称",
    "hall_address": "营业厅地址",
    "hall_hours": "营业时间",
    "service_phone": "客服电话",
    "emergency_phone": "抢修电话",
    "complaint_phone": "投诉电话",
    "complaint_hours": "投诉受理时间",
    "customer": "客户名称",
    "address": "用气地址",
    "order_number": "受理单号",
    "flow": "业务类型",
}

DEFAULT_TEXTS: dict[str, str] = {
    "acceptance_note": (
        "本单是{company}受理您所申请业务的凭证，请妥善保管。"
        "查询办理进度可拨打客服电话{service_phone}并报受理单号，或到营业厅（{hall_address}，{hall_hours}）查询。"
        "因您本人原因暂停办理的时间，不计入承诺办理时限。"
    ),
    "installation_declaration": (
        "申请单位承诺所填内容和所交资料真实、有效，同意按{company}的报装程序办理，"
        "配合现场踏勘，并按要求提交设计基础资料。"
        "项目设计、工程施工、设备材料采购以及道路挖掘等行政审批所需的时间，不计入供气单位承诺的办理时限。"
    ),
    "supply_plan_approved": (
        "经现场踏勘和资料审核，贵单位的用气项目具备供气条件，用气方案见上。"
        "请贵单位持本答复与{company}联系，办理项目设计、工程预算和安装合同签订等后续手续。"
        "如有疑问，请拨打{service_phone}。"
    ),
    "supply_plan_refused": (
        "经现场踏勘和资料审核，贵单位的用气项目目前不具备供气条件，原因见上。"
        "待条件具备后，贵单位可以重新申请报装。如有疑问，请拨打{service_phone}。"
    ),
    "completion_statement": (
        "本燃气工程已按设计文件施工完毕，竣工资料齐全。"
        "经用气单位、施工单位、监理单位和{company}共同验收，工程质量合格，同意开通点火。"
        "用气单位对上述验收结论予以确认，自交接之日起按维护管理分界对燃气设施负责。"
    ),
    "ignition_statement": (
        "上述燃气工程已竣工验收合格，请输配中心按约定时间安排开通点火并办理交接。\n"
        "用气单位应在点火前完成用气设备的安装与调试，安排熟悉设备操作的人员到场，"
        "保持用气场所通风良好，清除周边易燃物品。\n"
        "点火完成后双方在上门作业单上签字交接；交接后燃气表及表前设施由{company}维护，表后设施由用气单位维护。"
    ),
    "residential_contract.preamble": (
        "为明确供气人与用气人在管道燃气供应和使用中的权利和义务，保障安全、稳定、连续供气，"
        "双方依照《中华人民共和国民法典》《城镇燃气管理条例》和本地燃气管理的有关规定，"
        "本着平等、自愿、诚信的原则，协商一致订立本合同，共同遵守。"
    ),
    "residential_contract": (
        "第一条　供气地址、气种与用气性质\n"
        "1．供气地址、用气性质和年度用气基数以本合同首部所列为准。\n"
        "2．供气人供应的气种为管道天然气，供用气人家庭炊事、热水、采暖等生活使用。"
        "未经供气人书面同意，用气人不得将燃气用于经营等非居民用途，也不得向他人转供燃气。\n"
        "第二条　供气方式与燃气质量\n"
        "1．供气人通过城市燃气管网以管道方式向用气人连续供气。"
        "因计划检修、管网施工等需要降压或者停气的，供气人应至少提前二十四小时通过公告、短信或电话告知，"
        "并尽量避开用气高峰时段；因突发事故停气的，供气人应立即组织抢修，尽快恢复供气。\n"
        "2．供气人供应的天然气质量和供气压力应符合国家现行标准，燃气已按规定加臭，泄漏时可以闻到明显异味。\n"
        "第三条　价格、计量与气费结算\n"
        "1．燃气价格执行政府价格主管部门核定的价格，居民生活用气按规定实行阶梯气价。"
        "政府调整气价的，自规定的执行之日起按调整后的价格计收，供气人在营业场所公示，双方无需另签协议。\n"
        "2．用气量以供气人安装并经法定检定合格的燃气表读数为准，计量单位为立方米（m³）。\n"
        "3．燃气表故障、计量失准或者无法抄读期间的用气量，按故障前最后一次有效读数以来的相近时段用量，"
        "或者按故障前连续三个抄表周期的日平均用气量乘以相应天数估算；燃气表修复或更换后据实结算，多退少补。\n"
        "4．供气人按约定周期抄表，抄表人员应佩戴工作证件；用气人应为抄表提供方便。"
        "因用气人原因无法抄表的，当期用气量可按前款规定估算，下次抄表后结算。\n"
        "5．用气人应在抄表次月的1日至20日期间，到供气人营业厅（{hall_address}）、委托代收网点或者线上渠道查询并缴纳气费。\n"
        "6．用气人对读数或者气费有异议的，应先按期缴费，并可在账单发出后五个工作日内向供气人申请复核；"
        "供气人应在五个工作日内答复，确有差错的，多收部分予以退还或抵扣下期气费。"
        "用气人对燃气表准确性有异议的，可以申请法定计量检定机构检定：表具合格的，检定费用由用气人承担；"
        "表具不合格的，检定费用由供气人承担并免费更换燃气表。\n"
        "第四条　维护管理分界\n"
        "1．以燃气表为分界点：燃气表及表前阀门、表前管道和设施由供气人负责维护、检修和更新；"
        "燃气表出口以后的管道、阀门、连接软管和燃气器具由用气人负责维护和更新，用气人也可委托供气人有偿维修。\n"
        "2．燃气表设在楼道、管道井等公共部位的，以用气人住宅的外墙为分界，墙外部分由供气人负责，墙内部分由用气人负责。\n"
        "3．供气人负责维护的设施因用气人或其同住人员的原因损坏的，修复费用由用气人承担。\n"
        "第五条　双方的权利和义务\n"
        "（一）供气人\n"
        "1．按本合同约定安全、连续、稳定供气，不得无正当理由中断供气。\n"
        "2．按规定定期对用气人的户内燃气设施进行入户安全检查，检查人员应出示证件；发现隐患的，书面告知用气人整改。\n"
        "3．设立二十四小时抢修电话{emergency_phone}，接到泄漏等险情报告后立即派人赶赴现场，"
        "市区三十分钟内、郊区六十分钟内到达（交通堵塞、道路封闭、自然灾害等情形除外）。\n"
        "4．为用气人提供业务咨询和安全用气宣传，对用气人的个人信息予以保密，只用于供气服务。\n"
        "（二）用气人\n"
        "1．按时足额缴纳气费。\n"
        "2．遵守《安全用气须知》，使用符合国家标准的燃气器具，保持用气场所通风良好。\n"
        "3．不得擅自安装、改装、拆除、迁移燃气设施和燃气表，不得将燃气管道暗埋或者包封在墙体、橱柜内，"
        "不得在燃气管道上悬挂物品或者将其作为电器接地线。\n"
        "4．不得盗用燃气，不得损坏燃气表及其封印。\n"
        "5．配合供气人的入户安全检查、抄表和维修；发现燃气泄漏或者其他安全隐患，及时告知供气人。\n"
        "6．房屋转让、出租或者用气人信息发生变化时，及时到营业厅办理过户或者变更手续；"
        "手续办理之前产生的气费由原用气人承担。\n"
        "第六条　违约责任\n"
        "1．供气人未按约定提前告知而停止供气，或者供气质量不符合标准，给用气人造成损失的，依法承担赔偿责任；"
        "因不可抗力、第三方责任或者用气人原因造成停气的除外。\n"
        "2．用气人逾期缴纳气费的，应按当地有关规定承担逾期责任；经催告后仍不缴纳的，供气人可以依照规定程序中止供气，"
        "用气人结清欠费后，供气人应在二十四小时内恢复供气。\n"
        "3．用气人擅自改动燃气设施、盗用燃气或者存在严重安全隐患拒不整改的，供气人有权要求其限期改正，"
        "并可依法中止供气；由此造成损失或者事故的，由用气人承担责任。\n"
        "第七条　争议解决\n"
        "因履行本合同发生争议的，双方应协商解决；协商不成的，可以申请燃气管理部门或者消费者权益保护组织调解，"
        "也可以依法向供气地址所在地人民法院提起诉讼。\n"
        "第八条　合同期限及其他\n"
        "1．本合同自双方签字（盖章）之日起生效，至用气人办理销户或者过户手续之日终止。\n"
        "2．本合同未尽事宜，按国家和本地有关规定执行；双方可另行签订补充协议，补充协议与本合同具有同等效力。\n"
        "3．本合同一式两份，供气人和用气人各执一份。"
        "客服电话：{service_phone}；抢修电话（24小时）：{emergency_phone}；投诉电话：{complaint_phone}。"
    ),
    "reset_agreement": (
        "用气人申请在上述地址开通（恢复）管道燃气，双方就燃气表和相关燃气设施的复置"
        "（检查、复位、重新安装并恢复通气）事项达成如下协议：\n"
        "一、用气人同意由供气人指派的专业人员对供气地址处的燃气表、表前阀门和相关管道设施进行检查、复位或者重新安装，"
        "必要时更换不符合安全要求的部件。复置只能由供气人实施，其他单位和个人不得擅自进行。\n"
        "二、复置可能发生的费用项目为：燃气表及表具安装费、更换部件的材料费、上门作业及通气点火费。"
        "各项费用按{company}公示的收费标准执行，作业完成后据实结算并出具收据，未发生的项目不收费。\n"
        "三、复置前，用气人应保证作业条件：关闭全部燃气器具阀门，清理燃气表周围的杂物，作业时有成年人在场。"
        "不具备作业条件的，供气人告知原因后另行预约。\n"
        "四、复置完成后，供气人进行严密性检测并通气点火，向用气人讲解安全用气常识，用气人在上门作业单上签字确认。\n"
        "五、复置后的燃气表和表前设施由供气人维护管理，用气人应妥善保护，不得擅自拆改、移位或者遮挡。\n"
        "六、用气人隐瞒户内燃气设施被改动或者损坏的情况而导致事故的，由用气人承担相应责任。\n"
        "七、本协议是《居民供气合同》的附件，与合同具有同等效力。"
    ),
    "safety_notice": (
        "一、安全责任分界\n"
        "燃气表及表前管道、阀门由{company}负责维护；燃气表以后的管道、阀门、连接软管和燃气器具由用户负责维护和更新。"
        "燃气表设在公共部位的，以住宅外墙为分界。\n"
        "二、用户应当做到\n"
        "1．使用有合格证明、适用于本地天然气的燃气器具，热水器应为强排式或者平衡式，严禁使用直排式热水器。\n"
        "2．燃气器具连接使用金属软管或者专用燃气软管，软管不要穿墙、不要过长，定期检查，发现老化、龟裂及时更换。\n"
        "3．用气时保持通风，人不离火；用完关闭器具阀门，长时间外出或者夜间睡前关闭表前阀门。\n"
        "4．不得擅自拆改、移动燃气设施和燃气表，不得把燃气管道包进墙体或者橱柜，不得在管道上悬挂物品。\n"
        "5．安装燃气设施的房间不要住人，不要存放易燃易爆物品；老人和儿童用气要有人照看。\n"
        "6．发现燃气设施损坏、燃气味异常等隐患，及时拨打{service_phone}报修。\n"
        "三、入户安全检查\n"
        "{company}按规定定期上门进行安全检查，检查人员佩戴工作证件，检查不收取费用。"
        "用户应当配合检查，对检查发现的隐患按要求及时整改。冒充检查人员推销产品的，请拨打{service_phone}核实。\n"
        "四、闻到燃气味时怎么办\n"
        "1．不要点火，不要吸烟，不要开关电灯、排气扇等任何电器，不要拔插插头，不要在室内打电话。\n"
        "2．立即打开门窗通风。\n"
        "3．关闭燃气表前阀门。\n"
        "4．迅速离开现场，到室外安全地点拨打二十四小时抢修电话{emergency_phone}，必要时拨打119。\n"
        "5．发现有人中毒，尽快把中毒者移到空气新鲜处，并拨打120急救电话。"
    ),
    "suspension_notice": (
        "一、暂停用气是指：应用户申请，在保留燃气账户和燃气设施的前提下，暂时停止向该地址供气。"
        "暂停期间账户状态为“暂停用气”，用户信息和用气记录照常保存。\n"
        "二、自申请的暂停用气之日起停止抄表计费，不再产生新的气费；暂停之日以前的气费按该日表读数结算，应在办理时结清。\n"
        "三、需要封堵的，由{company}派员上门对表前阀门或者管道实施封堵并加封，按公示标准收取封堵费。"
        "暂停期间用户不得擅自启封、拆除封堵或者私接管道，否则由此产生的后果由用户承担。\n"
        "四、需要恢复用气的，请户主携带身份证到营业厅申请（也可拨打{service_phone}预约）；"
        "{company}预约上门检查，启封、通气点火合格后恢复供气，并自恢复之日起恢复计费。\n"
        "五、暂停期间燃气表和表前设施仍由{company}负责维护，请不要遮挡或者拆改；房屋出售或者出租的，请及时办理过户。\n"
        "六、暂停期间请关闭表前阀门，长期无人居住的要定期查看。闻到燃气味时，不要点火、不要开关电器，"
        "打开门窗、关闭阀门，到室外拨打抢修电话{emergency_phone}。"
    ),
    "site_work_statement": (
        "作业已完成。作业人员已对燃气设施进行检查，并向客户讲解安全用气常识；客户确认作业结果和表具读数无误。"
    ),
    "meter_change_statement": (
        "旧表已拆回，新表已安装，并经严密性检测合格。客户确认上表所列旧表止数和新表起始读数无误："
        "旧表止数以前的用气量按旧表结算，以后的用气量按新表计量。"
    ),
    "plugging_statement": (
        "已对供气设施实施封堵并加封，封堵期间停止供气。客户不得擅自启封或者拆除封堵设施；"
        "需要恢复用气的，请到营业厅申请，由{company}派员启封。客户确认封堵情况和表读数无误。"
    ),
    "removal_statement": (
        "燃气表及相关设施已拆除，供气管道已可靠封堵。客户确认拆除结果和表止数无误；"
        "该地址以后需要用气的，须重新办理报装或者开通手续。"
    ),
    "transfer_declaration": (
        "原户主与新户主共同申请办理过户。过户之日以前产生的气费和其他费用由原户主结清，预存款余额按规定退还原户主；"
        "过户之日以后该地址的用气和相关费用由新户主承担，新户主须重新签订供气合同。"
        "双方保证所交资料真实、有效，因资料不实或者产权争议引起的纠纷由双方自行承担。"
    ),
    "closure_declaration": (
        "本人申请注销上述燃气账户，并已知晓：销户前应结清全部气费，预存款余额予以退还；"
        "销户后将对供气设施进行封堵或者拆除，该地址停止供气；以后需要用气的，须重新办理开通手续。"
        "本人保证所交资料真实、有效。"
    ),
    "allowance_declaration": (
        "本人申请按家庭实际常住人口调整年度用气基数，保证所交户口簿、社区证明等资料真实、有效。"
        "家庭人口发生变化时，本人将及时申请变更；如有虚报，{company}有权恢复原用气基数并按规定补收气费。"
    ),
    "detail_change_declaration": (
        "本人申请变更上述客户信息，保证所交资料真实、有效。变更后原信息留存备查；"
        "户名或者证件发生变更的，须重新签订供气合同。"
    ),
    "type_change_declaration": (
        "申请人保证所交资料真实、有效，用气场所的实际用途与申请变更后的用气性质一致。"
        "变更后按新的用气性质执行相应气价和管理规定；非居民转居民的，按居民开通办理并签订居民供气合同。"
    ),
    "complaint_transfer_note": (
        "请承办部门收到本单后及时核实处理，在规定时限内将处理结果反馈客户服务部，由客户服务部电话回访客户。"
        "客户对处理结果仍不满意的，本单将再次转办，直至问题解决。"
    ),
    "rejection_footer": (
        "如对上述告知有疑问，请拨打客服电话{service_phone}咨询，或者在{complaint_hours}拨打投诉电话{complaint_phone}。"
        "资料补齐或者条件具备后，您可以随时重新申请办理。"
    ),
    "receipt_note": "本收据是{company}收付款的凭证，请当面核对金额并妥善保管；涂改无效。",
    "document_receipt": "本人已收到并阅读上述须知，知晓其中的内容。",
}

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
        "service_phone": company.service_phone,
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

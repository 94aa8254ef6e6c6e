"""How the demo walks complaints and enquiries: answered at once, explained, or handled in rounds."""

from __future__ import annotations

from gasdesk.flows.demo import DemoCustomer, DemoPlan, DemoStory, Driver, Opening, Payload
from gasdesk.vocab import Channel

# content, department, explanation, handling result, callback note
COMPLAINTS = (
    ("预约上午上门点火，安装人员下午才到，客户请假等了半天", "distribution",
     "已向客户致歉，说明当天抢修任务较多导致延误", "已对班组提出批评，今后预约时间变更须提前电话告知客户",
     "客户对处理结果表示满意"),
    ("本月气费比上月多出一倍，怀疑抄表员估抄", "metering",
     "已调取抄表记录向客户说明，上月为估抄，本月为实抄补计", "已安排抄表员上门复核读数，读数无误，向客户解释估抄补计原因",
     "客户表示理解"),
    ("燃气表走字偏快，怀疑表计不准，要求检定", "metering",
     "已告知客户表具检定流程及费用规定", "已拆回表具送计量检定机构检定，结果合格，已向客户出示检定报告",
     "客户认可检定结果"),
    ("施工人员安装后未清理现场，墙面打孔处未修补", "distribution",
     "已向客户致歉并承诺安排人员上门处理", "已安排施工班组上门清理现场并修补墙面", "客户满意"),
    ("营业厅排队时间过长，只开了两个窗口", "customer_service",
     "已向客户解释当日为缴费高峰，现已增开窗口", "已调整高峰时段排班，增开临时窗口并设置取号提醒", "客户表示认可"),
    ("小区停气检修未提前通知，影响做饭", "distribution",
     "已说明系管网抢修临时停气", "已核实为第三方施工挖断管道，今后计划停气须提前24小时在小区张贴通知",
     "客户表示理解"),
    ("缴费后账户余额未及时更新", "customer_service",
     "已核实缴费记录，说明代收款到账时间", "已核实为代收数据延迟，现已入账，并向客户致歉", "客户满意"),
)
ENQUIRIES = (
    ("咨询居民阶梯气价标准", "已告知阶梯气量基数及各档价格，并提供价格公示资料"),
    ("咨询过户需要带哪些资料", "已告知需双方身份证复印件、房产证明及物业管理证明"),
    ("查询本月燃气费及缴费方式", "已查询并告知应缴金额，介绍营业厅、银行代收及手机缴费方式"),
    ("咨询燃气热水器安装要求", "已告知须由有资质单位安装，烟道必须伸出室外"),
    ("咨询暂停用气的办理条件", "已告知办理资料、是否需要封堵及收费标准"),
)


def open_data(drv: Driver, story: DemoStory, customer: DemoCustomer) -> Opening:
    channel = Channel.PHONE if drv.rng.random() < 0.5 else Channel.COUNTER
    caller = customer.phone if channel is Channel.PHONE else ""
    if story.route == "enquiry":
        content, answer = drv.rng.choice(ENQUIRIES)
        story.memo["answer"] = answer
        return Opening({"complaint_type": "enquiry", "content": content, "contact_phone": customer.phone},
                       channel=channel, caller_phone=caller)
    complaint = drv.rng.choice(COMPLAINTS)
    story.memo.update(complaint=complaint, department=complaint[1])
    data = {"complaint_type": "complaint", "content": complaint[0], "contact_phone": customer.phone}
    if drv.rng.random() < 0.5:
        data["respondent_department"] = complaint[1]
    return Opening(data, channel=channel, caller_phone=caller)


def payload(drv: Driver, story: DemoStory, i: int, move: str, customer: DemoCustomer) -> Payload:
    if move == "enquiry_answered":
        return {"answer": story.memo["answer"]}, ""
    complaint = story.memo["complaint"]
    if move == "refer":
        return {"department": complaint[1], "summary": f"客户反映：{complaint[0]}，请核实处理并答复"}, ""
    if move == "handled":
        return {"result": complaint[3]}, ""
    if move == "satisfied":
        return {"callback_note": f"电话回访，{complaint[4]}"}, ""
    if move == "explanation_accepted":
        return {"explanation": complaint[2]}, ""
    return {}, ""


DEMO = DemoPlan(
    routes={
        "enquiry": ("enquiry_answered",),
        "explained": ("explanation_accepted",),
        "one_round": ("refer", "handled", "review_passed", "satisfied"),
        "sent_back": ("refer", "handled", "review_failed", "handled", "review_passed", "satisfied"),
        "two_rounds": ("refer", "handled", "review_passed", "not_satisfied", "handled", "review_passed", "satisfied"),
        "three_rounds": ("refer", "handled", "review_passed", "not_satisfied", "handled", "review_passed",
                         "not_satisfied", "handled", "review_passed", "satisfied"),
    },
    volume={"enquiry": 30, "explained": 20, "one_round": 13, "sent_back": 3, "two_rounds": 5, "three_rounds": 2,
            "@cancel": 1},
    stalls={"handling": 12, "review": 3, "follow_up": 6},
    gaps={"enquiry_answered": (0.05, 0.3), "explanation_accepted": (0.1, 0.6), "refer": (0.1, 1.0),
          "handled": (18, 90), "review_passed": (1, 8), "review_failed": (1, 8), "satisfied": (6, 48),
          "not_satisfied": (6, 48)},
    reasons={"review_failed": ("处理结果未说明整改措施，请补充后重新报送", "未与客户核实情况，请联系客户后重新处理"),
             "not_satisfied": ("回访时客户表示问题仍未解决，要求再次处理", "客户对处理结果不认可，要求部门负责人答复",
                               "客户认为赔偿方案不合理，要求重新协商")},
    open_data=open_data,
    payload=payload,
)

"""What the form-facts tests share: a company profile the administrator edits after documents were
made, the staff renamed at the same time, and the PDF text a reprint must repeat."""

from __future__ import annotations

import dataclasses
import io
import re

from pypdf import PdfReader

from gasdesk.services.orders import OrderService
from gasdesk.services.settings import SettingsService
from gasdesk.services.staff import StaffService
from tests.helpers import Team, active_resident, make_team

NEW_METER = {"meter_number": "M-NEW-1", "meter_model": "JBD4", "meter_rating": "G4", "initial_reading": "0.5"}
FIRST = {"company.name": "黔中燃气有限公司", "company.short_name": "黔中燃气", "company.service_phone": "96001",
         "company.hall_address": "安顺市西秀区塔山路1号", "company.seal_text": "黔中燃气有限公司业务专用章",
         "hours.hall": "每日 9:00-17:00", "texts": {"acceptance_note": "本单为{company}受理凭证（第一版说明）。"}}
LATER = {"company.name": "安顺新城燃气有限公司", "company.short_name": "新城燃气", "company.service_phone": "96002",
         "company.hall_address": "安顺市开发区黄果树大街9号", "company.seal_text": "安顺新城燃气业务专用章",
         "hours.hall": "每日 8:00-18:00", "texts": {"acceptance_note": "本单为{company}受理凭证（第二版说明）。"}}
RENAMED = {"clerk": "李娜娜", "dispatcher": "刘洋洋", "manager": "王强强"}
NEW_WORDS = ("安顺新城燃气", "96002", "黄果树大街", "第二版说明", *RENAMED.values())


def profiled_team(app) -> Team:
    """The staff, with the company profile and texts the documents are first printed with."""
    team = make_team(app)
    SettingsService(app, team.admin).update(FIRST)
    return team


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def unmarked(text: str) -> str:
    """The extracted text without what a reprint changes: the print time and printer beside the
    header, and the 副本 marks. Everything else (spacing included) is compared as extracted."""
    text = re.sub(r"打印时间：[^\n]*\n", "", text)
    return "\n".join(line for line in text.split("\n") if not re.fullmatch(r"\s*副\s*本\s*", line))


def edit_profile_and_rename(app, team):
    """The administrator's edits; returns the team as they sign in afterwards, by their new names."""
    SettingsService(app, team.admin).update(LATER)
    staff = StaffService(app, team.admin)
    for who, name in RENAMED.items():
        staff.update(getattr(team, who).staff_id, name=name)
    return dataclasses.replace(team, **{who: dataclasses.replace(getattr(team, who), name=name)
                                        for who, name in RENAMED.items()})


def meter_change(app, team, clock, meter: str):
    """增容换表: opened and accepted by the clerk, the meter changed and the fee taken by the dispatcher."""
    c, act = active_resident(app, team, "周明", meter=meter)
    clerk = OrderService(app, team.clerk)
    o = clerk.open("capacity_change", c.id, documents=["id_copy"],
                   data={"direction": "increase", "requested_rating": "G4"})
    o = clerk.perform(o.id, "accept")
    clock.advance(hours=2)
    o = OrderService(app, team.dispatcher).perform(o.id, "meter_changed", {
        "final_reading": "3", **NEW_METER, "meter_number": f"{meter}-N", "fee": "150.00", "fee_method": "cash"})
    assert o.status == "archived"
    return o, act

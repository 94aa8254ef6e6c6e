"""The company profile (issue 17 item 2): the seed's company and numbers by default, each line with its
own hours on the forms, the administrator's audited first-run confirmation."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from gasdesk.models import AuditEntry
from gasdesk.services.errors import NotAllowed, Refused
from gasdesk.services.orders import OrderService
from gasdesk.services.printing import PrintService
from gasdesk.services.settings import SettingsService, profile_confirmed
from tests.helpers import make_team, resident


@pytest.fixture
def team(app):
    return make_team(app)


def flat(pdf: bytes) -> str:
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace(" ", "").replace("\n", "")


def printed(app, team, form: str = "safety_notice") -> str:
    clerk = OrderService(app, team.clerk)
    o = clerk.open("activation", resident(app, team.clerk).id, documents=["property_proof", "owner_id"])
    clerk.perform(o.id, "accept")
    return flat(PrintService(app, team.clerk).render(o.id, form))


def test_fresh_database_prints_the_seeds_company_and_numbers(app, team):
    text = printed(app, team)
    assert "贵州燃气集团安顺市燃气有限责任公司" in text
    assert "客服电话：96977（每日9:00-24:00）" in text  # the 96977 line's hours, not the hall's
    assert "抢修电话（24小时）：96977" in text
    assert "投诉电话：0851-33525106（工作日9:00-17:00）" in text
    for placeholder in ("示例市燃气", "96777", "86200000"):
        assert placeholder not in text
    # The hall has no hours until the administrator sets them: the form prints none rather than the line's.
    assert "营业厅：安顺市客户服务大厅" in text and "营业厅：安顺市客户服务大厅（" not in text


def test_confirmation_saves_the_edits_and_is_audited(app, team):
    assert not profile_confirmed(app)
    SettingsService(app, team.admin).confirm_profile({"hours.hall": "每日 8:30-17:30",
                                                      "company.hall_address": "安顺市西秀区中华南路 客户服务大厅"})
    assert profile_confirmed(app)
    text = printed(app, team)
    assert "营业厅：安顺市西秀区中华南路客户服务大厅（每日8:30-17:30）" in text
    with app.reading() as s:
        keys = {e.entity_id for e in s.scalars(select(AuditEntry).where(AuditEntry.entity == "setting"))}
    assert {"company.confirmed", "hours.hall", "company.hall_address"} <= keys


def test_a_bad_profile_confirms_nothing(app, team):
    svc = SettingsService(app, team.admin)
    with pytest.raises(Refused, match="公司名称不能为空") as refused:
        svc.confirm_profile({"company.name": "  ", "hours.hall": "每日 9:00-17:00"})
    assert refused.value.field == "company.name"
    assert not profile_confirmed(app) and svc.all()["hours.hall"] == ""
    with pytest.raises(Refused, match="没有这一项"):
        svc.confirm_profile({"fees.plugging": "1.00"})
    with pytest.raises(Refused, match="应为是或否"):
        svc.update({"company.confirmed": "是"})
    assert not profile_confirmed(app)


def test_only_an_administrator_confirms(app, team):
    with pytest.raises(NotAllowed):
        SettingsService(app, team.clerk).confirm_profile({"hours.hall": "每日 9:00-17:00"})
    assert not profile_confirmed(app)


def test_the_service_line_has_its_own_hours(app, team):
    svc = SettingsService(app, team.admin)
    with pytest.raises(Refused, match="客服电话受理时间：结束时间应晚于开始时间"):
        svc.update({"hours.service_line": "每日 18:00-09:00"})
    with pytest.raises(Refused, match="投诉受理时间：应写成"):
        svc.update({"hours.complaint": "周一到周五上班时间"})
    svc.update({"hours.service_line": "每日 8:00-22:00"})
    assert "客服电话：96977（每日8:00-22:00）" in printed(app, team)

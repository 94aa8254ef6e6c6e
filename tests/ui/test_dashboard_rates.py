"""管理驾驶舱 shows the published rates: this month's figures above the charts, and month by month as lines
beside the compliance rate (issue 17 item 6)."""

from __future__ import annotations

from datetime import datetime

import pytest

from gasdesk.ui.dashboard import ManagerDashboard
from tests.helpers import active_resident
from tests.test_published_rates import emergency, meter_service

pytestmark = pytest.mark.gui


def test_the_dashboard_shows_the_two_rates(qtbot, gui_app, gui_clock, team):  # type: ignore[no-untyped-def]
    c, act = active_resident(gui_app, team)
    assert act.account_id is not None
    emergency(gui_app, team, gui_clock, datetime(2026, 11, 27, 11, 0), True)
    emergency(gui_app, team, gui_clock, datetime(2026, 11, 27, 12, 0), True)
    meter_service(gui_app, team, gui_clock, datetime(2026, 11, 27, 13, 0), act.account_id, c.id)
    meter_service(gui_app, team, gui_clock, datetime(2026, 11, 27, 14, 0), act.account_id, c.id, rework=1)
    dash = ManagerDashboard(gui_app, team.manager)
    qtbot.addWidget(dash)
    dash.resize(1280, 720)
    dash.show()
    qtbot.waitUntil(lambda: dash.snapshot is not None, timeout=10000)
    text = dash.rates.text()
    assert "2026年11月" in text and "承诺100%" in text
    assert "抢险抢修一次处结率 100.0%（结案 2 件，一次处结 2 件）" in text
    assert "表具校验/更换合格率 50.0%（办结 2 件，返工 1 件）" in text
    first, passed = dash.rate_lines["一次处结率"], dash.rate_lines["表具合格率"]
    last = len(dash._months) - 1
    assert [(p.x(), p.y()) for p in first.points()] == [(float(last), 100.0)]  # months without calls: no point
    assert [(p.x(), p.y()) for p in passed.points()] == [(float(last), 50.0)]
    assert first in dash.trend_chart.series() and passed in dash.trend_chart.series()

"""用户信息更改: a change without new values is refused beside the form, then approved; refusal branch."""

from __future__ import annotations

from gasdesk.services.customers import CustomerService
from gasdesk.vocab import OrderStatus
from tests.helpers import active_resident
from tests.ui import steps
from tests.ui.driver import click, fill, wizard_next


def _opened(qtbot, gui_app, team, window, name):  # type: ignore[no-untyped-def]
    c, _ = active_resident(gui_app, team, name)
    clerk = window(team.clerk)
    wiz = steps.start_wizard(qtbot, clerk, "detail_change")
    steps.pick_customer(qtbot, wiz, name)
    steps.tick_documents(qtbot, wiz, ["id_copy"])
    steps.fill_application(qtbot, wiz)
    steps.submit(qtbot, wiz)
    return c, clerk, wiz


def test_detail_change_phone_and_contact(qtbot, gui_app, team, window, msgs):
    c, clerk, wiz = _opened(qtbot, gui_app, team, window, "何四")
    page = wiz.first_step_page
    click(qtbot, page.radios["approve"])
    wizard_next(qtbot, wiz)  # nothing new typed: refused, the wizard stays
    assert wiz.currentId() == 5
    assert "请至少填写一项" in page.forms["approve"].general_error.text()  # once, under the form
    assert not any("请至少填写一项" in t for t in msgs.texts())  # no box repeating it
    fill(qtbot, page.forms["approve"].form, {"new_phone": "0851-86201234", "new_contact_person": "何小四"})
    wizard_next(qtbot, wiz)
    qtbot.waitUntil(lambda: wiz.currentId() == 6)
    wizard_next(qtbot, wiz)
    order = wiz.order
    p = clerk.open_order(order.id)
    steps.act(qtbot, p, "details_changed")
    steps.act(qtbot, p, "agreement_signed")
    assert p.order.status is OrderStatus.ARCHIVED
    view = CustomerService(gui_app, team.manager).get(c.id)
    assert view.phone == "0851-86201234" and view.contact_person == "何小四"


def test_detail_change_refused(qtbot, gui_app, team, window, msgs):
    c, clerk, wiz = _opened(qtbot, gui_app, team, window, "吕五")
    order = steps.first_step(qtbot, wiz, "refuse", {"reason": "更名需提供法院判决书或公证材料"})
    assert order.status is OrderStatus.REJECTED

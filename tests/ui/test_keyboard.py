"""The counter part of every flow with the keyboard alone: Ctrl+N, arrows, typing, Tab, Space and Enter.

No mouse click and no setText: every key goes to the widget that has the focus, as it would at the
counter, so the focus chain, the default buttons and Enter in multi-line fields are what is tested.
Chinese is committed as an input method commits it.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import (
    QApplication,
    QWidget,
    QWizard,
)

from gasdesk.flows import ALL_FLOWS
from gasdesk.flows.definition import FieldKind
from gasdesk.services.orders import OrderService
from gasdesk.ui import wizard as wz
from gasdesk.ui.fields import FieldForm
from gasdesk.validation import make_resident_id
from gasdesk.vocab import AccountStatus
from tests.helpers import active_resident, business, resident

CTRL = Qt.KeyboardModifier.ControlModifier


def focus(qtbot) -> QWidget:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=6000)
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def key(qtbot, k: Qt.Key, mods: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClick(focus(qtbot), k, mods)


def typed(qtbot, text: str) -> None:  # type: ignore[no-untyped-def]
    """Type into the focused widget: ASCII key by key, Chinese as the input method commits it."""
    for run in re.findall(r"[\x20-\x7e]+|[^\x20-\x7e]+", text):
        widget = focus(qtbot)
        if run.isascii():
            qtbot.keyClicks(widget, run)
        else:
            event = QInputMethodEvent()
            event.setCommitString(run)
            QApplication.sendEvent(widget, event)


VALUES = {FieldKind.TEXT: "A-1", FieldKind.READING: "10", FieldKind.MONEY: "100", FieldKind.INT: "3",
          FieldKind.PHONE: "13912345678", FieldKind.MOBILE: "13912345678",
          FieldKind.ID_NUMBER: make_resident_id("520102", date(1985, 5, 5), 21)}


def fill_by_tab(qtbot, form: FieldForm, extra: dict[str, str] | None = None) -> None:  # type: ignore[no-untyped-def]
    """From the focused first field to the last: type what each required field needs, Tab on."""
    editors = {e.widget: e for e in form.editors.values()}
    for _ in range(len(form.editors)):
        widget = focus(qtbot)
        editor = editors.get(widget)
        assert editor is not None, f"the focus left the form at {widget!r}"
        f = editor.field
        wanted = (extra or {}).get(f.code)
        if wanted is None and f.required and editor.value() in (None, ""):
            wanted = "客户来电说明情况" if f.kind is FieldKind.LONG_TEXT else VALUES.get(f.kind)
        for i, line in enumerate((wanted or "").split("\n") if wanted else []):
            if i:
                key(qtbot, Qt.Key.Key_Return, CTRL)  # a new line in a multi-line field
            typed(qtbot, line)
        key(qtbot, Qt.Key.Key_Tab)


def wait_page(qtbot, wiz: wz.NewOrderWizard, page: int) -> None:  # type: ignore[no-untyped-def]
    """The page is shown and the cursor where the page puts it first."""
    qtbot.waitUntil(lambda: wiz.currentId() == page, timeout=4000)
    first = getattr(wiz.page(page), "first_focus", lambda: None)()
    if first is not None:
        qtbot.waitUntil(lambda: QApplication.focusWidget() is first, timeout=6000)


def open_wizard_by_keys(qtbot, win) -> wz.NewOrderWizard:  # type: ignore[no-untyped-def]
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win)
    qtbot.keyClick(win, Qt.Key.Key_N, CTRL)
    qtbot.waitUntil(lambda: win.wizard is not None and win.wizard.isVisible())
    wiz = win.wizard
    qtbot.waitUntil(lambda: QApplication.activeWindow() is wiz)
    return wiz


def choose_flow(qtbot, wiz: wz.NewOrderWizard, kind: str, *, go_on: bool = True) -> None:  # type: ignore[no-untyped-def]
    """↑↓ to the flow on the first page, then Enter (unless something else is chosen there first)."""
    wait_page(qtbot, wiz, wz.FLOW_PAGE)
    # the wizard's window takes the focus when the window system activates it: wait for that
    qtbot.waitUntil(lambda: QApplication.focusWidget() is wiz.flow_page.list, timeout=6000)
    key(qtbot, Qt.Key.Key_Home)
    for _ in range(list(ALL_FLOWS).index(kind)):
        key(qtbot, Qt.Key.Key_Down)
    assert wiz.flow_page.kind() == kind
    if go_on:
        key(qtbot, Qt.Key.Key_Return)


def customer_for(gui_app, team, kind: str):  # type: ignore[no-untyped-def]
    flow = ALL_FLOWS[kind]
    if flow.account_statuses is None:
        make = business if "non_residential" in flow.categories else resident
        return make(gui_app, team.clerk, "键盘测试户" if make is resident else "键盘测试公司")
    c, _ = active_resident(gui_app, team, "键盘测试户")
    if AccountStatus.ACTIVE not in flow.account_statuses:  # suspended first, through the suspension flow
        orders = OrderService(gui_app, team.clerk)
        o = orders.open("suspension", c.id, documents=["owner_id"], data={"suspend_from": "2026-11-27"})
        for code in ("accept", "without_plugging", "reader_notified"):
            o = orders.perform(o.id, code, {"reader_name": "抄表员"} if code == "reader_notified" else {})
    return c


# What the clerk decides at the first step beyond the suggestion: a residential customer becomes
# non-residential (↓ to the next choice); a change of details needs something changed.
FIRST_STEP_KEYS = {"type_change": [Qt.Key.Key_Down]}
FIRST_STEP_VALUES = {"detail_change": {"new_phone": "13800001111"}}


@pytest.mark.parametrize("kind", list(ALL_FLOWS))
def test_counter_part_with_keys_only(qtbot, gui_app, team, window, msgs, kind):
    flow = ALL_FLOWS[kind]
    customer = customer_for(gui_app, team, kind)
    clerk = window(team.clerk)
    wiz = open_wizard_by_keys(qtbot, clerk)
    choose_flow(qtbot, wiz, kind)

    wait_page(qtbot, wiz, wz.CUSTOMER_PAGE)
    assert focus(qtbot) is wiz.customer_page.search.edit
    typed(qtbot, customer.number)
    key(qtbot, Qt.Key.Key_Return)  # search
    assert wiz.currentId() == wz.CUSTOMER_PAGE
    assert wiz.customer_page.search.current_hit().customer.id == customer.id
    key(qtbot, Qt.Key.Key_Return)  # the same text again: 下一步 with the customer found

    if flow.documents:
        wait_page(qtbot, wiz, wz.DOCUMENTS_PAGE)
        for d in flow.documents:
            box = focus(qtbot)
            assert box is wiz.documents_page.checks[d.code]
            if d.required:
                key(qtbot, Qt.Key.Key_Space)
            key(qtbot, Qt.Key.Key_Tab)
        assert not wiz.documents_page.warning.isVisible()
        key(qtbot, Qt.Key.Key_Return)

    wait_page(qtbot, wiz, wz.FORM_PAGE)
    form = wiz.form_page.form
    assert form is not None
    fill_by_tab(qtbot, form, {"note": "first line\nsecond line"})  # 备注: Ctrl+Enter for the new line
    key(qtbot, Qt.Key.Key_Backtab)
    assert focus(qtbot) is form.editor("note")
    key(qtbot, Qt.Key.Key_Return)  # Enter in the multi-line 备注 goes on

    wait_page(qtbot, wiz, wz.CONFIRM_PAGE)
    assert wiz.note == "first line\nsecond line"
    key(qtbot, Qt.Key.Key_Return)  # 提交受理

    wait_page(qtbot, wiz, wz.FIRST_STEP_PAGE)
    order = wiz.order
    assert order is not None and order.kind == kind and order.customer_id == customer.id
    page = wiz.first_step_page
    for k in FIRST_STEP_KEYS.get(kind, []):
        key(qtbot, k)
    chosen = page.chosen()
    assert chosen != wz.SKIP, f"{kind}: nothing suggested at the first step"
    if chosen in page.forms:
        form = page.forms[chosen].form
        if any(e.field.required for e in form.editors.values()):  # the cursor starts in the form
            fill_by_tab(qtbot, form, FIRST_STEP_VALUES.get(kind))
        elif kind in FIRST_STEP_VALUES:  # the cursor starts on the choice: Tab into its form
            assert focus(qtbot) is page.radios[chosen]
            key(qtbot, Qt.Key.Key_Tab)
            fill_by_tab(qtbot, form, FIRST_STEP_VALUES[kind])
    assert focus(qtbot) not in (wiz.button(QWizard.WizardButton.BackButton), wiz.button(QWizard.WizardButton.CancelButton))
    key(qtbot, Qt.Key.Key_Return)  # 确定办理
    form = page.forms.get(chosen)
    qtbot.waitUntil(lambda: wiz.currentId() == wz.DONE_PAGE or (form is not None and form.general_error.isVisible()))
    assert wiz.currentId() == wz.DONE_PAGE, form.general_error.text() if form else ""
    wait_page(qtbot, wiz, wz.DONE_PAGE)
    assert focus(qtbot) is wiz.button(QWizard.WizardButton.FinishButton)
    key(qtbot, Qt.Key.Key_Return)  # 完成
    qtbot.waitUntil(lambda: not wiz.isVisible())

    done = OrderService(gui_app, team.admin).get(order.id)
    assert chosen in [h.action for h in done.history], f"{kind}: {chosen} not done"
    assert not msgs.texts("critical")
    assert clerk.session.drafts.load() is None  # submitted: no draft left behind

"""Issue 18: Tab follows the page as it reads. For every page of the new-business wizard of every flow,
every action's dialog, and the order, bill and inspection dialogs of the counter: Tab from where the
cursor starts, round the whole chain, visits every field there is, top to bottom and left to right in a
row, as they are placed in the window."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QCheckBox,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QScrollArea,
    QTextEdit,
    QWidget,
)

from gasdesk.flows import ALL_FLOWS
from gasdesk.services.orders import OrderService
from gasdesk.ui import wizard as wz
from gasdesk.ui.action_form import ActionDialog
from gasdesk.ui.billing_page import BillingPage
from gasdesk.ui.order_page import OrderPage
from tests.ui import steps
from tests.ui.driver import click, click_row, fill, type_into, wizard_next
from tests.ui.test_keyboard import VALUES, customer_for

INPUTS = (QLineEdit, QPlainTextEdit, QTextEdit, QComboBox, QAbstractSpinBox, QCheckBox, QRadioButton,
          QAbstractItemView)
LIMIT = 120  # Tab presses before giving up on a chain that never comes round


@dataclass(frozen=True)
class Place:
    name: str
    top: int
    left: int
    bottom: int

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2

    def beside(self, other: Place) -> bool:
        """On one row: each one's middle within the other's height (a combo box beside a taller field)."""
        return self.top <= other.middle <= self.bottom or other.top <= self.middle <= other.bottom

    def before(self, other: Place) -> bool:
        return self.left < other.left if self.beside(other) else self.middle < other.middle


def is_input(w: QWidget) -> bool:
    """A field the clerk fills or chooses (a combo or spin box's own line edit is the box's)."""
    if not isinstance(w, INPUTS) or isinstance(w, QHeaderView):
        return False
    return not (isinstance(w, QLineEdit) and isinstance(w.parent(), QComboBox | QAbstractSpinBox))


def name_of(w: QWidget) -> str:
    text = w.text() if isinstance(w, QAbstractButton) else ""
    return f"{type(w).__name__}:{w.objectName() or text or '?'}"


def place(w: QWidget, window: QWidget) -> Place:
    top_left = w.mapTo(window, QPoint(0, 0))
    return Place(name_of(w), top_left.y(), top_left.x(), top_left.y() + w.height())


def fields(window: QWidget) -> list[QWidget]:
    """The inputs Tab should reach: shown and enabled (of a group of radio buttons, the chosen one: the
    arrows move between them)."""
    return [w for w in window.findChildren(QWidget) if is_input(w) and w.isVisible() and w.isEnabled()
            and w.window() is window and not (isinstance(w, QRadioButton) and not w.isChecked())]


def tab_round(qtbot, window: QWidget, start: QWidget | None = None) -> list[QWidget]:  # type: ignore[no-untyped-def]
    """Tab from `start` (where the window put the cursor) until the chain comes round; the inputs met."""
    QApplication.processEvents()
    if start is not None:
        start.setFocus()
        qtbot.waitUntil(lambda: QApplication.focusWidget() is start)
    else:
        qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    seen: list[QWidget] = []
    for _ in range(LIMIT):
        widget = QApplication.focusWidget()
        assert widget is not None and widget.window() is window, f"Tab left the window at {widget!r}"
        if widget in seen:
            break
        seen.append(widget)
        qtbot.keyClick(widget, Qt.Key.Key_Tab)
    else:
        raise AssertionError("the Tab chain never came round")
    return [w for w in seen if is_input(w)]


def tab_problems(qtbot, window: QWidget, where: str, start: QWidget | None = None) -> list[str]:  # type: ignore[no-untyped-def]
    """What is wrong with the window's Tab order: fields never reached, and each step that goes back up
    the page or leftwards in a row (read round the chain from its topmost field)."""
    met = tab_round(qtbot, window, start)
    found = [f"{where}: Tab never reaches {name_of(w)}" for w in fields(window) if w not in met]
    for area in window.findChildren(QScrollArea):  # where the fields are on the page, not scrolled
        area.verticalScrollBar().setValue(0)
        area.horizontalScrollBar().setValue(0)
    places = [place(w, window) for w in met]
    if not places:
        return found
    first = min(range(len(places)), key=lambda i: (places[i].top, places[i].left))
    ring = places[first:] + places[:first]
    for a, b in zip(ring, ring[1:], strict=False):
        if not a.before(b):
            found.append(f"{where}: Tab goes from {a.name} ({a.top},{a.left}) back to {b.name} ({b.top},{b.left})")
    return found


def walk_dialog(qtbot, dialog: QWidget, where: str) -> list[str]:  # type: ignore[no-untyped-def]
    dialog.show()
    qtbot.waitUntil(dialog.isVisible)
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    found = tab_problems(qtbot, dialog, where)
    dialog.close()
    return found


def walk_page(qtbot, wiz: wz.NewOrderWizard, where: str) -> list[str]:  # type: ignore[no-untyped-def]
    page = wiz.currentPage()
    start = getattr(page, "first_focus", lambda: None)()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is wiz)
    return tab_problems(qtbot, wiz, where, start)


# --- the wizard, page by page, for every flow ------------------------------------------------------------

@pytest.mark.parametrize("kind", list(ALL_FLOWS))
def test_the_wizard_and_the_action_dialogs_of_every_flow_tab_as_they_read(qtbot, gui_app, team, window, msgs, kind):
    flow = ALL_FLOWS[kind]
    customer = customer_for(gui_app, team, kind)
    clerk = window(team.clerk)
    found: list[str] = []
    wiz = steps.start_wizard(qtbot, clerk, kind)
    wiz.back()
    qtbot.waitUntil(lambda: wiz.currentId() == wz.FLOW_PAGE)
    found += walk_page(qtbot, wiz, "选择业务")
    if flow.phone_intake:
        click(qtbot, wiz.flow_page.phone_radio)  # the caller's number joins the row
        found += walk_page(qtbot, wiz, "选择业务（来电）")
        click(qtbot, wiz.flow_page.counter_radio)
    wizard_next(qtbot, wiz)
    qtbot.waitUntil(lambda: wiz.currentId() == wz.CUSTOMER_PAGE)
    page = wiz.customer_page
    type_into(qtbot, page.search.edit, customer.number)
    qtbot.keyClick(page.search.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.search.model.rowCount() > 0)
    click_row(qtbot, page.search.view, 0)
    found += walk_page(qtbot, wiz, "客户")
    if page.new_radio.isEnabled():
        click(qtbot, page.new_radio)
        found += walk_page(qtbot, wiz, "新建客户")
        click(qtbot, page.existing_radio)
    wizard_next(qtbot, wiz)
    if flow.documents:
        qtbot.waitUntil(lambda: wiz.currentId() == wz.DOCUMENTS_PAGE)
        found += walk_page(qtbot, wiz, "资料")
        for code, box in wiz.documents_page.checks.items():
            if any(d.code == code and d.required for d in flow.documents):
                click(qtbot, box)
        wizard_next(qtbot, wiz)
    qtbot.waitUntil(lambda: wiz.currentId() == wz.FORM_PAGE)
    found += walk_page(qtbot, wiz, "申请内容")
    form = wiz.form_page.form
    assert form is not None
    fill(qtbot, form, {e.field.code: VALUES.get(e.field.kind, "客户说明")
                       for e in form.editors.values() if e.field.required and e.value() in (None, "")})
    wizard_next(qtbot, wiz)
    order = steps.submit(qtbot, wiz)
    first = wiz.first_step_page
    for radio in first.radios.values():
        if radio.isEnabled():
            click(qtbot, radio)
            start = first.first_focus()
            found += tab_problems(qtbot, wiz, f"第一个环节：{radio.text()}", start)
    wiz.reject()

    # every action of the flow, in its dialog (fields, reason, note), opened on this order
    session = clerk.session
    view = OrderService(gui_app, team.admin).get(order.id)
    for step in flow.steps:
        for action in step.actions:
            dialog = ActionDialog(session, view, action, parent=clerk)
            found += walk_dialog(qtbot, dialog, f"{step.label} › {action.label}")
    assert found == []


# --- the order page's and the bill page's own dialogs ------------------------------------------------

def test_the_order_and_bill_dialogs_tab_as_they_read(qtbot, gui_app, team, window, msgs):
    activation, suspension = steps.account_order(gui_app, team, "对话框户", "suspension",
                                                 {"suspend_from": "2026-11-27"})
    clerk = window(team.clerk)
    found: list[str] = []
    page = OrderPage(clerk.session, suspension.id, clerk)
    qtbot.addWidget(page)
    page.show()
    for opener, where in ((page.edit_documents, "资料清单"), (page.correct_field, "更正登记内容"),
                          (page.ask_pause, "暂停计时")):
        opener()
        dialog = page.dialog
        assert dialog is not None, where
        found += walk_dialog(qtbot, dialog, where)
    page.close()

    bills = BillingPage(clerk.session, activation.customer_id)
    qtbot.addWidget(bills)
    bills.show()
    for name, where in (("prepay_button", "预存"), ("reading_button", "录入读数")):
        button = getattr(bills, name)
        if button.isVisible() and button.isEnabled():
            click(qtbot, button)
            qtbot.waitUntil(lambda: bills.dialog is not None and bills.dialog.isVisible())
            found += walk_dialog(qtbot, bills.dialog, where)
    assert found == []


def test_the_inspection_result_and_rectify_dialogs_tab_as_they_read(qtbot, gui_app, gui_clock, team, window, msgs):
    from gasdesk.ui.inspection import ResultDialog
    from tests.ui.test_inspection import opened_plan

    _c, _a, order_id = opened_plan(gui_app, team, gui_clock, "安检户")
    clerk = window(team.clerk)
    view = OrderService(gui_app, team.admin).get(order_id)
    found: list[str] = []
    dialog = ResultDialog(clerk.session, view, clerk)
    found += walk_dialog(qtbot, dialog, "检查结果")
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    for code, button in dialog.outcome_buttons.items():  # chosen as the clerk chooses: the fields follow
        click(qtbot, button)
        found += tab_problems(qtbot, dialog, f"检查结果：{code}", button)
    dialog.close()
    assert found == []


def test_the_check_sees_a_field_out_of_turn_and_a_field_never_reached(qtbot):
    from PySide6.QtWidgets import QDialog, QFormLayout

    dialog = QDialog()
    qtbot.addWidget(dialog)
    form = QFormLayout(dialog)
    first, second, third = QLineEdit(), QLineEdit(), QLineEdit()
    for i, edit in enumerate((first, second, third)):
        edit.setObjectName(f"edit{i + 1}")
        form.addRow(f"第{i + 1}项：", edit)
    QWidget.setTabOrder(first, third)  # 1 → 3 → 2: the third before the second
    QWidget.setTabOrder(third, second)
    found = walk_dialog(qtbot, dialog, "试验")
    assert any("edit3" in f and "edit2" in f for f in found), found
    second.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # reached by the mouse only
    assert any("never reaches QLineEdit:edit2" in f for f in walk_dialog(qtbot, dialog, "试验"))

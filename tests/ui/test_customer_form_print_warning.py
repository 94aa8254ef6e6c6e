"""The customer form points out, beside the field, a character no print font has, as it is typed."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel

from gasdesk.reports.fonts import find_fallback_font_file
from gasdesk.ui.customer_form import CustomerForm
from tests.ui.driver import type_into

YOSHI = "\U00020bb7"  # 𠮷: the fallback font prints it
NO_FONT_HAS = "\U00031350"  # CJK Extension H: in no print font

pytestmark = pytest.mark.skipif(find_fallback_font_file() is None, reason="fonts-hanazono not installed")


def test_the_customer_form_warns_beside_the_field(qtbot):
    form = CustomerForm()
    qtbot.addWidget(form)
    form.show()
    name = form.edit("name")
    warning = form.findChild(QLabel, "customer_name_print_warning")
    assert warning is not None
    type_into(qtbot, name, f"{YOSHI}田")
    assert not warning.isVisible()
    type_into(qtbot, name, f"{YOSHI}田{NO_FONT_HAS}")
    assert warning.isVisible() and "无法打印" in warning.text() and "U+31350" in warning.text()
    type_into(qtbot, name, "张伟")
    assert not warning.isVisible()
    type_into(qtbot, form.edit("address"), f"示例路{NO_FONT_HAS}号")
    address_warning = form.findChild(QLabel, "customer_address_print_warning")
    assert address_warning is not None and address_warning.isVisible()

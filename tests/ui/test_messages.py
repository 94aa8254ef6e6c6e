"""Errors a clerk understands: a service refusal shows its Chinese message; anything else is logged."""

from __future__ import annotations

import logging

from gasdesk.services.errors import Refused
from gasdesk.ui import messages


def test_refusal_shows_its_message(msgs):
    messages.report(None, Refused("该客户已注销，不能办理新业务"))
    assert msgs.shown == [("warning", "该客户已注销，不能办理新业务")]


def test_unexpected_error_is_logged_and_explained(msgs, caplog):
    with caplog.at_level(logging.ERROR, logger="gasdesk.ui"):
        try:
            raise RuntimeError("disk I/O error")
        except RuntimeError as exc:
            messages.report(None, exc)
    kind, text = msgs.shown[0]
    assert kind == "critical" and text.startswith("操作未能完成") and "disk I/O error" in text
    assert any(r.exc_info and "disk I/O error" in str(r.exc_info[1]) for r in caplog.records)

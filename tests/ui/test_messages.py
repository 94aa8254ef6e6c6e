"""Errors a clerk understands: a service refusal shows its Chinese message; anything else is logged."""

from __future__ import annotations

import logging
import re

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
    assert kind == "critical" and text.startswith("操作未能完成") and "错误编号" in text
    assert not re.search(r"[A-Za-z]{3}", text)  # no English on the clerk's screen
    assert any("disk I/O error" in r.getMessage() and "RuntimeError" in r.getMessage() for r in caplog.records)


def test_a_database_error_shows_and_logs_no_values(msgs, caplog, tmp_path):
    from sqlalchemy.exc import DataError

    from gasdesk.ui.logs import setup_logging

    secret = "520102198001011234"
    log_file = setup_logging(tmp_path / "gasdesk.log")
    exc = DataError("INSERT INTO customer (name, id_number) VALUES (%(name)s, %(id_number)s)",
                    {"name": "张伟", "id_number": secret},
                    ValueError(f"value too long for type character varying(30) DETAIL: {secret}"))
    with caplog.at_level(logging.ERROR, logger="gasdesk.ui"):
        try:
            raise exc
        except DataError as raised:
            messages.report(None, raised)
    for handler in logging.getLogger().handlers:
        handler.flush()
    kind, text = msgs.shown[0]
    written = log_file.read_text(encoding="utf-8")
    assert secret not in text and secret not in written and "张伟" not in written
    assert "DataError" in written and "INSERT INTO customer" in written  # its shape is there
    assert oct(log_file.stat().st_mode & 0o777) == "0o600"
    logging.getLogger().removeHandler(next(h for h in logging.getLogger().handlers
                                           if getattr(h, "baseFilename", "") == str(log_file)))

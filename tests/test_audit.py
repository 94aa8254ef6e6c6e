"""The audit trail: every change is recorded, chained, and tampering is found."""

from __future__ import annotations

from sqlalchemy import func, select, text

from gasdesk.models import AuditEntry
from gasdesk.services import audit
from tests.helpers import active_resident, make_team


def test_changes_are_audited_and_the_chain_verifies(app):
    team = make_team(app)
    c, o = active_resident(app, team)
    with app.reading() as s:
        entities = set(s.scalars(select(AuditEntry.entity)))
        assert {"customer", "account", "meter", "service_order", "staff"} <= entities
        activation = s.scalar(select(AuditEntry).where(AuditEntry.entity == "account",
                                                       AuditEntry.action.like("activate%")))
        assert activation.changes["status"] == ["applying", "active"] and activation.staff_id == team.dispatcher.staff_id
        assert audit.verify(s) == (True, None, "审计链完整")


def test_an_edited_row_is_caught(app):
    team = make_team(app)
    active_resident(app, team)
    with app.unit_of_work() as s:
        s.execute(text("UPDATE audit_log SET action = 'nothing' WHERE id = 5"))
    with app.reading() as s:
        ok, row, why = audit.verify(s)
    assert (ok, row) == (False, 5) and "修改" in why


def test_a_deleted_row_is_caught(app):
    team = make_team(app)
    active_resident(app, team)
    with app.reading() as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry)) > 8
    with app.unit_of_work() as s:
        s.execute(text("DELETE FROM audit_log WHERE id = 7"))
    with app.reading() as s:
        ok, row, why = audit.verify(s)
    assert (ok, row) == (False, 8) and "缺失" in why


def test_a_rewritten_link_is_caught(app):
    team = make_team(app)
    active_resident(app, team)
    with app.unit_of_work() as s:
        s.execute(text("UPDATE audit_log SET prev_hash = :h WHERE id = 3"), {"h": "f" * 64})
    with app.reading() as s:
        ok, row, _ = audit.verify(s)
    assert (ok, row) == (False, 3)


def test_cli_audit_verify_exit_code_names_the_first_broken_row(app, capsys):
    from gasdesk.cli import main

    team = make_team(app)
    active_resident(app, team)
    assert main(["--db", app.url, "audit", "verify"]) == 0
    assert "审计链完整" in capsys.readouterr().out
    with app.unit_of_work() as s:
        s.execute(text("UPDATE audit_log SET changes = :c WHERE id = 6"), {"c": '{"balance": ["0", "999"]}'})
    assert main(["--db", app.url, "audit", "verify"]) == 1
    assert "记录 6" in capsys.readouterr().out

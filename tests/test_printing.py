"""Printing real orders: every form of a flow from the services, reprints marked and logged, the CLI."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from gasdesk.cli import main
from gasdesk.flows import FLOWS
from gasdesk.services.errors import Refused
from gasdesk.services.orders import OrderService
from gasdesk.services.printing import PrintService
from gasdesk.services.settings import SettingsService
from tests.helpers import active_resident, make_team


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def closed_order(app):
    """A closure with a refund and a removal fee: many forms, two receipts."""
    team = make_team(app)
    SettingsService(app, team.admin).update({"company.name": "黔城燃气有限公司"})
    c, act = active_resident(app, team, "王小明", meter="M-P1", balance=Decimal("66.60"))
    clerk, dispatcher = OrderService(app, team.clerk), OrderService(app, team.dispatcher)
    o = clerk.open("closure", c.id, documents=["id_copy", "property_proof", "property_mgmt"])
    for action, payload in [("documents_ok", {}), ("application_signed", {}), ("settled", {"settle_method": "cash"}),
                            ("removal", {})]:
        o = clerk.perform(o.id, action, payload)
    o = dispatcher.perform(o.id, "work_done", {"final_reading": "12.5", "fee": "120", "fee_method": "card"})
    return app, team, o


def test_every_form_of_the_order_prints_with_its_data(closed_order):
    app, team, o = closed_order
    printer = PrintService(app, team.clerk)
    forms = printer.forms_for(o.id)
    codes = [f.code for f in forms]
    # the counter's refund, then at the visit the final bill collected and the removal fee
    assert codes == ["acceptance", "closure_application", "removal_work", "receipt", "receipt", "receipt"]
    for form in forms:
        text = text_of(printer.render(o.id, form.code, payment_id=form.payment_id))
        for needle in ("黔城燃气有限公司", o.number, "王小明"):
            assert needle in text, (form.code, needle)
    receipts = [f for f in forms if f.code == "receipt"]
    refund = text_of(printer.render(o.id, "receipt", payment_id=receipts[0].payment_id))
    assert "66.60" in refund and "陆拾陆元陆角" in refund and "副本" in refund
    fee = text_of(PrintService(app, team.clerk).render(o.id, "receipt", payment_id=receipts[2].payment_id))
    assert "壹佰贰拾元整" in fee
    # both receipts of the visit repeat the visit's whole settlement: 12.5 m³ billed 33.13, collected, fee
    visit = text_of(printer.render(o.id, "receipt", payment_id=receipts[1].payment_id))
    for text in (visit, fee):
        flat = "".join(text.split())
        assert "结算明细" in flat and "12.500m³×2.65元=33.13元" in flat and "收取欠费" in flat, flat


def test_reprints_are_copies_and_logged(closed_order):
    app, team, o = closed_order
    printer = PrintService(app, team.clerk)
    assert "副本" not in text_of(printer.render(o.id, "removal_work"))
    assert "副本" in text_of(printer.render(o.id, "removal_work"))
    history = OrderService(app, team.clerk).get(o.id).history
    prints = [h for h in history if h.action == "print"]
    assert [h.data["copy"] for h in prints] == [False, True] and prints[1].note == "副本"
    assert [f.printed_before for f in printer.forms_for(o.id) if f.code == "removal_work"] == [True]


def test_a_form_outside_the_flow_is_refused_and_nothing_logged(closed_order):
    app, team, o = closed_order
    before = len(OrderService(app, team.clerk).get(o.id).history)
    with pytest.raises(Refused, match="没有"):
        PrintService(app, team.clerk).render(o.id, "meter_change")
    assert len(OrderService(app, team.clerk).get(o.id).history) == before


@pytest.mark.parametrize("kind", sorted(FLOWS))
def test_each_flow_lists_only_forms_it_defines(kind):
    flow = FLOWS[kind]
    assert "acceptance" in flow.forms


def test_cli_prints_all_forms_and_one_form(closed_order, tmp_path, capsys):
    app, team, o = closed_order
    out = tmp_path / "all.pdf"
    assert main(["--db", app.url, "print", o.number, "--out", str(out)]) == 0
    assert len(PdfReader(str(out)).pages) >= 5
    one = tmp_path / "one.pdf"
    assert main(["--db", app.url, "print", o.number, "--out", str(one), "--form", "closure_application"]) == 0
    assert "销户申请表" in text_of(one.read_bytes())
    assert main(["--db", app.url, "print", "XX-1", "--out", str(one)]) == 1
    assert "不存在" in capsys.readouterr().err


def test_without_a_font_nothing_is_logged_as_printed(closed_order, tmp_path, monkeypatch):
    from gasdesk.reports import fonts
    from gasdesk.reports.fonts import FontNotFoundError

    app, team, o = closed_order
    printer = PrintService(app, team.clerk)
    monkeypatch.setattr(fonts, "_by_request", {})
    monkeypatch.setattr(fonts, "system_font_paths", lambda: [])
    monkeypatch.setattr(fonts, "fontconfig_paths", lambda: [])
    SettingsService(app, team.admin).update({"printing.font_path": str(tmp_path / "missing.ttf")})
    with pytest.raises(FontNotFoundError):
        printer.render(o.id, "removal_work")
    assert not any(f.printed_before for f in printer.forms_for(o.id))


def test_the_pdf_is_laid_out_outside_the_write_transaction(closed_order, monkeypatch):
    """Another counter can write while the PDF is being made (SQLite locks the whole file)."""
    from gasdesk.reports import forms as form_package

    app, team, o = closed_order
    real = form_package.render_forms

    def render_while_another_counter_writes(contexts, **kw):
        SettingsService(app, team.admin).update({"company.name": "另一台电脑改的名字"})
        return real(contexts, **kw)

    monkeypatch.setattr(form_package, "render_forms", render_while_another_counter_writes)
    PrintService(app, team.clerk).render(o.id, "removal_work")
    assert [f.printed_before for f in PrintService(app, team.clerk).forms_for(o.id) if f.code == "removal_work"] == [True]


def test_a_form_that_cannot_be_laid_out_is_not_logged_as_printed(closed_order, monkeypatch):
    from gasdesk.reports import forms as form_package

    app, team, o = closed_order

    def fail(contexts, **kw):
        raise RuntimeError("layout failed")

    monkeypatch.setattr(form_package, "render_forms", fail)
    with pytest.raises(RuntimeError):
        PrintService(app, team.clerk).render(o.id, "removal_work")
    assert not any(f.printed_before for f in PrintService(app, team.clerk).forms_for(o.id))


def test_a_print_by_another_counter_meanwhile_makes_this_one_a_copy(closed_order, monkeypatch):
    from gasdesk.reports import forms as form_package

    app, team, o = closed_order
    real = form_package.render_forms
    other_counter = {"printed": False}

    def render_while_another_counter_prints(contexts, **kw):
        if not other_counter["printed"]:
            other_counter["printed"] = True
            PrintService(app, team.manager).render(o.id, "removal_work")
        return real(contexts, **kw)

    monkeypatch.setattr(form_package, "render_forms", render_while_another_counter_prints)
    mine = text_of(PrintService(app, team.clerk).render(o.id, "removal_work"))
    assert "副本" in mine
    copies = [f for f in PrintService(app, team.clerk).forms_for(o.id) if f.code == "removal_work"]
    assert [f.printed_before for f in copies] == [True]


def test_the_same_form_twice_in_a_batch_prints_an_original_and_a_copy(closed_order):
    app, team, o = closed_order
    pdf = PrintService(app, team.clerk).render_batch([(o.id, "removal_work", None), (o.id, "removal_work", None)])
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    assert len(pages) == 2 and "副本" not in pages[0] and "副本" in pages[1]

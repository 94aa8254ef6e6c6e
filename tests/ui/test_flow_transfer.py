"""客户过户: documents, application with the new owner, prepaid balance refunded, records switched, agreement."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from gasdesk.services.customers import CustomerService
from gasdesk.services.payments import PaymentService
from gasdesk.validation import make_resident_id
from gasdesk.vocab import AccountStatus, CustomerStatus, OrderStatus, PaymentKind
from tests.helpers import active_resident
from tests.ui import steps

DOCS = ["both_ids", "property_proof", "property_mgmt"]


def test_transfer_refunds_and_moves_the_meter(qtbot, gui_app, team, window, msgs):
    old, _ = active_resident(gui_app, team, "秦一", meter="TR-0001", balance=Decimal("66.50"))
    clerk = window(team.clerk)
    wiz = steps.start_wizard(qtbot, clerk, "transfer")
    steps.pick_customer(qtbot, wiz, "秦一")
    steps.tick_documents(qtbot, wiz, DOCS)
    steps.fill_application(qtbot, wiz)
    charges = wiz.confirm_page.summary.text()
    assert "末次气费" in charges and "66.50" in charges and "办理该环节前逐项显示" in charges
    steps.submit(qtbot, wiz)
    order = steps.first_step(qtbot, wiz, "documents_ok")
    page = clerk.open_order(order.id)
    new_id = make_resident_id("520103", date(1990, 5, 6), 77)
    steps.act(qtbot, page, "application_signed", {"new_name": "许二", "new_id_type": "resident_id",
                                                  "new_id_number": new_id, "new_phone": "13800001111"})
    steps.act(qtbot, page, "settled", {"settle_method": "transfer", "final_reading": "0"})
    steps.act(qtbot, page, "owner_switched")
    steps.act(qtbot, page, "agreement_signed")
    assert page.order.status is OrderStatus.ARCHIVED

    customers = CustomerService(gui_app, team.admin)
    assert customers.get(old.id).status is CustomerStatus.CLOSED
    new = customers.get(int(page.order.data["new_customer_id"]))
    assert new.name == "许二" and new.predecessor_id == old.id
    moved = customers.accounts(new.id)[0]
    assert moved.status is AccountStatus.ACTIVE and moved.meter_number == "TR-0001"
    refunds = [p for p in PaymentService(gui_app, team.admin).for_customer(old.id) if p.kind is PaymentKind.REFUND]
    assert [p.amount for p in refunds] == [Decimal("66.50")]


def test_transfer_refused(qtbot, gui_app, team, window, msgs):
    active_resident(gui_app, team, "尤三")
    clerk = window(team.clerk)
    wiz = steps.start_wizard(qtbot, clerk, "transfer")
    steps.pick_customer(qtbot, wiz, "尤三")
    steps.tick_documents(qtbot, wiz, ["both_ids", "property_proof"])
    steps.fill_application(qtbot, wiz)
    steps.submit(qtbot, wiz)
    done = steps.first_step(qtbot, wiz, "refuse")
    assert done.status is OrderStatus.REJECTED and "物业管理证明" in done.reason

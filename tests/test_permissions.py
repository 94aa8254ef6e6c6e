"""Every protected action is refused through the services for a role without the permission."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from gasdesk.permissions import ROLE_PERMISSIONS, Permission
from gasdesk.services.bank import BankService
from gasdesk.services.calendar import CalendarService
from gasdesk.services.context import Actor
from gasdesk.services.customers import CustomerInput, CustomerService
from gasdesk.services.errors import NotAllowed, Refused
from gasdesk.services.orders import OrderService
from gasdesk.services.payments import PaymentService
from gasdesk.services.printing import PrintService
from gasdesk.services.settings import SettingsService
from gasdesk.services.staff import StaffService
from gasdesk.validation import make_resident_id
from gasdesk.vocab import Role
from tests.helpers import active_resident, make_team, resident


@pytest.fixture
def world(app):
    team = make_team(app)
    customer, order = active_resident(app, team, balance=Decimal("10"))
    payment = PaymentService(app, team.clerk).for_customer(customer.id)[0]
    return app, team, customer, order, payment


def as_role(team, role: Role) -> Actor:
    """The team's member in that role (a service checks the role against the staff list)."""
    return next(a for a in (team.admin, team.clerk, team.manager, team.account_manager, team.dispatcher,
                            team.handler) if a.role is role)


CALLS = {
    Permission.OPEN_ORDER: lambda app, a, c, o, p: OrderService(app, a).open(
        "complaint", c.id, data={"complaint_type": "enquiry", "content": "x", "contact_phone": "13900000000"}),
    Permission.EDIT_CUSTOMER: lambda app, a, c, o, p: CustomerService(app, a).create(CustomerInput(
        name="新客户", id_number=make_resident_id("520102", date(1990, 1, 1), 5), phone="13900000001",
        address="某地")),
    Permission.TAKE_PAYMENT: lambda app, a, c, o, p: PaymentService(app, a).prepay(o.account_id, "5", "cash"),
    Permission.REVERSE_PAYMENT: lambda app, a, c, o, p: PaymentService(app, a).reverse(p.id, "错收"),
    Permission.PAUSE_CLOCK: lambda app, a, c, o, p: OrderService(app, a).pause_clock(o.id, "客户原因"),
    Permission.VIEW_FULL_ID: lambda app, a, c, o, p: CustomerService(app, a).reveal(c.id),
    Permission.EDIT_SETTINGS: lambda app, a, c, o, p: SettingsService(app, a).update({"company.name": "某公司"}),
    Permission.EDIT_CALENDAR: lambda app, a, c, o, p: CalendarService(app, a).set_day(date(2027, 1, 2), True),
    Permission.MANAGE_STAFF: lambda app, a, c, o, p: StaffService(app, a).reset_password(1, "new-pass-1"),
    Permission.PRINT_FORMS: lambda app, a, c, o, p: PrintService(app, a).render(o.id, "acceptance"),
    Permission.BANK_FILES: lambda app, a, c, o, p: BankService(app, a).preview_run("GH", "2026-12"),
}


@pytest.mark.parametrize("permission", list(CALLS), ids=str)
def test_roles_without_the_permission_are_refused(world, permission):
    app, team, customer, order, payment = world
    for role in Role:
        actor = as_role(team, role)
        if permission in ROLE_PERMISSIONS[role]:
            continue
        with pytest.raises(NotAllowed, match="无权"):
            CALLS[permission](app, actor, customer, order, payment)


@pytest.mark.parametrize("permission", [Permission.TAKE_PAYMENT, Permission.REVERSE_PAYMENT,
                                        Permission.VIEW_FULL_ID, Permission.PAUSE_CLOCK], ids=str)
def test_a_permitted_role_gets_through(world, permission):
    app, team, customer, order, payment = world
    role = next(r for r in Role if permission in ROLE_PERMISSIONS[r] and r is not Role.ADMIN)
    try:
        CALLS[permission](app, as_role(team, role), customer, order, payment)
    except Refused as exc:  # allowed, but the business rules may still say no (e.g. an archived order)
        assert "无权" not in exc.message


def test_flow_steps_are_refused_to_other_roles(app):
    team = make_team(app)
    c = resident(app, team.clerk)
    o = OrderService(app, team.clerk).open("activation", c.id, documents=["property_proof", "owner_id"])
    o = OrderService(app, team.clerk).perform(o.id, "accept")
    for role in (Role.CLERK, Role.ACCOUNT_MANAGER, Role.HANDLER):
        with pytest.raises(Refused, match="无权"):
            OrderService(app, as_role(team, role)).perform(o.id, "work_done", {})


def test_search_results_are_masked_unless_permitted_and_reveal_is_audited(app):
    from sqlalchemy import select

    from gasdesk.models import AuditEntry

    team = make_team(app)
    c = resident(app, team.clerk, "张伟")
    clerk_view = CustomerService(app, team.clerk).search("张伟").hits[0].customer
    assert "*" in clerk_view.id_number and clerk_view.id_number[-4:] == c.id_number[-4:]
    assert "****" in clerk_view.phone and clerk_view.masked
    full = CustomerService(app, team.manager).reveal(c.id)
    assert "*" not in full.id_number and full.id_number[-4:] == clerk_view.id_number[-4:]
    with app.reading() as s:
        seen = s.scalars(select(AuditEntry).where(AuditEntry.action == "view_personal_data")).all()
        assert [e.staff_id for e in seen] == [team.manager.staff_id]

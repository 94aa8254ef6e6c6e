"""The signed-in clerk's handle on the services, shared by every page of one main window."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from gasdesk.permissions import Permission
from gasdesk.services.calendar import CalendarService
from gasdesk.services.context import Actor, App
from gasdesk.services.customers import CustomerService
from gasdesk.services.orders import OrderService
from gasdesk.services.payments import PaymentService
from gasdesk.services.settings import SettingsService
from gasdesk.services.staff import StaffService
from gasdesk.services.worklists import WorklistService
from gasdesk.ui.drafts import DraftStore, drafts_folder
from gasdesk.workdays import WorkCalendar


class UiSession(QObject):
    """App + actor, service factories, and a signal fired whenever a page changed data."""

    changed = Signal()
    # Requests any page may make; the main window opens the order page, customer page or wizard.
    order_requested = Signal(int)
    customer_requested = Signal(int)
    new_business_requested = Signal(object, object)  # flow kind or None, customer id or None

    def __init__(self, app: App, actor: Actor, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.app = app
        self.actor = actor
        self.service_app = app.acting(actor)
        self._settings: dict[str, Any] | None = None
        self._departments: list[tuple[str, str]] | None = None
        # The calendar reminder shown at sign-in was put off ("稍后提醒"): the dashboard keeps it instead.
        self.reminder_put_off = False
        # The main window's shortcuts (Ctrl+N, Ctrl+F, Alt+1…), given to every window it opens.
        self.shortcuts: list[QAction] = []
        self._drafts: DraftStore | None = None

    # services -----------------------------------------------------------------------------
    @property
    def customers(self) -> CustomerService:
        return CustomerService(self.service_app, self.actor)

    @property
    def orders(self) -> OrderService:
        return OrderService(self.service_app, self.actor)

    @property
    def worklists(self) -> WorklistService:
        return WorklistService(self.service_app, self.actor)

    @property
    def payments(self) -> PaymentService:
        return PaymentService(self.service_app, self.actor)

    @property
    def calendar(self) -> CalendarService:
        return CalendarService(self.service_app, self.actor)

    @property
    def settings_service(self) -> SettingsService:
        return SettingsService(self.service_app, self.actor)

    @property
    def staff(self) -> StaffService:
        return StaffService(self.service_app, self.actor)

    @property
    def drafts(self) -> DraftStore:
        """This clerk's unfinished wizard on this PC (gasdesk/ui/drafts.py)."""
        if self._drafts is None:
            self._drafts = DraftStore(drafts_folder(), self.actor.staff_id, self.app.url)
        return self._drafts

    def adopt(self, window: QWidget) -> None:
        """A window of its own (an order, a customer, the bills) answers the main window's shortcuts too."""
        window.addActions(self.shortcuts)

    # helpers ------------------------------------------------------------------------------
    def now(self) -> datetime:
        return self.app.clock.now()

    def work_calendar(self) -> WorkCalendar:
        """The office calendar (cached by the App; read again after a minute): counts working days left."""
        return self.app.calendar()

    def can(self, permission: Permission) -> bool:
        return self.actor.can(permission)

    def settings(self) -> dict[str, Any]:
        if self._settings is None:
            self._settings = self.settings_service.all()
        return self._settings

    def departments(self) -> list[tuple[str, str]]:
        if self._departments is None:
            self._departments = self.staff.departments()
        return self._departments

    def notify_changed(self) -> None:
        """Data changed: settings are read again and open pages refresh."""
        self._settings = None
        self.changed.emit()

    @property
    def who(self) -> str:
        return f"{self.actor.name}（{self.actor.role.label}）"

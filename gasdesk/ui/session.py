"""The signed-in clerk's handle on the services, shared by every page of one main window."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, Generic, TypeVar, overload

from PySide6.QtCore import QAbstractEventDispatcher, QObject, Signal
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

S = TypeVar("S")


class _Service(Generic[S]):
    """A service of the signed-in clerk read off the session (`session.orders`), made afresh at each use."""

    def __init__(self, make: Callable[[App, Actor], S]) -> None:
        self.make = make

    @overload
    def __get__(self, session: None, owner: type[UiSession]) -> _Service[S]: ...

    @overload
    def __get__(self, session: UiSession, owner: type[UiSession] | None = None) -> S: ...

    def __get__(self, session: UiSession | None, owner: type[UiSession] | None = None) -> S | _Service[S]:
        return self if session is None else self.make(session.service_app, session.actor)


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
    customers = _Service(CustomerService)
    orders = _Service(OrderService)
    worklists = _Service(WorklistService)
    payments = _Service(PaymentService)
    calendar = _Service(CalendarService)
    settings_service = _Service(SettingsService)
    staff = _Service(StaffService)

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

    @contextmanager
    def one_action(self) -> Iterator[None]:
        """A window opened or refreshed: its reads check the clerk's staff record once, not one by one.
        The trust ends as soon as the event loop waits for input (a message box, a nested wait): whatever
        the clerk does next is checked anew, so a disabled account is refused at its next action."""
        with self.service_app.one_action() as action:
            dispatcher = QAbstractEventDispatcher.instance()
            if dispatcher is not None:
                dispatcher.aboutToBlock.connect(action.forget)
            try:
                yield
            finally:
                if dispatcher is not None:
                    dispatcher.aboutToBlock.disconnect(action.forget)

    def notify_changed(self) -> None:
        """Data changed: settings are read again and open pages refresh."""
        self._settings = None
        self.changed.emit()

    @property
    def who(self) -> str:
        return f"{self.actor.name}（{self.actor.role.label}）"

"""Who may do what. Checked in the service layer; the window only mirrors it."""

from __future__ import annotations

from enum import StrEnum

from gasdesk.vocab import Role


class Permission(StrEnum):
    OPEN_ORDER = "open_order"
    EDIT_CUSTOMER = "edit_customer"
    TAKE_PAYMENT = "take_payment"
    REVERSE_PAYMENT = "reverse_payment"
    DISPATCH = "dispatch"
    PAUSE_CLOCK = "pause_clock"
    VIEW_FULL_ID = "view_full_id"
    EXPORT_LEDGERS = "export_ledgers"
    EDIT_SETTINGS = "edit_settings"
    EDIT_CALENDAR = "edit_calendar"
    MANAGE_STAFF = "manage_staff"
    PRINT_FORMS = "print_forms"
    VIEW_AUDIT = "view_audit"
    BANK_FILES = "bank_files"


_COUNTER = {Permission.OPEN_ORDER, Permission.EDIT_CUSTOMER, Permission.TAKE_PAYMENT,
            Permission.PAUSE_CLOCK, Permission.PRINT_FORMS}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.CLERK: frozenset(_COUNTER),
    Role.ACCOUNT_MANAGER: frozenset({Permission.OPEN_ORDER, Permission.PAUSE_CLOCK, Permission.PRINT_FORMS}),
    Role.DISPATCHER: frozenset({Permission.DISPATCH, Permission.PAUSE_CLOCK, Permission.PRINT_FORMS}),
    Role.HANDLER: frozenset({Permission.PRINT_FORMS}),
    Role.MANAGER: frozenset(_COUNTER | {
        Permission.REVERSE_PAYMENT, Permission.DISPATCH, Permission.VIEW_FULL_ID, Permission.EXPORT_LEDGERS,
        Permission.EDIT_CALENDAR, Permission.VIEW_AUDIT, Permission.BANK_FILES,
    }),
    Role.ADMIN: frozenset(Permission),
}


def has_permission(role: Role | str, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[Role(role)]


def roles_with(permission: Permission) -> list[Role]:
    """The roles that hold a permission, in the order of the role list (who may do it, to tell a clerk)."""
    return [role for role in Role if permission in ROLE_PERMISSIONS[role]]

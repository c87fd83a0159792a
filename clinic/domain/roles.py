"""Who may do what: the three staff roles and the capabilities each grants."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Role(StrEnum):
    """A role a user holds; a user may hold several."""

    CLINICIAN = "clinician"
    STAFF = "staff"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Capability(StrEnum):
    """Something a route lets a user do."""

    VIEW_RECORDS = "view_records"
    EDIT_PATIENTS = "edit_patients"
    EXAMINE = "examine"
    PRINT = "print"
    EXPORT = "export"
    MANAGE_USERS = "manage_users"
    MANAGE_SETTINGS = "manage_settings"


_STAFF_RIGHTS = frozenset(
    {Capability.VIEW_RECORDS, Capability.EDIT_PATIENTS, Capability.PRINT, Capability.EXPORT}
)

CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.CLINICIAN: frozenset({Capability.VIEW_RECORDS, Capability.EXAMINE, Capability.PRINT}),
    Role.STAFF: _STAFF_RIGHTS,
    Role.ADMIN: _STAFF_RIGHTS | {Capability.MANAGE_USERS, Capability.MANAGE_SETTINGS},
}


def capabilities_of(roles: Iterable[Role]) -> frozenset[Capability]:
    """Return every capability that any of the given roles grants."""
    granted: frozenset[Capability] = frozenset()
    for role in roles:
        granted |= CAPABILITIES[role]
    return granted

"""Who may do what in the press office.

Press officers and PR managers write; the organisation admin configures and, when the
organisation's approval chain names the role, approves. Other roles do not see the press office.
"""

from __future__ import annotations

from kent360.organizations.models import Role, Staff

WRITERS = frozenset({Role.PRESS_OFFICER, Role.PR_MANAGER})
PRESS_ROLES = frozenset({Role.PRESS_OFFICER, Role.PR_MANAGER, Role.ORG_ADMIN})


def can_view(staff: Staff | None) -> bool:
    return staff is not None and staff.role in PRESS_ROLES


def can_write(staff: Staff | None) -> bool:
    return staff is not None and staff.role in WRITERS


def can_configure(staff: Staff | None) -> bool:
    return staff is not None and staff.role == Role.ORG_ADMIN

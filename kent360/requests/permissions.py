"""Who may see and do what with a request.

Rules: staff only ever see requests of their own organisation. Directorate staff see the
requests of their own directorate; every other role sees the whole organisation's.
An action is allowed when the role is listed for it in the workflow and, for directorate
staff, the request belongs to their directorate.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from kent360.core.errors import NotAllowed
from kent360.organizations.models import Role, Staff
from kent360.requests.models import Request
from kent360.requests.workflow import ACTIONS


def can_view(staff: Staff | None, request: Request) -> bool:
    if staff is None or request.organisation_id != staff.organisation_id:
        return False
    if staff.role == Role.DIRECTORATE_STAFF:
        return request.directorate_id is not None and request.directorate_id == staff.directorate_id
    return True


def _own_directorate(staff: Staff, request: Request) -> bool:
    return request.directorate_id is not None and request.directorate_id == staff.directorate_id


def can_do(staff: Staff | None, request: Request, action: str) -> bool:
    from kent360.requests import workflow

    if staff is None or not can_view(staff, request):
        return False
    if action in ACTIONS:
        spec = ACTIONS[action]
        if staff.role not in spec.roles:
            return False
        if staff.role == Role.DIRECTORATE_STAFF and spec.own_directorate_only_for_staff:
            return _own_directorate(staff, request)
        return True
    roles = {
        "note": workflow.NOTE_ROLES,
        "reply": workflow.REPLY_ROLES,
        "edit": workflow.EDIT_ROLES,
        "attach": workflow.NOTE_ROLES,
    }.get(action)
    if roles is None:
        return False
    return staff.role in roles


def require(staff: Staff | None, request: Request, action: str) -> Staff:
    if staff is None or not can_do(staff, request, action):
        raise NotAllowed(_("You are not allowed to do this with this request."))
    return staff


def can_create(staff: Staff | None) -> bool:
    from kent360.requests.workflow import CREATE_ROLES

    return staff is not None and staff.role in CREATE_ROLES

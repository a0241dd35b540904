"""Who may use the media desk.

Rule: media monitoring belongs to the press office. Press officers, the PR manager and the
organisation's administrator use it; other roles are refused (403). Every object is looked
up inside the asker's organisation, so another organisation's staff get 404.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from kent360.core.errors import NotAllowed
from kent360.organizations.models import Role, Staff

MEDIA_ROLES = frozenset({Role.PRESS_OFFICER, Role.PR_MANAGER, Role.ORG_ADMIN})


def can_use_media(staff: Staff | None) -> bool:
    return staff is not None and staff.is_active and staff.role in MEDIA_ROLES


def require_media(staff: Staff | None) -> Staff:
    if staff is None or not can_use_media(staff):
        raise NotAllowed(_("The media desk is for the press office."))
    return staff

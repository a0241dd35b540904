from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from kent360.core.models import ApiKey
from kent360.ops.models import PersonalDataAccess
from kent360.organizations.models import Staff


def api_keys_of(*, staff: Staff) -> QuerySet[ApiKey]:
    """The staff member's own keys in their organisation, newest first."""
    return ApiKey.objects.filter(user=staff.user, organisation=staff.organisation).order_by(
        "revoked_at", "-created_at"
    )


def access_log(*, staff: Staff, q: str = "") -> QuerySet[PersonalDataAccess]:
    """The organisation's personal-data access log, every screen that wrote to it (requests,
    API, citizen files and exports, desk lookups); ``q`` matches staff, tracking code,
    what was done, or a citizen number (``#12`` or ``12``)."""
    qs = PersonalDataAccess.objects.filter(organisation=staff.organisation).select_related(
        "request", "citizen"
    )
    q = q.strip()
    if q:
        cond = Q(staff_label__icontains=q) | Q(request__tracking_code__icontains=q) | Q(what=q)
        number = q.removeprefix("#")
        if number.isascii() and number.isdigit():
            cond |= Q(citizen_id=int(number))
        qs = qs.filter(cond)
    return qs


def citizen_access_log(*, staff: Staff, citizen: Any, limit: int = 20) -> list[PersonalDataAccess]:
    """The latest reads of one citizen's personal data, for the citizen's own file."""
    return list(
        PersonalDataAccess.objects.filter(
            organisation_id=staff.organisation_id, citizen_id=citizen.pk
        ).select_related("request")[:limit]
    )
